"""Identifiers whose box held more than the identifier: the extractor's cut-out value decides."""

from __future__ import annotations

from datetime import UTC, datetime

from docket.model import BBox, DocumentExtracted, Envelope, ExtractedField
from docket.records.normalize import normalize_document


def _field(name: str, value: str, raw: str) -> ExtractedField:
    return ExtractedField(name=name, value=value, raw_text=raw, confidence=0.9,
                          bbox=BBox(page=1, x0=0.1, y0=0.1, x1=0.5, y1=0.12), method="layout", engine="text_layer")


def _extracted(*fields: ExtractedField) -> DocumentExtracted:
    envelope = Envelope.new(document_id="d", legal_entity="DE01", producer="t", now=datetime.now(UTC))
    return DocumentExtracted(envelope=envelope, blob_uri="blob:sha256:" + "0" * 64, sha256="0" * 64,
                             document_type="invoice", type_confidence=0.9, page_count=1, reading="text_layer",
                             fields=list(fields))


def test_iban_box_with_the_bic_beside_it_normalizes_from_the_extracted_value() -> None:
    raw = "IBAN DE89 3704 0044 0532 0130 00   BIC COBADEFFXXX"
    normalized = normalize_document(_extracted(_field("supplier_iban", "DE89370400440532013000", raw)))
    assert normalized.record.supplier_iban == "DE89370400440532013000"
    assert not [f for f in normalized.findings if f.rule_id == "NORMALIZE_IBAN_INVALID"]


def test_an_invalid_iban_is_still_a_finding_when_neither_reading_validates() -> None:
    normalized = normalize_document(_extracted(_field("supplier_iban", "DE89370400440532013001",
                                                      "DE89 3704 0044 0532 0130 01")))
    assert normalized.record.supplier_iban is None
    assert [f.rule_id for f in normalized.findings if f.fields == ["supplier_iban"]] == ["NORMALIZE_IBAN_INVALID"]
