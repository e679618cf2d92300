"""Renders invoices, credit notes, purchase orders and customer orders (A4, one or more pages).

The letterhead and reference block come from ``render_letterhead``, the page frame (footer, page
breaks) from ``render_sheet``; this module draws the line table, the totals with the tax
breakdown and the closing lines. Long tables continue on further pages under a repeated header.
"""

from __future__ import annotations

from devkit.corpus.content import DocumentContent, Line
from devkit.corpus.formatting import CURRENCY_SYMBOLS, canonical_amount, canonical_number, collapse
from devkit.corpus.layouts import Layout
from devkit.corpus.pen import Pen
from devkit.corpus.render_letterhead import letterhead, parties_and_references
from devkit.corpus.render_sheet import (
    BOTTOM,
    GRAY,
    LEFT,
    RIGHT,
    WHITE,
    Sheet,
    bank_lines,
    footer,
    labelled,
    new_page,
)

_COLUMNS: dict[str, tuple[str, float, str]] = {
    # column key: (label key, width in points, alignment)
    "pos": ("pos", 26, "left"), "sku": ("sku", 58, "left"), "description": ("description", 0, "left"),
    "quantity": ("quantity", 42, "right"), "unit": ("unit", 40, "left"), "unit_price": ("unit_price", 66, "right"),
    "tax_rate": ("tax_rate", 42, "right"), "amount": ("amount", 72, "right"),
}


def render_commercial(pen: Pen, content: DocumentContent, layout: Layout, total_pages: int) -> None:
    """Draw ``content`` in ``layout`` on ``pen``'s canvas (all pages) and record the truth on ``pen``."""
    page = Sheet(content, layout, pen, total_pages)
    y = letterhead(page)
    y = parties_and_references(page, y)
    y = _line_table(page, y)
    y = _totals(page, y)
    _closing(page, y)
    footer(page)
    pen.canvas.showPage()


def _column_geometry(layout: Layout) -> list[tuple[str, float, float, str]]:
    """(key, left x, width, alignment) per table column; the description takes what remains."""
    fixed = sum(_COLUMNS[key][1] for key in layout.columns if key != "description")
    x = LEFT
    geometry = []
    for key in layout.columns:
        width = _COLUMNS[key][1] or (RIGHT - LEFT - fixed)
        geometry.append((key, x, width, _COLUMNS[key][2]))
        x += width
    return geometry


def _table_header(page: Sheet, y: float) -> float:
    layout, pen = page.layout, page.pen
    height = layout.size + 8
    filled = layout.rules in {"header_fill", "zebra", "grid"}
    if filled:
        colour = layout.accent if layout.rules == "header_fill" else (0.88, 0.88, 0.88)
        pen.canvas.setFillColorRGB(*colour)
        pen.canvas.rect(LEFT, y - 4, RIGHT - LEFT, height, fill=1, stroke=0)
    text_colour = WHITE if layout.rules == "header_fill" else (0.0, 0.0, 0.0)
    for key, x, width, align in _column_geometry(layout):
        tx = x + width - 3 if align == "right" else x + 3
        heading = page.label(_COLUMNS[key][0])
        # a long heading in a narrow column is set smaller, as table templates do
        size = layout.size
        while size > 6 and pen.width(heading, bold=True, size=size) > width - 5:
            size -= 0.5
        pen.text(tx, y, heading, bold=True, size=size, align=align, color=text_colour)
    pen.canvas.setStrokeColorRGB(0.2, 0.2, 0.2)
    pen.canvas.line(LEFT, y - 4, RIGHT, y - 4)
    return y - height - 2


def _cells(page: Sheet, line: Line, index: int) -> dict[str, tuple[str, str | None, str]]:
    """Printed text, field name and canonical value of each cell of one line."""
    fmt = page.content.number_format
    return {
        "pos": (str(index + 1), None, ""),
        "sku": (line.sku, "sku", line.sku),
        "description": (line.description, "description", collapse(line.description)),
        "quantity": (fmt.quantity(line.quantity), "quantity", canonical_number(line.quantity)),
        "unit": (line.unit, "unit", line.unit),
        "unit_price": (fmt.amount(line.unit_price), "unit_price", canonical_amount(line.unit_price)),
        "tax_rate": (fmt.rate(line.tax_rate), "tax_rate", canonical_number(line.tax_rate)),
        "amount": (fmt.amount(line.amount), "amount", canonical_amount(line.amount)),
    }


