"""Small real documents made on the fly for tests (reportlab PDFs, Pillow images)."""

from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

LINE_COLUMNS = (50, 300, 380, 470)


def draw_invoice_head(pdf: canvas.Canvas, *, supplier: str, address: str, vat_id: str, number: str,
                      number_label: str = "Invoice number:") -> float:
    """Letterhead, title, the number/date block, bill-to and the line table's header on the current
    page of ``pdf`` (A4); returns the y of the header row (lines go below it, 18 pt apart)."""
    _, height = A4
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(50, height - 60, supplier)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, height - 78, address)
    pdf.drawString(50, height - 92, f"VAT ID: {vat_id}")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(50, height - 140, "INVOICE")
    pdf.setFont("Helvetica", 10)
    for i, (label, value) in enumerate([(number_label, number), ("Invoice date:", "2026-11-03"),
                                        ("Due date:", "2026-12-03"), ("Currency:", "EUR")]):
        pdf.drawString(350, height - 140 - 16 * i, label)
        pdf.drawString(450, height - 140 - 16 * i, value)
    pdf.drawString(50, height - 230, "Bill to: Docket Demo GmbH")
    y = height - 280
    draw_line_header(pdf, y)
    return y


def draw_line_header(pdf: canvas.Canvas, y: float) -> None:
    for column, text in zip(LINE_COLUMNS, ("Description", "Qty", "Unit price", "Amount"), strict=True):
        pdf.drawString(column, y, text)


def invoice_pdf(number: str = "INV-1001", supplier: str = "Acme Office Supplies Ltd", total: str = "119.00",
                vat_id: str = "DE136695976", iban: str = "DE89370400440532013000") -> bytes:
    """A one-page text-layer invoice with the usual labels (English)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = draw_invoice_head(pdf, supplier=supplier, address="12 Market Street, 10115 Berlin, Germany",
                          vat_id=vat_id, number=number)
    pdf.drawString(50, y - 18, "Copy paper A4")
    pdf.drawString(300, y - 18, "10")
    pdf.drawString(380, y - 18, "10.00")
    pdf.drawString(470, y - 18, "100.00")
    for i, (label, value) in enumerate([("Net amount:", "100.00"), ("VAT 19%:", "19.00"), ("Total:", total)]):
        pdf.drawString(380, y - 70 - 16 * i, label)
        pdf.drawString(470, y - 70 - 16 * i, value)
    pdf.drawString(50, 80, f"Bank: IBAN {iban}  BIC COBADEFFXXX")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


VENDOR_LAYOUT_VAT_ID = "DE136695976"
VENDOR_LAYOUT_IBAN = "DE89370400440532013000"
_NUMBER_AT = (400.0, 114.0)  # x and the baseline's distance from the top edge, in points


def vendor_layout_invoice(number: str, quantity: int = 10, issued: str = "03.11.2026") -> bytes:
    """One vendor's house layout: its invoice number stands alone under "Vorgang", a heading no label
    dictionary knows, so the rules miss it; everything else is read by the usual labels. The VAT ID and
    IBAN identify the vendor; totals are ``quantity`` times 10.00 plus 19 % VAT."""
    net = Decimal(quantity) * Decimal("10.00")
    tax = (net * Decimal("0.19")).quantize(Decimal("0.01"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    _, height = A4
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(50, height - 60, "Kaltenbrunner Feinmechanik GmbH")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, height - 78, "Industriestrasse 4, 80331 Muenchen, Germany")
    pdf.drawString(50, height - 92, f"VAT ID: {VENDOR_LAYOUT_VAT_ID}")
    pdf.drawString(400, height - 100, "Vorgang")
    pdf.drawString(_NUMBER_AT[0], height - _NUMBER_AT[1], number)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(50, height - 130, "RECHNUNG")
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, height - 160, f"Rechnungsdatum: {issued}")
    pdf.drawString(50, height - 230, "Bill to: Docket Demo GmbH")
    y = height - 280
    draw_line_header(pdf, y)
    for column, text in zip(LINE_COLUMNS, ("Passfedern DIN 6885", str(quantity), "10.00", f"{net:.2f}"), strict=True):
        pdf.drawString(column, y - 18, text)
    for i, (label, value) in enumerate([("Nettobetrag:", f"{net:.2f}"), ("MwSt 19%:", f"{tax:.2f}"),
                                        ("Gesamtbetrag:", f"{net + tax:.2f} EUR")]):
        pdf.drawString(380, y - 70 - 16 * i, label)
        pdf.drawString(470, y - 70 - 16 * i, value)
    pdf.drawString(50, 80, f"Bank: IBAN {VENDOR_LAYOUT_IBAN}  BIC COBADEFFXXX")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def vendor_layout_number_box() -> dict[str, float | int]:
    """The box a reviewer clicks around the number of :func:`vendor_layout_invoice` (page fractions, origin
    top left), as the task page posts it."""
    width, height = A4
    x, baseline = _NUMBER_AT
    return {"page": 1, "x0": (x - 4) / width, "y0": (baseline - 11) / height, "x1": (x + 80) / width,
            "y1": (baseline + 3) / height}
