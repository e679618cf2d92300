"""Printed and canonical forms of numbers and dates (expected values written from the formats' spec)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from devkit.corpus.formatting import NumberFormat, canonical_amount, canonical_number, format_date, money


@pytest.mark.parametrize(("style", "expected"), [
    ("comma_dot", "1,234,567.50"), ("dot_comma", "1.234.567,50"), ("space_comma", "1\u00a0234\u00a0567,50"),
    ("apos_dot", "1'234'567.50"), ("plain_dot", "1234567.50"), ("plain_comma", "1234567,50"),
])
def test_number_styles(style: str, expected: str) -> None:
    assert NumberFormat(style).amount(Decimal("1234567.5")) == expected


def test_negative_amounts_keep_their_sign() -> None:
    assert NumberFormat("dot_comma").amount(Decimal("-12.3")) == "-12,30"
    assert NumberFormat("dot_comma", negative="suffix").amount(Decimal("-12.3")) == "12,30-"
    assert canonical_amount(Decimal("-1234.5")) == "-1234.50"


def test_quantities_and_rates() -> None:
    fmt = NumberFormat("dot_comma")
    assert fmt.quantity(Decimal("3")) == "3" and fmt.quantity(Decimal("2.5")) == "2,5"
    assert fmt.rate(Decimal("5.5")) == "5,5%"
    assert canonical_number(Decimal("19.00")) == "19" and canonical_number(Decimal("2.50")) == "2.5"


@pytest.mark.parametrize(("style", "language", "expected"), [
    ("dmy_dot", "de", "03.03.2025"), ("mdy_slash", "en", "03/04/2025"), ("iso", "nl", "2025-03-04"),
    ("d_month_y", "en", "4 March 2025"), ("d_month_y", "de", "4. März 2025"), ("d_month_y", "fr", "4 mars 2025"),
    ("d_month_y", "es", "4 de marzo de 2025"),
])
def test_date_styles(style: str, language: str, expected: str) -> None:
    day = dt.date(2025, 3, 3) if style == "dmy_dot" else dt.date(2025, 3, 4)
    assert format_date(day, style, language) == expected


def test_money_displays() -> None:
    fmt = NumberFormat("comma_dot")
    assert money(fmt, Decimal("5"), "EUR", "symbol_before") == "€5.00"
    assert money(fmt, Decimal("5"), "CHF", "symbol_before") == "CHF 5.00"
    assert money(fmt, Decimal("5"), "GBP", "code_after") == "5.00 GBP"