def _line_table(page: Sheet, y: float) -> float:
    layout, pen = page.layout, page.pen
    geometry = _column_geometry(layout)
    y = _table_header(page, y)
    leading = layout.size + 2.5
    for index, line in enumerate(page.content.lines):
        cells = _cells(page, line, index)
        description_width = next(w for k, _, w, _ in geometry if k == "description") - 6
        wrapped = pen.wrap(line.description, description_width)
        height = len(wrapped) * leading + 5
        if y - height < BOTTOM:
            y = _table_header(page, new_page(page))
        if layout.rules == "zebra" and index % 2:
            pen.canvas.setFillColorRGB(0.94, 0.94, 0.94)
            pen.canvas.rect(LEFT, y - height + leading - 1, RIGHT - LEFT, height, fill=1, stroke=0)
        for key, x, width, align in geometry:
            printed, name, canonical = cells[key]
            if key == "description":
                for row, text in enumerate(wrapped):
                    pen.text(x + 3, y - row * leading, text)
            else:
                pen.text(x + width - 3 if align == "right" else x + 3, y, printed, align=align)
            if name:
                pen.line_field(index, name, printed, canonical)
        if layout.rules in {"lines", "grid"}:
            pen.canvas.setStrokeColorRGB(0.75, 0.75, 0.75)
            pen.canvas.line(LEFT, y - height + leading - 1, RIGHT, y - height + leading - 1)
        if layout.rules == "grid":
            for _, x, _, _ in geometry[1:]:
                pen.canvas.line(x, y + leading, x, y - height + leading - 1)
        y -= height
    return y - 8


def _tax_rows(page: Sheet) -> list[tuple[str, str, str, str, str]]:
    """(label, base text, amount text, rate text, canonical rate) per tax rate as the layout prints them."""
    fmt = page.content.number_format
    rows: list[tuple[str, str, str, str, str]] = []
    for row in page.content.taxes:
        rate_text = fmt.rate(row.rate, spaced=page.content.language == "fr")
        rows.append((f"{page.label('tax')} {rate_text}", fmt.amount(row.base), page.money(row.amount),
                     rate_text, canonical_number(row.rate)))
    return rows


def _totals(page: Sheet, y: float) -> float:
    content, layout, pen = page.content, page.layout, page.pen
    size = layout.size
    rows = 3 + 2 * len(content.taxes)
    if y - rows * (size + 6) - 20 < BOTTOM:
        y = new_page(page)
    x0, x1 = (LEFT, LEFT + 230) if layout.totals == "left" else (RIGHT - 230, RIGHT)
    top = y
    step = size + 6
    pen.text(x0 + 4, y, page.label("net_total"))
    pen.field("net_total", x1 - 4, y, page.money(content.net_total), canonical_amount(content.net_total),
              align="right")
    y -= step
    if layout.tax_display == "table":
        pen.text(x0 + 150, y, page.label("tax_base"), size=size - 1.5, align="right", color=GRAY)
        y -= step - 2
    for number, (text, base, amount, rate_text, rate) in enumerate(_tax_rows(page), start=1):
        row = content.taxes[number - 1]
        pen.text(x0 + 4, y, text)
        if layout.tax_display == "table":
            pen.text(x0 + 150, y, base, align="right")
        pen.text(x1 - 4, y, amount, align="right")
        if page.invoice_like:  # the tax breakdown is vocabulary of invoices and credit notes only
            pen.record(f"tax_{number}_rate", rate_text, rate)
            if layout.tax_display == "table":
                pen.record(f"tax_{number}_base", base, canonical_amount(row.base))
            pen.record(f"tax_{number}_amount", amount, canonical_amount(row.amount))
        y -= step
    if layout.tax_display == "table" or len(content.taxes) > 1:
        pen.text(x0 + 4, y, page.label("tax_total"))
        pen.field("tax_total", x1 - 4, y, page.money(content.tax_total), canonical_amount(content.tax_total),
                  align="right")
        y -= step
    else:
        pen.record("tax_total", page.money(content.tax_total), canonical_amount(content.tax_total))
    pen.canvas.setStrokeColorRGB(0, 0, 0)
    pen.canvas.line(x0, y + size + 1, x1, y + size + 1)
    total_key = "credit_total" if content.document_type == "credit_note" else "total"
    pen.text(x0 + 4, y - 2, page.label(total_key), bold=True, size=size + 1.5)
    printed_total = page.money(content.total)
    pen.field("total", x1 - 4, y - 2, printed_total, canonical_amount(content.total), bold=True,
              size=size + 1.5, align="right")
    if layout.money != "none":
        shown = content.currency if layout.money.startswith("code") else CURRENCY_SYMBOLS[content.currency]
        pen.record("currency", shown, content.currency)
    if layout.totals == "boxed":
        pen.canvas.rect(x0, y - 8, x1 - x0, top - y + size + 6, fill=0, stroke=1)
    return y - 30


def _closing(page: Sheet, y: float) -> None:
    content, layout, pen = page.content, page.layout, page.pen
    lines: list[tuple[str, str | None, str, str]] = []  # (label key or "", field, printed, canonical)
    if content.payment_terms and "payment_terms" in layout.show:
        lines.append(("payment_terms", "payment_terms", content.payment_terms, collapse(content.payment_terms)))
    if layout.bank == "below_totals" and page.invoice_like:
        lines.extend(bank_lines(page))
    if y - (len(lines) + 2) * (layout.size + 5) < BOTTOM:
        y = new_page(page)
    for key, name, printed, canonical in lines:
        labelled(page, LEFT, y, key, printed, name, canonical)
        y -= layout.size + 5
    pen.text(LEFT, y - 6, page.label("thanks"), color=GRAY)
