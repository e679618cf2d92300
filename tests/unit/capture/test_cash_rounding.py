"""Cash rounding on till slips: a total adjusted right below it is not yet the amount due."""

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
    (0.05, 0.46, "29-10-2017 21:13 CASHIER T4"),
    (0.05, 0.50, "THANK YOU PLEASE COME AGAIN"),
]


def _total(*rows: tuple[float, float, str]) -> str:
    kind, fields = _fields(_page([*HEAD, *rows, *FOOT], width=1049.0, height=2169.0, source="ocr"))
    assert kind == "receipt"
    return fields["total"]


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
