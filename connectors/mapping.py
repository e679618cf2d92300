"""Versioned field maps: how a :class:`~docket.model.PostingRequested` becomes a target payload.

A field map is DATA (YAML under ``connectors/mappings/``), not code, so a change to what a
target receives is reviewed as a diff of a file and recorded as a ``version`` in every outcome.

File shape::

    name: rest_supplier_invoice
    version: "1"                       # recorded as "rest_supplier_invoice/1"
    posting_types: [supplier_invoice, supplier_credit_note]
    tables:                            # lookup tables for the ``lookup`` filter
      doc_type: {supplier_invoice: AP_INV, supplier_credit_note: AP_CN}
    fields:
      number: record.number | required
      issued: record.issue_date | date('%d.%m.%Y')
      total: record.total | decimal(2)
      source: {$const: docket}
      supplier:                        # a plain mapping is a nested object
        name: record.supplier_name
      lines:
        $each: record.lines            # a list: one entry per element ...
        $as: line                      # ... bound to this name (default ``item``)
        $fields:
          description: line.description

An expression is a term followed by filters: ``term | filter | filter(arg, ...)``. A term is a
dotted path from a root (``request``, ``record``, ``envelope``, ``cash``, ``crm`` (the record's
CRM part), ``terms`` (a contract's end, renewal and notice dates worked out), ``mapping`` or a
``$as`` name; ``record.lines.0.amount`` indexes a list), a quoted string, a number, ``true``,
``false`` or ``null``. Filters are a fixed set (:data:`FILTERS`); nothing is ever passed to
``eval``. A path that does not resolve yields ``None`` (use ``required`` to make that a failure).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from connectors.base import PostingRejected
from docket.crm.terms import contract_terms, describe_terms
from docket.errors import DocketError
from docket.model import PostingRequested

MAPPINGS_DIR = Path(__file__).with_name("mappings")


class MappingInvalid(DocketError):
    """A field map file or expression is malformed (a configuration error, found at load time)."""

    code = "POSTING_MAPPING_INVALID"


class MappingFailed(PostingRejected):
    """A request cannot be mapped (a ``required`` value is missing, a value has the wrong type).

    It is a rejection: the same request will fail the same way until the document is corrected.
    """

    code = "POSTING_MAPPING_FAILED"


# ---------------------------------------------------------------------------------------------
# Expressions

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<path>[A-Za-z_][A-Za-z0-9_]*(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|\d+))*)
    | (?P<punct>[|(),])
    )""", re.VERBOSE)

_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class _Literal:
    value: Any

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        return self.value


@dataclass(frozen=True)
class _Path:
    parts: tuple[str, ...]

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        value: Any = scope.get(self.parts[0])
        for part in self.parts[1:]:
            value = _step(value, part)
            if value is None:
                return None
        return value


_Term = _Literal | _Path


@dataclass(frozen=True)
class _FilterCall:
    name: str
    args: tuple[_Term, ...]


@dataclass(frozen=True)
class Expression:
    """A parsed expression: ``term | filter(args) | ...``; evaluate it with :meth:`evaluate`."""

    source: str
    term: _Term
    filters: tuple[_FilterCall, ...]

    def evaluate(self, scope: Mapping[str, Any], tables: Mapping[str, Mapping[str, Any]]) -> Any:
        value = self.term.evaluate(scope)
        for call in self.filters:
            args = [arg.evaluate(scope) for arg in call.args]
            try:
                value = FILTERS[call.name](value, args, tables)
            except MappingFailed:
                raise
            except (ValueError, TypeError, InvalidOperation, KeyError) as error:
                raise MappingFailed(f"{self.source!r}: filter {call.name!r} failed on {value!r}: {error}",
                                    details={"expression": self.source}) from error
        return value


