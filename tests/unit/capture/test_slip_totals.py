"""Totals on till slips: a total adjusted by cash rounding right below it is not yet the amount due; the
tax a total includes and a count of items are not the total."""

from __future__ import annotations

import pytest

from tests.unit.capture.test_real_layouts import _fields, _page

HEAD = [
    (0.21, 0.10, "KEDAI MAJU JAYA SDN BHD"),
    (0.12, 0.14, "12, JALAN MAJU 3, 81100 JOHOR BAHRU"),
    (0.38, 0.21, "TAX INVOICE"),
    (0.05, 0.30, "NASI LEMAK"), (0.81, 0.30, "12.00"),
    (0.05, 0.32, "TEH TARIK"), (0.81, 0.32, "11.26"),
]
FOOT = [
    (0.05, 0.60, "29-10-2017 21:13 CASHIER T4"),
    (0.05, 0.64, "THANK YOU PLEASE COME AGAIN"),
]


def _read_all(*rows: tuple[float, float, str]) -> dict[str, str]:
    kind, fields = _fields(_page([*HEAD, *rows, *FOOT], width=1049.0, height=2169.0, source="ocr"))
    assert kind == "receipt"
    return fields


def _total(*rows: tuple[float, float, str]) -> str:
    return _read_all(*rows)["total"]


@pytest.mark.parametrize(("adjustment", "due"), [("-0.01", "23.25"), ("0.04", "23.30"), ("-RM 0.01", "23.25")])
def test_the_amount_after_a_rounding_printed_under_the_total_is_the_total(adjustment: str, due: str) -> None:
    assert _total((0.05, 0.36, "Total (Inclusive of GST):"), (0.77, 0.36, "23.26"),
                  (0.05, 0.38, "Rounding Adj:"), (0.77, 0.38, adjustment),
                  (0.05, 0.40, "TOTAL:"), (0.77, 0.40, due)) == due


def test_a_rounding_before_the_total_leaves_the_total_alone() -> None:
    assert _total((0.05, 0.36, "SUBTOTAL"), (0.77, 0.36, "23.26"),
                  (0.05, 0.38, "ROUNDING ADJ"), (0.77, 0.38, "-0.01"),
                  (0.05, 0.40, "TOTAL"), (0.77, 0.40, "23.25")) == "23.25"


def test_without_the_adjusted_amount_printed_the_total_stays() -> None:
    # the adjusted amount (23.25) is not on the slip: nothing says what was due but the total
    assert _total((0.05, 0.36, "TOTAL"), (0.77, 0.36, "23.26"),
                  (0.05, 0.38, "ROUNDING ADJ"), (0.77, 0.38, "-0.01"),
                  (0.05, 0.40, "VISA"), (0.77, 0.40, "23.26")) == "23.26"


def test_an_adjustment_larger_than_any_coin_is_no_rounding() -> None:
    assert _total((0.05, 0.36, "TOTAL"), (0.77, 0.36, "23.26"),
                  (0.05, 0.38, "PRICE ADJ"), (0.77, 0.38, "-3.26"),
                  (0.05, 0.40, "NET"), (0.77, 0.40, "20.00")) == "23.26"


def test_the_tax_a_total_includes_is_not_the_total() -> None:
    fields = _read_all((0.05, 0.40, "TakeOut Total(incl GST)"), (0.77, 0.40, "26.60"),
                   (0.05, 0.42, "Total Rounded"), (0.77, 0.42, "26.60"),
                   (0.05, 0.44, "Cash Tendered"), (0.77, 0.44, "100.00"),
                   (0.05, 0.46, "TOTAL INCLUDES 6% GST"), (0.77, 0.46, "1.51"))
    assert fields["total"] == "26.60"


def test_a_tax_total_and_a_count_of_items_lend_no_label_to_the_total() -> None:
    fields = _read_all((0.05, 0.40, "TOTAL QUANTITY"), (0.50, 0.40, "2"),
                   (0.05, 0.42, "SUB-TOTAL"), (0.77, 0.42, "26.60"),
                   (0.05, 0.44, "GST"), (0.77, 0.44, "1.60"),
                   (0.05, 0.46, "TOTAL"), (0.77, 0.46, "28.20"),
                   (0.05, 0.50, "GST SUMMARY"),
                   (0.05, 0.52, "TAX TOTAL:"), (0.77, 0.52, "1.60"))
    assert fields["total"] == "28.20" and fields["tax_total"] == "1.60"


def test_what_was_saved_is_not_the_total() -> None:
    fields = _read_all((0.05, 0.36, "TOTAL"), (0.77, 0.36, "26.00"),
                       (0.05, 0.38, "VISA"), (0.77, 0.38, "26.00"),
                       (0.05, 0.44, "Total Savings"), (0.77, 0.44, "-9.60"))
    assert fields["total"] == "26.00"
