"""Vendor resolution in order of evidence, with bank-account checks and ranked candidates."""

from __future__ import annotations

from datetime import UTC, datetime

from docket.model import Vendor
from docket.parties.directory import PartyDirectory
from docket.parties.resolve import PartyQuery, resolve_party

NOW = datetime(2025, 5, 1, tzinfo=UTC)


def directory() -> PartyDirectory[Vendor]:
    parties: PartyDirectory[Vendor] = PartyDirectory("vendor")
    rows = [
        ("V1", "Müller Bürobedarf GmbH", "DE136695976", ["DE89370400440532013000"], "Hauptstraße 5, Berlin"),
        ("V2", "Schmidt Logistik AG", None, ["GB33BUKB20201555555555"], "Hafenweg 2, Hamburg"),
        ("V3", "Müller Bürotechnik GmbH", None, [], "Lindenallee 9, Köln"),
        ("V4", "Nordwind Energie GmbH", "ATU13585627", [], "Ring 1, Wien"),
        ("V5", "Nordwind Energie GmbH", "ATU13585627", [], "Gasse 7, Graz"),
    ]
    for party_id, name, vat, ibans, address in rows:
        parties.upsert(Vendor(party_id=party_id, legal_entity="LE1", name=name, vat_id=vat, ibans=ibans,
                              address=address, updated_at=NOW))
    return parties


def resolve(query: PartyQuery) -> tuple[str | None, str, float, bool | None]:
    match = resolve_party(query, directory(), legal_entity="LE1", role="vendor").match
    return match.party_id, match.method, match.score, match.bank_account_known


def test_vat_id_decides_first_and_checks_the_bank_account() -> None:
    assert resolve(PartyQuery(name="Whatever", vat_id="DE136695976", iban="DE89370400440532013000")) == (
        "V1", "vat_id", 1.0, True)


def test_iban_of_another_vendor_is_reported_as_unknown_bank_account() -> None:
    party_id, method, _, known = resolve(PartyQuery(vat_id="DE136695976", iban="GB33BUKB20201555555555"))
    assert (party_id, method, known) == ("V1", "vat_id", False)


def test_iban_decides_when_no_vat_id() -> None:
    assert resolve(PartyQuery(name="Schmitt Logistics", iban="GB33BUKB20201555555555"))[:2] == ("V2", "iban")


def test_no_iban_on_the_document_leaves_bank_check_open() -> None:
    assert resolve(PartyQuery(vat_id="DE136695976"))[3] is None


def test_fuzzy_name_with_clear_margin_matches_with_its_score() -> None:
    party_id, method, score, _ = resolve(PartyQuery(name="Schmidt Logistik", address="Hafenweg 2 Hamburg"))
    assert (party_id, method) == ("V2", "name")
    assert 0.9 <= score <= 1.0


def test_close_names_without_margin_stay_unresolved_with_candidates() -> None:
    match = resolve_party(PartyQuery(name="Müller Büro GmbH"), directory(), legal_entity="LE1", role="vendor").match
    assert match.party_id is None and match.method == "none"
    assert {c.party_id for c in match.candidates} >= {"V1", "V3"}
    assert [c.score for c in match.candidates] == sorted((c.score for c in match.candidates), reverse=True)


def test_shared_vat_id_is_split_by_name_or_address() -> None:
    match = resolve_party(PartyQuery(vat_id="ATU13585627", name="Nordwind Energie GmbH", address="Gasse 7 Graz"),
                          directory(), legal_entity="LE1", role="vendor").match
    assert (match.party_id, match.method) == ("V5", "vat_id")
    assert match.score < 1.0
    tie = resolve_party(PartyQuery(vat_id="ATU13585627"), directory(), legal_entity="LE1", role="vendor").match
    assert tie.party_id is None
    assert {c.party_id for c in tie.candidates} == {"V4", "V5"}


def test_unknown_party_with_iban_is_not_known_bank_account() -> None:
    assert resolve(PartyQuery(name="Completely Different Ltd", iban="DE02120300000000202051")) == (
        None, "none", 0.0, False)
