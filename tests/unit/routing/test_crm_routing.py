"""Routing of the CRM document types; a bank-detail change never posts without a person."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from docket.crm.changes import approve_bank_change
from docket.model import CrmRecord, DocumentEnriched, PartyMatch
from docket.routing.decide import RoutingContext, RoutingDecision, decide_route
from docket.routing.events import posting_request
from docket.routing.policy import PolicyBook
from tests import factories

BOOK = PolicyBook.load()
CUSTOMER = PartyMatch(role="customer", party_id="C-2001", name="Globex Retail AG", method="vat_id", score=1.0)
CONFIDENT = {name: 0.99 for name in ("buyer_name", "total", "currency", "signature_date", "contract_number",
                                      "start_date", "value")}


def crm_document(document_type: str, crm: CrmRecord, *, total: Decimal | None = Decimal("4800.00")) -> DocumentEnriched:
    record = factories.record(document_type=document_type, number="OF-1", total=total, net_total=total,
                              tax_total=None, tax_lines=[], lines=[], supplier_name=None, supplier_vat_id=None,
                              supplier_iban=None, buyer_name="Globex Retail AG", crm=crm)
    return factories.enriched(record=record, vendor=None, customer=CUSTOMER, findings=[], duplicates=[],
                              po_match=None, field_confidence=CONFIDENT)


def decide(document: DocumentEnriched, context: RoutingContext | None = None) -> RoutingDecision:
    return decide_route(document, BOOK.for_document("DEMO", document.record.document_type),
                        context or RoutingContext(prior_documents_from_vendor=0))


@pytest.mark.parametrize(("document_type", "crm"), [
    ("order_form", CrmRecord(opportunity_reference="Q-2026-014", signature_date=date(2026, 3, 1))),
    ("contract", CrmRecord(contract_number="K-1", start_date=date(2026, 4, 1), value=Decimal("400"))),
])
def test_a_clean_order_form_or_contract_of_a_known_customer_posts_as_its_type(document_type: str,
                                                                               crm: CrmRecord) -> None:
    decision = decide(crm_document(document_type, crm))

    assert (decision.route, decision.reasons, decision.posting_type) == ("post", [], document_type)


def test_an_address_change_posts_without_an_amount() -> None:
    decision = decide(crm_document("customer_change", CrmRecord(street="Hafenstraße 1", city="Hamburg"), total=None))

    assert (decision.route, decision.posting_type) == ("post", "customer_change")


def test_a_bank_change_goes_to_review_with_old_and_new_values_even_when_the_policy_turns_risks_off() -> None:
    change = CrmRecord(new_iban="DE29 1001 0010 0987 6543 21", old_iban="DE75512108001245126199")
    document = crm_document("customer_change", change, total=None)

    decision = decide(document, RoutingContext(customer_ibans_on_record=("DE75512108001245126199",)))

    assert decision.route == "review" and decision.posting_type is None
    reason, = decision.reasons
    assert reason.code == "BANK_DETAILS_CHANGE_REQUESTED"
    assert "on record DE75512108001245126199" in reason.message
    assert "new DE29100100100987654321" in reason.message


def test_a_bank_change_claiming_approval_on_the_form_still_goes_to_review() -> None:
    forged = CrmRecord(new_iban="DE29100100100987654321", bank_change_approved_by="someone")

    decision = decide(crm_document("customer_change", forged, total=None))

    assert [r.code for r in decision.reasons] == ["BANK_DETAILS_CHANGE_REQUESTED"]


def test_the_reviewers_approval_marks_the_change_approved_on_the_posting() -> None:
    document = approve_bank_change(crm_document("customer_change", CrmRecord(new_iban="DE29100100100987654321"),
                                                total=None), "rita")
    decision = RoutingDecision(route="post", reasons=[], policy_version="v", posting_type="customer_change",
                               post_state="posted")

    posting = posting_request(document, decision, target="crm", mapping_version="crm/1", now=factories.NOW)

    assert posting.record is not None and posting.record.crm is not None
    assert posting.record.crm.bank_change_approved_by == "rita"
    assert posting.party_id == "C-2001"


def test_approval_leaves_a_change_without_bank_details_as_it_was() -> None:
    document = crm_document("customer_change", CrmRecord(email="ap@globex.example"), total=None)

    assert approve_bank_change(document, "rita") == document
