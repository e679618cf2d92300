"""Vendor templates: per-vendor regular expressions that pin fields exactly.

Format (ours and invoice2data's, YAML or JSON)::

    issuer: ACME GmbH
    keywords: [ACME GmbH, DE123456789]      # all must occur (regexes; one that is no valid regex: literally)
    exclude_keywords: [Gutschrift]           # none may occur
    priority: 5                              # higher first (invoice2data's default 5)
    fields:
      invoice_number: 'Rechnung Nr\\.\\s*(\\S+)'
      date: 'Datum:\\s*(\\d{2}\\.\\d{2}\\.\\d{4})'   # invoice2data names are mapped (date -> invoice_date)
      amount: {parser: regex, regex: ['Gesamt\\s+([\\d.,]+)', 'Summe\\s+([\\d.,]+)'], group: last}
      static_vat: DE123456789                # or {parser: static, value: ...}
      lines: {parser: lines, start: 'Pos\\s+Menge', end: 'Summe', line: '(?P<name>.+)\\s+(?P<qty>\\d+)'}
    tables: [{start: 'Rechnungsnr', end: 'Kunde', body: '(?P<invoice_number>\\d+)\\s+(?P<date>\\S+)'}]
    options: {currency: EUR, decimal_separator: ',', date_formats: ['%d.%m.%Y'], languages: [de],
              remove_whitespace: false, lowercase: false, replace: [['Ä', 'AE']]}

A template whose keywords all match wins over layout reading for the fields it defines; other
fields keep their layout reading. Templates never invent: a regex that does not match leaves the
field to the layout reading (or missing). Templates never abort either: a field Docket cannot run (a
plugin such as ``camelot``, an unknown parser, a bad regex, a ``lines`` block whose rows are not line
items) is skipped with a ``template_field_skipped`` warning naming template and field, and recorded in
``Template.skipped``; the template's other fields apply. ``area`` (a page region) is ignored: the rule
runs over the whole text, as invoice2data does for readers without regions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import structlog
import yaml

from docket.reading.errors import TemplateInvalidError
from docket.understanding.template_apply import apply_template, match_template
from docket.understanding.template_model import BlockRule, FieldRule, SkippedField, Template, TextOptions

__all__ = ["INVOICE2DATA_NAMES", "BlockRule", "FieldRule", "SkippedField", "Template", "apply_template",
           "builtin_templates", "load_template", "load_templates", "match_template", "parse_template"]


def _log() -> structlog.types.FilteringBoundLogger:
    """A fresh logger each time: the warnings are rare, and a logger cached at import would ignore a
    later logging configuration."""
    logger: structlog.types.FilteringBoundLogger = structlog.get_logger(__name__)
    return logger

INVOICE2DATA_NAMES = {"date": "invoice_date", "date_due": "due_date", "amount": "total",
                      "amount_untaxed": "net_total", "amount_tax": "tax_total", "vat": "supplier_vat_id",
                      "partner_name": "supplier_name", "partner_vat": "supplier_vat_id", "iban": "supplier_iban",
                      "bic": "supplier_bic", "po_number": "po_number", "invoice_number": "invoice_number",
                      "currency": "currency"}
LINE_ITEM_BLOCKS = frozenset({"lines", "line_items"})
"""Names of ``lines`` blocks whose rows are invoice line items (others, such as ``tax_lines``, are not)."""
_GROUPS = frozenset({"first", "last", "sum", "min", "max", "join"})
_SUFFIXES = {".yml", ".yaml", ".json"}


class _Unusable(Exception):
    """A template field Docket cannot run; the message says why."""


def load_template(path: Path) -> Template:
    """One template file (``.yml``/``.yaml``/``.json``); CAPTURE_TEMPLATE_INVALID when it cannot be read
    or has no keywords (a template that can never match)."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise TemplateInvalidError(f"template {path.name} cannot be read: {exc}") from exc
    return parse_template(raw, name=path.stem)


def load_templates(directory: Path) -> tuple[Template, ...]:
    """Every template in ``directory`` and its sub-folders (invoice2data keeps one per country), ordered by
    descending priority, then by file name."""
    paths = sorted((p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES),
                   key=lambda p: (p.name, str(p)))
    return tuple(sorted((load_template(p) for p in paths), key=lambda t: -t.priority))


