"""Printed amounts in every common convention read to the same Decimal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docket.records.amounts import read_amount, read_percent, read_quantity
from docket.records.errors import AmountUnreadableError


@pytest.mark.parametrize("text", [
    "1.234,56", "1,234.56", "1 234,56", "1\u202f234,56", "1'234.56", "EUR 1.234,56", "1.234,56 €",
    "$1,234.56", "1234.56", "1234,56",
])
def test_conventions_read_the_same_value(text: str) -> None:
    assert read_amount(text).value == Decimal("1234.56")


def test_indian_grouping() -> None:
    assert read_amount("₹ 1,23,456.78").value == Decimal("123456.78")


@pytest.mark.parametrize("text", ["-1.234,56", "(1,234.56)", "1.234,56-", "-€ 1.234,56", "€ -1.234,56",
                                  "\u22121,234.56", "1,234.56 CR"])
def test_negative_forms(text: str) -> None:
    assert read_amount(text).value == Decimal("-1234.56")


def test_lone_separator_with_three_digits_follows_the_locale() -> None:
    assert read_amount("1.234", locale_separator=",").value == Decimal("1234")
    assert read_amount("1.234", locale_separator=".").value == Decimal("1.234")
    assert read_amount("1,234", locale_separator=",").value == Decimal("1.234")
    assert read_amount("1,234", locale_separator=".").value == Decimal("1234")


def test_lone_separator_without_locale_is_grouping_unless_integer_part_is_zero() -> None:
    assert read_amount("2.500").value == Decimal("2500")
    assert read_amount("0,125").value == Decimal("0.125")


def test_two_decimals_are_never_grouping() -> None:
    assert read_amount("12,50", locale_separator=".").value == Decimal("12.50")
    assert read_amount("12.5", locale_separator=",").value == Decimal("12.5")


@pytest.mark.parametrize("text", ["", "n/a", "12,34,5", "10 x 12.50"])
def test_unreadable_text_raises_with_stable_code(text: str) -> None:
    with pytest.raises(AmountUnreadableError) as caught:
        read_amount(text)
    assert caught.value.code == "RECORDS_AMOUNT_UNREADABLE"


@pytest.mark.parametrize(("text", "expected"), [("19%", "19"), ("7,7 %", "7.7"), ("0.19", "19"), ("0 %", "0"),
                                                ("5.5", "5.5"), ("MwSt. 19 %", "19"), ("TVA 5,5%", "5.5")])
def test_percentages(text: str, expected: str) -> None:
    assert read_percent(text) == Decimal(expected)


@pytest.mark.parametrize(("text", "expected"), [("2 Stk", "2"), ("5,5 h", "5.5"), ("pcs 10", "10"),
                                                ("1.000 kg", "1000"), ("0,250 l", "0.250")])
def test_quantities_ignore_their_units(text: str, expected: str) -> None:
    assert read_quantity(text, locale_separator=",") == Decimal(expected)
