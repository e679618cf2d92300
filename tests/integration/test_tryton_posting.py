"""Posting into a real Tryton (started from the cached template database on a free 18000-18099 port)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.base import PostingOutcome, PostingRejected, TargetUnavailable
from connectors.tryton import TrytonClient, TrytonSink
from connectors.tryton.invoices import like_pattern, marker
from connectors.tryton.masterdata import fetch_open_receivables, fetch_purchase_orders, fetch_vendors
from docket.errors import BlobError
from docket.model import InvoiceLine, PostingRequested, TaxLine
from tests.contract.harness import invoice_request
from tests.contract.tryton_server import TrytonServer, running_tryton


@pytest.fixture(scope="module")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-posting")) as server:
        yield server


@pytest.fixture
def client(tryton: TrytonServer) -> Iterator[TrytonClient]:
    made = tryton.client(timeout=60.0)
    yield made
    made.close()


def read_blob(uri: str) -> bytes:
    return b"%PDF-1.4 source of " + uri.encode()


@pytest.fixture
def sink(tryton: TrytonServer) -> Iterator[TrytonSink]:
    made = TrytonSink(tryton.client(timeout=60.0), blob_reader=read_blob)
    yield made
    made.close()


def label() -> str:
    return uuid.uuid4().hex[:10]


def invoices_for(client: TrytonClient, request: PostingRequested) -> list[dict[str, Any]]:
    return client.search_read("account.invoice", [("comment", "like", like_pattern(marker(request.idempotency_key)))],
                              ["id", "state", "number", "type", "total_amount"])


def test_a_posted_supplier_invoice_matches_the_request(sink: TrytonSink, client: TrytonClient) -> None:
    request = invoice_request(label(), target="tryton")
    record = request.record
    assert record is not None

    outcome = sink.post(request)

    invoice, = client.model("account.invoice", "read", [int(outcome.erp_id or 0)], [
        "type", "state", "number", "party.code", "reference", "invoice_date", "currency.code",
        "untaxed_amount", "tax_amount", "total_amount", "lines"])
    assert invoice["type"] == "in" and invoice["state"] == "posted"
    assert invoice["number"] == outcome.erp_reference
    assert invoice["party."]["code"] == request.party_id
    assert invoice["reference"] == record.number
    assert invoice["invoice_date"] == record.issue_date
    assert invoice["currency."]["code"] == record.currency
    assert (invoice["untaxed_amount"], invoice["tax_amount"], invoice["total_amount"]) == (
        record.net_total, record.tax_total, record.total)
    lines = client.model("account.invoice.line", "read", invoice["lines"],
                         ["description", "quantity", "unit_price", "taxes.rate"])
    by_description = {line["description"]: line for line in lines}
    for expected in record.lines:
        line = by_description[expected.description]
        assert Decimal(str(line["quantity"])) == expected.quantity
        assert line["unit_price"] == expected.unit_price
        assert [tax["rate"] * 100 for tax in line["taxes."]] == [expected.tax_rate]
    attachment, = client.search_read("ir.attachment", [("resource", "=", f"account.invoice,{outcome.erp_id}")],
                                     ["name", "data"])
    assert attachment["data"] == read_blob(request.blob_uri or "")


def test_a_stopped_server_makes_the_sink_unavailable_and_the_retry_lands_once(
        tryton: TrytonServer, sink: TrytonSink, client: TrytonClient) -> None:
    sink.post(invoice_request(label(), target="tryton"))  # the session is open before the outage
    request = invoice_request(label(), target="tryton")
    tryton.stop()
    try:
        with pytest.raises(TargetUnavailable):
            sink.post(request)
    finally:
        tryton.restart()

    first = sink.post(request)
    again = sink.post(request)

    assert first.status == "posted" and again.status == "already_posted"
    assert len(invoices_for(client, request)) == 1


def test_the_same_request_from_two_sinks_creates_one_invoice(tryton: TrytonServer, client: TrytonClient) -> None:
    request = invoice_request(label(), target="tryton")
    first_sink, second_sink = (TrytonSink(tryton.client(timeout=60.0), blob_reader=read_blob) for _ in range(2))

    first = first_sink.post(request)
    second = second_sink.post(request)
    first_sink.close()
    second_sink.close()

    assert (first.status, second.status) == ("posted", "already_posted")
    assert second.erp_id == first.erp_id
    assert len(invoices_for(client, request)) == 1


def test_a_new_revision_of_a_posted_invoice_finds_it_by_supplier_and_reference(
        sink: TrytonSink, client: TrytonClient) -> None:
    name = label()
    first = sink.post(invoice_request(name, target="tryton", revision=0))
    revised = invoice_request(name, target="tryton", revision=1)

    again = sink.post(revised)

    assert again.status == "already_posted" and again.erp_id == first.erp_id
    assert invoices_for(client, revised) == []  # nothing was created under the new key


def test_draft_post_state_leaves_the_invoice_in_draft(sink: TrytonSink, client: TrytonClient) -> None:
    request = invoice_request(label(), target="tryton", post_state="draft")

    outcome = sink.post(request)

    invoice, = invoices_for(client, request)
    assert invoice["state"] == "draft" and invoice["number"] is None
    assert outcome.erp_reference is None and outcome.erp_id == str(invoice["id"])


def test_a_total_tryton_disagrees_with_is_refused_and_leaves_nothing(sink: TrytonSink, client: TrytonClient) -> None:
    request = invoice_request(label(), target="tryton")
    assert request.record is not None
    wrong = request.model_copy(update={"record": request.record.model_copy(update={"total": Decimal("60.00")})})

    with pytest.raises(PostingRejected) as refused:
        sink.post(wrong)

    assert "59.50" in refused.value.message and "60.00" in refused.value.message
    assert invoices_for(client, wrong) == []


def test_a_credit_note_is_posted_with_negative_amounts(sink: TrytonSink, client: TrytonClient) -> None:
    request = invoice_request(label(), target="tryton").model_copy(update={"posting_type": "supplier_credit_note"})

    sink.post(request)

    invoice, = invoices_for(client, request)
    assert invoice["type"] == "in" and invoice["state"] == "posted"
    assert request.record is not None and request.record.total is not None
    assert invoice["total_amount"] == -request.record.total


def test_an_unknown_party_or_account_is_refused(sink: TrytonSink) -> None:
    unknown_party = invoice_request(label(), target="tryton", party_id="NO-SUCH-PARTY")
    unknown_account = invoice_request(label(), target="tryton").model_copy(update={"gl_account": "9.9.9"})

    results = sink.post_batch([unknown_party, unknown_account])

    assert isinstance(results[0], PostingRejected) and "NO-SUCH-PARTY" in results[0].message
    assert isinstance(results[1], PostingRejected) and "9.9.9" in results[1].message


def test_a_po_number_links_the_lines_to_the_purchase(sink: TrytonSink, client: TrytonClient) -> None:
    now = datetime.now(UTC)
    po, = [order for order in fetch_purchase_orders(client, legal_entity="demo", now=now)
           if order.vendor_id == "V-1001"]
    po_line = po.lines[0]
    request = invoice_request(label(), target="tryton")
    assert request.record is not None
    line = InvoiceLine(index=0, description=po_line.description, quantity=po_line.quantity,
                       unit_price=po_line.unit_price, tax_rate=Decimal("19"), sku=po_line.sku)
    net = (po_line.quantity * po_line.unit_price).quantize(Decimal("0.01"))
    tax = (net * Decimal("0.19")).quantize(Decimal("0.01"))
    record = request.record.model_copy(update={"po_number": po.po_number, "lines": [line], "tax_lines": [],
                                               "net_total": net, "tax_total": tax, "total": net + tax})

    outcome = sink.post(request.model_copy(update={"record": record}))

    assert outcome.response["purchase_id"] == int(po.erp_id or 0)
    invoice_line, = client.search_read("account.invoice.line", [("invoice", "=", int(outcome.erp_id or 0))],
                                       ["origin", "product.code"])
    assert str(invoice_line["origin"]).startswith("purchase.line,")
    assert invoice_line["product."]["code"] == po_line.sku


def test_customer_invoices_become_open_receivables(sink: TrytonSink, client: TrytonClient) -> None:
    request = invoice_request(label(), target="tryton", party_id="C-2001").model_copy(
        update={"posting_type": "customer_invoice"})
    assert request.record is not None

    outcome = sink.post(request)
    items = fetch_open_receivables(client, legal_entity="demo", now=datetime.now(UTC))

    item, = [item for item in items if item.erp_id == outcome.erp_id]
    assert item.customer_id == "C-2001" and item.invoice_number == outcome.erp_reference
    assert item.amount_total == item.amount_open == request.record.total
    assert item.invoice_date == request.record.issue_date


def test_vendors_come_with_vat_ids_and_ibans(client: TrytonClient) -> None:
    vendors = {vendor.party_id: vendor for vendor in
               fetch_vendors(client, legal_entity="demo", now=datetime.now(UTC))}

    acme = vendors["V-1001"]
    assert acme.name == "Acme Office Supplies GmbH"
    assert acme.vat_id == "DE136695976" and acme.country == "DE"
    assert acme.ibans == ["DE89370400440532013000"] and acme.bic == "COBADEFFXXX"
    names = {vendor.name for vendor in vendors.values()}
    assert "Docket Demo GmbH" not in names and "Commerzbank" not in names


def test_post_batch_creates_several_invoices(sink: TrytonSink, client: TrytonClient) -> None:
    requests = [invoice_request(label(), target="tryton", issue_date=date(2026, 2, 1)) for _ in range(4)]

    outcomes = sink.post_batch(requests)

    assert all(getattr(outcome, "status", None) == "posted" for outcome in outcomes)
    assert len({getattr(outcome, "erp_reference", None) for outcome in outcomes}) == 4
    assert all(len(invoices_for(client, request)) == 1 for request in requests)


def test_path_of_the_state_dir_holds_log_and_pid(tryton: TrytonServer) -> None:
    instance = tryton.require()
    state = Path(instance.state_dir)
    assert (state / "trytond.log").stat().st_size > 0
    assert int((state / "trytond.pid").read_text()) == instance.pid


def test_the_documents_tax_wins_over_the_products_default(sink: TrytonSink, client: TrytonClient) -> None:
    request = invoice_request(label(), target="tryton")
    assert request.record is not None
    # P-100 defaults to 19 % input VAT; this supplier charged 7 %.
    line = InvoiceLine(index=0, description="Paper at reduced rate", quantity=Decimal("10"),
                       unit_price=Decimal("5.00"), tax_rate=Decimal("7"), sku="P-100")
    record = request.record.model_copy(update={"lines": [line], "tax_lines": [], "net_total": Decimal("50.00"),
                                               "tax_total": Decimal("3.50"), "total": Decimal("53.50")})

    outcome = sink.post(request.model_copy(update={"record": record}))

    invoice, = client.model("account.invoice", "read", [int(outcome.erp_id or 0)], ["state", "tax_amount"])
    assert invoice == {"id": int(outcome.erp_id or 0), "state": "posted", "tax_amount": Decimal("3.50")}


def test_the_suppliers_tax_rounding_is_booked_as_stated(sink: TrytonSink, client: TrytonClient) -> None:
    request = invoice_request(label(), target="tryton")
    assert request.record is not None
    # 19 % of 49.50 is 9.405: the supplier rounded half-up to 9.41, Tryton would round half-even to 9.40.
    line = InvoiceLine(index=0, description="Toner", quantity=Decimal("1"), unit_price=Decimal("49.50"),
                       tax_rate=Decimal("19"))
    record = request.record.model_copy(update={
        "lines": [line], "net_total": Decimal("49.50"), "tax_total": Decimal("9.41"), "total": Decimal("58.91"),
        "tax_lines": [TaxLine(rate=Decimal("19"), base=Decimal("49.50"), amount=Decimal("9.41"))]})

    outcome = sink.post(request.model_copy(update={"record": record}))

    invoice, = client.model("account.invoice", "read", [int(outcome.erp_id or 0)],
                            ["state", "tax_amount", "total_amount"])
    assert (invoice["state"], invoice["tax_amount"], invoice["total_amount"]) == (
        "posted", Decimal("9.41"), Decimal("58.91"))


def test_an_unreadable_source_document_fails_only_its_own_posting(tryton: TrytonServer, client: TrytonClient) -> None:
    def reader(uri: str) -> bytes:
        if "missing" in uri:
            raise BlobError(f"no blob at {uri}")
        return read_blob(uri)

    sink = TrytonSink(tryton.client(timeout=60.0), blob_reader=reader)
    missing = invoice_request(f"missing-{label()}", target="tryton")
    fine = invoice_request(label(), target="tryton")

    results = sink.post_batch([missing, fine])
    sink.close()

    assert isinstance(results[0], BlobError)
    assert isinstance(results[1], PostingOutcome) and results[1].status == "posted"
    assert invoices_for(client, missing) == [] and len(invoices_for(client, fine)) == 1


def test_two_workers_posting_the_same_request_at_once_leave_one_invoice(
        tryton: TrytonServer, client: TrytonClient) -> None:
    """Two sinks racing on one request never leave two invoices, and a repeat answers the survivor.

    Known gap (#5): the racer that loses can still see its clean-up collide with the winner's
    posting and report an error for a posting that did land (the pipeline gives one partition to
    one worker, so this needs a rebalance to happen), and under load both racers can fail; what
    must hold is that posting again lands exactly one invoice.
    """
    request = invoice_request(label(), target="tryton")
    sinks = [TrytonSink(tryton.client(timeout=120.0), blob_reader=read_blob) for _ in range(2)]
    for sink in sinks:
        sink.post(invoice_request(label(), target="tryton"))  # logged in and caches warm: the race is real
    start = threading.Barrier(2)
    outcomes: list[PostingOutcome] = []
    errors: list[Exception] = []

    def post(sink: TrytonSink) -> None:
        start.wait()
        try:
            outcomes.append(sink.post(request))
        except (PostingRejected, TargetUnavailable) as error:
            errors.append(error)

    threads = [threading.Thread(target=post, args=(sink,)) for sink in sinks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for sink in sinks:
        sink.close()

    # What the posting stage does after a failed attempt: post again (transient errors retried).
    again = TrytonSink(tryton.client(timeout=120.0), blob_reader=read_blob)
    for attempt in range(5):
        try:
            repeat = again.post(request)
            break
        except TargetUnavailable:
            time.sleep(1 + attempt)
    again.close()
    remaining, = invoices_for(client, request)  # never two invoices
    assert remaining["state"] == "posted" and str(remaining["id"]) == repeat.erp_id
    assert {outcome.erp_id for outcome in outcomes} <= {repeat.erp_id}, (outcomes, errors)
    if outcomes:
        assert repeat.status == "already_posted"


class _Paused:
    """A Tryton client whose calls can wait for, and announce, steps of another posting.

    ``before[(model, method, n)]`` runs before the n-th such call (from 1) — waits for an event,
    does another posting, or raises as a killed process would; ``after[...]`` is an event set once
    it returned. Two sinks posting the same request are interleaved exactly as two workers'
    attempts were (``search_read`` counts as method ``search_read``).
    """

    def __init__(self, client: TrytonClient) -> None:
        self.client = client
        self.before: dict[tuple[str, str, int], Callable[[], None]] = {}
        self.after: dict[tuple[str, str, int], threading.Event] = {}
        self.calls: dict[tuple[str, str], int] = {}

    def _step(self, model: str, method: str, call: Callable[[], Any]) -> Any:
        count = self.calls[(model, method)] = self.calls.get((model, method), 0) + 1
        hook = self.before.get((model, method, count))
        if hook is not None:
            hook()
        try:
            return call()
        finally:
            done = self.after.get((model, method, count))
            if done is not None:
                done.set()

    def model(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return self._step(model, method, lambda: self.client.model(model, method, *args, **kwargs))

    def search_read(self, model: str, *args: Any, **kwargs: Any) -> Any:
        return self._step(model, "search_read", lambda: self.client.search_read(model, *args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def _waits_for(event: threading.Event) -> Callable[[], None]:
    def wait() -> None:
        assert event.wait(120), "the other posting never reached its step"
    return wait


def test_a_twin_attempt_that_meets_the_similar_invoice_warning_is_not_a_rejection(
        tryton: TrytonServer, client: TrytonClient) -> None:
    """Two attempts of one posting: both find nothing, both create a draft, and the first posts
    while the second's draft still exists, so Tryton warns that the invoice is similar to another.
    That is the same posting landing twice, never a refusal: one invoice, both answers name it."""
    request = invoice_request(label(), target="tryton")
    first, second = _Paused(tryton.client(timeout=120.0)), _Paused(tryton.client(timeout=120.0))
    sinks = [TrytonSink(paused, blob_reader=read_blob) for paused in (first, second)]  # type: ignore[arg-type]
    for sink in sinks:
        sink.post(invoice_request(label(), target="tryton"))  # logged in and caches warm
    first.calls.clear()
    second.calls.clear()
    invoice = "account.invoice"
    # 1. both look for an earlier invoice before either has created one
    def then(done: _Paused, step: tuple[str, str, int], waiting: _Paused, next_step: tuple[str, str, int]) -> None:
        done.after[step] = threading.Event()
        waiting.before[next_step] = _waits_for(done.after[step])

    then(first, (invoice, "search_read", 1), second, (invoice, "search_read", 1))
    then(second, (invoice, "search_read", 1), first, (invoice, "create", 1))
    # 2. the first creates its draft, then the second its twin
    then(first, (invoice, "create", 1), second, (invoice, "create", 1))
    # 3. the first posts while the twin exists; the second goes on once the first has answered
    then(second, (invoice, "create", 1), first, (invoice, "post", 1))
    first_answered = threading.Event()
    second.before[(invoice, "search_read", 2)] = _waits_for(first_answered)
    answers: dict[int, PostingOutcome | Exception] = {}

    def post(index: int) -> None:
        try:
            answers[index] = sinks[index].post(request)
        except Exception as error:  # the assertion below names it
            answers[index] = error
        finally:
            if index == 0:
                first_answered.set()

    threads = [threading.Thread(target=post, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    for sink in sinks:
        sink.close()

    assert all(isinstance(answer, PostingOutcome) for answer in answers.values()) and len(answers) == 2, answers
    outcomes = [answers[0], answers[1]]
    assert all(isinstance(o, PostingOutcome) for o in outcomes)
    statuses = sorted(o.status for o in outcomes if isinstance(o, PostingOutcome))
    assert statuses == ["already_posted", "posted"]
    remaining, = invoices_for(client, request)  # one invoice
    assert remaining["state"] == "posted"
    assert {(o.erp_reference, o.erp_id) for o in outcomes if isinstance(o, PostingOutcome)} == {
        (remaining["number"], str(remaining["id"]))}


def test_a_draft_left_by_a_killed_attempt_yields_to_its_posted_twin(
        tryton: TrytonServer, client: TrytonClient) -> None:
    """An attempt looked for an earlier invoice, then a revision of the same invoice was posted,
    then the attempt created its draft and died before its twin check. Its redelivery finds that
    draft by its marker and meets the similar-invoice warning posting it: the answer is the posted
    twin, ``already_posted``, not a refusal."""
    name = label()
    original, revised = invoice_request(name, target="tryton"), invoice_request(name, target="tryton", revision=1)
    twins: list[PostingOutcome] = []

    def post_the_revision() -> None:
        other = TrytonSink(tryton.client(timeout=60.0), blob_reader=read_blob)
        try:
            twins.append(other.post(revised))
        finally:
            other.close()

    def die() -> None:
        raise TargetUnavailable("the worker was killed")

    killed = _Paused(tryton.client(timeout=120.0))
    killed_sink = TrytonSink(killed, blob_reader=read_blob)  # type: ignore[arg-type]
    killed_sink.post(invoice_request(label(), target="tryton"))  # logged in and caches warm
    killed.calls.clear()
    killed.before[("account.invoice", "create", 1)] = post_the_revision
    killed.before[("account.invoice", "search_read", 2)] = die
    (died,) = killed_sink.post_batch([original])
    killed_sink.close()
    twin, = twins
    draft, = invoices_for(client, original)
    assert isinstance(died, TargetUnavailable) and draft["state"] == "draft" and draft["id"] > int(twin.erp_id or 0)

    sink = TrytonSink(tryton.client(timeout=60.0), blob_reader=read_blob)
    try:
        redelivered = sink.post(original)
    finally:
        sink.close()

    assert (redelivered.status, redelivered.erp_id, redelivered.erp_reference) == (
        "already_posted", twin.erp_id, twin.erp_reference)
    posted = client.search_read("account.invoice", [("reference", "=", f"INV-{name}"), ("state", "=", "posted")],
                                ["id"])
    assert [str(row["id"]) for row in posted] == [twin.erp_id]
