"""Renders till receipts (a narrow paper roll) and remittance advices (an A4 letter)."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.lib.pagesizes import A4

from devkit.corpus.content import DocumentContent
from devkit.corpus.formatting import (
    CURRENCY_SYMBOLS,
    canonical_amount,
    canonical_date,
    canonical_number,
    collapse,
    format_date,
    money,
)
from devkit.corpus.layouts import Layout
from devkit.corpus.pen import Pen
from devkit.corpus.vocabulary import label

RECEIPT_WIDTH = 226.8  # 80 mm till roll
GRAY = (0.4, 0.4, 0.4)
WHITE = (1.0, 1.0, 1.0)


def receipt_height(content: DocumentContent, layout: Layout) -> float:
    """Paper length in points the receipt needs (the roll is cut after the last line)."""
    rows = 16 + len(content.issuer.address_lines) + 2 * len(content.lines) + 2 * len(content.taxes)
    return rows * (layout.size + 4) + 60


def render_receipt(pen: Pen, content: DocumentContent, layout: Layout) -> None:
    """Draw a till receipt on ``pen``'s canvas (already sized by :func:`receipt_height`)."""
    def lab(key: str) -> str:
        return label(key, content.language, layout.id)

    size, fmt = layout.size, content.number_format
    left, right, mid = 12.0, RECEIPT_WIDTH - 12.0, RECEIPT_WIDTH / 2
    step = size + 4
    y = receipt_height(content, layout) - 24
    issuer = content.issuer
    if layout.header == "banner":
        pen.canvas.setFillColorRGB(0, 0, 0)
        pen.canvas.rect(left, y - 5, right - left, size + 12, fill=1, stroke=0)
        pen.field("supplier_name", mid, y, issuer.name, collapse(issuer.name), bold=True, size=size + 1,
                  align="center", color=WHITE)
    else:
        pen.field("supplier_name", mid, y, issuer.name, collapse(issuer.name), bold=True, size=size + 1,
                  align="center")
    y -= step + 4
    for address_line in issuer.address_lines:
        pen.text(mid, y, address_line, align="center")
        y -= step
    if issuer.vat_id and issuer.vat_id_printed:
        pen.text(mid, y, f"{lab('vat_id')}: {issuer.vat_id_printed}", align="center")
        pen.record("supplier_vat_id", issuer.vat_id_printed, issuer.vat_id)
        y -= step
    y -= 6
    pen.text(mid, y, lab("title_receipt"), bold=True, align="center")
    y -= step + 4
    date_text = format_date(content.issue_date, content.date_style, content.language)
    for key, value, name, canonical in (
            ("receipt_number", content.number, "receipt_number", content.number),
            ("receipt_date", date_text, "receipt_date", canonical_date(content.issue_date))):
        if layout.labels == "stacked":
            pen.text(left, y, lab(key), color=GRAY)
            pen.text(right, y, value, align="right")
        else:
            pen.text(left, y, f"{lab(key)}: {value}")
        pen.record(name, value, canonical)
        y -= step
    if layout.labels != "stacked":
        pen.text(right, y + step, content.extras.get("time", ""), align="right")
    y -= 4
    pen.canvas.setDash(2, 2)
    pen.canvas.line(left, y + size, right, y + size)
    for index, line in enumerate(content.lines):
        pen.text(left, y, line.description)
        pen.text(right, y, fmt.amount(line.amount), align="right")
        pen.line_field(index, "description", line.description, collapse(line.description))
        pen.line_field(index, "amount", fmt.amount(line.amount), canonical_amount(line.amount))
        y -= step
        if line.quantity != 1:
            quantity, price = fmt.quantity(line.quantity), fmt.amount(line.unit_price)
            pen.text(left + 10, y, f"{quantity} x {price}", color=GRAY)
            pen.line_field(index, "quantity", quantity, canonical_number(line.quantity))
            pen.line_field(index, "unit_price", price, canonical_amount(line.unit_price))
            y -= step
    pen.canvas.line(left, y + size, right, y + size)
    pen.canvas.setDash()
    y -= 4
    shown = money(fmt, content.total, content.currency, layout.money)
    total_label = lab("total").upper() + (f" {content.currency}" if layout.money == "none" else "")
    pen.text(left, y, total_label, bold=True, size=size + 2)
    pen.field("total", right, y, shown, canonical_amount(content.total), bold=True, size=size + 2, align="right")
    pen.record("currency", content.currency if layout.money in {"none", "code_before", "code_after"}
               else CURRENCY_SYMBOLS[content.currency], content.currency)
    y -= step + 8
    for row in content.taxes:
        pen.text(left, y, f"{lab('tax_included')} {fmt.rate(row.rate)}")
        pen.text(right, y, fmt.amount(row.amount), align="right")
        y -= step
    if len(content.taxes) > 1:
        pen.text(left, y, lab("tax_total"))
    pen.record("tax_total", fmt.amount(content.tax_total), canonical_amount(content.tax_total))
    if len(content.taxes) > 1:
        pen.text(right, y, fmt.amount(content.tax_total), align="right")
        y -= step
    y -= 6
    pen.text(left, y, lab("card"))
    pen.text(mid, y - step - 6, lab("thanks"), align="center", color=GRAY)
    pen.canvas.showPage()


