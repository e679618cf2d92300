"""Which vendor a freshly captured document comes from, by its identifiers alone.

Capture knows no master data; this is the look-up its second pass needs before enrichment runs:
the VAT ID and IBAN capture read, normalized as enrichment normalizes them, resolved against the
same vendor directory (master data plus bank-account cross-references). Names are not used: a
misread or missing name must not pick another vendor's learned positions.
"""

from __future__ import annotations

from docket.model import DocumentExtracted, PartyMatch, Vendor
from docket.parties.directory import PartyDirectory
from docket.parties.resolve import PartyQuery, resolve_party
from docket.records.normalize import normalize_parties

IDENTIFYING_METHODS = frozenset({"vat_id", "iban"})


def identify_vendor(extracted: DocumentExtracted, vendors: PartyDirectory[Vendor]) -> PartyMatch | None:
    """The vendor ``extracted`` names by a checksum-valid VAT ID or IBAN, or None (no identifier on the
    page, none known, or several vendors sharing it)."""
    parties = normalize_parties(extracted)
    if not parties.supplier_vat_id and not parties.supplier_iban:
        return None
    query = PartyQuery(vat_id=parties.supplier_vat_id, iban=parties.supplier_iban, country=parties.supplier_country)
    resolution = resolve_party(query, vendors, legal_entity=extracted.envelope.legal_entity, role="vendor")
    match = resolution.match
    if resolution.party is None or match.method not in IDENTIFYING_METHODS:
        return None
    return match