def builtin_templates() -> tuple[Template, ...]:
    """Templates shipped in ``docket/understanding/data/templates``."""
    return load_templates(Path(__file__).parent / "data" / "templates")


def parse_template(raw: Any, *, name: str) -> Template:
    """A template from its decoded YAML/JSON mapping (fields Docket cannot run are skipped, see module doc)."""
    if not isinstance(raw, dict) or not raw.get("keywords") or not isinstance(raw.get("fields", {}), dict):
        raise TemplateInvalidError(f"template {name} needs 'keywords' and a 'fields' mapping")
    parts = _Parts(name)
    for key, spec in (raw.get("fields") or {}).items():
        parts.read_field(str(key), spec)
    parts.read_plugins(raw)
    options = _mapping(raw.get("options"))
    issuer = str(raw.get("issuer", name))
    if "supplier_name" not in {rule.name for rule in parts.fields} and raw.get("issuer"):
        parts.static.append(("supplier_name", issuer))
    currency = options.get("currency")
    return Template(name=name, issuer=issuer, keywords=_keywords(raw["keywords"], name),
                    exclude_keywords=_keywords(raw.get("exclude_keywords", []), name),
                    fields=tuple(parts.fields), currency=str(currency) if currency else None,
                    decimal_separator=str(options.get("decimal_separator", ".")),
                    date_formats=tuple(str(f) for f in _as_list(options.get("date_formats", []))),
                    static=tuple(parts.static), lines=tuple(parts.lines), tables=tuple(parts.tables),
                    text_options=parts.text_options(options), priority=_priority(raw, options),
                    skipped=tuple(parts.skipped))


class _Parts:
    """What one template's fields and plugins become, collected while reading them."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.fields: list[FieldRule] = []
        self.static: list[tuple[str, str]] = []
        self.lines: list[BlockRule] = []
        self.tables: list[BlockRule] = []
        self.skipped: list[SkippedField] = []

    def skip(self, field: str, reason: str) -> None:
        _log().warning("template_field_skipped", template=self.template, field=field, reason=reason)
        self.skipped.append(SkippedField(field, reason))

    def read_field(self, key: str, spec: Any) -> None:
        try:
            self._read_field(key, spec)
        except _Unusable as exc:
            self.skip(key, str(exc))

    def _read_field(self, key: str, spec: Any) -> None:
        if key.startswith("static_") and not isinstance(spec, dict):
            if spec is None or spec == "":
                raise _Unusable("static field without a value")
            self.static.append((_target(key[len("static_"):]), str(spec)))
            return
        if isinstance(spec, str | list):
            sums = key.startswith("sum_amount") and isinstance(spec, list)
            name = key[len("sum_"):] if sums else key
            self.fields.append(FieldRule(_target(name), _patterns(spec), "sum" if sums else None))
            return
        if not isinstance(spec, dict):
            raise _Unusable(f"a field must be a regex, a list of regexes or a mapping, not {type(spec).__name__}")
        parser = spec.get("parser")
        if parser == "static":
            if spec.get("value") in (None, ""):
                raise _Unusable("static field without a value")
            self.static.append((_target(key), str(spec["value"])))
        elif parser == "regex":
            self.fields.append(FieldRule(_target(key), _patterns(spec.get("regex")), _group(spec.get("group"))))
        elif parser == "lines":
            if key not in LINE_ITEM_BLOCKS:
                raise _Unusable(f"lines block {key!r} has no Docket counterpart (only line items are read)")
            self.lines.extend(_line_rules(spec))
        else:
            raise _Unusable(f"parser {parser!r} is not supported (supported: regex, static, lines)")

    def read_plugins(self, raw: dict[str, Any]) -> None:
        """invoice2data's top-level plugins: ``lines`` (line items), ``tables`` (header fields); ``camelot``
        needs the PDF's geometry through its own library and is skipped."""
        if "lines" in raw:
            try:
                self.lines.extend(_line_rules(raw["lines"]))
            except _Unusable as exc:
                self.skip("lines", str(exc))
        if "tables" in raw:
            for number, table in enumerate(_as_list(raw["tables"]), start=1):
                try:
                    self.tables.append(_table_rule(table))
                except _Unusable as exc:
                    self.skip(f"tables[{number}]", str(exc))
        if "camelot" in raw:
            self.skip("camelot", "the camelot plugin (PDF table geometry) is not supported")

    def text_options(self, options: dict[str, Any]) -> TextOptions:
        pairs: list[tuple[str, str]] = []
        replace = options.get("replace") or []
        entries = [replace] if _is_pair(replace) else _as_list(replace)
        for number, entry in enumerate(entries, start=1):
            if not _is_pair(entry) or not _compiles(str(entry[0])):
                self.skip(f"options.replace[{number}]", "a replace entry must be a [regex, replacement] pair")
                continue
            pairs.append((str(entry[0]), str(entry[1])))
        return TextOptions(remove_whitespace=bool(options.get("remove_whitespace")),
                           remove_accents=bool(options.get("remove_accents")),
                           lowercase=bool(options.get("lowercase")), replace=tuple(pairs))


