"""Text-layer PDFs of CRM forms (one A4 page), with the truth of what was drawn.

Every value that belongs to the CRM vocabulary is drawn as an :class:`Item` whose records go to
:meth:`Pen.record`, so the truth holds exactly what the page shows. The arrangements are those of
:class:`~devkit.corpus.crm_layouts.CrmLayout`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from babel.dates import format_date as babel_format_date
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from devkit.corpus.crm_content import CrmContent
from devkit.corpus.crm_layouts import CrmLayout
from devkit.corpus.crm_vocabulary import crm_label, crm_phrase, crm_text, crm_title
from devkit.corpus.formatting import NumberFormat, canonical_amount, canonical_date, collapse, money
from devkit.corpus.parties import _CITIES, Company
from devkit.corpus.pen import Pen
from devkit.corpus.render import RenderedDocument

PAGE_W, PAGE_H = float(A4[0]), float(A4[1])
LEFT, RIGHT = 57.0, PAGE_W - 50.0
GRAY = (0.4, 0.4, 0.4)
_SYMBOL_CURRENCY = {"code_before", "code_after", "symbol_before", "symbol_after"}


@dataclass(frozen=True)
class Item:
    """One printed value: its label, its text, and the (field, canonical value) pairs it states."""

    label: str
    printed: str
    records: tuple[tuple[str, str], ...]


def format_crm_date(value: dt.date, style: str, language: str) -> str:
    """``value`` as a layout prints it (see :class:`CrmLayout` ``dates``)."""
    if style == "dmy_dot":
        return value.strftime("%d.%m.%Y")
    if style == "iso":
        return value.isoformat()
    if style == "dmy_slash":
        return value.strftime("%d/%m/%Y")
    if style == "month_first":
        return str(babel_format_date(value, "MMMM d, yyyy", locale=language))
    pattern = {"de": "d. MMMM yyyy", "es": "d 'de' MMMM 'de' yyyy"}.get(language, "d MMMM yyyy")
    text = str(babel_format_date(value, pattern, locale=language))
    if style == "ordinal" and language == "en":
        suffix = "th" if 11 <= value.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(value.day % 10, "th")
        return f"{value.day}{suffix} {text.split(' ', 1)[1]}"
    if style == "ordinal" and language == "fr" and value.day == 1:
        return "1er " + text.split(" ", 1)[1]
    return text


class _Printer:
    """Formats one document's values the way its layout prints them."""

    def __init__(self, content: CrmContent, layout: CrmLayout) -> None:
        self.content, self.layout = content, layout
        self.numbers = NumberFormat(layout.numbers)

    def label(self, name: str) -> str:
        return crm_label(self.content.vocabulary, name, self.layout.id)

    def date(self, value: dt.date) -> str:
        return format_crm_date(value, self.layout.dates, self.content.language)

    def money(self, value: Decimal) -> str:
        return money(self.numbers, value, self.content.currency, self.layout.money)

    def amount_item(self, name: str, value: Decimal) -> Item:
        records: tuple[tuple[str, str], ...] = ((name, canonical_amount(value)),)
        if self.layout.money in _SYMBOL_CURRENCY:
            records += (("currency", self.content.currency),)
        return Item(self.label(name), self.money(value), records)

    def phrase(self, key: str, n: int = 0) -> str:
        return crm_phrase(self.content.vocabulary, key, self.layout.id, n)


def _party_items(p: _Printer, with_name: bool = True) -> list[Item]:
    content = p.content
    items = [Item(p.label("buyer_name"), content.customer.name, (("buyer_name", collapse(content.customer.name)),))]
    if content.customer_number:
        items.append(Item(p.label("customer_reference"), content.customer_number,
                          (("customer_reference", content.customer_number),)))
    return items if with_name else items[1:]


def _order_items(p: _Printer) -> list[Item]:
    content = p.content
    items: list[Item] = []
    if content.quote_reference:
        items.append(Item(p.label("opportunity_reference"), content.quote_reference,
                          (("opportunity_reference", content.quote_reference),)))
    if content.form_number:
        items.append(Item(p.label("order_number"), content.form_number, (("order_number", content.form_number),)))
    if content.net_total is not None:
        items.append(p.amount_item("net_total", content.net_total))
    if content.total is not None:
        items.append(p.amount_item("total", content.total))
    return items


