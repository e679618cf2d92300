"""Valid instances of every event and master-data model, for tests and schema samples.

Each builder takes keyword overrides, so a test states only what it cares about. Values are
realistic (valid VAT IDs and IBANs, consistent totals) because downstream stages validate them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from docket.model import (
    AppliedItem,
    BBox,
    CashApplication,
    CashCandidate,
    CrossReference,
    Customer,
    CustomerMail,
    DeadLetter,
    DocumentEnriched,
    DocumentExtracted,
    DocumentReceived,
    DocumentRejected,
    DocumentRouted,
    DuplicateCandidate,
    Envelope,
    ExtractedField,
    FieldCorrection,
    Finding,
    InvoiceLine,
    InvoiceRecord,
    LineItem,
    MissingField,
    Normalization,
    OpenItem,
    PartyCandidate,
    PartyMatch,
    PaymentReceived,
    PoMatch,
    PostingRequested,
    PostingResult,
    PurchaseOrder,
    PurchaseOrderLine,
    ReviewCompleted,
    ReviewRequested,
    RouteReason,
    TaxLine,
    Vendor,
    idempotency_key,
)

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
SAMPLE_PDF = b"%PDF-1.7 sample"
SAMPLE_SHA = hashlib.sha256(SAMPLE_PDF).hexdigest()
SAMPLE_URI = f"blob:sha256:{SAMPLE_SHA}"


def envelope(**overrides: Any) -> Envelope:
    values: dict[str, Any] = {
        "event_id": "00000000-0000-4000-8000-000000000001", "document_id": "doc-1",
        "correlation_id": "doc-1", "legal_entity": "DE01", "occurred_at": NOW, "producer": "tests/1",
        "versions": {"extraction": "capture-1"},
    }
    values.update(overrides)
    return Envelope(**values)


def received(**overrides: Any) -> DocumentReceived:
    values: dict[str, Any] = {
        "envelope": envelope(versions={}), "blob_uri": SAMPLE_URI, "sha256": SAMPLE_SHA,
        "filename": "invoice-4711.pdf", "media_type": "application/pdf", "size_bytes": len(SAMPLE_PDF),
        "channel": "http", "external_reference": "MAIL-123", "metadata": {"sender": "ap@example.com"},
    }
    values.update(overrides)
    return DocumentReceived(**values)


def field(name: str, value: str, raw: str | None = None, confidence: float = 0.98, **overrides: Any) -> ExtractedField:
    values: dict[str, Any] = {
        "name": name, "value": value, "raw_text": raw if raw is not None else value, "confidence": confidence,
        "bbox": BBox(page=1, x0=0.1, y0=0.1, x1=0.3, y1=0.12), "method": "layout", "engine": "text_layer",
    }
    values.update(overrides)
    return ExtractedField(**values)


def extracted(**overrides: Any) -> DocumentExtracted:
    values: dict[str, Any] = {
        "envelope": envelope(), "blob_uri": SAMPLE_URI, "sha256": SAMPLE_SHA, "document_type": "invoice",
        "type_confidence": 0.97, "language": "de", "page_count": 1, "page_range": "1", "reading": "text_layer",
        "fields": [
            field("supplier_name", "Muster Bürobedarf GmbH"),
            field("supplier_vat_id", "DE136695976", "USt-IdNr. DE 136 695 976"),
            field("supplier_iban", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00"),
            field("invoice_number", "RE-2026-0815"),
            field("invoice_date", "2026-11-03", "03.11.2026"),
            field("currency", "EUR", "€"),
            field("net_total", "100.00", "100,00"),
            field("tax_total", "19.00", "19,00"),
            field("total", "119.00", "119,00 €"),
        ],
        "missing": [MissingField(name="po_number", reason="no purchase order reference on the page")],
        "line_items": [LineItem(index=0, fields=[field("description", "Kopierpapier A4"),
                                                 field("quantity", "10"), field("unit_price", "10.00"),
                                                 field("amount", "100.00"), field("tax_rate", "19")])],
    }
    values.update(overrides)
    return DocumentExtracted(**values)


def record(**overrides: Any) -> InvoiceRecord:
    values: dict[str, Any] = {
        "document_type": "invoice", "number": "RE-2026-0815", "issue_date": date(2026, 11, 3),
        "due_date": date(2026, 12, 3), "payment_terms": "30 days net", "currency": "EUR",
        "net_total": Decimal("100.00"), "tax_total": Decimal("19.00"), "total": Decimal("119.00"),
        "supplier_name": "Muster Bürobedarf GmbH", "supplier_vat_id": "DE136695976",
        "supplier_iban": "DE89370400440532013000", "supplier_country": "DE", "buyer_name": "Docket Demo GmbH",
        "tax_lines": [TaxLine(rate=Decimal("19"), base=Decimal("100.00"), amount=Decimal("19.00"))],
        "lines": [InvoiceLine(index=0, description="Kopierpapier A4", quantity=Decimal("10"),
                              unit_price=Decimal("10.00"), amount=Decimal("100.00"), tax_rate=Decimal("19"))],
    }
    values.update(overrides)
    return InvoiceRecord(**values)


def enriched(**overrides: Any) -> DocumentEnriched:
    values: dict[str, Any] = {
        "envelope": envelope(), "blob_uri": SAMPLE_URI, "sha256": SAMPLE_SHA, "record": record(),
        "normalizations": [Normalization(field="invoice_date", raw="03.11.2026", value="2026-11-03",
                                         rule="date:dmy")],
        "findings": [Finding(rule_id="due_after_issue", severity="warning", message="example", fields=["due_date"])],
        "field_confidence": {"total": 0.98, "invoice_number": 0.97},
        "vendor": PartyMatch(role="vendor", party_id="V-1001", name="Muster Bürobedarf GmbH", method="vat_id",
                             score=1.0, candidates=[PartyCandidate(party_id="V-1001", name="Muster Bürobedarf GmbH",
                                                                   method="vat_id", score=1.0)],
                             bank_account_known=True, xrefs={"tryton.vendor": "17"}),
        "gl_account": "6815", "tax_code": "VSt19", "cost_center": "1000",
        "po_match": PoMatch(po_number="PO-77", status="matched"),
        "duplicates": [DuplicateCandidate(document_id="doc-0", kind="amends", reason="credit note for RE-1",
                                          score=0.9)],
    }
    values.update(overrides)
    return DocumentEnriched(**values)


def routed(**overrides: Any) -> DocumentRouted:
    values: dict[str, Any] = {
        "envelope": envelope(), "route": "review", "policy_version": "default-1", "document_type": "invoice",
        "reasons": [RouteReason(code="FIRST_INVOICE_FROM_VENDOR", message="first invoice", fields=["supplier_name"])],
        "total": "119.00", "currency": "EUR",
    }
    values.update(overrides)
    return DocumentRouted(**values)


def rejected(**overrides: Any) -> DocumentRejected:
    values: dict[str, Any] = {
        "envelope": envelope(), "stage": "capture", "error_code": "CAPTURE_PDF_CORRUPT",
        "message": "not a PDF", "retryable": False, "blob_uri": SAMPLE_URI, "details": {"source": "t:0:1"},
    }
    values.update(overrides)
    return DocumentRejected(**values)


def review_requested(**overrides: Any) -> ReviewRequested:
    values: dict[str, Any] = {
        "envelope": envelope(), "task_id": "task-1", "due_at": NOW, "document": enriched(),
        "reasons": [RouteReason(code="LOW_CONFIDENCE", message="total below 0.9", fields=["total"])],
    }
    values.update(overrides)
    return ReviewRequested(**values)


def review_completed(**overrides: Any) -> ReviewCompleted:
    values: dict[str, Any] = {
        "envelope": envelope(), "task_id": "task-1", "task_version": 1, "reviewer": "rita", "decision": "approve",
        "vendor_id": "V-1001", "opened_at": NOW, "decided_at": NOW,
        "corrections": [FieldCorrection(field="total", old_value="118.00", new_value="119.00",
                                        bbox=BBox(page=1, x0=0.7, y0=0.8, x1=0.9, y1=0.82))],
    }
    values.update(overrides)
    return ReviewCompleted(**values)


def posting_requested(**overrides: Any) -> PostingRequested:
    values: dict[str, Any] = {
        "envelope": envelope(versions={"mapping": "tryton-1"}),
        "idempotency_key": idempotency_key("doc-1", 0, "tryton"),
        "target": "tryton", "posting_type": "supplier_invoice", "post_state": "posted", "mapping_version": "tryton-1",
        "blob_uri": SAMPLE_URI, "sha256": SAMPLE_SHA, "party_id": "V-1001",
        "party_xrefs": {"tryton.vendor": "17"}, "gl_account": "6815", "record": record(),
    }
    values.update(overrides)
    return PostingRequested(**values)


def posting_result(**overrides: Any) -> PostingResult:
    values: dict[str, Any] = {
        "envelope": envelope(), "idempotency_key": idempotency_key("doc-1", 0, "tryton"), "target": "tryton",
        "status": "posted", "erp_reference": "SUPINV-0001", "erp_id": "42", "attempt": 1,
        "request": '{"reference": "RE-2026-0815"}', "response": '{"id": 42}', "duration_ms": 480,
    }
    values.update(overrides)
    return PostingResult(**values)


def payment(**overrides: Any) -> PaymentReceived:
    values: dict[str, Any] = {
        "envelope": envelope(document_id="stmt-1", correlation_id="stmt-1", versions={}),
        "payment_id": "STMT-2026-11-21:3", "statement_id": "STMT-2026-11-21", "amount": Decimal("1190.00"),
        "currency": "EUR", "value_date": date(2026, 11, 21), "booking_date": date(2026, 11, 21),
        "payer_name": "Beispiel Handels AG", "payer_account": "DE02120300000000202051", "payer_bic": "BYLADEM1001",
        "remittance_structured": "RF18539007547034", "remittance_text": "INV-10023 INV-10024",
        "bank_reference": "NOTPROVIDED", "source_format": "camt.053",
    }
    values.update(overrides)
    return PaymentReceived(**values)


def cash_application(**overrides: Any) -> CashApplication:
    values: dict[str, Any] = {
        "envelope": envelope(document_id="stmt-1", correlation_id="stmt-1"), "payment_id": "STMT-2026-11-21:3",
        "status": "applied", "customer_id": "C-2001", "payment_amount": Decimal("1190.00"), "currency": "EUR",
        "applications": [AppliedItem(open_item_id="OI-10023", invoice_number="INV-10023",
                                     amount_applied=Decimal("1190.00"), currency="EUR")],
        "unapplied_amount": Decimal("0"), "evidence": ["structured_reference"], "confidence": 0.99,
        "candidates": [CashCandidate(customer_id="C-2001", open_item_ids=["OI-10023"], score=0.99,
                                     evidence=["structured_reference"])],
    }
    values.update(overrides)
    return CashApplication(**values)


def vendor(**overrides: Any) -> Vendor:
    values: dict[str, Any] = {
        "party_id": "V-1001", "legal_entity": "DE01", "name": "Muster Bürobedarf GmbH", "vat_id": "DE136695976",
        "country": "DE", "address": "Hauptstraße 1, 10115 Berlin", "ibans": ["DE89370400440532013000"],
        "default_gl_account": "6815", "tax_code": "VSt19", "payment_terms": "30 days net", "currency": "EUR",
        "aliases": ["Muster Buerobedarf"], "erp_id": "17", "updated_at": NOW,
    }
    values.update(overrides)
    return Vendor(**values)


def customer(**overrides: Any) -> Customer:
    values: dict[str, Any] = {
        "party_id": "C-2001", "legal_entity": "DE01", "name": "Beispiel Handels AG", "vat_id": "DE811569869",
        "country": "DE", "ibans": ["DE02120300000000202051"], "payment_terms": "14 days", "currency": "EUR",
        "erp_id": "23", "updated_at": NOW,
    }
    values.update(overrides)
    return Customer(**values)


def purchase_order(**overrides: Any) -> PurchaseOrder:
    values: dict[str, Any] = {
        "po_number": "PO-77", "legal_entity": "DE01", "vendor_id": "V-1001", "currency": "EUR",
        "order_date": date(2026, 10, 30),
        "lines": [PurchaseOrderLine(line_no=1, description="Kopierpapier A4", quantity=Decimal("10"),
                                    unit_price=Decimal("10.00"), tax_rate=Decimal("19"),
                                    received_quantity=Decimal("10"))],
        "total": Decimal("119.00"), "updated_at": NOW,
    }
    values.update(overrides)
    return PurchaseOrder(**values)


def open_item(**overrides: Any) -> OpenItem:
    values: dict[str, Any] = {
        "item_id": "OI-10023", "legal_entity": "DE01", "customer_id": "C-2001", "invoice_number": "INV-10023",
        "invoice_date": date(2026, 10, 20), "due_date": date(2026, 11, 19), "currency": "EUR",
        "amount_total": Decimal("1190.00"), "amount_open": Decimal("1190.00"),
        "structured_reference": "RF18539007547034", "updated_at": NOW,
    }
    values.update(overrides)
    return OpenItem(**values)


def xref(**overrides: Any) -> CrossReference:
    values: dict[str, Any] = {
        "legal_entity": "DE01", "system": "tryton", "external_id": "17", "kind": "vendor", "party_id": "V-1001",
        "source": "sync", "updated_at": NOW,
    }
    values.update(overrides)
    return CrossReference(**values)


def dead_letter(**overrides: Any) -> DeadLetter:
    values: dict[str, Any] = {
        "source_topic": "documents.received", "source_partition": 0, "source_offset": 7, "key": b"k",
        "value": b"\x00\x00\x00\x00\x63garbage", "headers": {"h": "v"}, "error_code": "DECODE_UNKNOWN_SCHEMA_ID",
        "message": "schema id 99 is unknown", "consumer": "docket.capture/0.1.0", "occurred_at": NOW,
    }
    values.update(overrides)
    return DeadLetter(**values)


SAMPLE_BUILDERS: dict[str, list[Callable[[], Any]]] = {
    "documents.received": [received, lambda: received(duplicate_of="doc-0", external_reference=None)],
    "documents.extracted": [extracted, lambda: extracted(fields=[], line_items=[], reading="ocr", language=None)],
    "documents.enriched": [enriched, lambda: enriched(vendor=None, po_match=None, duplicates=[], findings=[])],
    "documents.routed": [routed, lambda: routed(route="post", reasons=[])],
    "documents.rejected": [rejected],
    "reviews.requested": [review_requested, lambda: review_requested(cash_application=cash_application(
        status="review", applications=[], unapplied_amount=Decimal("1190.00"), confidence=0.4)),
        lambda: review_requested(task_id="mail:doc-1", customer_mail=CustomerMail(
            sender="ap@beispiel.example", subject="INV-10023", body="We dispute invoice INV-10023.",
            intent="dispute", probability=0.93, open_item_ids=["OI-10023"], invoice_numbers=["INV-10023"],
            amounts=["1190.00"], promised_date=date(2026, 12, 15)))],
    "reviews.completed": [review_completed, lambda: review_completed(decision="reject", reason="not ours",
                                                                    corrections=[])],
    "postings.requested": [posting_requested, lambda: posting_requested(
        idempotency_key="STMT-2026-11-21:3:0:tryton", posting_type="payment", record=None, blob_uri=None, sha256=None,
        party_id="C-2001", gl_account=None, cash_application=cash_application(value_date=date(2026, 11, 21)))],
    "postings.results": [posting_result, lambda: posting_result(status="rejected", erp_reference=None,
                                                                erp_id=None, error_code="POSTING_REJECTED",
                                                                error_message="party unknown")],
    "payments.received": [payment],
    "cash.applications": [cash_application, lambda: cash_application(value_date=date(2026, 11, 21))],
    "masterdata.vendors": [vendor],
    "masterdata.customers": [customer],
    "masterdata.purchase_orders": [purchase_order],
    "masterdata.open_items": [open_item],
    "masterdata.xrefs": [xref],
    "docket.deadletter": [dead_letter],
}


def write_samples(version: int = 1, subjects: tuple[str, ...] = ()) -> None:
    """Write ``schemas/<subject>/v<version>.samples.json`` from the builders above (release time only),
    for ``subjects`` (every subject when empty)."""
    import json

    from streams.contracts import SCHEMAS_DIR

    for subject, builders in SAMPLE_BUILDERS.items():
        if subjects and subject not in subjects:
            continue
        path = SCHEMAS_DIR / subject / f"v{version}.samples.json"
        records = [builder().model_dump(mode="json") for builder in builders]
        path.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    import sys

    write_samples(int(sys.argv[1]) if len(sys.argv) > 1 else 1, tuple(sys.argv[2:]))
