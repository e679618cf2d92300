"""The top of a commercial document: letterhead (logo, banner or plain), issuer details, the
addressee block, the title and the reference block (list, boxed grid or inline row)."""

from __future__ import annotations

from devkit.corpus.formatting import canonical_date, collapse
from devkit.corpus.render_sheet import (
    GRAY,
    LEFT,
    PAGE_H,
    PAGE_W,
    RIGHT,
    TOP,
    WHITE,
    Sheet,
    issuer_fields,
    labelled,
    title,
)


def letterhead(page: Sheet) -> float:
    layout, pen, issuer = page.layout, page.pen, page.content.issuer
    canvas = pen.canvas
    side = "right" if layout.header == "logo_right" else "left"
    x = LEFT if side == "left" else RIGHT
    y = TOP
    if layout.header == "banner":
        canvas.setFillColorRGB(*layout.accent)
        canvas.rect(0, PAGE_H - 72, PAGE_W, 72, fill=1, stroke=0)
        title_x = {"left": LEFT, "right": RIGHT, "center": PAGE_W / 2}[layout.title_align]
        pen.text(title_x, PAGE_H - 48, title(page), bold=True, size=20, align=layout.title_align, color=WHITE)
        page.title_done = True
        y = PAGE_H - 98
    elif layout.header in {"logo_left", "logo_right"}:
        box_x = LEFT if side == "left" else RIGHT - 34
        canvas.setFillColorRGB(*layout.accent)
        canvas.roundRect(box_x, TOP - 30, 34, 34, 5, fill=1, stroke=0)
        initials = "".join(word[0] for word in issuer.name.split()[:2]).upper()
        pen.text(box_x + 17, TOP - 18, initials, bold=True, size=13, align="center", color=WHITE)
        y = TOP - 50
    if not page.title_done and layout.title_align not in {side, "center"}:
        opposite = RIGHT if side == "left" else LEFT
        pen.text(opposite, TOP - 14, title(page), bold=True, size=18, align=layout.title_align,
                 color=layout.accent)
        page.title_done = True
    name_field, address_field, vat_field = issuer_fields(page)
    pen.field(name_field, x, y, issuer.name, collapse(issuer.name), bold=True, size=layout.size + 5, align=side)
    y -= layout.size + 6
    if layout.supplier_block == "header":
        y = _issuer_details(page, x, y, side, address_field, vat_field)
    return y - 14


def _issuer_details(page: Sheet, x: float, y: float, side: str, address_field: str | None,
                    vat_field: str | None) -> float:
    issuer, pen, size = page.content.issuer, page.pen, page.layout.size - 0.5
    for line in issuer.address_lines:
        pen.text(x, y, line, align=side, size=size)
        y -= size + 3
    if address_field:
        pen.record(address_field, " ".join(issuer.address_lines), issuer.address)
    pen.text(x, y, f"{issuer.phone} · {issuer.email}", align=side, size=size)
    y -= size + 3
    if vat_field and issuer.vat_id and vat_field in page.layout.show and issuer.vat_id_printed:
        labelled(page, x, y, "vat_id", issuer.vat_id_printed, vat_field, issuer.vat_id, side, size)
        y -= size + 3
    if page.invoice_like and issuer.tax_number and "supplier_tax_number" in page.layout.show:
        labelled(page, x, y, "tax_number", issuer.tax_number, "supplier_tax_number",
                  collapse(issuer.tax_number), side, size)
        y -= size + 3
    return y


def _references(page: Sheet) -> list[tuple[str, str, str | None, str]]:
    """(label key, printed value, field name or None, canonical value) of the reference block."""
    content, show = page.content, page.layout.show
    items: list[tuple[str, str, str | None, str]] = []
    if page.invoice_like:
        number_key = "credit_number" if content.document_type == "credit_note" else "invoice_number"
        items.append((number_key, content.number, "invoice_number", content.number))
        issued = page.date(content.issue_date)
        items.append(("invoice_date", issued, "invoice_date", canonical_date(content.issue_date)))
        if content.due_date and "due_date" in show:
            items.append(("due_date", page.date(content.due_date), "due_date", canonical_date(content.due_date)))
        if content.amends_number:
            items.append(("amends_number", content.amends_number, "amends_number", content.amends_number))
        if content.po_number and "po_number" in show:
            items.append(("po_number", content.po_number, "po_number", content.po_number))
    else:
        items.append(("order_number", content.number, "order_number", content.number))
        items.append(("order_date", page.date(content.issue_date), "order_date", canonical_date(content.issue_date)))
        if content.delivery_date and "delivery_date" in show:
            items.append(("delivery_date", page.date(content.delivery_date), "delivery_date",
                          canonical_date(content.delivery_date)))
    if content.customer_number and "customer_number" in show:
        items.append(("customer_number", content.customer_number, None, content.customer_number))
    if page.layout.money == "none":
        items.append(("currency", content.currency, "currency", content.currency))
    return items