def _target(key: str) -> str:
    return INVOICE2DATA_NAMES.get(key, key)


def _patterns(spec: Any) -> tuple[str, ...]:
    """The regexes of a field (one or a list), each checked; _Unusable when there is none or one is bad."""
    patterns = tuple(str(p) for p in _as_list(spec) if isinstance(p, str) and p)
    if not patterns:
        raise _Unusable("no usable regex")
    for pattern in patterns:
        _check(pattern)
    return patterns


def _check(pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _Unusable(f"bad regex {pattern!r}: {exc}") from exc


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _group(value: Any) -> str | None:
    if value is None:
        return None
    if value not in _GROUPS:
        raise _Unusable(f"group {value!r} is not supported (supported: {', '.join(sorted(_GROUPS))})")
    return str(value)


def _line_rules(spec: Any) -> list[BlockRule]:
    """The block rules of a ``lines`` parser or plugin (one rule, several under ``rules``, or a list)."""
    if isinstance(spec, list):
        rules = spec
    elif isinstance(spec, dict):
        rules = spec["rules"] if isinstance(spec.get("rules"), list) else [spec]
    else:
        raise _Unusable("a lines block must be a mapping or a list of rules")
    return [_line_rule(rule) for rule in rules]


def _line_rule(rule: Any) -> BlockRule:
    if not isinstance(rule, dict) or not all(rule.get(k) for k in ("start", "end", "line")):
        raise _Unusable("a lines rule needs 'start', 'end' and 'line' regexes")
    start, end = _patterns(rule["start"]), _patterns(rule["end"])
    types = _mapping(rule.get("types"))
    return BlockRule(start="|".join(start), end="|".join(end), line=_patterns(rule["line"]),
                     first_line=_patterns(rule["first_line"]) if rule.get("first_line") else (),
                     last_line=_patterns(rule["last_line"]) if rule.get("last_line") else (),
                     skip_line=_patterns(rule["skip_line"]) if rule.get("skip_line") else (),
                     types=tuple((str(k), str(v)) for k, v in types.items()),
                     end_match="last" if rule.get("end_match") == "last" else "first")


def _table_rule(table: Any) -> BlockRule:
    if not isinstance(table, dict) or not all(table.get(k) for k in ("start", "end", "body")):
        raise _Unusable("a table needs 'start', 'end' and 'body' regexes")
    start, end, body = (_patterns(table[key])[0] for key in ("start", "end", "body"))
    if not re.compile(body).groupindex:
        raise _Unusable("a table body needs named groups (?P<field>...)")
    types = _mapping(table.get("types"))
    return BlockRule(start=start, end=end, line=(body,), types=tuple((str(k), str(v)) for k, v in types.items()))


def _keywords(value: Any, name: str) -> tuple[str, ...]:
    """Keywords as regexes; one that is not a valid regex is matched literally (invoice2data matches
    keywords as plain text)."""
    keywords = []
    for keyword in (str(k) for k in _as_list(value) if k is not None):
        if not _compiles(keyword):
            _log().warning("template_keyword_literal", template=name, keyword=keyword)
            keyword = re.escape(keyword)
        keywords.append(keyword)
    return tuple(keywords)


def _priority(raw: dict[str, Any], options: dict[str, Any]) -> int:
    value = raw.get("priority", options.get("priority", 5))
    try:
        return int(value)
    except (TypeError, ValueError):
        return 5


def _is_pair(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _mapping(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]
