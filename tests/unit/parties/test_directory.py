"""The party directory: incremental upserts, deletes and cross-references keep every index right."""

from __future__ import annotations

from datetime import UTC, datetime

from docket.model import CrossReference, Vendor
from docket.parties.directory import PartyDirectory

NOW = datetime(2025, 5, 1, tzinfo=UTC)


def vendor(party_id: str = "V1", **changes: object) -> Vendor:
    values: dict[str, object] = {
        "party_id": party_id, "legal_entity": "LE1", "name": "Müller Bürobedarf GmbH", "vat_id": "DE 136695976",
        "country": "DE", "address": "Hauptstraße 5, 10115 Berlin", "ibans": ["DE89 3704 0044 0532 0130 00"],
        "aliases": ["MBB Berlin"], "updated_at": NOW}
    return Vendor.model_validate({**values, **changes})


def test_lookups_by_identifier_are_form_insensitive() -> None:
    directory: PartyDirectory[Vendor] = PartyDirectory("vendor")
    directory.upsert(vendor())
    assert [v.party_id for v in directory.by_vat_id("LE1", "de136695976")] == ["V1"]
    assert [v.party_id for v in directory.by_iban("LE1", "DE89370400440532013000")] == ["V1"]
    assert [v.party_id for v in directory.by_alias("LE1", "mbb  berlin")] == ["V1"]
    assert directory.by_vat_id("LE2", "DE136695976") == []


def test_upsert_replaces_old_index_entries() -> None:
    directory: PartyDirectory[Vendor] = PartyDirectory("vendor")
    directory.upsert(vendor())
    directory.upsert(vendor(ibans=["GB33 BUKB 2020 1555 5555 55"], name="Mueller Office Supplies"))
    assert directory.by_iban("LE1", "DE89370400440532013000") == []
    assert [v.party_id for v in directory.by_iban("LE1", "GB33BUKB20201555555555")] == ["V1"]
    assert all(h.name_score < 0.9 for h in directory.fuzzy("LE1", "Müller Bürobedarf"))
    assert directory.fuzzy("LE1", "Mueller Office Supplies")[0].name_score == 1.0
    assert len(directory) == 1


def test_remove_and_inactive_parties_are_not_found() -> None:
    directory: PartyDirectory[Vendor] = PartyDirectory("vendor")
    directory.upsert(vendor())
    directory.upsert(vendor("V2", vat_id=None, ibans=[], aliases=[], name="Schmidt AG", active=False))
    assert directory.fuzzy("LE1", "Schmidt AG") == []
    directory.remove("LE1", "V1")
    assert directory.by_vat_id("LE1", "DE136695976") == []
    assert directory.get("LE1", "V1") is None
    directory.remove("LE1", "unknown")  # a tombstone for something never seen is harmless


def test_cross_references_add_aliases_bank_accounts_and_erp_ids() -> None:
    directory: PartyDirectory[Vendor] = PartyDirectory("vendor")
    directory.upsert(vendor())
    alias = CrossReference(legal_entity="LE1", system="name_alias", external_id="MB Buero", kind="vendor",
                           party_id="V1", updated_at=NOW)
    bank = CrossReference(legal_entity="LE1", system="bank", external_id="FR1420041010050500013M02606",
                          kind="bank_account", party_id="V1", updated_at=NOW)
    erp = CrossReference(legal_entity="LE1", system="tryton", external_id="42", kind="vendor", party_id="V1",
                         updated_at=NOW)
    customer_ref = CrossReference(legal_entity="LE1", system="crm", external_id="C9", kind="customer",
                                  party_id="C9", updated_at=NOW)
    assert all(directory.add_xref(x) for x in (alias, bank, erp))
    assert not directory.add_xref(customer_ref)
    assert [v.party_id for v in directory.by_alias("LE1", "M.B. Buero")] == ["V1"]
    party = directory.get("LE1", "V1")
    assert party is not None and directory.knows_iban(party, "FR14 2004 1010 0505 0001 3M02 606")
    assert directory.by_external_id("LE1", "tryton", "42") == party
    directory.remove_xref("LE1", "name_alias", "MB Buero")
    directory.remove_xref("LE1", "bank", "FR1420041010050500013M02606")
    assert directory.by_alias("LE1", "MB Buero") == []
    assert not directory.knows_iban(party, "FR1420041010050500013M02606")


def test_fuzzy_survives_ocr_slips_and_ranks_by_name_and_address() -> None:
    directory: PartyDirectory[Vendor] = PartyDirectory("vendor")
    directory.upsert(vendor())
    directory.upsert(vendor("V2", vat_id=None, ibans=[], aliases=[], address="Marktplatz 1, 80331 München"))
    directory.upsert(vendor("V3", vat_id=None, ibans=[], aliases=[], name="Schmidt Logistik AG"))
    hits = directory.fuzzy("LE1", "Mül1er Bür0bedarf GmbH", "Hauptstr. 5, 10115 Berlin")
    assert [h.party.party_id for h in hits] == ["V1", "V2"]
    assert hits[0].score > hits[1].score
    assert hits[0].name_score < 1.0
