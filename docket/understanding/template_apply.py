"""Matching a vendor template to a document and applying its rules (fields, header tables, line items)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from docket.model import ExtractedField, LineItem, MissingField
from docket.reading.page import Word
from docket.understanding.extract.base import Context, Found, to_field
from docket.understanding.extract.fields import FIELD_KINDS
from docket.understanding.template_blocks import Row, line_rows, table_cells
from docket.understanding.template_model import FieldRule, Template, TextOptions
from docket.understanding.values import (
    NumberStyle,
    collapse,
    compact,
    format_decimal,
    parse_amount,
    parse_currency,
    parse_date,
    parse_percent,
)

TABLE_NAMES = {"date": "invoice_date", "date_due": "due_date", "amount": "total", "amount_untaxed": "net_total",
               "amount_tax": "tax_total", "vat": "supplier_vat_id", "partner_name": "supplier_name",
               "iban": "supplier_iban", "bic": "supplier_bic"}
LINE_CELLS = {"name": "description", "description": "description", "desc": "description",
              "qty": "quantity", "quantity": "quantity",
              "price_unit": "unit_price", "unit_price": "unit_price", "unitprice": "unit_price", "price": "unit_price",
              "price_subtotal": "amount", "amount": "amount", "line_subtotal": "amount", "line_total": "amount",
              "line_tax_percent": "tax_rate", "vat_rate": "tax_rate", "tax_percent": "tax_rate",
              "taxpercent": "tax_rate", "code": "sku", "barcode": "sku", "uom": "unit", "unit": "unit"}
"""invoice2data's line-cell names (and its aliases) -> Docket's line-item field names; others are not kept."""
_CONFIDENCE = 0.97


def match_template(templates: Sequence[Template], text: str) -> Template | None:
    """The first template whose keywords all occur in ``text`` and whose exclusions do not."""
    for template in templates:
        if all(re.search(k, text) for k in template.keywords) and not any(
                re.search(k, text) for k in template.exclude_keywords):
            return template
    return None


def apply_template(template: Template, ctx: Context, fields: list[ExtractedField], missing: list[MissingField],
                   line_items: Sequence[LineItem] = ()) -> tuple[list[ExtractedField], list[MissingField],
                                                                 list[LineItem]]:
    """``fields`` with the template's readings replacing layout readings of the same names, and the
    template's line items replacing ``line_items`` when its line rules found any rows."""
    text = prepare_text("\n".join(line.text for line in ctx.lines), template.text_options)
    pinned: dict[str, ExtractedField] = {}
    for rule in template.fields:
        reading = _read_rule(template, rule, text)
        if reading is not None and rule.name not in pinned:
            pinned[rule.name] = _field(ctx, rule.name, *reading)
    for table in template.tables:
        for cell, raw in table_cells(table, text).items():
            name = TABLE_NAMES.get(cell, cell)
            value = _value(template, name, raw)
            if value is not None and name not in pinned:
                pinned[name] = _field(ctx, name, value, raw)
    for name, value in template.static:
        if name not in pinned and value:
            pinned[name] = ExtractedField(name=name, value=value, raw_text=value, confidence=0.95,
                                          method="template", engine=ctx.engine)
    if template.currency and "currency" not in pinned:
        pinned["currency"] = ExtractedField(name="currency", value=template.currency, raw_text=template.currency,
                                            confidence=0.95, method="template", engine=ctx.engine)
    kept = [f for f in fields if f.name not in pinned]
    items = _line_items(template, ctx, text)
    return kept + list(pinned.values()), [m for m in missing if m.name not in pinned], items or list(line_items)


def prepare_text(text: str, options: TextOptions) -> str:
    """The text as the template's options want it (invoice2data's input preparation)."""
    if options.remove_whitespace:
        text = re.sub(" +", "", text)
    if options.remove_accents:
        text = re.sub("[\u0300-\u0362]", "", unicodedata.normalize("NFKD", text))
    if options.lowercase:
        text = text.lower()
    for pattern, replacement in options.replace:
        try:
            text = re.sub(pattern, replacement, text)
        except (re.error, IndexError):
            continue  # a replacement referring to a group the pattern lacks: leave the text as it is
    return text


