"""Extraction events and master data for routing and scenario tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from docket.enrich import ReferenceData
from docket.model import DocumentExtracted, Envelope, ExtractedField, LineItem, Vendor

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
MUELLER_IBAN = "DE89370400440532013000"
OTHER_IBAN = "DE02120300000000202051"


def reference() -> ReferenceData:
    """Two vendors of LE1: Müller (VAT ID and IBAN on record) and Schmidt (name only)."""
    data = ReferenceData()
    data.vendors.upsert(Vendor(
        party_id="V-MUELLER", legal_entity="LE1", name="Müller Bürobedarf GmbH", vat_id="DE136695976",
        country="DE", address="Hauptstraße 5, 10115 Berlin", ibans=[MUELLER_IBAN], default_gl_account="6815",
        tax_code="VST19", cost_center="CC-100", payment_terms="30 Tage netto", currency="EUR", updated_at=NOW))
    data.vendors.upsert(Vendor(
        party_id="V-SCHMIDT", legal_entity="LE1", name="Schmidt Logistik AG", country="DE",
        address="Hafenweg 2, 20457 Hamburg", default_gl_account="4700", updated_at=NOW))
    return data


def german(amount: Decimal) -> str:
    """``1234.5`` printed the German way: ``1.234,50``."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def invoice_fields(number: str, *, net: str = "1000.00", iban: str = "DE89 3704 0044 0532 0130 00",
                   date: str = "03.04.2025") -> dict[str, str]:
    """A consistent German invoice from Müller at 19 % VAT, printed with German conventions."""
    net_amount = Decimal(net)
    tax = (net_amount * Decimal("0.19")).quantize(Decimal("0.01"))
    return {"supplier_name": "Müller Bürobedarf GmbH", "supplier_vat_id": "DE136695976", "supplier_iban": iban,
            "invoice_number": number, "invoice_date": date, "currency": "EUR", "net_total": german(net_amount),
            "tax_total": german(tax), "total": german(net_amount + tax), "tax_1_rate": "19 %",
            "tax_1_amount": german(tax)}


def extracted(document_id: str, fields: dict[str, str], *, document_type: str = "invoice",
              confidence: dict[str, float] | None = None, sha256: str | None = None,
              versions: dict[str, str] | None = None, lines: list[LineItem] | None = None) -> DocumentExtracted:
    scores = confidence or {}
    return DocumentExtracted(
        envelope=Envelope.new(document_id=document_id, legal_entity="LE1", producer="capture", now=NOW,
                              versions=versions),
        blob_uri=f"file:///blobs/{document_id}", sha256=sha256 or document_id.encode().hex().ljust(64, "0")[:64],
        document_type=document_type, type_confidence=0.98, page_count=1,
        reading="ocr" if versions and "ocr_engine" in versions else "text_layer",
        fields=[ExtractedField(name=name, value=raw, raw_text=raw, confidence=scores.get(name, 0.99),
                               method="layout", engine="text_layer") for name, raw in fields.items()],
        line_items=lines or [])
