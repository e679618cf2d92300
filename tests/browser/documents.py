"""A two-page text-layer invoice for the workspace's browser tests (reportlab).

Page 1 has the letterhead, the bank details and the first lines; page 2 the last line and the
totals, so the viewer must show both pages and boxes on either. ``number_label`` lets a test
print the document number under a label extractors do not know, so the number is missing and a
reviewer has to pick it from the page.
"""

from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tests.documents import draw_invoice_head, draw_line_header


def two_page_invoice(*, number: str, supplier: str, vat_id: str, iban: str, net: str = "400.00",
                     number_label: str = "Invoice number:") -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    _, height = A4
    net_amount = Decimal(net)
    tax = (net_amount * Decimal("0.19")).quantize(Decimal("0.01"))
    y = draw_invoice_head(pdf, supplier=supplier, address="Industriestrasse 7, 70565 Stuttgart, Germany",
                          vat_id=vat_id, number=number, number_label=number_label)
    half = (net_amount / 2).quantize(Decimal("0.01"))
    pdf.drawString(50, y - 18, "Toner cartridges")
    pdf.drawString(300, y - 18, "1")
    pdf.drawString(380, y - 18, f"{half}")
    pdf.drawString(470, y - 18, f"{half}")
    pdf.drawString(50, 80, f"Bank: IBAN {iban}  BIC COBADEFFXXX")
    pdf.drawString(450, 60, "continued on page 2")
    pdf.showPage()
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, height - 60, f"{supplier} - page 2")
    draw_line_header(pdf, height - 100)
    rest = net_amount - half
    pdf.drawString(50, height - 118, "Drum unit")
    pdf.drawString(300, height - 118, "1")
    pdf.drawString(380, height - 118, f"{rest}")
    pdf.drawString(470, height - 118, f"{rest}")
    for i, (label, value) in enumerate([("Net amount:", f"{net_amount}"), ("VAT 19%:", f"{tax}"),
                                        ("Total:", f"{net_amount + tax}")]):
        pdf.drawString(380, height - 180 - 16 * i, label)
        pdf.drawString(470, height - 180 - 16 * i, value)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
