"""Customer orders into a real Tryton as sales orders, and the customer invoices Tryton makes from them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.base import PostingOutcome, PostingRejected
from connectors.blobstore import LocalBlobStore
from connectors.sources.folder import FolderWatcher
from connectors.sources.intake import Intake
from connectors.targets import _tryton_delegates
from connectors.tryton import TrytonClient, TrytonSink
from connectors.tryton.invoices import like_pattern, marker
from connectors.tryton.sales import SERVICE_PRODUCT_CODE, TrytonSalesOrderSink
from connectors.tryton.sync import sync_masterdata
from devkit.corpus.orders import customer_order
from docket.model import PostingRequested
from streams.inspect import read_raw
from streams.producer import EventProducer
from streams.settings import Settings
from tests.contract.sales_harness import order_request
from tests.contract.tryton_server import TrytonServer, running_tryton
from tests.integration.harness import Worker, codecs_for, collect, create_all_topics, run_settings


@pytest.fixture(scope="module")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-sales")) as server:
        yield server


@pytest.fixture
def client(tryton: TrytonServer) -> Iterator[TrytonClient]:
    made = tryton.client(timeout=60.0)
    yield made
    made.close()


@pytest.fixture
def sink(tryton: TrytonServer) -> Iterator[TrytonSalesOrderSink]:
    own = tryton.client(timeout=60.0)
    made = TrytonSalesOrderSink(own)
    yield made
    made.close()
    own.close()


def label() -> str:
    return uuid.uuid4().hex[:10]


def sales_for(client: TrytonClient, request: PostingRequested) -> list[dict[str, Any]]:
    return client.search_read("sale.sale", [("comment", "like", like_pattern(marker(request.idempotency_key)))],
                              ["id", "state", "number", "reference", "invoices", "total_amount"])


def test_a_customer_order_becomes_a_confirmed_sale_with_a_posted_customer_invoice(
        sink: TrytonSalesOrderSink, client: TrytonClient) -> None:
    request = order_request(label())
    record = request.record
    assert record is not None

    outcome = sink.post(request)

    assert outcome.status == "posted"
    sale, = client.model("sale.sale", "read", [int(outcome.erp_id or 0)], [
        "state", "number", "reference", "party.code", "invoice_method", "currency.code", "untaxed_amount",
        "tax_amount", "total_amount", "lines", "invoices", "sale_date"])
    assert sale["state"] in ("processing", "done")
    assert sale["number"] == outcome.erp_reference and sale["number"].startswith("SO-")
    assert sale["party."]["code"] == request.party_id
    assert sale["reference"] == record.number
    assert sale["sale_date"] == record.issue_date
    assert sale["invoice_method"] == "order" and sale["currency."]["code"] == "EUR"
    assert (sale["untaxed_amount"], sale["tax_amount"], sale["total_amount"]) == (
        record.net_total, record.tax_total, record.total)
    lines = client.model("sale.line", "read", sale["lines"],
                         ["description", "quantity", "unit_price", "taxes.rate", "product.code"])
    by_description = {line["description"]: line for line in lines}
    assert set(by_description) == {line.description for line in record.lines}
    for expected in record.lines:
        got = by_description[expected.description]
        assert Decimal(str(got["quantity"])) == expected.quantity
        assert got["unit_price"] == expected.unit_price
        assert [Decimal(tax["rate"]) * 100 for tax in got["taxes."]] == [expected.tax_rate]
        assert got["product."]["code"] == SERVICE_PRODUCT_CODE
    invoice, = client.model("account.invoice", "read", sale["invoices"],
                            ["type", "state", "number", "total_amount", "party.code"])
    assert invoice["type"] == "out" and invoice["state"] == "posted"
    assert invoice["total_amount"] == record.total and invoice["party."]["code"] == request.party_id
    assert (outcome.response["invoice_id"], outcome.response["invoice_number"]) == (invoice["id"], invoice["number"])


def test_a_draft_request_leaves_the_customer_invoice_a_draft(sink: TrytonSalesOrderSink,
                                                             client: TrytonClient) -> None:
    outcome = sink.post(order_request(label(), post_state="draft"))

    sale, = client.model("sale.sale", "read", [int(outcome.erp_id or 0)], ["state", "invoices"])
    invoice, = client.model("account.invoice", "read", sale["invoices"], ["state", "number"])
    assert sale["state"] == "processing"
    assert invoice["state"] == "draft" and invoice["number"] is None
    assert outcome.response["invoice_state"] == "draft"


def test_repeats_by_key_or_by_party_and_order_number_answer_the_first_sale(
        sink: TrytonSalesOrderSink, client: TrytonClient) -> None:
    request = order_request(label())
    first = sink.post(request)
    # Same order again under another key (a lost ledger, a re-sent PDF): the same sale answers.
    other_key = request.model_copy(update={"idempotency_key": f"{request.idempotency_key}-again"})

    again, other = sink.post(request), sink.post(other_key)

    assert (again.status, other.status) == ("already_posted", "already_posted")
    assert again.erp_id == other.erp_id == first.erp_id
    assert again.response["invoice_id"] == first.response["invoice_id"]
    assert len(sales_for(client, request)) == 1
    assert len(client.search_read("sale.sale", [("reference", "=", request.record.number)], ["id"])) == 1  # type: ignore[union-attr]


def test_a_sale_left_half_way_is_carried_on_not_made_twice(sink: TrytonSalesOrderSink, client: TrytonClient) -> None:
    request = order_request(label())
    party, = client.search_read("party.party", [("code", "=", request.party_id)], ["addresses"])
    # A worker that died after ``create``: the draft sale with the marker is all there is.
    draft_id, = client.model("sale.sale", "create", [{
        "party": party["id"], "invoice_address": party["addresses"][0], "reference": request.record.number,  # type: ignore[union-attr]
        "comment": marker(request.idempotency_key),
        "lines": [["create", [{"type": "line", "description": "Blue widgets", "quantity": 1.0,
                               "unit_price": Decimal("1.00")}]]]}])

    outcome = sink.post(request)

    assert outcome.status == "already_posted" and outcome.erp_id == str(draft_id)
    sale, = sales_for(client, request)
    assert sale["state"] == "processing" and len(sale["invoices"]) == 1


def test_a_batch_creates_every_order_and_refuses_the_bad_ones_alone(sink: TrytonSalesOrderSink,
                                                                    client: TrytonClient) -> None:
    tag = label()
    good_a, good_b = order_request(f"{tag}-a"), order_request(f"{tag}-b", party_id="C-2002")
    unknown_party = order_request(f"{tag}-x", party_id="NO-SUCH-CUSTOMER")
    unknown_tax = order_request(f"{tag}-t", lines=[("Odd rate", "1", "10.00", "13", None)])
    wrong_total = order_request(f"{tag}-w", total=Decimal("999.99"))

    results = sink.post_batch([good_a, unknown_party, unknown_tax, good_b, wrong_total, good_a])

    assert [type(result) for result in results] == [PostingOutcome, PostingRejected, PostingRejected,
                                                    PostingOutcome, PostingRejected, PostingOutcome]
    assert isinstance(results[1], PostingRejected) and "unknown" in results[1].message
    assert isinstance(results[2], PostingRejected) and "13" in results[2].message
    assert isinstance(results[4], PostingRejected) and "999.99" in results[4].message
    assert isinstance(results[0], PostingOutcome) and isinstance(results[5], PostingOutcome)
    assert results[5].status == "already_posted" and results[5].erp_id == results[0].erp_id
    assert [len(sales_for(client, r)) for r in (good_a, unknown_party, unknown_tax, good_b, wrong_total)] == [
        1, 0, 0, 1, 0]


def test_an_order_line_naming_a_product_tryton_sells_uses_that_product(sink: TrytonSalesOrderSink,
                                                                       client: TrytonClient) -> None:
    request = order_request(label(), lines=[("Copy paper A4", "5", "6.50", "19", "P-100")])

    outcome = sink.post(request)

    sale, = client.model("sale.sale", "read", [int(outcome.erp_id or 0)], ["lines", "state"])
    line, = client.model("sale.line", "read", sale["lines"], ["product.code"])
    assert line["product."]["code"] == "P-100"
    assert sale["state"] in ("processing", "done")


def test_the_tryton_sink_hands_sales_orders_to_its_delegate(tryton: TrytonServer, client: TrytonClient) -> None:
    own = tryton.client(timeout=60.0)
    tryton_sink = TrytonSink(own, delegates=_tryton_delegates(own, lambda uri: b""))
    order = order_request(label())

    outcome = tryton_sink.post(order)

    tryton_sink.close()
    sale, = sales_for(client, order)
    assert outcome.erp_id == str(sale["id"]) and outcome.erp_reference == sale["number"]


# -- the whole path: a customer-order PDF dropped in a folder, fanned out to Tryton and a downstream topic --

FANOUT_TARGETS = "tryton,topic:crm"


def customer_order_pdf(seed: str) -> tuple[bytes, Any]:
    """A customer order from Globex Retail AG (a customer in the demo ERP), lines at 19 %."""
    return customer_order(seed, buyer="Globex Retail AG", vat_id="DE811907980")


@pytest.fixture
def fanout_run(infra: Settings, tryton: TrytonServer, tmp_path: Path) -> Settings:
    settings = run_settings(infra, tmp_path, **tryton.settings_fields(),
                            posting_targets=FANOUT_TARGETS, default_legal_entity="DEMO", posting_batch_window_s=0.2)
    create_all_topics(settings)
    client = tryton.client(timeout=60)
    sync_masterdata(client, EventProducer(settings, codecs_for(settings)), legal_entity="DEMO",
                    now=datetime.now(UTC))
    client.close()
    return settings


def test_a_customer_order_pdf_becomes_a_sale_and_an_invoice_and_a_record_on_the_crm_topic(
        fanout_run: Settings, tryton: TrytonServer, tmp_path: Path) -> None:
    seed = next(s for s in (f"order-{n}" for n in range(100)) if customer_order_pdf(s)[1].total < Decimal("5000"))
    pdf, content = customer_order_pdf(seed)
    worker = Worker(fanout_run, tmp_path / "worker.log")
    worker.start()
    try:
        landing = tmp_path / "landing"
        landing.mkdir()
        (landing / f"order-{content.number}.pdf").write_bytes(pdf)
        intake = Intake(LocalBlobStore(fanout_run.blob_root), EventProducer(fanout_run, codecs_for(fanout_run)),
                        default_legal_entity="DEMO")
        watcher = FolderWatcher(landing, intake, tmp_path / "folder.sqlite")
        watcher.poll()
        document_id, = watcher.poll().ingested.values()
        watcher.close()

        def settled(records: list[Any]) -> bool:
            return {e.target for _, e in records if e.envelope.document_id == document_id
                    and e.status in ("posted", "already_posted")} == {"tryton", "topic:crm"}

        results = [e for _, e in collect(fanout_run, "postings.results", until=settled, timeout=300)
                   if e.envelope.document_id == document_id]
    finally:
        worker.stop()

    # One result per target, each under its own idempotency key.
    by_target = {r.target: r for r in results if r.status == "posted"}
    assert set(by_target) == {"tryton", "topic:crm"}
    assert by_target["tryton"].idempotency_key != by_target["topic:crm"].idempotency_key
    assert all(r.idempotency_key.endswith(f":{r.target}") for r in by_target.values())

    client = tryton.client(timeout=60)
    sale, = client.search_read("sale.sale", [("comment", "like", like_pattern(marker(
        by_target["tryton"].idempotency_key)))], ["number", "state", "reference", "party.code", "total_amount",
                                                 "invoices", "lines"])
    assert sale["number"] == by_target["tryton"].erp_reference
    assert sale["state"] == "processing" and sale["reference"] == content.number
    assert sale["party."]["code"] == "C-2001"
    assert sale["total_amount"] == content.total and len(sale["lines"]) == len(content.lines)
    invoice, = client.model("account.invoice", "read", sale["invoices"], ["type", "state", "total_amount"])
    assert (invoice["type"], invoice["state"], invoice["total_amount"]) == ("out", "posted", content.total)
    client.close()

    crm = [(m.key().decode(), codecs_for(fanout_run).for_topic("postings.out.crm").decode(m.value()))
           for m in read_raw(fanout_run, "postings.out.crm", idle_timeout=2.0)]
    (key, posted), = crm
    assert key == by_target["topic:crm"].idempotency_key
    assert posted.posting_type == "sales_order" and posted.party_id == "C-2001"
    assert posted.record is not None and posted.record.number == content.number
    assert posted.record.total == content.total


def test_a_refused_new_order_does_not_fail_a_known_one_in_the_same_batch(sink: TrytonSalesOrderSink) -> None:
    known = order_request(label())
    first = sink.post(known)
    not_for_sale = order_request(label(), lines=[("Toner", "1", "30.00", "19", "P-900")])

    results = sink.post_batch([known, not_for_sale])

    assert isinstance(results[0], PostingOutcome) and results[0].status == "already_posted"
    assert results[0].erp_id == first.erp_id
    assert isinstance(results[1], PostingRejected) and "domain" in results[1].message


def test_the_same_order_twice_in_one_batch_under_two_keys_makes_one_sale(sink: TrytonSalesOrderSink,
                                                                         client: TrytonClient) -> None:
    emailed = order_request(label())
    uploaded = order_request(label(), number=emailed.record.number if emailed.record else None)

    results = sink.post_batch([emailed, uploaded])

    assert all(isinstance(result, PostingOutcome) for result in results)
    first, second = (r for r in results if isinstance(r, PostingOutcome))
    assert (first.status, second.status) == ("posted", "already_posted")
    assert (first.idempotency_key, second.idempotency_key) == (emailed.idempotency_key, uploaded.idempotency_key)
    assert second.erp_id == first.erp_id
    assert len(client.search_read("sale.sale", [("reference", "=", emailed.record.number)], ["id"])) == 1  # type: ignore[union-attr]
