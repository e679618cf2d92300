"""Bank statement exports in CSV, read through a layout given as data.

Every bank's export differs in columns, delimiters, date and number formats, so the layout is a
value (typically loaded from YAML next to the bank's connector): which header holds which
field, how dates and amounts are written, and how debits are told from credits (a signed amount,
separate credit/debit columns, or a direction column). The default layout reads the columns
``date,amount,currency,payer_name,payer_account,reference,text``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from docket.cashapp.errors import CsvLayoutError, StatementError
from docket.cashapp.statements.line import (
    StatementLine,
    clean_text,
    creditor_reference_in_text,
    normalise_account,
    valid_creditor_reference,
)

_FIELDS = ("amount", "credit", "debit", "direction", "currency", "value_date", "booking_date", "payer_name",
           "payer_account", "payer_bic", "remittance_structured", "remittance_text", "bank_reference",
           "line_id")


@dataclass(frozen=True)
class CsvLayout:
    """How one bank writes its CSV export.

    ``columns`` maps a field (``amount`` or ``credit``/``debit``, ``currency``, ``value_date``,
    ``booking_date``, ``payer_name``, ``payer_account``, ``payer_bic``, ``remittance_structured``,
    ``bank_reference``, ``line_id``, ``direction``) to a header; ``remittance_text`` may list
    several headers, joined in order. ``debit_markers`` are the values of the ``direction``
    column that mean a debit. ``date_format`` is a ``strptime`` pattern.
    """

    name: str = "default"
    columns: Mapping[str, str | list[str]] = field(default_factory=lambda: {
        "value_date": "date", "amount": "amount", "currency": "currency", "payer_name": "payer_name",
        "payer_account": "payer_account", "remittance_structured": "reference", "remittance_text": "text"})
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    date_format: str = "%Y-%m-%d"
    decimal_separator: str = "."
    thousands_separator: str = ""
    default_currency: str | None = None
    debit_markers: tuple[str, ...] = ("D", "DBIT", "DEBIT", "S", "SOLL")
    skip_lines: int = 0

    def __post_init__(self) -> None:
        unknown = set(self.columns) - set(_FIELDS)
        if unknown:
            raise CsvLayoutError(f"layout {self.name!r}: unknown fields {sorted(unknown)}")
        has_amount = "amount" in self.columns or {"credit", "debit"} <= set(self.columns)
        if not has_amount or ("value_date" not in self.columns and "booking_date" not in self.columns):
            raise CsvLayoutError(f"layout {self.name!r} needs amount (or credit and debit) and a date column")
        if "currency" not in self.columns and not self.default_currency:
            raise CsvLayoutError(f"layout {self.name!r} needs a currency column or default_currency")
        if self.decimal_separator == self.thousands_separator:
            raise CsvLayoutError(f"layout {self.name!r}: decimal and thousands separators are the same")

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> CsvLayout:
        """A layout from a parsed YAML/JSON mapping with the same keys as the fields."""
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise CsvLayoutError(f"unknown layout keys {sorted(unknown)}")
        values = dict(raw)
        if "debit_markers" in values:
            values["debit_markers"] = tuple(values["debit_markers"])
        try:
            return cls(**values)
        except TypeError as exc:
            raise CsvLayoutError(f"invalid layout: {exc}") from exc


def _cell(row: Mapping[str, str | None], layout: CsvLayout, name: str) -> str | None:
    header = layout.columns.get(name)
    if header is None:
        return None
    headers = [header] if isinstance(header, str) else list(header)
    values = [(row.get(h) or "").strip() for h in headers]
    return clean_text(list(values))


def _number(raw: str, layout: CsvLayout) -> Decimal:
    text = raw.replace(" ", "").replace("\u00a0", "")
    if layout.thousands_separator:
        text = text.replace(layout.thousands_separator, "")
    text = text.replace(layout.decimal_separator, ".")
    negative = text.endswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("()-+") if negative else text
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"bad number {raw!r}") from exc
    return -value if negative else value


def _amount(row: Mapping[str, str | None], layout: CsvLayout) -> Decimal:
    if "amount" in layout.columns:
        raw = _cell(row, layout, "amount")
        if raw is None:
            raise ValueError("empty amount")
        value = _number(raw, layout)
        direction = _cell(row, layout, "direction")
        if direction is not None and direction.upper() in {m.upper() for m in layout.debit_markers}:
            value = -abs(value)
        return value
    credit, debit = _cell(row, layout, "credit"), _cell(row, layout, "debit")
    if credit:
        return abs(_number(credit, layout))
    if debit:
        return -abs(_number(debit, layout))
    raise ValueError("neither credit nor debit")


def _date(raw: str | None, layout: CsvLayout) -> date | None:
    return datetime.strptime(raw, layout.date_format).date() if raw else None


def _row_line(row: Mapping[str, str | None], layout: CsvLayout, statement_id: str, n: int) -> StatementLine:
    text = _cell(row, layout, "remittance_text")
    structured_raw = _cell(row, layout, "remittance_structured")
    structured = valid_creditor_reference(structured_raw) or creditor_reference_in_text(text)
    if structured is None and structured_raw:
        text = clean_text([structured_raw, text])
    line_id = _cell(row, layout, "line_id") or str(n)
    currency = (_cell(row, layout, "currency") or layout.default_currency or "").upper()
    if len(currency) != 3:
        raise ValueError(f"currency {currency!r}")
    return StatementLine(
        payment_id=f"csv:{layout.name}:{statement_id}:{line_id}", statement_id=statement_id,
        amount=_amount(row, layout), currency=currency,
        value_date=_date(_cell(row, layout, "value_date"), layout),
        booking_date=_date(_cell(row, layout, "booking_date") or _cell(row, layout, "value_date"), layout),
        payer_name=_cell(row, layout, "payer_name"),
        payer_account=normalise_account(_cell(row, layout, "payer_account")),
        payer_bic=_cell(row, layout, "payer_bic"), remittance_structured=structured,
        remittance_text=text, bank_reference=_cell(row, layout, "bank_reference"), source_format="csv")


def parse_csv(data: bytes, layout: CsvLayout | None = None) -> list[StatementLine]:
    """Every data row of a CSV export as a statement line, in file order.

    The statement id is the first 16 hex digits of the file's sha256, so the same file gives the
    same payment ids. Raises :class:`StatementError` naming the first row (1-based, after the
    header) that does not parse, or when a mapped header is missing; blank rows are skipped.
    """
    layout = layout or CsvLayout()
    try:
        text = data.decode(layout.encoding)
    except UnicodeDecodeError as exc:
        raise StatementError(f"CSV is not {layout.encoding}", details={"format": "csv"}) from exc
    lines_in = text.splitlines()[layout.skip_lines:]
    reader = csv.DictReader(io.StringIO("\n".join(lines_in)), delimiter=layout.delimiter)
    headers = set(reader.fieldnames or [])
    wanted = {h for v in layout.columns.values() for h in ([v] if isinstance(v, str) else v)}
    if not wanted <= headers:
        raise StatementError(f"CSV lacks columns {sorted(wanted - headers)} of layout {layout.name!r}",
                             details={"format": "csv", "layout": layout.name})
    statement_id = hashlib.sha256(data).hexdigest()[:16]
    out: list[StatementLine] = []
    for n, row in enumerate(reader, start=1):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        try:
            out.append(_row_line(row, layout, statement_id, n))
        except (ValueError, InvalidOperation) as exc:
            raise StatementError(f"CSV row {n}: {exc}",
                                 details={"format": "csv", "layout": layout.name, "row": str(n)}) from exc
    return out