def _counterparty_block(page: Sheet, x: float, y: float) -> float:
    party, pen, size = page.content.counterparty, page.pen, page.layout.size
    if party is None:
        return y
    pen.text(x, y, page.label("bill_to" if page.invoice_like else "supplier"), size=size - 1, color=GRAY)
    y -= size + 4
    pen.field("buyer_name" if page.invoice_like else "supplier_name", x, y, party.name, collapse(party.name),
              bold=True)
    y -= size + 3
    for line in party.address_lines:
        pen.text(x, y, line)
        y -= size + 3
    if page.invoice_like and party.vat_id and party.vat_id_printed and "buyer_vat_id" in page.layout.show:
        labelled(page, x, y, "buyer_vat_id", party.vat_id_printed, "buyer_vat_id", party.vat_id)
        y -= size + 3
    return y


def _reference_list(page: Sheet, x: float, y: float, items: list[tuple[str, str, str | None, str]]) -> float:
    pen, size, style = page.pen, page.layout.size, page.layout.labels
    column = max(pen.width(page.label(key)) for key, *_ in items) + 10
    for key, value, name, canonical in items:
        if style == "stacked":
            pen.text(x, y, page.label(key), size=size - 1.5, color=GRAY)
            y -= size + 1
            pen.text(x, y, value, bold=True)
        elif style == "column":
            pen.text(x, y, page.label(key))
            pen.text(x + column, y, value, bold=True)
        else:
            pen.text(x, y, f"{page.label(key)}: {value}")
        if name:
            pen.record(name, value, canonical)
        y -= size + 4
    return y


def _reference_grid(page: Sheet, y: float, items: list[tuple[str, str, str | None, str]]) -> float:
    pen, size = page.pen, page.layout.size
    per_row = 4
    width = (RIGHT - LEFT) / per_row
    for start in range(0, len(items), per_row):
        for offset, (key, value, name, canonical) in enumerate(items[start:start + per_row]):
            x = LEFT + offset * width
            pen.canvas.setStrokeColorRGB(*page.layout.accent)
            pen.canvas.rect(x, y - 2 * size - 8, width - 4, 3 * size + 6, fill=0, stroke=1)
            pen.text(x + 4, y, page.label(key), size=size - 1.5, color=GRAY)
            pen.text(x + 4, y - size - 4, value, bold=True)
            if name:
                pen.record(name, value, canonical)
        y -= 2 * size + 24
    return y


def _reference_inline(page: Sheet, y: float, items: list[tuple[str, str, str | None, str]]) -> float:
    pen, size = page.pen, page.layout.size
    x = LEFT
    for key, value, name, canonical in items:
        text = f"{page.label(key)}: {value}"
        if x > LEFT and x + pen.width(text) > RIGHT:
            x, y = LEFT, y - size - 5
        pen.text(x, y, text)
        if name:
            pen.record(name, value, canonical)
        x += pen.width(text) + 22
    return y - size - 10


def parties_and_references(page: Sheet, y: float) -> float:
    layout = page.layout
    items = _references(page)
    party_x = LEFT if layout.buyer_side == "left" else 320.0
    other_x = 320.0 if layout.buyer_side == "left" else LEFT
    bottom = _counterparty_block(page, party_x, y)
    if layout.meta == "list_right":
        bottom = min(bottom, _reference_list(page, other_x, y, items))
    elif layout.meta == "list_left":
        bottom = _reference_list(page, party_x, bottom - 10, items)
    y = bottom - 14
    if not page.title_done:
        x = {"left": LEFT, "right": RIGHT, "center": PAGE_W / 2}[layout.title_align]
        page.pen.text(x, y, title(page), bold=True, size=16, align=layout.title_align, color=layout.accent)
        page.title_done = True
        y -= 28
    if layout.meta == "grid":
        y = _reference_grid(page, y, items)
    elif layout.meta == "inline":
        y = _reference_inline(page, y, items)
    return y - 6
