"""Printed values to canonical text: amounts, rates, dates, currencies, bank and tax IDs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docket.understanding.extract import Context
from docket.understanding.learn.candidates import pattern_dates
from docket.understanding.values import (
    NumberStyle,
    numeric_date_order,
    parse_amount,
    parse_bic,
    parse_currency,
    parse_date,
    parse_iban,
    parse_percent,
    parse_vat_id,
)
from tests.unit.capture.test_real_layouts import _page


@pytest.mark.parametrize(("printed", "expected"), [
    ("1,234.50", "1234.50"), ("1.234,50", "1234.50"), ("1 234,50", "1234.50"), ("1'234.50", "1234.50"),
    ("-1.234,50 €", "-1234.50"), ("€1.426,32-", "-1426.32"), ("(12.00)", "-12.00"), ("EUR 12,50", "12.50"),
    ("$10,494.44", "10494.44"), ("0,00", "0.00"), ("1.5", "1.5"),
])
def test_amounts_in_any_common_notation(printed: str, expected: str) -> None:
    assert Decimal(parse_amount(printed) or "nan") == Decimal(expected)


def test_a_lone_three_digit_group_follows_the_document_style() -> None:
    assert parse_amount("1.234", NumberStyle(decimal=",")) == "1234"
    assert parse_amount("1,234", NumberStyle(decimal=".")) == "1234"
    assert parse_amount("1,234", NumberStyle(decimal=",")) == "1.234"


@pytest.mark.parametrize("printed", ["abc", "12/03/2025", "INV-1234", "", "1.2.3"])
def test_non_amounts_are_not_amounts(printed: str) -> None:
    assert parse_amount(printed) is None


def test_rates() -> None:
    assert parse_percent("19 %") == "19"
    assert parse_percent("8,25%") == "8.25"
    assert parse_percent("250%") is None


@pytest.mark.parametrize("printed", [
    "03.04.2025", "2025-04-03", "3 April 2025", "April 3, 2025", "3. April 2025", "3 avril 2025",
    "3 de abril de 2025", "3 april 2025", "03-Apr-2025", "3/4/2025",
])
def test_dates_in_five_languages(printed: str) -> None:
    assert parse_date(printed, day_first=True) == "2025-04-03"


def test_numeric_date_order_is_learned_from_unambiguous_dates() -> None:
    assert numeric_date_order(["Date 12/31/2025", "Due 01/02/2026"]) is False
    assert numeric_date_order(["Datum 31.12.2025"]) is True
    assert numeric_date_order(["01/02/2026"]) is None
    assert parse_date("01/02/2026", day_first=False) == "2026-01-02"


@pytest.mark.parametrize("printed", ["ORD #07 -REG #19- 10/03/2018 17:24:07", "REG#19-10/03/2018", "No 19-10/03/18"])
def test_a_number_before_a_date_does_not_make_the_date_a_two_digit_year(printed: str) -> None:
    # "19-10/03" would read 19 October 2003: its "year" runs on into "/2018", so it is the month
    assert parse_date(printed) == "2018-03-10"
    assert "2003-10-19" not in pattern_dates(printed) and "2018-03-10" in pattern_dates(printed)


def test_currencies_by_code_or_symbol() -> None:
    assert parse_currency("Total 12.00 GBP") == "GBP"
    assert parse_currency("€ 12,00") == "EUR"
    assert parse_currency("Total 12.00") is None


def test_iban_needs_a_valid_checksum() -> None:
    assert parse_iban("IBAN: DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert parse_iban("IBAN: DE88 3704 0044 0532 0130 00") is None


def test_bic_and_vat_ids() -> None:
    assert parse_bic("BIC: COBADEFFXXX") == "COBADEFFXXX"
    assert parse_vat_id("USt-IdNr.: DE 136 695 976") == "DE136695976"
    assert parse_vat_id("UID: CHE-123.456.788 MWST") == "CHE123456788MWST"
    assert parse_vat_id("Order 12345") is None


def test_one_ocr_slip_in_a_vat_id_is_repaired_only_when_the_checksum_agrees() -> None:
    # "DE136695976" is valid; "DE13669S976" (S for 5) is one confusion away.
    assert parse_vat_id("USt-IdNr.: DE13669S976") == "DE136695976"
    assert parse_vat_id("USt-IdNr.: DE999999999") is None


def test_iban_with_a_misread_country_prefix() -> None:
    assert parse_iban("IBAN: NI.91 ABNA 0417 1643 00") == "NL91ABNA0417164300"


def test_an_iban_never_passes_for_a_vat_id() -> None:
    assert parse_vat_id("IBAN: DE89 3704 0044 0532 0130 00") is None


def _order_of(*texts: str) -> bool:
    return Context.build([_page([(0.05, 0.1 + 0.03 * i, text) for i, text in enumerate(texts)])]).day_first


def test_only_us_dollar_amounts_make_an_undecided_date_month_first() -> None:
    assert _order_of("Date: 09/03/2018", "TOTAL $12.50") is False  # US habit
    assert _order_of("Date: 09/03/2018", "USD 100.00") is False
    # a "$" inside a word or of another dollar says nothing of the date order
    assert _order_of("Date: 09/03/2018", 'SR: C$ 3" (750) PAINT BRUSH', "TOTAL RM 332.30") is True
    assert _order_of("Date: 09/03/2018", "TOTAL S$12.50") is True
