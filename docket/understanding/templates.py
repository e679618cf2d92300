"""Vendor templates: per-vendor regular expressions that pin fields exactly.

Format (ours and invoice2data's, YAML or JSON)::

    issuer: ACME GmbH
    keywords: [ACME GmbH, DE123456789]      # all must occur (strings or regexes)
    exclude_keywords: [Gutschrift]           # none may occur
    fields:
      invoice_number: 'Rechnung Nr\\.\\s*(\\S+)'
      date: 'Datum:\\s*(\\d{2}\\.\\d{2}\\.\\d{4})'   # invoice2data names are mapped (date -> invoice_date)
      amount: {parser: regex, regex: 'Gesamt\\s+([\\d.,]+)'}
    options: {currency: EUR, decimal_separator: ',', date_formats: ['%d.%m.%Y'], languages: [de]}

A template whose keywords all match wins over layout reading for the fields it defines; other
fields keep their layout reading. Templates never invent: a regex that does not match leaves the
field to the layout reading (or missing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from docket.model import ExtractedField, MissingField
from docket.reading.errors import TemplateInvalidError
from docket.reading.page import Word
from docket.understanding.extract.base import Context, Found, to_field
from docket.understanding.extract.fields import FIELD_KINDS
from docket.understanding.values import (
    NumberStyle,
    collapse,
    compact,
    parse_amount,
    parse_currency,
    parse_date,
    parse_percent,
)

INVOICE2DATA_NAMES = {"date": "invoice_date", "date_due": "due_date", "amount": "total",
                      "amount_untaxed": "net_total", "amount_tax": "tax_total", "vat": "supplier_vat_id",
                      "partner_name": "supplier_name", "partner_vat": "supplier_vat_id", "iban": "supplier_iban",
                      "bic": "supplier_bic", "po_number": "po_number", "invoice_number": "invoice_number",
                      "currency": "currency"}


@dataclass(frozen=True)
class Template:
    """A parsed vendor template (see module doc); ``fields`` maps our field names to regexes."""

    name: str
    issuer: str
    keywords: tuple[str, ...]
    exclude_keywords: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    currency: str | None = None
    decimal_separator: str = "."
    date_formats: tuple[str, ...] = ()
    static: tuple[tuple[str, str], ...] = field(default=())


def load_template(path: Path) -> Template:
    """One template file (``.yml``/``.yaml``/``.json``); CAPTURE_TEMPLATE_INVALID when malformed."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise TemplateInvalidError(f"template {path.name} cannot be read: {exc}") from exc
    return parse_template(raw, name=path.stem)


def load_templates(directory: Path) -> tuple[Template, ...]:
    """Every template in ``directory`` (sorted by file name)."""
    paths = sorted(p for p in directory.iterdir() if p.suffix.lower() in {".yml", ".yaml", ".json"})
    return tuple(load_template(p) for p in paths)


def builtin_templates() -> tuple[Template, ...]:
    """Templates shipped in ``docket/understanding/data/templates``."""
    return load_templates(Path(__file__).parent / "data" / "templates")


def parse_template(raw: Any, *, name: str) -> Template:
    """A template from its decoded YAML/JSON mapping."""
    if not isinstance(raw, dict) or not raw.get("keywords") or not isinstance(raw.get("fields", {}), dict):
        raise TemplateInvalidError(f"template {name} needs 'keywords' and a 'fields' mapping")
    regexes, static = [], []
    for key, spec in (raw.get("fields") or {}).items():
        target = INVOICE2DATA_NAMES.get(key, key)
        pattern = _pattern_of(spec, name, key)
        if pattern is None:
            static.append((target, str(spec.get("value", ""))))
            continue
        _compile(pattern, name)
        regexes.append((target, pattern))
    options = raw.get("options") or {}
    keywords = tuple(str(k) for k in _as_list(raw["keywords"]))
    for keyword in keywords:
        _compile(keyword, name)
    issuer = str(raw.get("issuer", name))
    if "supplier_name" not in dict(regexes) and raw.get("issuer"):
        static.append(("supplier_name", issuer))
    return Template(name=name, issuer=issuer, keywords=keywords,
                    exclude_keywords=tuple(str(k) for k in _as_list(raw.get("exclude_keywords", []))),
                    fields=tuple(regexes), currency=options.get("currency"),
                    decimal_separator=str(options.get("decimal_separator", ".")),
                    date_formats=tuple(_as_list(options.get("date_formats", []))), static=tuple(static))


def _pattern_of(spec: Any, name: str, key: str) -> str | None:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, list) and spec:
        return "|".join(f"(?:{s})" for s in spec)
    if isinstance(spec, dict):
        if spec.get("parser") == "static":
            return None
        regex = spec.get("regex")
        if isinstance(regex, list):
            return "|".join(f"(?:{s})" for s in regex)
        if isinstance(regex, str):
            return regex
    raise TemplateInvalidError(f"template {name}: field {key} has no usable regex")


def _compile(pattern: str, name: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise TemplateInvalidError(f"template {name}: bad regex {pattern!r}: {exc}") from exc


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def match_template(templates: Sequence[Template], text: str) -> Template | None:
    """The first template whose keywords all occur in ``text`` and whose exclusions do not."""
    for template in templates:
        if all(re.search(k, text) for k in template.keywords) and not any(
                re.search(k, text) for k in template.exclude_keywords):
            return template
    return None


def apply_template(template: Template, ctx: Context, fields: list[ExtractedField],
                   missing: list[MissingField]) -> tuple[list[ExtractedField], list[MissingField]]:
    """``fields`` with the template's matches replacing layout readings of the same names."""
    text = "\n".join(line.text for line in ctx.lines)
    pinned: dict[str, ExtractedField] = {}
    for name, pattern in template.fields:
        match = re.search(pattern, text)
        if match is None:
            continue
        raw = next((g for g in match.groups() if g), match.group(0)) if match.groups() else match.group(0)
        value = _value(template, name, raw)
        if value is not None:
            found = Found(name, value, tuple(_words_of(ctx, raw)), _page_of(ctx, raw), "template", 0.97, raw)
            pinned[name] = to_field(found, ctx.engine)
    for name, value in template.static:
        if name not in pinned and value:
            pinned[name] = ExtractedField(name=name, value=value, raw_text=value, confidence=0.95,
                                          method="template", engine=ctx.engine)
    if template.currency and "currency" not in pinned:
        pinned["currency"] = ExtractedField(name="currency", value=template.currency, raw_text=template.currency,
                                            confidence=0.95, method="template", engine=ctx.engine)
    kept = [f for f in fields if f.name not in pinned]
    return kept + list(pinned.values()), [m for m in missing if m.name not in pinned]


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
    for line in ctx.lines:
        texts = [w.text for w in line.words]
        for start in range(len(texts) - len(target) + 1):
            if texts[start:start + len(target)] == target:
                return line.words[start:start + len(target)]
    return ()


def _page_of(ctx: Context, raw: str) -> int:
    for line in ctx.lines:
        if raw.split()[0] in line.text:
            return line.page
    return ctx.lines[0].page if ctx.lines else 1
