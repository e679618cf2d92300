"""The Tryton connector's pure parts and its error mapping, without a server (fast).

The HTTP layer is replaced by ``httpx.MockTransport`` answering the way trytond does; the real
server is exercised in ``test_sink_contract.py[tryton]`` and ``tests/integration/test_tryton_*.py``.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.base import PostingRejected, TargetUnavailable
from connectors.tryton import TrytonSink
from connectors.tryton.client import TrytonClient, TrytonLoginFailed, TrytonUserError, decode, encode
from connectors.tryton.invoices import (
    InvoiceHeader,
    PlannedLine,
    ResolvedLine,
    invoice_values,
    like_pattern,
    match_po_lines,
    planned_lines,
    tax_adjustments,
    total_mismatch,
)
from connectors.tryton.masterdata import open_item_from_invoice, purchase_order_from_tryton, vendor_from_party
from docket.model import InvoiceLine, InvoiceRecord, TaxLine
from infra import tryton as infra_tryton
from tests.contract.harness import invoice_request
from tests.contract.tryton_server import running_tryton


def test_tryton_json_round_trips_decimals_dates_and_bytes() -> None:
    value = {"amount": Decimal("12.3400"), "day": date(2025, 2, 28), "at": datetime(2025, 2, 28, 13, 5, 7, 9),
             "blob": b"\x00%PDF", "nested": [Decimal("-1.5"), "text", 3]}

    wire = json.loads(json.dumps(encode(value)))

    assert wire["amount"] == {"__class__": "Decimal", "decimal": "12.3400"}
    assert decode(wire) == value


def test_lines_without_unit_price_take_amount_over_quantity_and_the_single_rate() -> None:
    record = InvoiceRecord(document_type="invoice", lines=[
        InvoiceLine(index=0, description="Hours", quantity=Decimal("3"), amount=Decimal("100.00")),
        InvoiceLine(index=1, description="Flat fee", amount=Decimal("20.00"))],
        tax_lines=[TaxLine(rate=Decimal("7"), amount=Decimal("8.40"))])

    lines = planned_lines(record)

    assert [(line.quantity, line.unit_price, line.tax_rate) for line in lines] == [
        (Decimal("3"), Decimal("33.3333"), Decimal("7")), (Decimal("1"), Decimal("20.00"), Decimal("7"))]


def test_a_record_without_lines_is_posted_per_tax_rate() -> None:
    record = InvoiceRecord(document_type="invoice", number="A-9", tax_lines=[
        TaxLine(rate=Decimal("19"), base=Decimal("100.00"), amount=Decimal("19.00")),
        TaxLine(rate=Decimal("7"), amount=Decimal("3.50"))])

    lines = planned_lines(record)

    assert [(line.unit_price, line.tax_rate) for line in lines] == [
        (Decimal("100.00"), Decimal("19")), (Decimal("50.00"), Decimal("7"))]
    assert all("A-9" in line.description for line in lines)


def test_a_record_without_any_amount_is_refused() -> None:
    with pytest.raises(PostingRejected):
        planned_lines(InvoiceRecord(document_type="invoice", number="A-1"))


def test_credit_notes_negate_quantities_and_carry_the_idempotency_marker() -> None:
    request = invoice_request("units-1", target="tryton").model_copy(update={"posting_type": "supplier_credit_note"})
    header = InvoiceHeader(company_id=1, party_id=2, address_id=3, account_id=4, journal_id=5, currency_id=6)
    planned = planned_lines(request.record)  # type: ignore[arg-type]
    resolved = [ResolvedLine(line=line, account_id=9, tax_ids=(11,)) for line in planned]

    values = invoice_values(request, header, resolved)

    created = values["lines"][0][1]
    assert values["type"] == "in" and values["reference"] == "INV-units-1"
    assert [line["quantity"] for line in created] == [-10.0, -1.0]
    assert all(line["taxes"] == [["add", [11]]] for line in created)
    assert f"docket-key:{request.idempotency_key}" in values["comment"].splitlines()


def test_total_mismatch_allows_rounding_but_not_more() -> None:
    request = invoice_request("units-2", target="tryton")  # total 59.50
    credit = request.model_copy(update={"posting_type": "supplier_credit_note"})

    assert total_mismatch(request, Decimal("59.49")) is None
    assert total_mismatch(credit, Decimal("-59.50")) is None
    assert total_mismatch(request, Decimal("59.40")) is not None
    assert total_mismatch(credit, Decimal("59.50")) is not None


def test_po_lines_pair_by_product_code_then_position() -> None:
    lines = [PlannedLine("Paper", Decimal(1), Decimal(1), None, sku="P-2"),
             PlannedLine("Toner", Decimal(1), Decimal(1), None)]
    po = [{"id": 10, "product.": {"code": "P-1"}}, {"id": 11, "product.": {"code": "P-2"}}]

    assert match_po_lines(lines, po) == [11, None]
    assert match_po_lines(lines[1:], po[:1]) == [10]
    assert match_po_lines(lines, []) == [None, None]


def test_like_patterns_escape_wildcards() -> None:
    assert like_pattern("doc_1%:0") == "%doc\\_1\\%:0%"


def _client(handler: Any) -> TrytonClient:
    return TrytonClient("http://tryton.test", "db", "docket", "pw", transport=httpx.MockTransport(handler))


def _login_then(answer: Any) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["method"] == "common.db.login":
            return httpx.Response(200, json={"id": body["id"], "result": [5, "s3ss10n", None]})
        if body["method"] == "model.res.user.get_preferences":
            return httpx.Response(200, json={"id": body["id"], "result": {"company": 1, "language": "en"}})
        response: httpx.Response = answer(request, body)
        return response
    return handler


def test_a_user_error_becomes_a_rejection_with_trytons_text() -> None:
    client = _client(_login_then(lambda request, body: httpx.Response(200, json={
        "id": body["id"], "error": ["UserError", ["The party is inactive.", "Pick another.", None]]})))

    with pytest.raises(TrytonUserError) as refused:
        client.model("account.invoice", "create", [{}])

    assert isinstance(refused.value, PostingRejected)
    assert refused.value.message == "The party is inactive. Pick another."


def test_server_errors_and_refused_connections_are_retryable() -> None:
    failing = _client(_login_then(lambda request, body: httpx.Response(503)))
    with pytest.raises(TargetUnavailable):
        failing.model("account.invoice", "search", [])

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refused = TrytonClient(f"http://127.0.0.1:{port}", "db", "docket", "pw", connect_timeout=0.5)
    with pytest.raises(TargetUnavailable) as down:
        refused.model("account.invoice", "search", [])
    assert down.value.retryable is True


def test_an_expired_session_logs_in_again_within_the_call() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        seen.append(request.headers.get("Authorization", ""))
        if len(seen) == 1:
            return httpx.Response(401)
        return httpx.Response(200, json={"id": body["id"], "result": [1, 2]})

    client = _client(_login_then(answer))

    assert client.model("account.invoice", "search", []) == [1, 2]
    assert len(seen) == 2 and all(header.startswith("Session ") for header in seen)


def test_connecting_a_sink_logs_in_and_reads_the_reference_data_once() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        seen.append(body["method"])
        result: Any = [{"id": 3, "currency": 1}] if body["method"].endswith(".read") else []
        return httpx.Response(200, json={"id": body["id"], "result": result})

    client = _client(_login_then(answer))
    sink = TrytonSink(client)
    sink.connect()
    sink.connect()  # everything read is kept: a second connect calls nothing

    assert client.context["company"] == 1
    assert sorted(seen) == ["model.account.configuration.search_read", "model.account.journal.search_read",
                            "model.account.tax.search_read", "model.company.company.read",
                            "model.currency.currency.search_read"]


def test_connecting_a_sink_whose_tryton_is_down_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = TrytonSink(TrytonClient(f"http://127.0.0.1:{port}", "db", "docket", "pw", connect_timeout=0.5))

    with pytest.raises(TargetUnavailable) as down:
        sink.connect()

    assert down.value.code == "POSTING_TARGET_UNAVAILABLE"


def test_refused_credentials_are_a_login_failure() -> None:
    client = _client(lambda request: httpx.Response(401))

    with pytest.raises(TrytonLoginFailed) as failed:
        client.model("account.invoice", "search", [])

    assert failed.value.code == "POSTING_TARGET_LOGIN_FAILED"


def test_master_data_rows_map_to_docket_models() -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    party = {"id": 2, "code": "V-1", "name": "Acme", "active": True, "supplier_payment_term.": {"name": "Net 30"}}
    vendor = vendor_from_party(
        party, identifiers=[{"type": "eu_vat", "code": "DE136695976"}],
        addresses=[{"full_address": "Berlin", "country.": {"code": "DE"}}],
        bank_numbers=[{"number_compact": "DE89370400440532013000", "account.": {"bank.": {"bic": "COBADEFFXXX"}}}],
        legal_entity="demo", updated_at=now)
    assert (vendor.party_id, vendor.vat_id, vendor.country, vendor.bic, vendor.payment_terms, vendor.erp_id) == (
        "V-1", "DE136695976", "DE", "COBADEFFXXX", "Net 30", "2")

    po = purchase_order_from_tryton(
        {"id": 1, "number": "PO-1", "party": 2, "party.": {"code": "V-1"}, "currency.": {"code": "EUR"},
         "state": "processing", "total_amount": Decimal("49.98")},
        [{"description": "Paper", "quantity": 10.0, "unit_price": Decimal("4.2"), "taxes": [1, 2],
          "product.": {"code": "P-100"}}], {1: Decimal("0.19"), 2: Decimal("0.01")}, legal_entity="demo",
        updated_at=now)
    assert po.status == "open" and po.vendor_id == "V-1"
    assert (po.lines[0].quantity, po.lines[0].tax_rate, po.lines[0].sku) == (Decimal(10), Decimal(20), "P-100")

    item = open_item_from_invoice(
        {"id": 9, "number": "INV-1", "party": 6, "party.": {"code": "C-1"}, "invoice_date": date(2025, 5, 1),
         "currency.": {"code": "EUR"}, "total_amount": Decimal("119.00"), "amount_to_pay": Decimal("19.00")},
        due_date=date(2025, 5, 31), legal_entity="demo", updated_at=now)
    assert (item.customer_id, item.amount_total, item.amount_open, item.due_date) == (
        "C-1", Decimal("119.00"), Decimal("19.00"), date(2025, 5, 31))


def test_starting_on_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(infra_tryton.PortInUse) as taken:
            infra_tryton.start(tmp_path, port=busy.getsockname()[1], report=lambda _: None)
    assert taken.value.code == "INFRA_TRYTON_PORT_IN_USE"
    assert infra_tryton.status(tmp_path) is None
    assert infra_tryton.stop(tmp_path, report=lambda _: None) is False


def test_a_tryton_that_cannot_start_fails_the_test_instead_of_skipping(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*args: Any, **kwargs: Any) -> infra_tryton.TrytonInstance:
        raise infra_tryton.TrytonMissing("trytond not found")

    monkeypatch.setattr(infra_tryton, "start", missing)
    with running_tryton(tmp_path) as server:
        assert server.error is not None and "trytond not found" in server.error
        with pytest.raises(pytest.fail.Exception, match="never skip"):
            server.require()


def test_tax_rounding_gaps_of_a_cent_take_the_documents_amount_and_larger_ones_do_not() -> None:
    request = invoice_request("units-3", target="tryton")  # states 19 %: 9.50
    credit = request.model_copy(update={"posting_type": "supplier_credit_note"})
    row = {"id": 4, "manual": False, "tax.": {"rate": Decimal("0.19")}}

    assert tax_adjustments(request, [{**row, "amount": Decimal("9.49")}]) == {4: Decimal("9.50")}
    assert tax_adjustments(credit, [{**row, "amount": Decimal("-9.49")}]) == {4: Decimal("-9.50")}
    assert tax_adjustments(request, [{**row, "amount": Decimal("9.50")}]) == {}
    assert tax_adjustments(request, [{**row, "amount": Decimal("9.00")}]) == {}
    assert tax_adjustments(request, [{**row, "amount": Decimal("9.49"), "manual": True}]) == {}


def test_each_instance_has_its_own_database_name_on_the_shared_postgresql(tmp_path: Path) -> None:
    from infra import tryton_pg

    first, second = tryton_pg.instance_name(tmp_path / "a", "docket"), tryton_pg.instance_name(tmp_path / "b", "docket")
    assert first != second and first.startswith("docket_") and second.startswith("docket_")
    # Starting again with the recorded name keeps it (a restart serves the same database).
    assert tryton_pg.instance_name(tmp_path / "a", first) == first
    assert tryton_pg.template_name("2ee1e6d4f7f2c4b9") == "docket_template_2ee1e6d4f7f2c4b9"


def test_the_tryton_database_backend_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DOCKET_TRYTON_DB", raising=False)
    assert infra_tryton.backend() == "postgresql"
    monkeypatch.setenv("DOCKET_TRYTON_DB", "SQLite")
    assert infra_tryton.backend() == "sqlite"
    monkeypatch.setenv("DOCKET_TRYTON_DB", "oracle")
    with pytest.raises(infra_tryton.TrytonInfraError, match="DOCKET_TRYTON_DB"):
        infra_tryton.backend()
    with pytest.raises(infra_tryton.TrytonInfraError, match="expected one of"):
        infra_tryton.start(tmp_path, db="oracle", report=lambda _: None)