def render_remittance(pen: Pen, content: DocumentContent, layout: Layout) -> None:
    """Draw a remittance advice letter: payer letterhead, payee, payment references, invoices paid."""
    def lab(key: str) -> str:
        return label(key, content.language, layout.id)

    width, height = A4
    left, right, size, fmt = 50.0, width - 50.0, layout.size, content.number_format
    step = size + 4
    payer, payee = content.issuer, content.counterparty
    y = height - 50
    align_x, align = (right, "right") if layout.header == "logo_right" else (left, "left")
    if layout.header == "banner":
        pen.canvas.setFillColorRGB(*layout.accent)
        pen.canvas.rect(0, height - 64, width, 64, fill=1, stroke=0)
        pen.text(right, height - 42, lab("title_remittance_advice"), bold=True, size=18, align="right", color=WHITE)
        y = height - 90
    pen.field("payer_name", align_x, y, payer.name, collapse(payer.name), bold=True, size=size + 5, align=align)
    y -= step + 4
    for line in payer.address_lines:
        pen.text(align_x, y, line, align=align)
        y -= step
    y -= 16
    if payee is not None:
        pen.text(left, y, lab("payee"), color=GRAY, size=size - 1)
        y -= step
        pen.text(left, y, payee.name, bold=True)
        for line in payee.address_lines:
            y -= step
            pen.text(left, y, line)
    y -= 30
    if layout.header != "banner":
        pen.text(left, y, lab("title_remittance_advice"), bold=True, size=16, color=layout.accent)
        y -= 28
    refs = [("payment_date", format_date(content.issue_date, content.date_style, content.language), "payment_date",
             canonical_date(content.issue_date)),
            ("payment_reference", content.payment_reference or "", "payment_reference",
             content.payment_reference or "")]
    if layout.money == "none":
        refs.append(("currency", content.currency, "currency", content.currency))
    x = left
    for key, value, name, canonical in refs:
        if layout.labels == "stacked":
            pen.text(x, y, lab(key), size=size - 1.5, color=GRAY)
            pen.text(x, y - step, value, bold=True)
            x += 160
        else:
            pen.text(left, y, f"{lab(key)}: {value}")
            y -= step
        pen.record(name, value, canonical)
    y -= 2 * step + 6
    pen.text(left, y, lab("remit_intro"))
    y -= 2 * step
    y = _remittance_table(pen, content, layout, y, lab)
    shown = money(fmt, content.total, content.currency, layout.money)
    pen.text(right - 140, y, lab("total_paid"), bold=True, align="right")
    pen.field("total", right - 3, y, shown, canonical_amount(content.total), bold=True, align="right")
    if layout.money != "none":
        pen.record("currency", content.currency if layout.money.startswith("code")
                   else CURRENCY_SYMBOLS[content.currency], content.currency)
    if payer.iban_printed:
        pen.text(left, 60, f"{payer.name} · IBAN {payer.iban_printed}", size=size - 1.5, color=GRAY)
    pen.canvas.showPage()


_REMIT_COLUMNS = {"invoice_number": ("invoice_col", 130.0, "left"), "invoice_date": ("invoice_date", 90.0, "left"),
                  "invoice_amount": ("invoice_amount", 95.0, "right"), "deduction": ("deduction", 80.0, "right"),
                  "amount_paid": ("amount_paid", 100.0, "right")}


def _remittance_table(pen: Pen, content: DocumentContent, layout: Layout, y: float,
                      labeller: Callable[[str], str]) -> float:
    fmt, size = content.number_format, layout.size
    left = 50.0
    right = A4[0] - 50.0
    geometry = []
    x = left
    scale = (right - left) / sum(_REMIT_COLUMNS[key][1] for key in layout.columns)
    for key in layout.columns:
        label_key, width, align = _REMIT_COLUMNS[key]
        geometry.append((key, label_key, x, width * scale, align))
        x += width * scale
    if layout.rules in {"grid", "zebra"}:
        pen.canvas.setFillColorRGB(0.88, 0.88, 0.88)
        pen.canvas.rect(left, y - 4, right - left, size + 8, fill=1, stroke=0)
    for _, label_key, x, width, align in geometry:
        pen.text(x + width - 3 if align == "right" else x + 3, y, labeller(label_key), bold=True, align=align)
    pen.canvas.line(left, y - 4, right, y - 4)
    y -= size + 10
    for index, line in enumerate(content.remittance_lines):
        cells = {
            "invoice_number": (line.invoice_number, "invoice_number", line.invoice_number),
            "invoice_date": (format_date(line.invoice_date, content.date_style, content.language), None, ""),
            "invoice_amount": (fmt.amount(line.invoice_amount), None, ""),
            "deduction": (fmt.amount(line.deduction), "deduction", canonical_amount(line.deduction)),
            "amount_paid": (fmt.amount(line.amount_paid), "amount_paid", canonical_amount(line.amount_paid)),
        }
        if layout.rules == "zebra" and index % 2:
            pen.canvas.setFillColorRGB(0.94, 0.94, 0.94)
            pen.canvas.rect(left, y - 4, right - left, size + 7, fill=1, stroke=0)
        for key, _, x, width, align in geometry:
            printed, name, canonical = cells[key]
            pen.text(x + width - 3 if align == "right" else x + 3, y, printed, align=align)
            if name:
                pen.line_field(index, name, printed, canonical)
        if layout.rules == "grid":
            pen.canvas.setStrokeColorRGB(0.7, 0.7, 0.7)
            pen.canvas.line(left, y - 4, right, y - 4)
        y -= size + 7
    pen.canvas.setStrokeColorRGB(0, 0, 0)
    pen.canvas.line(left, y + size, right, y + size)
    return y - 8
