"""Master data from CSV files: vendors, customers, purchase orders, open items, cross-references.

One CSV per kind, with a header row naming model fields (``docket/model/masterdata.py``).
Empty cells are "not given". List fields (``ibans``, ``aliases``) hold several values separated
by ``;``. ``updated_at`` may be omitted (the import time is used). Purchase orders take one row
per order line: the order's own columns repeat on every row of the order and the line columns
are ``line_no, description, quantity, unit_price, sku, tax_rate, received_quantity``.

Identifiers are checked the way documents are read: VAT IDs and IBANs must pass their check
digits (and are stored canonical), currencies must be ISO 4217, dates ISO 8601, amounts plain
decimals (``1190.00``). Every problem is reported with its row number (the header is row 1),
and a file with any problem yields no records at all: half an import would leave master data
inconsistent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from docket.errors import DocketError
from docket.model import CrossReference, Customer, OpenItem, PurchaseOrder, PurchaseOrderLine, Vendor
from docket.records.currency import iso_codes
from docket.records.errors import RecordsError
from docket.records.identifiers import normalize_iban, normalize_vat_id

MasterRecord = Vendor | Customer | PurchaseOrder | OpenItem | CrossReference

LIST_FIELDS = frozenset({"ibans", "aliases"})
PO_LINE_FIELDS = ("line_no", "description", "quantity", "unit_price", "sku", "tax_rate", "received_quantity")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with one row (``column`` None: the row or header as a whole)."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class MasterDataCsvError(DocketError):
    """The file is not valid master data; ``problems`` lists every row problem found."""

    code = "MASTERDATA_CSV_INVALID"

    def __init__(self, kind: str, problems: list[RowProblem]) -> None:
        shown = "; ".join(str(p) for p in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"{kind}: {len(problems)} problem(s): {shown}{more}",
                         details={"kind": kind, "problems": str(len(problems))})
        self.problems = problems


@dataclass(frozen=True)
class Kind:
    """One kind of master data: its model, the topic it is published on, and its key columns."""

    name: str
    model: type[BaseModel]
    topic: str
    key_fields: tuple[str, ...]


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("vendors", Vendor, "masterdata.vendors", ("legal_entity", "party_id")),
    Kind("customers", Customer, "masterdata.customers", ("legal_entity", "party_id")),
    Kind("purchase_orders", PurchaseOrder, "masterdata.purchase_orders", ("legal_entity", "po_number")),
    Kind("open_items", OpenItem, "masterdata.open_items", ("legal_entity", "item_id")),
    Kind("xrefs", CrossReference, "masterdata.xrefs", ("legal_entity", "system", "external_id")),
)}


def kind_of(name: str) -> Kind:
    """The kind called ``name``; DocketError ``MASTERDATA_KIND_UNKNOWN`` lists the known ones."""
    if name not in KINDS:
        raise DocketError(f"unknown master-data kind {name!r}; known: {', '.join(KINDS)}",
                          code="MASTERDATA_KIND_UNKNOWN")
    return KINDS[name]


def record_key(kind: Kind, record: BaseModel) -> str:
    """The compacted-topic key of ``record``: its key fields joined by ``:``."""
    return ":".join(str(getattr(record, f)) for f in kind.key_fields)


class _Row:
    """Cell conversions for one row; problems are collected, not raised."""

    def __init__(self, number: int, cells: dict[str, str | None], problems: list[RowProblem]) -> None:
        self.number = number
        self.cells = {k: (v.strip() if v and v.strip() else None) for k, v in cells.items()}
        self.problems = problems

    def fail(self, column: str | None, message: str) -> None:
        self.problems.append(RowProblem(self.number, column, message))

    def values(self, columns: Iterable[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column in columns:
            text = self.cells.get(column)
            if text is None:
                continue
            converted = self._convert(column, text)
            if converted is not None:
                out[column] = converted
        return out

    def _convert(self, column: str, text: str) -> Any:
        try:
            if column in LIST_FIELDS:
                items = [t.strip() for t in text.split(";") if t.strip()]
                return [normalize_iban(i)[0] for i in items] if column == "ibans" else items
            if column == "vat_id":
                return normalize_vat_id(text, country=self.cells.get("country")).value
            if column == "currency":
                code = text.upper()
                if code not in iso_codes():
                    self.fail(column, f"{text!r} is not an ISO 4217 currency code")
                    return None
                return code
            if column == "active":
                return self._boolean(column, text)
        except RecordsError as error:
            self.fail(column, error.message)
            return None
        return text

    def _boolean(self, column: str, text: str) -> bool | None:
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        self.fail(column, f"{text!r} is not true or false")
        return None


def _build(model: type[BaseModel], values: dict[str, Any], row: _Row) -> BaseModel | None:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        for problem in error.errors():
            column = ".".join(str(p) for p in problem["loc"] if not isinstance(p, int)) or None
            row.fail(column, problem["msg"])
        return None


def _rows(text: str, kind: Kind, allowed: set[str], problems: list[RowProblem]) -> list[_Row]:
    try:
        return _read_rows(text, kind, allowed, problems)
    except csv.Error as error:  # a stray quote or carriage return, a field over csv's size limit
        problems.append(RowProblem(1, None, f"the file is not valid CSV: {error}"))
        return []


def _read_rows(text: str, kind: Kind, allowed: set[str], problems: list[RowProblem]) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    if not header:
        problems.append(RowProblem(1, None, "no header row"))
        return []
    unknown = [h for h in header if h not in allowed]
    if unknown:
        known = ", ".join(sorted(allowed))
        problems.append(RowProblem(1, None, f"unknown column(s) {', '.join(unknown)}; known: {known}"))
    missing = [f for f in kind.key_fields if f not in header]
    if missing:
        problems.append(RowProblem(1, None, f"missing key column(s) {', '.join(missing)}"))
    if unknown or missing:
        return []
    rows = []
    for number, cells in enumerate(reader, start=2):
        if None in cells:
            problems.append(RowProblem(number, None, "more cells than header columns"))
            continue
        if any(v and v.strip() for v in cells.values()):
            rows.append(_Row(number, dict(cells), problems))
    return rows


def _simple(kind: Kind, rows: list[_Row], now: datetime) -> list[tuple[_Row, BaseModel | None]]:
    columns = list(kind.model.model_fields)
    return [(row, _build(kind.model, {"updated_at": now, **row.values(columns)}, row)) for row in rows]


def _purchase_orders(kind: Kind, rows: list[_Row], now: datetime) -> list[tuple[_Row, BaseModel | None]]:
    order_columns = [c for c in PurchaseOrder.model_fields if c != "lines"]
    groups: dict[tuple[Any, ...], list[_Row]] = {}
    for row in rows:
        groups.setdefault(tuple(row.cells.get(f) for f in kind.key_fields), []).append(row)
    built: list[tuple[_Row, BaseModel | None]] = []
    for group in groups.values():
        first = group[0]
        header = first.values(order_columns)
        lines = []
        for row in group:
            if row is not first and row.values(order_columns) != header:
                row.fail(None, f"order columns differ from row {first.number} of the same order")
            if any(row.cells.get(c) for c in PO_LINE_FIELDS):
                line = _build(PurchaseOrderLine, row.values(PO_LINE_FIELDS), row)
                lines.append(line)
        built.append((first, _build(PurchaseOrder, {"updated_at": now, **header, "lines": lines}, first)
                      if all(line is not None for line in lines) else None))
    return built


def parse_masterdata_csv(kind_name: str, text: str, *, now: datetime) -> list[MasterRecord]:
    """The records of one master-data CSV of kind ``kind_name``, in file order.

    ``now`` stamps ``updated_at`` where the file has none. Raises MasterDataCsvError listing every
    problem (unknown or missing columns, invalid values, duplicate keys), DocketError
    ``MASTERDATA_KIND_UNKNOWN`` for an unknown kind. Never returns a partial result.
    """
    kind = kind_of(kind_name)
    problems: list[RowProblem] = []
    allowed = set(kind.model.model_fields)
    if kind.model is PurchaseOrder:
        allowed = (allowed - {"lines"}) | set(PO_LINE_FIELDS)
    rows = _rows(text, kind, allowed, problems)
    build: Callable[[Kind, list[_Row], datetime], list[tuple[_Row, BaseModel | None]]] = (
        _purchase_orders if kind.model is PurchaseOrder else _simple)
    records: list[MasterRecord] = []
    first_row: dict[str, int] = {}
    for row, record in build(kind, rows, now):
        if record is None:
            continue
        key = record_key(kind, record)
        if key in first_row:
            row.fail(None, f"key {key} repeats row {first_row[key]}")
            continue
        first_row[key] = row.number
        records.append(record)  # type: ignore[arg-type]  # the kind's model is one of MasterRecord
    if problems:
        raise MasterDataCsvError(kind.name, sorted(problems, key=lambda p: p.row))
    return records
