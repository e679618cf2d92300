"""Statement parsers: camt.052/.053/.054, MT940, BAI2, CSV; each returns :class:`StatementLine` values.

:func:`parse_statement` recognises the format from the bytes; the per-format functions are
there for callers that already know it.
"""

from __future__ import annotations

import re

from docket.cashapp.errors import UnknownStatementFormatError
from docket.cashapp.statements.bai2 import parse_bai2
from docket.cashapp.statements.camt import parse_camt
from docket.cashapp.statements.csv_layout import CsvLayout, parse_csv
from docket.cashapp.statements.line import StatementLine
from docket.cashapp.statements.mt940 import parse_mt940

__all__ = ["CsvLayout", "StatementLine", "detect_format", "parse_bai2", "parse_camt", "parse_csv",
           "parse_mt940", "parse_statement"]

_MT940_START = re.compile(rb"^(?:\{1:[^}]*\}\{2:[^}]*\}(?:\{3:[^}]*\})?\{4:\s*)?:20:", re.MULTILINE)


def detect_format(data: bytes) -> str:
    """``camt``, ``mt940``, ``bai2`` or ``csv`` from the first bytes of a file.

    Raises :class:`UnknownStatementFormatError` (``CASHAPP_STATEMENT_UNKNOWN_FORMAT``) otherwise.
    """
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]
    if (head.startswith(b"<") and b"camt.05" in head) or b"BkToCstmr" in head:
        return "camt"
    if head.startswith(b"01,"):
        return "bai2"
    if _MT940_START.search(head):
        return "mt940"
    first_line = head.split(b"\n", 1)[0]
    if first_line.count(b",") + first_line.count(b";") + first_line.count(b"\t") >= 2 and b"\x00" not in head:
        return "csv"
    raise UnknownStatementFormatError("not a camt, MT940, BAI2 or CSV statement")


def parse_statement(data: bytes, *, csv_layout: CsvLayout | None = None) -> list[StatementLine]:
    """Every line of the statement in ``data``, whatever its format (see :func:`detect_format`)."""
    kind = detect_format(data)
    if kind == "camt":
        return parse_camt(data)
    if kind == "bai2":
        return parse_bai2(data)
    if kind == "mt940":
        return parse_mt940(data)
    return parse_csv(data, csv_layout)
