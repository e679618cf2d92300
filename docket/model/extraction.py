"""What capture found on a document: typed, with confidence and provenance, nothing invented."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from docket.model.common import BBox, Event, Model
from docket.model.enrichment import Finding


class ExtractedField(Model):
    """One value read from a document, with where it came from.

    ``value`` is the extractor's reading in a canonical text form (ISO date ``2025-04-03``,
    plain decimal ``1234.50``, upper-case codes) and ``raw_text`` is exactly what stood on the
    page. ``method`` is how it was found: ``template``, ``layout`` (label/value geometry),
    ``pattern`` (regular expression over text), ``table`` (line-item table), ``structured``
    (a structured file such as camt), ``derived`` (computed from other fields), ``review``,
    ``position`` (read where this vendor printed the field before, learned from reviewers' corrections),
    ``ranked`` (the best of the page's candidates by the learned candidate ranker; its confidence is the ranker's).
    ``engine`` is ``text_layer`` or the OCR engine and model that read the box. A value read from
    an e-invoice's XML has no box: ``business_term`` names its EN 16931 business term (``BT-112``)
    and ``xml_path`` the element it was read from.
    """

    name: str
    value: str
    raw_text: str
    confidence: float = Field(ge=0.0, le=1.0)
    bbox: BBox | None = None
    method: str
    engine: str
    business_term: str | None = None
    xml_path: str | None = None


class MissingField(Model):
    """A field the extractor looked for and did not find, and why (never a guessed value)."""

    name: str
    reason: str


class LineItem(Model):
    """One row of a line-item table: ``fields`` named ``description``, ``quantity``,
    ``unit_price``, ``amount``, ``tax_rate``, ``sku``, ``unit`` (those present)."""

    index: int = Field(ge=0)
    fields: list[ExtractedField] = Field(default_factory=list)


class DocumentExtracted(Event):
    """The capture stage's result (``documents.extracted``).

    ``document_type`` is one of ``invoice``, ``credit_note``, ``purchase_order``,
    ``customer_order``, ``receipt``, ``remittance_advice``, ``bank_statement``, ``other``.
    ``reading`` is ``text_layer``, ``ocr`` or ``structured``. Remittance advices list their
    invoice references as line items (``invoice_number``, ``amount_paid``, ``deduction``).
    ``findings`` are what capture itself established about the document: the EN 16931 business
    rules an e-invoice breaks (``BR-CO-10`` ...), a printed page that differs from the XML it
    carries (``PRINTED_XML_MISMATCH``); enrichment keeps them beside its own.
    """

    SUBJECT: ClassVar[str] = "documents.extracted"
    blob_uri: str
    sha256: str
    document_type: str
    type_confidence: float = Field(ge=0.0, le=1.0)
    language: str | None = None
    page_count: int = Field(ge=0)
    page_range: str | None = Field(default=None, description="pages of the source file, e.g. '1-3'")
    reading: str
    fields: list[ExtractedField] = Field(default_factory=list)
    missing: list[MissingField] = Field(default_factory=list)
    line_items: list[LineItem] = Field(default_factory=list)
    template: str | None = None
    findings: list[Finding] = Field(default_factory=list)

    def field(self, name: str) -> ExtractedField | None:
        """The extracted field called ``name``, if the extractor found one."""
        return next((f for f in self.fields if f.name == name), None)
