"""The CRM sink against a real Tryton: values read back from Tryton's opportunities, subscriptions, parties."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from connectors.base import PostingRejected
from connectors.tryton import TrytonClient
from connectors.tryton.crm import TrytonCrmSink
from docket.model import CrmRecord
from tests.contract.crm_harness import contract_request, crm_request
from tests.contract.tryton_server import TrytonServer

pytestmark = pytest.mark.integration


@pytest.fixture()
def tryton(tryton_server: TrytonServer) -> Iterator[tuple[TrytonCrmSink, TrytonClient]]:
    if tryton_server.instance is None:
        pytest.fail(f"Tryton could not start: {tryton_server.error}")
    sink, reader = TrytonCrmSink(tryton_server.client(timeout=60.0)), tryton_server.client()
    yield sink, reader
    sink.close()
    reader.close()


def _party(reader: TrytonClient, code: str) -> dict[str, Any]:
    row, = reader.search_read("party.party", [("code", "=", code)], ["id", "addresses"])
    return row


def _open_opportunity(reader: TrytonClient, reference: str, amount: str, party: str = "C-2002") -> int:
    employee, = reader.search_read("company.employee", [], ["id"], limit=1)
    product, = reader.search_read("product.product", [("code", "=", "S-100")], ["id", "default_uom"])
    opportunity_id = int(reader.model("sale.opportunity", "create", [{
        "party": _party(reader, party)["id"], "reference": reference, "amount": Decimal(amount),
        "employee": employee["id"], "start_date": date(2026, 2, 1), "description": f"Deal {reference}",
        "lines": [["create", [{"product": product["id"], "unit": product["default_uom"], "quantity": 1.0}]]]}])[0])
    reader.model("sale.opportunity", "opportunity", [opportunity_id])
    return opportunity_id


def _opportunity(reader: TrytonClient, opportunity_id: int) -> dict[str, Any]:
    row, = reader.model("sale.opportunity", "read", [opportunity_id], ["state", "amount", "sales"])
    return row


LINES = [("Rollout workshop", "2", "900.00"), ("Support retainer", "1", "3000.00")]


def test_an_order_form_naming_its_quote_wins_the_opportunity_with_its_amount_and_links_the_sale(
        tryton: tuple[TrytonCrmSink, TrytonClient]) -> None:
    sink, reader = tryton
    label = uuid.uuid4().hex[:8]
    opportunity_id = _open_opportunity(reader, f"Q-{label}", "4500.00")
    request = crm_request(label, "order_form", CrmRecord(opportunity_reference=f"Q-{label}",
                                                         signature_date=date(2026, 3, 1)),
                          party_id="C-2002", number=f"OF-{label}", lines=LINES)

    outcome = sink.post(request)
    again = sink.post(request)

    opportunity = _opportunity(reader, opportunity_id)
    assert opportunity["state"] == "won"
    assert Decimal(opportunity["amount"]) == Decimal("4800.00")
    sale, = reader.model("sale.sale", "read", opportunity["sales"], ["reference", "state", "untaxed_amount",
                                                                      "sale_date"])
    assert (sale["reference"], sale["state"]) == (f"OF-{label}", "processing")
    assert sale["sale_date"] == date(2026, 3, 1)
    assert outcome.status == "posted" and outcome.response["opportunity_state"] == "won"
    assert outcome.erp_id == str(opportunity["sales"][0])
    assert (again.status, again.erp_id) == ("already_posted", outcome.erp_id)


def test_an_order_form_without_a_reference_finds_the_one_open_opportunity_of_its_amount(
        tryton: tuple[TrytonCrmSink, TrytonClient]) -> None:
    sink, reader = tryton
    label = uuid.uuid4().hex[:8]
    _open_opportunity(reader, f"Q-{label}-other", "1234.00")
    wanted = _open_opportunity(reader, f"Q-{label}", "777.00")
    request = crm_request(label, "order_form", CrmRecord(), party_id="C-2002", number=f"OF-{label}",
                          lines=[("Licence", "1", "777.00")])

    outcome = sink.post(request)

    assert outcome.response["opportunity_id"] == wanted
    assert _opportunity(reader, wanted)["state"] == "won"


def test_an_order_form_for_an_unknown_quote_is_refused_and_changes_nothing(
        tryton: tuple[TrytonCrmSink, TrytonClient]) -> None:
    sink, reader = tryton
    label = uuid.uuid4().hex[:8]
    request = crm_request(label, "order_form", CrmRecord(opportunity_reference=f"Q-{label}-missing"),
                          party_id="C-2002", number=f"OF-{label}", lines=LINES)

    with pytest.raises(PostingRejected) as refused:
        sink.post(request)

    assert refused.value.details["reason"] == "opportunity_unknown"
    assert reader.search_read("sale.sale", [("reference", "=", f"OF-{label}")], ["id"]) == []


def test_a_contract_becomes_a_running_subscription_with_its_renewal_and_notice_dates(
        tryton: tuple[TrytonCrmSink, TrytonClient]) -> None:
    sink, reader = tryton
    label = uuid.uuid4().hex[:8]

    outcome = sink.post(contract_request(label, start=date(2026, 4, 1)))

    row, = reader.model("sale.subscription", "read", [int(outcome.erp_id or 0)], [
        "state", "reference", "start_date", "end_date", "description", "invoice_recurrence.name", "lines"])
    assert (row["state"], row["reference"]) == ("running", f"K-{label}")
    assert (row["start_date"], row["end_date"]) == (date(2026, 4, 1), date(2027, 3, 31))
    assert "renews 2027-04-01" in row["description"] and "notice by 2026-12-31" in row["description"]
    assert row["invoice_recurrence."]["name"] == "Monthly"
    line, = reader.model("sale.subscription.line", "read", row["lines"], ["unit_price"])
    assert Decimal(line["unit_price"]) == Decimal("400.00")


def test_an_amended_contract_updates_the_subscription_of_its_number(
        tryton: tuple[TrytonCrmSink, TrytonClient]) -> None:
    sink, reader = tryton
    label = uuid.uuid4().hex[:8]
    first = sink.post(contract_request(label, start=date(2026, 4, 1)))
    amended = contract_request(label, start=date(2026, 4, 1), term_months=24)
    amended = amended.model_copy(update={"idempotency_key": amended.idempotency_key + "-amended"})

    second = sink.post(amended)

    assert second.erp_id == first.erp_id
    row, = reader.model("sale.subscription", "read", [int(first.erp_id or 0)], ["end_date", "state"])
    assert (row["end_date"], row["state"]) == (date(2028, 3, 31), "running")
    assert len(reader.search_read("sale.subscription", [("reference", "=", f"K-{label}")], ["id"])) == 1


def test_a_customer_change_updates_the_address_and_contacts_once(
        tryton: tuple[TrytonCrmSink, TrytonClient]) -> None:
    sink, reader = tryton
    label = uuid.uuid4().hex[:8]
    change = CrmRecord(street=f"Hafenstraße {label}", postal_code="20457", city="Hamburg", country="DE",
                       email=f"ap-{label}@globex.example", phone="+49 40 1234567")
    request = crm_request(label, "customer_change", change, party_id="C-2001")

    outcome = sink.post(request)
    resent = sink.post(request.model_copy(update={"idempotency_key": request.idempotency_key + "-resent"}))

    party = _party(reader, "C-2001")
    address, = reader.model("party.address", "read", party["addresses"][:1], ["street", "postal_code", "city"])
    assert (address["street"], address["postal_code"], address["city"]) == (
        f"Hafenstraße {label}", "20457", "Hamburg")
    contacts = reader.search_read("party.contact_mechanism", [("party", "=", party["id"]),
                                                              ("value", "=", f"ap-{label}@globex.example")], ["type"])
    assert [row["type"] for row in contacts] == ["email"]
    assert outcome.status == "posted" and resent.status == "already_posted"


def test_a_bank_change_is_never_applied_without_a_reviewers_approval(
        tryton: tuple[TrytonCrmSink, TrytonClient]) -> None:
    sink, reader = tryton
    label = uuid.uuid4().hex[:8]
    iban, vendors_iban = "DE29100100100987654321", "DE02120300000000202051"
    change = CrmRecord(new_iban=iban, old_iban="DE75512108001245126199")
    unapproved = crm_request(label, "customer_change", change, party_id="C-2001")

    with pytest.raises(PostingRejected) as refused:
        sink.post(unapproved)
    numbers_before = reader.search_read("bank.account.number", [("number_compact", "=", iban)], ["id"])
    approved = crm_request(f"{label}-ok", "customer_change",
                           change.model_copy(update={"bank_change_approved_by": "rita"}), party_id="C-2001")
    outcome = sink.post(approved)
    with pytest.raises(PostingRejected) as foreign:  # approved, but the account is a vendor's
        sink.post(crm_request(f"{label}-vendor", "customer_change", CrmRecord(
            new_iban=vendors_iban, bank_change_approved_by="rita"), party_id="C-2001"))

    assert refused.value.details["reason"] == "bank_change_not_approved"
    assert foreign.value.details["reason"] == "iban_of_another_party"
    assert numbers_before == []
    party = _party(reader, "C-2001")
    number, = reader.search_read("bank.account.number", [("number_compact", "=", iban)], ["account.owners"])
    assert party["id"] in number["account."]["owners"]
    assert iban not in str(outcome.request) + str(outcome.response)


def test_the_customer_is_found_by_its_tryton_id_from_the_cross_references_and_checked_against_its_code(
        tryton: tuple[TrytonCrmSink, TrytonClient]) -> None:
    sink, reader = tryton
    label = uuid.uuid4().hex[:8]
    globex, other = _party(reader, "C-2001"), _party(reader, "C-2002")
    change = CrmRecord(email=f"crm-{label}@globex.example")
    by_xref = crm_request(label, "customer_change", change, party_id="C-2001",
                          party_xrefs={"tryton.customer": str(globex["id"]), "crm": "ACC-0042"})
    crossed = crm_request(f"{label}-x", "customer_change", CrmRecord(email=f"x-{label}@globex.example"),
                          party_id="C-2001", party_xrefs={"tryton.customer": str(other["id"])})

    outcome = sink.post(by_xref)
    with pytest.raises(PostingRejected) as refused:
        sink.post(crossed)

    assert outcome.status == "posted"
    owners = reader.search_read("party.contact_mechanism", [("value", "=", f"crm-{label}@globex.example")], ["party"])
    assert [row["party"] for row in owners] == [globex["id"]]
    assert refused.value.details["reason"] == "party_xref_mismatch"
    assert reader.search_read("party.contact_mechanism", [("value", "=", f"x-{label}@globex.example")], ["id"]) == []
