"""The enrich stage: an extracted document made system-ready.

``DocumentExtracted`` in, ``DocumentEnriched`` out: fields normalized (raw values kept), the
vendor (or, for customer orders, the customer) resolved against master data, vendor defaults
added (GL account, tax code, cost center, payment terms), the record validated against the
rules of its legal entity and document type, and PO-backed invoices matched against their PO.
Duplicates are found later, by the routing stage, against the vendor's history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from docket.crm.record import crm_record, is_crm_type
from docket.model import Customer, DocumentEnriched, DocumentExtracted, Finding, Normalization, Vendor
from docket.parties.directory import CustomerDirectory, PartyDirectory, VendorDirectory
from docket.parties.resolve import REFERENCE_SYSTEMS, PartyQuery, Resolution, resolve_party
from docket.records.corroborate import corroborated_confidence
from docket.records.derive import derive_line_tax_rates, derive_single_tax_line
from docket.records.normalize import (
    NormalizedDocument,
    PartyFields,
    due_from_terms,
    normalize_document,
    normalize_parties,
)
from docket.records.po_match import MatchTolerance, PurchaseOrderBook, match_purchase_order
from docket.records.rules import RuleBook, RuleSet
from docket.records.validate import validate_record

PRODUCER = "docket.enrich"


@dataclass
class ReferenceData:
    """Everything enrichment looks up, updated incrementally from the master-data topics."""

    vendors: PartyDirectory[Vendor] = field(default_factory=VendorDirectory)
    customers: PartyDirectory[Customer] = field(default_factory=CustomerDirectory)
    purchase_orders: PurchaseOrderBook = field(default_factory=PurchaseOrderBook)
    rules: RuleBook = field(default_factory=RuleBook.load)
    po_tolerance: MatchTolerance = field(default_factory=MatchTolerance)
    customer_reference_systems: tuple[str, ...] = REFERENCE_SYSTEMS
    """Cross-reference systems whose ids forms print as the customer number (besides Docket's own party id)."""


def _resolve_vendor(parties: PartyFields, reference: ReferenceData, legal_entity: str) -> Resolution[Vendor]:
    query = PartyQuery(name=parties.supplier_name, address=parties.supplier_address, vat_id=parties.supplier_vat_id,
                       iban=parties.supplier_iban, country=parties.supplier_country)
    return resolve_party(query, reference.vendors, legal_entity=legal_entity, role="vendor")


def _resolve_customer(parties: PartyFields, reference: ReferenceData, legal_entity: str,
                      printed_reference: str | None = None) -> Resolution[Customer]:
    query = PartyQuery(name=parties.buyer_name, vat_id=parties.buyer_vat_id, reference=printed_reference)
    return resolve_party(query, reference.customers, legal_entity=legal_entity, role="customer",
                         reference_systems=reference.customer_reference_systems)


def _printed_customer_reference(extracted: DocumentExtracted) -> str | None:
    """The customer number / CRM account id a form prints (``customer_reference``), if any."""
    field = next((f for f in extracted.fields if f.name == "customer_reference" and f.value), None)
    return field.value if field is not None else None


def _with_vendor_defaults(normalized: NormalizedDocument, vendor: Vendor) -> NormalizedDocument:
    """Payment terms (and the due date they give) and currency from master data where the document
    printed none."""
    record, added = normalized.record, []
    updates: dict[str, object] = {}
    if not record.payment_terms and vendor.payment_terms:
        updates["payment_terms"] = vendor.payment_terms
        added.append(Normalization(field="payment_terms", raw="", value=vendor.payment_terms, rule="vendor_default"))
        due = due_from_terms(vendor.payment_terms, record.issue_date)
        if record.due_date is None and due is not None:
            updates["due_date"] = due
            added.append(Normalization(field="due_date", raw=vendor.payment_terms, value=due.isoformat(),
                                       rule="due_from_vendor_payment_terms"))
    if not record.currency and vendor.currency:
        updates["currency"] = vendor.currency
        added.append(Normalization(field="currency", raw="", value=vendor.currency, rule="vendor_default"))
    if not updates:
        return normalized
    return NormalizedDocument(record=record.model_copy(update=updates),
                              normalizations=[*normalized.normalizations, *added],
                              findings=normalized.findings, field_confidence=normalized.field_confidence)


def _capture_findings(extracted: DocumentExtracted, rules: RuleSet) -> list[Finding]:
    """What capture established (an e-invoice's broken EN 16931 rules, a print that differs from
    its XML), with the severity the rules file sets for the rule id where it sets one."""
    kept = []
    for finding in extracted.findings:
        severity = rules.severities.get(finding.rule_id, finding.severity)
        if severity != "off":
            kept.append(finding if severity == finding.severity else finding.model_copy(update={"severity": severity}))
    return kept


def enrich_document(extracted: DocumentExtracted, reference: ReferenceData, *, now: datetime,
                    producer: str = PRODUCER) -> DocumentEnriched:
    """Make ``extracted`` system-ready. ``now`` is the clock (timezone-aware).

    Never raises for document content: unreadable or inconsistent values become findings.
    Parties are resolved first, from names and identifiers alone, so the resolved vendor's
    country (master data) steers how ambiguous dates and amounts are read.
    """
    legal_entity = extracted.envelope.legal_entity
    parties = normalize_parties(extracted)
    vendor = customer = None
    country: str | None = None
    if extracted.document_type.strip().lower() == "customer_order" or is_crm_type(extracted.document_type):
        customer = _resolve_customer(parties, reference, legal_entity, _printed_customer_reference(extracted))
    else:
        vendor = _resolve_vendor(parties, reference, legal_entity)
        country = vendor.party.country if vendor.party is not None else None
    normalized = normalize_document(extracted, country=country)
    if vendor is not None and vendor.party is not None:
        normalized = _with_vendor_defaults(normalized, vendor.party)
    rules = reference.rules.for_document(legal_entity, normalized.record.document_type)
    record, derivations = derive_single_tax_line(normalized.record, rules)
    if is_crm_type(record.document_type):
        record = record.model_copy(update={"crm": crm_record(extracted.fields)})
    record, line_rates = derive_line_tax_rates(record, rules)
    derivations = [*derivations, *line_rates]
    findings: list[Finding] = [*_capture_findings(extracted, rules), *normalized.findings,
                               *validate_record(record, rules, now=now)]
    vendor_party = vendor.party if vendor else None
    po = reference.purchase_orders.get(legal_entity, record.po_number) if record.po_number else None
    po_match = match_purchase_order(record, po, vendor_id=vendor_party.party_id if vendor_party else None,
                                    tolerance=reference.po_tolerance)
    return DocumentEnriched(
        envelope=extracted.envelope.follow(producer=producer, now=now, versions={"rules": rules.version}),
        blob_uri=extracted.blob_uri, sha256=extracted.sha256, record=record,
        normalizations=[*normalized.normalizations, *derivations], findings=findings,
        field_confidence=corroborated_confidence(record, findings, normalized.normalizations,
                                                 normalized.field_confidence, vendor.match if vendor else None),
        vendor=vendor.match if vendor else None, customer=customer.match if customer else None,
        gl_account=vendor_party.default_gl_account if vendor_party else None,
        tax_code=vendor_party.tax_code if vendor_party else None,
        cost_center=vendor_party.cost_center if vendor_party else None,
        po_match=po_match)