def _read_rule(template: Template, rule: FieldRule, text: str) -> tuple[str, str] | None:
    """(value, raw text) of a field rule: the first readable match, or the matches combined by ``group``."""
    if rule.group in (None, "first"):
        for pattern in rule.patterns:
            for match in re.finditer(pattern, text):
                raw = _raw(match)
                value = _value(template, rule.name, raw)
                if value is not None:
                    return value, raw
        return None
    readings = [(value, raw) for pattern in rule.patterns for match in re.finditer(pattern, text)
                if (value := _value(template, rule.name, raw := _raw(match))) is not None]
    if not readings:
        return None
    if rule.group == "last":
        return readings[-1]
    if rule.group == "join":
        return " ".join(v for v, _ in readings), " ".join(r for _, r in readings)
    return _combine(rule.group or "first", readings)


def _combine(group: str, readings: list[tuple[str, str]]) -> tuple[str, str]:
    try:
        numbers = [Decimal(value) for value, _ in readings]
    except InvalidOperation:
        return readings[0]  # not numbers: sum/min/max do not apply
    if group == "sum":
        return format_decimal(sum(numbers, Decimal(0))), " + ".join(raw for _, raw in readings)
    chosen = numbers.index(min(numbers) if group == "min" else max(numbers))
    return readings[chosen]


def _raw(match: re.Match[str]) -> str:
    return next((g for g in match.groups() if g), match.group(0)) if match.groups() else match.group(0)


def _line_items(template: Template, ctx: Context, text: str) -> list[LineItem]:
    items: list[LineItem] = []
    for rule in template.lines:
        types = dict(rule.types)
        for row in line_rows(rule, text):
            cells = _line_cells(template, row, types)
            if cells:
                items.append(LineItem(index=len(items),
                                      fields=[_field(ctx, name, value, raw) for name, (value, raw) in cells.items()]))
    return items


def _line_cells(template: Template, row: Row, types: dict[str, str]) -> dict[str, tuple[str, str]]:
    cells: dict[str, tuple[str, str]] = {}
    style = NumberStyle(decimal=template.decimal_separator)
    for cell, raw in row.items():
        name = LINE_CELLS.get(cell)
        if name is None or name in cells:
            continue
        if name == "tax_rate":
            value = parse_percent(raw, style)
        elif name in ("quantity", "unit_price", "amount") or types.get(cell) in ("float", "int"):
            value = parse_amount(raw, style)
        else:
            value = collapse(raw.replace("\n", " ")) or None
        if value is not None:
            cells[name] = (value, raw)
    return cells


def _field(ctx: Context, name: str, value: str, raw: str) -> ExtractedField:
    first_line = raw.splitlines()[0] if raw.strip() else raw
    found = Found(name, value, tuple(_words_of(ctx, first_line)), _page_of(ctx, first_line), "template",
                  _CONFIDENCE, raw)
    return to_field(found, ctx.engine)


def _value(template: Template, name: str, raw: str) -> str | None:
    kind = FIELD_KINDS.get(name, "text")
    if kind == "amount" or name.endswith(("_base", "_amount")):
        return parse_amount(raw, NumberStyle(decimal=template.decimal_separator))
    if name.endswith("_rate"):
        return parse_percent(raw, NumberStyle(decimal=template.decimal_separator))
    if kind == "date":
        for fmt in template.date_formats:
            try:
                return datetime.strptime(raw.strip(), fmt).date().isoformat()
            except ValueError:
                continue
        return parse_date(raw, day_first=template.decimal_separator == ",")
    if kind == "currency":
        return parse_currency(raw)
    if kind in ("iban", "bic", "vat"):
        return compact(raw)
    return collapse(raw) or None


def _words_of(ctx: Context, raw: str) -> Iterable[Word]:
    target = raw.split()
    if not target:
        return ()
    for line in ctx.lines:
        texts = [w.text for w in line.words]
        for start in range(len(texts) - len(target) + 1):
            if texts[start:start + len(target)] == target:
                return line.words[start:start + len(target)]
    return ()


def _page_of(ctx: Context, raw: str) -> int:
    words = raw.split()
    for line in ctx.lines:
        if words and words[0] in line.text:
            return line.page
    return ctx.lines[0].page if ctx.lines else 1
