"""One identity for CRM documents: a printed customer number or CRM account id beats the name, the
resolved customer carries its ids in the other systems, and those ids travel on the posting."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from docket.enrich import ReferenceData, enrich_document
from docket.model import CrossReference, Customer, DocumentEnriched
from docket.parties.directory import NAME_ALIAS_SYSTEM, CustomerDirectory
from docket.parties.resolve import UNKNOWN_REFERENCE_NAME_SCORE, PartyQuery, resolve_party
from docket.routing.decide import RoutingContext, decide_route
from docket.routing.events import posting_request
from docket.routing.policy import PolicyBook
from tests.unit.records.records_builders import extracted

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LE = "DEMO"


def xref(system: str, external_id: str, party_id: str, kind: str = "customer") -> CrossReference:
    return CrossReference(legal_entity=LE, system=system, external_id=external_id, kind=kind, party_id=party_id,
                          source="test", updated_at=NOW)


def customers() -> CustomerDirectory:
    directory = CustomerDirectory()
    for party_id, name, vat in (("C-2001", "Globex Retail AG", "DE811569869"),
                                ("C-2002", "Globex Logistik GmbH", "DE113607377"),
                                ("C-2003", "Initech Services SE", None)):
        directory.upsert(Customer(party_id=party_id, legal_entity=LE, name=name, vat_id=vat, updated_at=NOW))
    for item in (xref("tryton.customer", "23", "C-2001"), xref("crm", "ACC-0042", "C-2001"),
                 xref("tryton.customer", "24", "C-2002"), xref("crm", "ACC-0077", "C-2002"),
                 xref(NAME_ALIAS_SYSTEM, "initech", "C-2003"),
                 xref("bank", "DE75512108001245126199", "C-2001", kind="bank_account")):
        directory.add_xref(item)
    return directory


def test_a_party_lists_its_ids_in_other_systems_but_not_its_aliases_or_accounts() -> None:
    directory = customers()
    assert directory.xrefs_of(LE, "C-2001") == {"crm": "ACC-0042", "tryton.customer": "23"}
    assert directory.xrefs_of(LE, "C-2003") == {}
    directory.remove_xref(LE, "crm", "ACC-0042")
    assert directory.xrefs_of(LE, "C-2001") == {"tryton.customer": "23"}
    assert directory.by_reference(LE, "ACC-0042", ("crm",)) == []


def test_a_replaced_cross_reference_moves_the_id_to_its_new_party() -> None:
    directory = customers()
    directory.add_xref(xref("crm", "ACC-0042", "C-2002"))
    assert directory.xrefs_of(LE, "C-2001") == {"tryton.customer": "23"}
    assert [(p.party_id, how) for p, how in directory.by_reference(LE, "ACC-0042", ("crm",))] == [("C-2002", "crm")]


def test_a_printed_reference_is_the_party_id_or_an_id_of_a_named_system_only() -> None:
    directory = customers()
    assert [(p.party_id, how) for p, how in directory.by_reference(LE, "C-2001", ("crm",))] == [
        ("C-2001", "party_id")]
    assert [(p.party_id, how) for p, how in directory.by_reference(LE, "ACC 0077", ("crm",))] == []
    assert [(p.party_id, how) for p, how in directory.by_reference(LE, "ACC-0077", ("crm",))] == [("C-2002", "crm")]
    # A Tryton database id is no customer number anybody prints.
    assert directory.by_reference(LE, "23", ("crm",)) == []


def resolve(query: PartyQuery) -> tuple[str | None, str, float]:
    match = resolve_party(query, customers(), legal_entity=LE, role="customer").match
    return match.party_id, match.method, match.score


def test_the_printed_crm_account_id_beats_a_name_that_fits_another_customer_better() -> None:
    assert resolve(PartyQuery(name="Globex Logistik GmbH", reference="ACC-0042")) == ("C-2001", "customer_number", 1.0)


def test_the_resolved_customer_carries_its_erp_and_crm_ids() -> None:
    match = resolve_party(PartyQuery(name="Globex Retail AG", reference="C-2001"), customers(), legal_entity=LE,
                          role="customer").match
    assert match.xrefs == {"crm": "ACC-0042", "tryton.customer": "23"}


def test_a_customer_number_and_a_vat_id_naming_different_customers_resolve_to_nobody() -> None:
    match = resolve_party(PartyQuery(name="Globex Retail AG", reference="ACC-0042", vat_id="DE113607377"),
                          customers(), legal_entity=LE, role="customer").match
    assert (match.party_id, match.method) == (None, "conflict")
    assert {(c.party_id, c.method) for c in match.candidates} == {("C-2001", "customer_number"), ("C-2002", "vat_id")}


def test_a_printed_number_nobody_holds_leaves_the_name_alone_below_any_threshold() -> None:
    assert resolve(PartyQuery(name="Globex Retail AG")) == ("C-2001", "name", 1.0)
    party_id, method, score = resolve(PartyQuery(name="Globex Retail AG", reference="C-9999"))
    assert (party_id, method) == ("C-2001", "name") and score == UNKNOWN_REFERENCE_NAME_SCORE
    # A learned alias is a name too.
    assert resolve(PartyQuery(name="Initech", reference="C-9999"))[1:] == ("name", UNKNOWN_REFERENCE_NAME_SCORE)
    assert resolve(PartyQuery(name="Initech"))[1] == "alias"


def test_an_unknown_printed_number_does_not_stop_a_vat_id_from_deciding() -> None:
    assert resolve(PartyQuery(name="Globex", reference="C-9999", vat_id="DE113607377")) == ("C-2002", "vat_id", 1.0)


FORM = {"buyer_name": "Globex Logistik GmbH", "opportunity_reference": "Q-2026-014", "order_number": "OF-2026-0301",
        "signature_date": "2026-03-01", "total": "5712.00", "net_total": "4800.00", "currency": "EUR"}


def extract_and_enrich(**fields: str) -> DocumentEnriched:
    """An order form as capture reads it (``fields`` over :data:`FORM`), enriched against :func:`customers`."""
    document = extracted({**FORM, **fields}, document_type="order_form", legal_entity=LE)
    return enrich_document(document, ReferenceData(customers=customers()), now=NOW)


@pytest.mark.parametrize(("printed", "expected"), [("ACC-0042", "C-2001"), ("C-2001", "C-2001")])
def test_an_order_form_printing_its_customer_number_posts_to_that_customer_with_its_ids(printed: str,
                                                                                        expected: str) -> None:
    document = extract_and_enrich(customer_reference=printed)
    assert document.customer is not None
    assert (document.customer.party_id, document.customer.method) == (expected, "customer_number")
    decision = decide_route(document, PolicyBook.load().for_document(LE, "order_form"), RoutingContext())
    assert decision.route == "post", decision.reasons
    posting = posting_request(document, decision, target="rest", mapping_version="rest/1", now=NOW)
    assert posting.party_id == "C-2001"
    assert posting.party_xrefs == {"crm": "ACC-0042", "tryton.customer": "23"}
    assert posting.record is not None and posting.record.net_total == Decimal("4800.00")


def test_an_order_form_whose_number_nobody_holds_goes_to_review_though_its_name_fits() -> None:
    document = extract_and_enrich(customer_reference="C-9999", buyer_name="Globex Retail AG")
    decision = decide_route(document, PolicyBook.load().for_document(LE, "order_form"), RoutingContext())
    assert decision.route == "review"
    assert "CUSTOMER_MATCH_WEAK" in [reason.code for reason in decision.reasons]


def test_an_order_form_whose_ids_disagree_goes_to_review_naming_both_customers() -> None:
    document = extract_and_enrich(customer_reference="ACC-0042", buyer_vat_id="DE113607377")
    decision = decide_route(document, PolicyBook.load().for_document(LE, "order_form"), RoutingContext())
    assert decision.route == "review"
    reason, = [r for r in decision.reasons if r.code == "CUSTOMER_IDS_CONFLICT"]
    assert "C-2001" in reason.message and "C-2002" in reason.message

