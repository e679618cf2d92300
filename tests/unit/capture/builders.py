"""Tiny test documents rendered with reportlab: invoices in several languages and layouts."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

LABELS = {
    "en": {"title": "INVOICE", "number": "Invoice number:", "date": "Invoice date:", "due": "Due date:",
           "bill_to": "Bill to", "net": "Subtotal", "tax": "VAT", "total": "Total due", "desc": "Description",
           "qty": "Qty", "price": "Unit price", "amount": "Amount"},
    "de": {"title": "RECHNUNG", "number": "Rechnungsnummer:", "date": "Rechnungsdatum:", "due": "Fällig am:",
           "bill_to": "Rechnungsempfänger", "net": "Nettobetrag", "tax": "MwSt.", "total": "Gesamtbetrag",
           "desc": "Bezeichnung", "qty": "Menge", "price": "Einzelpreis", "amount": "Betrag"},
    "fr": {"title": "FACTURE", "number": "N° de facture :", "date": "Date de facture :", "due": "Échéance :",
           "bill_to": "Facturer à", "net": "Total HT", "tax": "TVA", "total": "Total TTC", "desc": "Désignation",
           "qty": "Qté", "price": "Prix unitaire", "amount": "Montant"},
}


@dataclass
class InvoiceSpec:
    """What a test invoice says; tests compare extraction against these values."""

    language: str = "en"
    supplier: str = "Northwind Traders Ltd"
    street: str = "12 High Street"
    city: str = "London EC1A 1BB"
    buyer: str = "Contoso Retail plc"
    number: str = "INV-2025-0042"
    date: tuple[int, int, int] = (2025, 4, 3)
    due: tuple[int, int, int] = (2025, 5, 3)
    currency: str = "EUR"
    rate: Decimal = Decimal("19")
    iban: str = "DE89370400440532013000"
    lines: list[tuple[str, Decimal, Decimal]] = field(default_factory=lambda: [
        ("Copy paper A4", Decimal("3"), Decimal("4.50")), ("Blue widget", Decimal("2"), Decimal("120.00"))])
    labels_on_left: bool = True

    @property
    def net(self) -> Decimal:
        return sum((q * p for _, q, p in self.lines), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        return (self.net * self.rate / 100).quantize(Decimal("0.01"))

    @property
    def total(self) -> Decimal:
        return self.net + self.tax


def money(value: Decimal, language: str) -> str:
    """The amount as the language prints it (``1,234.50`` / ``1.234,50``)."""
    text = f"{value:,.2f}"
    return text if language == "en" else text.replace(",", "X").replace(".", ",").replace("X", ".")


def date_text(parts: tuple[int, int, int], language: str) -> str:
    year, month, day = parts
    return f"{year:04d}-{month:02d}-{day:02d}" if language == "en" else f"{day:02d}.{month:02d}.{year:04d}"


def invoice_pdf(spec: InvoiceSpec, *, pages: int = 1) -> bytes:
    """A text-layer invoice PDF for ``spec`` (``pages`` > 1 adds continuation pages of notes)."""
    labels = LABELS[spec.language]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    _, height = A4
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(50, height - 50, spec.supplier)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, height - 66, spec.street)
    pdf.drawString(50, height - 80, spec.city)
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(400, height - 50, labels["title"])
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, height - 130, labels["bill_to"])
    pdf.drawString(50, height - 144, spec.buyer)
    rows = [(labels["number"], spec.number), (labels["date"], date_text(spec.date, spec.language)),
            (labels["due"], date_text(spec.due, spec.language))]
    y = height - 200
    for label, value in rows:
        pdf.drawString(50, y, label)
        pdf.drawString(170, y, value)
        y -= 16
    y -= 20
    for x, text in ((50, labels["desc"]), (300, labels["qty"]), (380, labels["price"]), (480, labels["amount"])):
        pdf.drawString(x, y, text)
    for description, quantity, price in spec.lines:
        y -= 16
        pdf.drawString(50, y, description)
        pdf.drawRightString(320, y, str(quantity))
        pdf.drawRightString(440, y, money(price, spec.language))
        pdf.drawRightString(530, y, money(quantity * price, spec.language))
    y -= 30
    totals = [(labels["net"], spec.net), (f"{labels['tax']} {spec.rate}%", spec.tax), (labels["total"], spec.total)]
    for label, value in totals:
        pdf.drawString(330, y, label)
        pdf.drawRightString(530, y, f"{money(value, spec.language)} {spec.currency}")
        y -= 16
    pdf.drawString(50, 60, f"IBAN: {' '.join(spec.iban[i:i + 4] for i in range(0, len(spec.iban), 4))}")
    for extra in range(1, pages):
        pdf.showPage()
        pdf.setFont("Helvetica", 10)
        pdf.drawString(50, height - 60, f"Terms and conditions, page {extra + 1}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def blank_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` empty pages."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