def _term_items(p: _Printer) -> list[Item]:
    content = p.content
    items: list[Item] = []
    if content.start_date:
        items.append(Item(p.label("start_date"), p.date(content.start_date),
                          (("start_date", canonical_date(content.start_date)),)))
    if content.term_months:
        years = content.term_in_years and content.term_months >= 24
        printed = p.phrase("years", content.term_months // 12) if years else p.phrase("months", content.term_months)
        items.append(Item(p.label("term_months"), printed, (("term_months", str(content.term_months)),)))
    if content.end_date:
        items.append(Item(p.label("end_date"), p.date(content.end_date),
                          (("end_date", canonical_date(content.end_date)),)))
    if content.renewal_months:
        items.append(Item(p.label("renewal"), p.phrase("auto", content.renewal_months), (("renewal", "auto"),)))
    else:
        items.append(Item(p.label("renewal"), p.phrase("none"), (("renewal", "none"),)))
    if content.notice:
        count, unit = content.notice
        days = count * 30 if unit == "months" else count
        items.append(Item(p.label("notice_period"), p.phrase(unit, count), (("notice_period", str(days)),)))
    return items


def _fee_items(p: _Printer) -> list[Item]:
    content = p.content
    if content.value is None or content.frequency is None:
        return []
    fee = p.amount_item("value", content.value)
    frequency = p.phrase(content.frequency)
    if p.layout.combined:
        records = (*fee.records, ("billing_frequency", content.frequency))
        return [Item(fee.label, f"{fee.printed} {frequency}", records)]
    return [fee, Item(p.label("billing_frequency"), frequency, (("billing_frequency", content.frequency),))]


def _country_name(code: str, language: str) -> str:
    return str(Locale.parse(language).territories.get(code, code))


def _change_items(p: _Printer) -> list[Item]:
    content = p.content
    items: list[Item] = []
    address = content.new_address
    if address:
        items += [Item(p.label("street"), address.street, (("street", address.street),)),
                  Item(p.label("postal_code"), address.postal_code, (("postal_code", address.postal_code),)),
                  Item(p.label("city"), address.city, (("city", address.city),)),
                  Item(p.label("country"), _country_name(address.country, content.language),
                       (("country", address.country),))]
    if content.email:
        items.append(Item(p.label("email"), content.email, (("email", content.email),)))
    if content.phone:
        items.append(Item(p.label("phone"), content.phone, (("phone", collapse(content.phone)),)))
    for name in ("new_iban", "new_bic", "old_iban"):
        value = getattr(content, name)
        if value:
            printed = " ".join(value[i:i + 4] for i in range(0, len(value), 4)) if name != "new_bic" else value
            items.append(Item(p.label(name), printed, ((name, value),)))
    return items


def crm_items(content: CrmContent, layout: CrmLayout) -> list[Item]:
    """The labelled values of ``content`` in the order the form prints them (signature date aside)."""
    p = _Printer(content, layout)
    body = {"order_form": _order_items, "contract": lambda q: [
        *([Item(q.label("contract_number"), content.contract_number, (("contract_number", content.contract_number),))]
          if content.contract_number else []), *_term_items(q), *_fee_items(q)],
        "customer_change": _change_items}[content.document_type](p)
    items = [*_party_items(p), *body]
    currency_needed = content.document_type != "customer_change" and layout.money not in _SYMBOL_CURRENCY
    if currency_needed:
        items.append(Item(p.label("currency"), content.currency, (("currency", content.currency),)))
    return items


def _record(pen: Pen, item: Item) -> None:
    for name, canonical in item.records:
        pen.record(name, item.printed, canonical)


def _header(pen: Pen, content: CrmContent, layout: CrmLayout) -> float:
    issuer = content.issuer
    pen.text(LEFT, PAGE_H - 50, issuer.name, bold=True, size=layout.size + 4)
    y = PAGE_H - 64
    if layout.arrangement != "letter":
        pen.text(LEFT, y, " · ".join((*issuer.address_lines, issuer.phone)), size=layout.size - 2, color=GRAY)
        y -= 34
    return y


def _title(pen: Pen, content: CrmContent, layout: CrmLayout, y: float) -> float:
    pen.text(LEFT, y, crm_title(content.vocabulary, content.document_type, layout.id), bold=True,
             size=layout.size + 6)
    return y - 30


def _draw_colon(pen: Pen, items: list[Item], y: float, size: float) -> float:
    for item in items:
        pen.text(LEFT, y, f"{item.label}: {item.printed}")
        _record(pen, item)
        y -= size + 7
    return y


def _draw_next_line(pen: Pen, items: list[Item], y: float, size: float) -> float:
    for item in items:
        pen.text(LEFT, y, item.label, bold=True)
        pen.text(LEFT, y - size - 3, item.printed)
        _record(pen, item)
        y -= 2 * size + 12
    return y


def _draw_columns(pen: Pen, items: list[Item], y: float, size: float, x: float = LEFT) -> float:
    column = max(pen.width(item.label) for item in items) + 28
    for item in items:
        pen.text(x, y, item.label, color=GRAY)
        pen.text(x + column, y, item.printed)
        _record(pen, item)
        y -= size + 7
    return y


def _draw_table(pen: Pen, items: list[Item], y: float, size: float, per_row: int = 3) -> float:
    width = (RIGHT - LEFT) / per_row
    for start in range(0, len(items), per_row):
        row = items[start:start + per_row]
        pen.canvas.setFillColorRGB(0.9, 0.9, 0.9)
        pen.canvas.rect(LEFT, y - 5, width * len(row), size + 9, fill=1, stroke=0)
        for offset, item in enumerate(row):
            x = LEFT + offset * width
            pen.canvas.setStrokeColorRGB(0.3, 0.3, 0.3)
            pen.canvas.rect(x, y - size - 19, width, 2 * size + 23, fill=0, stroke=1)
            pen.text(x + 5, y, item.label, bold=True, size=size - 1)
            pen.text(x + 5, y - size - 12, item.printed)
            _record(pen, item)
        y -= 2 * size + 40
    return y


def _draw_grid(pen: Pen, items: list[Item], y: float, size: float) -> float:
    half = (RIGHT - LEFT) / 2
    for start in range(0, len(items), 2):
        for offset, item in enumerate(items[start:start + 2]):
            x = LEFT + offset * half
            pen.text(x, y, item.label.upper(), size=size - 2, color=GRAY)
            pen.text(x, y - size - 2, item.printed, bold=True)
            pen.canvas.setStrokeColorRGB(0.7, 0.7, 0.7)
            pen.canvas.line(x, y - size - 6, x + half - 20, y - size - 6)
            _record(pen, item)
        y -= 2 * size + 18
    return y


def _signature(pen: Pen, content: CrmContent, layout: CrmLayout, y: float) -> None:
    """Place and date written over the line, captions under it; the dev families print a labelled date."""
    date_text = format_crm_date(content.signature_date, layout.dates, content.language)
    if not layout.signature:
        pen.text(LEFT, y, f"{crm_label(content.vocabulary, 'signature_date', layout.id)}: {date_text}")
        pen.record("signature_date", date_text, canonical_date(content.signature_date))
        pen.text(LEFT, y - 34, f"{crm_text(content.vocabulary, 'sign', layout.id)}: ________________________")
        return
    y = min(y, 190.0)
    printed = f"{city_of(content.customer)}, {date_text}"
    pen.text(LEFT, y, printed)
    pen.record("signature_date", date_text, canonical_date(content.signature_date))
    pen.canvas.setStrokeColorRGB(0, 0, 0)
    pen.canvas.line(LEFT, y - 6, LEFT + 200, y - 6)
    pen.canvas.line(LEFT + 260, y - 6, RIGHT, y - 6)
    pen.text(LEFT, y - 18, crm_text(content.vocabulary, "place_date", layout.id), size=layout.size - 2, color=GRAY)
    pen.text(LEFT + 260, y - 18, crm_text(content.vocabulary, "sign", layout.id), size=layout.size - 2, color=GRAY)


def _register_footer(pen: Pen, content: CrmContent, layout: CrmLayout) -> None:
    issuer, size = content.issuer, layout.size - 2.5
    city = city_of(issuer)
    reg = str(10000 + sum(map(ord, issuer.name)) * 7 % 90000)
    texts = {"reg": reg, "address": ", ".join(issuer.address_lines), "city": city, "court": city,
             "people": "M. " + issuer.name.split()[0], "vat": issuer.vat_id_printed or "-"}
    pen.canvas.setStrokeColorRGB(0.5, 0.5, 0.5)
    pen.canvas.line(LEFT, 70, RIGHT, 70)
    first = crm_text(content.vocabulary, "register", layout.id).format(**texts)
    second = " · ".join((crm_text(content.vocabulary, "directors", layout.id).format(**texts),
                         crm_text(content.vocabulary, "vat", layout.id).format(**texts),
                         f"IBAN {issuer.iban_printed or '-'}", f"BIC {issuer.bic or '-'}"))
    pen.text(LEFT, 58, first, size=size, color=GRAY)
    pen.text(LEFT, 58 - size - 3, second, size=size, color=GRAY)


def _letter(pen: Pen, content: CrmContent, layout: CrmLayout, items: list[Item]) -> float:
    """DIN 5008 form B: return line and address window on the left, info block on the right,
    subject line, salutation, body, closing."""
    size, issuer, customer = layout.size, content.issuer, content.customer
    window_top = PAGE_H - 127
    pen.text(LEFT, window_top, f"{issuer.name} · {' · '.join(issuer.address_lines[:2])}", size=6.5, color=GRAY)
    pen.text(LEFT, window_top - 20, customer.name)
    pen.record("buyer_name", customer.name, collapse(customer.name))
    y = window_top - 20 - size - 4
    for line in customer.address_lines:
        pen.text(LEFT, y, line)
        y -= size + 4
    p = _Printer(content, layout)
    info = [item for item in items if item.records[0][0] in {"customer_reference", "opportunity_reference",
                                                             "contract_number"}]
    info_y = _draw_columns(pen, info, window_top, size - 1, x=355.0) if info else window_top
    letter_date = p.date(content.letter_date)
    pen.text(355.0, info_y - 4, f"{city_of(issuer)}, {letter_date}")
    y = PAGE_H - 270
    pen.text(LEFT, y, crm_title(content.vocabulary, content.document_type, layout.id), bold=True, size=size + 2)
    y -= 28
    pen.text(LEFT, y, crm_text(content.vocabulary, "salutation", layout.id))
    y -= size + 8
    pen.text(LEFT, y, crm_text(content.vocabulary, "intro", layout.id))
    y -= size + 16
    body = [item for item in items if item not in info and item.records[0][0] != "buyer_name"]
    y = _draw_columns(pen, body, y, size)
    pen.text(LEFT, y - 10, crm_text(content.vocabulary, "closing", layout.id))
    return y - 60


def city_of(company: Company) -> str:
    """The city a company's address names (for "Berlin, 1. April 2026")."""
    address = " ".join(company.address_lines)
    return next((city for city, _ in _CITIES.get(company.country, ()) if city in address), company.country)


def _draw(content: CrmContent, layout: CrmLayout) -> tuple[bytes, Pen]:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    canvas.setTitle(f"{content.document_type}")
    pen = Pen(canvas, layout.font, layout.size)
    items = crm_items(content, layout)
    if layout.arrangement == "letter":
        y = _header(pen, content, layout)
        y = _letter(pen, content, layout, items)
    else:
        y = _title(pen, content, layout, _header(pen, content, layout))
        draw = {"colon": _draw_colon, "next_line": _draw_next_line, "columns": _draw_columns, "table": _draw_table,
                "grid": _draw_grid}[layout.arrangement]
        y = draw(pen, items, y, layout.size) - 16
    _signature(pen, content, layout, y)
    if layout.register:
        _register_footer(pen, content, layout)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue(), pen


def render_crm(content: CrmContent, layout: CrmLayout) -> RenderedDocument:
    """Render ``content`` in ``layout`` as a one-page text-layer PDF with its truth."""
    pdf, pen = _draw(content, layout)
    return RenderedDocument(pdf=pdf, pages=1, fields=dict(pen.fields), line_items=[], printed=dict(pen.printed),
                            line_printed=[])
