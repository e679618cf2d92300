"""Learned aliases: a reviewer's mapping makes the next document resolve directly."""

from __future__ import annotations

from datetime import UTC, datetime

from docket.model import (
    DocumentEnriched,
    Envelope,
    FieldCorrection,
    InvoiceRecord,
    PartyMatch,
    ReviewCompleted,
    Vendor,
)
from docket.parties.aliases import learned_aliases
from docket.parties.directory import PartyDirectory
from docket.parties.resolve import PartyQuery, resolve_party

NOW = datetime(2025, 5, 1, tzinfo=UTC)


def enriched(name: str, vendor: PartyMatch | None) -> DocumentEnriched:
    return DocumentEnriched(envelope=Envelope.new(document_id="d1", legal_entity="LE1", producer="t", now=NOW),
                            blob_uri="file:///x", sha256="b" * 64,
                            record=InvoiceRecord(document_type="invoice", supplier_name=name), vendor=vendor)


def review(decision: str = "approve", vendor_id: str | None = "V7",
           corrections: list[FieldCorrection] | None = None) -> ReviewCompleted:
    return ReviewCompleted(envelope=Envelope.new(document_id="d1", legal_entity="LE1", producer="ui", now=NOW),
                           task_id="t1", task_version=1, reviewer="ana", decision=decision, vendor_id=vendor_id,
                           corrections=corrections or [], decided_at=NOW)


def test_reviewer_mapping_becomes_an_alias_the_next_document_matches() -> None:
    parties: PartyDirectory[Vendor] = PartyDirectory("vendor")
    parties.upsert(Vendor(party_id="V7", legal_entity="LE1", name="International Business Machines Corp",
                          updated_at=NOW))
    printed = "IBM Deutschland GmbH"
    before = resolve_party(PartyQuery(name=printed), parties, legal_entity="LE1", role="vendor").match
    assert before.party_id is None
    unmatched = PartyMatch(role="vendor", method="none", score=0.0)
    xrefs = learned_aliases(review(), enriched(printed, unmatched), now=NOW)
    assert [(x.system, x.kind, x.party_id, x.external_id) for x in xrefs] == [
        ("name_alias", "vendor", "V7", "ibm deutschland")]
    assert xrefs[0].source == "review:t1:ana"
    for xref in xrefs:
        parties.add_xref(xref)
    after = resolve_party(PartyQuery(name="IBM DEUTSCHLAND GMBH"), parties, legal_entity="LE1", role="vendor").match
    assert (after.party_id, after.method) == ("V7", "alias")


def test_corrected_name_learns_the_printed_reading_too() -> None:
    correction = FieldCorrection(field="supplier_name", old_value="lBM Deutschlnd", new_value="IBM Deutschland")
    xrefs = learned_aliases(review(corrections=[correction]), enriched("IBM Deutschland", None), now=NOW)
    assert sorted(x.external_id for x in xrefs) == ["ibm deutschland", "lbm deutschlnd"]


def test_nothing_learned_from_rejections_or_already_strong_matches() -> None:
    assert learned_aliases(review(decision="reject"), enriched("X GmbH", None), now=NOW) == []
    assert learned_aliases(review(vendor_id=None), enriched("X GmbH", None), now=NOW) == []
    strong = PartyMatch(role="vendor", party_id="V7", method="vat_id", score=1.0)
    assert learned_aliases(review(), enriched("X GmbH", strong), now=NOW) == []
