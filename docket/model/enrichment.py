"""A document made system-ready: normalized record, findings, parties, duplicates."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from docket.model.common import Amount, Event, Model
from docket.model.crm import CrmRecord


class TaxLine(Model):
    """One tax on the document: ``rate`` in percent (``19.0000``), ``base`` and ``amount``."""

    rate: Amount
    base: Amount | None = None
    amount: Amount


class InvoiceLine(Model):
    """A normalized line item. ``tax_rate`` in percent."""

    index: int = Field(ge=0)
    description: str
    quantity: Amount | None = None
    unit: str | None = None
    unit_price: Amount | None = None
    amount: Amount | None = None
    tax_rate: Amount | None = None
    sku: str | None = None


class InvoiceRecord(Model):
    """A commercial document as an ERP needs it, whatever its type.

    Amounts are stated positive; ``document_type`` carries the direction (a credit note printed
    with negative totals is normalized to positive amounts). ``number`` is the document's own
    number (invoice, order, receipt); ``amends_number`` the document a credit note or corrected
    invoice refers to. Codes are ISO: currency 4217, country 3166-1 alpha-2.
    """

    document_type: str
    number: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    payment_terms: str | None = None
    currency: str | None = None
    net_total: Amount | None = None
    tax_total: Amount | None = None
    total: Amount | None = None
    supplier_name: str | None = None
    supplier_vat_id: str | None = None
    supplier_tax_number: str | None = None
    supplier_iban: str | None = None
    supplier_bic: str | None = None
    supplier_country: str | None = None
    supplier_address: str | None = None
    buyer_name: str | None = None
    buyer_vat_id: str | None = None
    po_number: str | None = None
    amends_number: str | None = None
    tax_lines: list[TaxLine] = Field(default_factory=list)
    lines: list[InvoiceLine] = Field(default_factory=list)
    crm: CrmRecord | None = None
    """The CRM part of an order form, contract or customer change (:mod:`docket.model.crm`)."""


class Normalization(Model):
    """How one raw value became its normalized form (kept for the trail and for review)."""

    field: str
    raw: str
    value: str
    rule: str


class Finding(Model):
    """A validation result: ``severity`` is ``error`` or ``warning``; ``rule_id`` is stable."""

    rule_id: str
    severity: str
    message: str
    fields: list[str] = Field(default_factory=list)


class PartyCandidate(Model):
    """A master-data party that may be the one on the document, with the evidence for it."""

    party_id: str
    name: str
    method: str
    score: float = Field(ge=0.0, le=1.0)


class PartyMatch(Model):
    """The resolved party (vendor or customer) and how: ``method`` is ``customer_number`` (a printed
    customer number / CRM account id), ``vat_id``, ``iban``, ``alias``, ``name`` (fuzzy name +
    address), ``conflict`` (printed ids name different parties) or ``none``; ``score`` in 0..1.
    ``xrefs`` are the resolved party's ids in other systems from the cross-reference table
    (``{"tryton.customer": "23", "crm": "ACC-9"}``)."""

    role: str
    party_id: str | None = None
    name: str | None = None
    method: str
    score: float = Field(ge=0.0, le=1.0)
    candidates: list[PartyCandidate] = Field(default_factory=list)
    bank_account_known: bool | None = None
    xrefs: dict[str, str] = Field(default_factory=dict)


class PoMatch(Model):
    """The purchase order behind an invoice and the 2-/3-way match result.

    ``status`` is ``matched``, ``mismatch``, ``not_found`` or ``not_applicable``;
    ``differences`` are readable lines (``line 2: price 10.50 vs PO 10.00``).
    """

    po_number: str
    status: str
    kind: str = "two_way"
    differences: list[str] = Field(default_factory=list)


class DuplicateCandidate(Model):
    """An earlier document this one duplicates or amends.

    ``kind`` is ``exact``, ``fuzzy``, ``content`` (same bytes) or ``amends``.
    """

    document_id: str
    kind: str
    reason: str
    score: float = Field(ge=0.0, le=1.0)


class DocumentEnriched(Event):
    """A document ready for routing (``documents.enriched``)."""

    SUBJECT: ClassVar[str] = "documents.enriched"
    blob_uri: str
    sha256: str
    record: InvoiceRecord
    normalizations: list[Normalization] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    field_confidence: dict[str, float] = Field(default_factory=dict)
    vendor: PartyMatch | None = None
    customer: PartyMatch | None = None
    gl_account: str | None = None
    tax_code: str | None = None
    cost_center: str | None = None
    po_match: PoMatch | None = None
    duplicates: list[DuplicateCandidate] = Field(default_factory=list)
    revision: int = Field(default=0, ge=0, description="bumped by every review correction")
