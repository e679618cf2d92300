"""Small real documents made on the fly for tests (reportlab PDFs, Pillow images)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def invoice_pdf(number: str = "INV-1001", supplier: str = "Acme Office Supplies Ltd", total: str = "119.00",
                vat_id: str = "DE136695976", iban: str = "DE89370400440532013000") -> bytes:
    """A one-page text-layer invoice with the usual labels (English)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    _, height = A4
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(50, height - 60, supplier)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, height - 78, "12 Market Street, 10115 Berlin, Germany")
    pdf.drawString(50, height - 92, f"VAT ID: {vat_id}")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(50, height - 140, "INVOICE")
    pdf.setFont("Helvetica", 10)
    for i, (label, value) in enumerate([("Invoice number:", number), ("Invoice date:", "2026-11-03"),
                                        ("Due date:", "2026-12-03"), ("Currency:", "EUR")]):
        pdf.drawString(350, height - 140 - 16 * i, label)
        pdf.drawString(450, height - 140 - 16 * i, value)
    pdf.drawString(50, height - 230, "Bill to: Docket Demo GmbH")
    y = height - 280
    for col, text in zip((50, 300, 380, 470), ("Description", "Qty", "Unit price", "Amount"), strict=True):
        pdf.drawString(col, y, text)
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
