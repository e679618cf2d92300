"""Lines that look like totals on till slips but are not: the tax in the total, a count of items."""

from __future__ import annotations

from tests.unit.capture.test_real_layouts import _fields, _page

HEAD = [
    (0.21, 0.10, "KEDAI MAJU JAYA SDN BHD"),
    (0.12, 0.14, "12, JALAN MAJU 3, 81100 JOHOR BAHRU"),
    (0.38, 0.21, "TAX INVOICE"),
    (0.05, 0.30, "NASI LEMAK"), (0.81, 0.30, "12.00"),
    (0.05, 0.32, "TEH TARIK"), (0.81, 0.32, "14.60"),
]
FOOT = [(0.05, 0.60, "18/01/2018 10:27 CASHIER T4"), (0.05, 0.64, "THANK YOU PLEASE COME AGAIN")]


def _read(*rows: tuple[float, float, str]) -> dict[str, str]:
    kind, fields = _fields(_page([*HEAD, *rows, *FOOT], width=1049.0, height=2169.0, source="ocr"))
    assert kind == "receipt"
    return fields


def test_the_tax_a_total_includes_is_not_the_total() -> None:
    fields = _read((0.05, 0.40, "TakeOut Total(incl GST)"), (0.77, 0.40, "26.60"),
                   (0.05, 0.42, "Total Rounded"), (0.77, 0.42, "26.60"),
                   (0.05, 0.44, "Cash Tendered"), (0.77, 0.44, "100.00"),
                   (0.05, 0.46, "TOTAL INCLUDES 6% GST"), (0.77, 0.46, "1.51"))
    assert fields["total"] == "26.60"


def test_a_tax_total_and_a_count_of_items_lend_no_label_to_the_total() -> None:
    fields = _read((0.05, 0.40, "TOTAL QUANTITY"), (0.50, 0.40, "2"),
                   (0.05, 0.42, "SUB-TOTAL"), (0.77, 0.42, "26.60"),
                   (0.05, 0.44, "GST"), (0.77, 0.44, "1.60"),
                   (0.05, 0.46, "TOTAL"), (0.77, 0.46, "28.20"),
                   (0.05, 0.50, "GST SUMMARY"),
                   (0.05, 0.52, "TAX TOTAL:"), (0.77, 0.52, "1.60"))
    assert fields["total"] == "28.20" and fields["tax_total"] == "1.60"
