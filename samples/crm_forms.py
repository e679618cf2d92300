"""The demo's CRM documents: a signed order form and a service agreement from Globex Retail AG.

Drawn with reportlab (``invariant``: the same bytes on every run) as a customer returns them: the
form names the quote it accepts (``Q-2026-014``, the open opportunity of the demo ERP,
infra/tryton/configure_template.py) and the customer number the ERP knows Globex by (``C-2001``),
so the demo resolves the customer by its id and the opportunity by its reference.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

SELLER = "Docket Demo GmbH · Musterweg 5 · 10115 Berlin"
CUSTOMER = ("Globex Retail AG", "C-2001")


def _form(title: str, labelled: list[tuple[str, str]], lines: list[tuple[str, str, str, str]],
          closing: list[str]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    _, height = A4
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(50, height - 60, title)
    pdf.setFont("Helvetica", 9)
    pdf.drawString(50, height - 78, SELLER)
    pdf.setFont("Helvetica", 10)
    y = height - 120
    for label, value in labelled:
        pdf.drawString(50, y, f"{label}: {value}")
        y -= 16
    if lines:
        y -= 10
        for col, head in zip((50, 300, 370, 470), ("Description", "Qty", "Unit price", "Amount"), strict=True):
            pdf.drawString(col, y, head)
        for description, quantity, price, amount in lines:
            y -= 16
            for col, text in zip((50, 300, 370, 470), (description, quantity, price, amount), strict=True):
                pdf.drawString(col, y, text)
        y -= 10
    for text in closing:
        y -= 16
        pdf.drawString(50, y, text)
    pdf.drawString(50, 110, "Signed for the customer: ______________________  (Dana Okafor, Head of Operations)")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def order_form() -> bytes:
    """Globex's signed acceptance of quote Q-2026-014 (4,800.00 EUR net, the opportunity's amount)."""
    name, number = CUSTOMER
    return _form("Signed Order Form", [
        ("Customer", name), ("Customer number", number), ("Quote reference", "Q-2026-014"),
        ("Order number", "OF-2026-0301"), ("Signature date", "01.03.2026")],
        [("Support and rollout 2026", "1", "4.800,00", "4.800,00")],
        ["Net amount: 4.800,00 EUR", "VAT 19 %: 912,00 EUR", "Total: 5.712,00 EUR", "Currency: EUR"])


def contract() -> bytes:
    """Globex's support agreement: from 1 April 2026 for 12 months, renewing, 90 days' notice, 400 EUR a month."""
    name, number = CUSTOMER
    return _form("Service Agreement", [
        ("Contract number", "GLX-SA-031"), ("Customer", name), ("Customer number", number),
        ("Start date", "01.04.2026"), ("Initial term", "12 months"), ("Renewal", "renews automatically"),
        ("Notice period", "90 days"), ("Monthly fee", "400,00 EUR"), ("Currency", "EUR"),
        ("Billing frequency", "monthly"), ("Signature date", "20.03.2026")], [],
        ["The agreement renews for a further 12 months unless terminated with 90 days' notice",
         "before the end of the current term."])