def _step(value: Any, part: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(part)
    if isinstance(value, list | tuple):
        if part.isdigit() and int(part) < len(value):
            return value[int(part)]
        return None
    return None


def parse_expression(source: str) -> Expression:
    """Parse ``source`` into an :class:`Expression`; raise :class:`MappingInvalid` if malformed."""
    tokens = _tokenize(source)
    position = 0

    def take(kind: str | None = None, text: str | None = None) -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens):
            raise MappingInvalid(f"unexpected end of expression {source!r}")
        token = tokens[position]
        if (kind and token[0] != kind) or (text and token[1] != text):
            raise MappingInvalid(f"unexpected {token[1]!r} in expression {source!r}")
        position += 1
        return token

    def term() -> _Term:
        kind, text = take()
        if kind == "string":
            return _Literal(_unquote(text))
        if kind == "number":
            return _Literal(Decimal(text) if "." in text else int(text))
        if kind == "path":
            if text in _KEYWORDS:
                return _Literal(_KEYWORDS[text])
            return _Path(tuple(text.split(".")))
        raise MappingInvalid(f"expected a value, got {text!r} in expression {source!r}")

    head = term()
    filters: list[_FilterCall] = []
    while position < len(tokens):
        take("punct", "|")
        _, name = take("path")
        if name not in FILTERS:
            raise MappingInvalid(f"unknown filter {name!r} in expression {source!r}")
        args: list[_Term] = []
        if position < len(tokens) and tokens[position] == ("punct", "("):
            take("punct", "(")
            while tokens[position:position + 1] != [("punct", ")")]:
                args.append(term())
                if tokens[position:position + 1] == [("punct", ",")]:
                    take("punct", ",")
            take("punct", ")")
        filters.append(_FilterCall(name, tuple(args)))
    return Expression(source, head, tuple(filters))


def _tokenize(source: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = source.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise MappingInvalid(f"cannot read expression {source!r} at position {position}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    if not tokens:
        raise MappingInvalid("empty expression")
    return tokens


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


# ---------------------------------------------------------------------------------------------
# Filters: (value, args, tables) -> value. ``None`` passes through all but required/default.

Filter = Callable[[Any, list[Any], Mapping[str, Mapping[str, Any]]], Any]


def _none_passes(function: Callable[[Any, list[Any]], Any]) -> Filter:
    def wrapped(value: Any, args: list[Any], tables: Mapping[str, Mapping[str, Any]]) -> Any:
        return None if value is None else function(value, args)
    return wrapped


def _required(value: Any, args: list[Any], tables: Mapping[str, Mapping[str, Any]]) -> Any:
    if value is None or value == "" or value == []:
        raise MappingFailed(str(args[0]) if args else "a required value is missing")
    return value


def _default(value: Any, args: list[Any], tables: Mapping[str, Mapping[str, Any]]) -> Any:
    return args[0] if value is None or value == "" else value


def _decimal(value: Any, args: list[Any]) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not args:
        return number
    # Commercial rounding (half up) is what invoices print; the models keep 4 places.
    return number.quantize(Decimal(1).scaleb(-int(args[0])), rounding=ROUND_HALF_UP)


def _date(value: Any, args: list[Any]) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if not isinstance(value, date):
        raise TypeError("not a date")
    return value.strftime(str(args[0])) if args else value.isoformat()


def _text(value: Any, args: list[Any]) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _lookup(value: Any, args: list[Any], tables: Mapping[str, Mapping[str, Any]]) -> Any:
    table = tables.get(str(args[0]))
    if table is None:
        raise KeyError(f"no table {args[0]!r}")
    if value in table:
        return table[value]
    if len(args) > 1:
        return args[1]
    raise MappingFailed(f"{value!r} is not in table {args[0]!r}", details={"table": str(args[0])})


def _add(value: Any, args: list[Any]) -> int | Decimal:
    if isinstance(value, int) and isinstance(args[0], int):
        return value + args[0]  # line numbers stay integers
    return _decimal(value, []) + _decimal(args[0], [])


def _get(value: Any, args: list[Any]) -> Any:
    """The entry ``args[0]`` of a mapping (keys with dots, such as ``tryton.customer``, that a path cannot name)."""
    if not isinstance(value, Mapping):
        raise TypeError("not a mapping")
    return value.get(str(args[0]))


def _truncate(value: Any, args: list[Any]) -> str:
    return str(value)[: int(args[0])]


def _join(value: Any, args: list[Any]) -> str:
    separator = str(args[0]) if args else ", "
    return separator.join(_text(item, []) for item in value if item is not None)


FILTERS: dict[str, Filter] = {
    "required": _required,
    "default": _default,
    "lookup": _lookup,
    "decimal": _none_passes(_decimal),
    "negate": _none_passes(lambda value, args: -_decimal(value, args)),
    "abs": _none_passes(lambda value, args: abs(_decimal(value, args))),
    # 2.0000 -> 2, 12.5000 -> 12.5: quantities read better without the model's fixed scale.
    "trim": _none_passes(lambda value, args: _decimal(value, []).normalize()),
    "date": _none_passes(_date),
    "text": _none_passes(_text),
    "upper": _none_passes(lambda value, args: _text(value, []).upper()),
    "lower": _none_passes(lambda value, args: _text(value, []).lower()),
    "strip": _none_passes(lambda value, args: _text(value, []).strip()),
    "truncate": _none_passes(_truncate),
    "get": _none_passes(_get),
    "join": _none_passes(_join),
    "int": _none_passes(lambda value, args: int(value)),
    "add": _none_passes(_add),
    "count": lambda value, args, tables: len(value or []),
}
"""Every filter an expression may name. ``decimal(2)`` rounds half up to 2 places;
``date('%Y%m%d')`` formats (ISO without an argument); ``lookup('table', fallback)`` maps a code
through a table of the field map; ``required('message')`` fails the mapping when empty;
``add(1)`` adds (integers stay integers: ``line.index | add(1)`` numbers lines from 1);
``get('tryton.customer')`` takes one entry of a mapping (``request.party_xrefs``)."""


# ---------------------------------------------------------------------------------------------
# Field maps


@dataclass(frozen=True)
class _Each:
    source: Expression
    alias: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class FieldMap:
    """A loaded, validated field map. ``version`` is ``"<name>/<file version>"``.

    :meth:`apply` turns a request into a payload of plain values (str, int, Decimal, bool,
    None, lists, dicts); it raises :class:`MappingFailed` when the request cannot be mapped.
    """

    name: str
    version: str
    posting_types: tuple[str, ...]
    fields: Mapping[str, Any]
    tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def handles(self, posting_type: str) -> bool:
        """Whether this map is meant for ``posting_type`` (an empty list means every type)."""
        return not self.posting_types or posting_type in self.posting_types

    def field_names(self) -> list[str]:
        """The top-level keys of the payload, in file order."""
        return list(self.fields)

    def line_field_names(self, key: str) -> list[str]:
        """The keys of each element of the ``$each`` list at top-level ``key``."""
        spec = self.fields.get(key)
        if not isinstance(spec, _Each):
            raise MappingInvalid(f"{self.version}: field {key!r} is not a $each list")
        return list(spec.fields)

    def apply(self, request: PostingRequested) -> dict[str, Any]:
        """The payload for ``request``; raises :class:`MappingFailed` if it cannot be mapped."""
        dumped = request.model_dump(mode="python")
        scope = {"request": dumped, "record": dumped.get("record"), "envelope": dumped["envelope"],
                 "cash": dumped.get("cash_application"), "crm": (dumped.get("record") or {}).get("crm"),
                 "terms": _terms(request), "mapping": {"name": self.name, "version": self.version}}
        return _render_object(self.fields, scope, self.tables)


def _terms(request: PostingRequested) -> dict[str, Any] | None:
    """A contract's dates as its record states them, worked out (end, renewal, notice; ``summary`` the
    line ``renews 2027-04-01; notice by 2026-12-31``); None for records without contract terms."""
    crm = request.record.crm if request.record is not None else None
    terms = contract_terms(crm) if crm is not None else None
    if terms is None:
        return None
    return {"start_date": terms.start_date, "end_date": terms.end_date, "renewal_date": terms.renewal_date,
            "notice_date": terms.notice_date, "summary": describe_terms(terms)}


def _render(spec: Any, scope: Mapping[str, Any], tables: Mapping[str, Mapping[str, Any]]) -> Any:
    if isinstance(spec, Expression):
        return spec.evaluate(scope, tables)
    if isinstance(spec, _Literal):
        return spec.value
    if isinstance(spec, _Each):
        items = spec.source.evaluate(scope, tables) or []
        if not isinstance(items, list):
            raise MappingFailed(f"{spec.source.source!r} is not a list")
        return [_render_object(spec.fields, {**scope, spec.alias: item}, tables) for item in items]
    return _render_object(spec, scope, tables)


def _render_object(specs: Mapping[str, Any], scope: Mapping[str, Any],
                   tables: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {key: _render(spec, scope, tables) for key, spec in specs.items()}


def _compile(spec: Any, where: str) -> Any:
    if isinstance(spec, str):
        try:
            return parse_expression(spec)
        except MappingInvalid as error:
            raise MappingInvalid(f"{where}: {error.message}") from error
    if isinstance(spec, bool | int | float) or spec is None:
        return _Literal(spec)
    if isinstance(spec, Mapping):
        if "$const" in spec:
            return _Literal(spec["$const"])
        if "$each" in spec:
            alias = str(spec.get("$as", "item"))
            if not isinstance(spec.get("$fields"), Mapping):
                raise MappingInvalid(f"{where}: $each needs a $fields mapping")
            return _Each(_compile(str(spec["$each"]), where), alias,
                         _compile_object(spec["$fields"], where))
        return _compile_object(spec, where)
    raise MappingInvalid(f"{where}: cannot use {type(spec).__name__} as a field spec")


def _compile_object(specs: Mapping[str, Any], where: str) -> dict[str, Any]:
    unknown = [key for key in specs if str(key).startswith("$")]
    if unknown:
        raise MappingInvalid(f"{where}: unknown directive(s) {unknown}")
    return {str(key): _compile(spec, f"{where}.{key}") for key, spec in specs.items()}


def field_map_from_dict(data: Mapping[str, Any]) -> FieldMap:
    """Build a :class:`FieldMap` from parsed YAML; raises :class:`MappingInvalid` if malformed."""
    for key in ("name", "version", "fields"):
        if key not in data:
            raise MappingInvalid(f"field map lacks {key!r}")
    name = str(data["name"])
    if not isinstance(data["fields"], Mapping):
        raise MappingInvalid(f"{name}: 'fields' must be a mapping")
    tables = data.get("tables") or {}
    if not isinstance(tables, Mapping) or not all(isinstance(t, Mapping) for t in tables.values()):
        raise MappingInvalid(f"{name}: 'tables' must map names to mappings")
    types = data.get("posting_types") or []
    return FieldMap(name=name, version=f"{name}/{data['version']}",
                    posting_types=tuple(str(t) for t in types),
                    fields=_compile_object(data["fields"], name),
                    tables={str(k): dict(v) for k, v in tables.items()})


def load_field_map(name_or_path: str | Path) -> FieldMap:
    """Load a field map: a path to a YAML file, or a file name in ``connectors/mappings/``
    (``"rest_supplier_invoice.v1"`` or with ``.yaml``)."""
    path = Path(name_or_path)
    if not path.exists():
        candidate = MAPPINGS_DIR / (path.name if path.suffix == ".yaml" else f"{path.name}.yaml")
        path = candidate
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise MappingInvalid(f"no field map {str(name_or_path)!r}") from error
    except yaml.YAMLError as error:
        raise MappingInvalid(f"{path.name}: not valid YAML: {error}") from error
    if not isinstance(data, Mapping):
        raise MappingInvalid(f"{path.name}: a field map is a YAML mapping")
    return field_map_from_dict(data)


def select_field_map(maps: Sequence[FieldMap], request: PostingRequested) -> FieldMap:
    """The first map that handles ``request.posting_type``; :class:`MappingFailed` if none does."""
    for candidate in maps:
        if candidate.handles(request.posting_type):
            return candidate
    raise MappingFailed(f"no field map for posting type {request.posting_type!r}",
                        code="POSTING_MAPPING_MISSING", details={"posting_type": request.posting_type})
