"""The company behind a till slip: the legal entity its header names wins over the shop's brand."""

from __future__ import annotations

from tests.unit.capture.test_real_layouts import _fields, _page

BODY = [
    (0.38, 0.40, "TAX INVOICE"),
    (0.05, 0.44, "NASI LEMAK"), (0.81, 0.44, "12.00"),
    (0.05, 0.48, "TOTAL"), (0.77, 0.48, "12.00"),
    (0.05, 0.52, "CASH"), (0.77, 0.52, "20.00"),
    (0.05, 0.54, "CHANGE"), (0.77, 0.54, "8.00"),
    (0.05, 0.58, "29-10-2017 21:13 CASHIER T4"),
    (0.05, 0.62, "THANK YOU PLEASE COME AGAIN"),
]


def _read(*header: tuple[float, float, str]) -> dict[str, str]:
    kind, fields = _fields(_page([*header, *BODY], width=1049.0, height=2169.0, source="ocr"))
    assert kind == "receipt"
    return fields


def test_the_legal_entity_under_the_brand_is_the_issuer_and_the_address_follows_it() -> None:
    fields = _read((0.30, 0.05, "Banh Mi Cafe"),
                   (0.12, 0.07, "Dimiliki: banh mi cafe sdn bhd 1110644-W"),
                   (0.15, 0.09, "No. 1 Jalan Puteri 7/10"),
                   (0.15, 0.11, "Bandar Puteri, 47100 Puchong"),
                   (0.20, 0.13, "(GST Reg. No : 000306700288)"))
    assert fields["supplier_name"] == "banh mi cafe sdn bhd"  # "owned by" and the registration number dropped
    assert fields["supplier_address"].startswith("No. 1 Jalan Puteri") and "1110644" not in fields["supplier_address"]


def test_a_legal_entity_over_the_outlet_wins_and_the_outlet_is_no_address_line() -> None:
    fields = _read((0.20, 0.05, "TRI SHAAS SDN BHD (728515-M)"),
                   (0.22, 0.07, "MYDIN MART SRI MUDA"),
                   (0.10, 0.09, "4-20, Jalan Ria 25/62 Taman Sri Muda"),
                   (0.10, 0.11, "Seksyen 25, 40400 Shah Alam Selangor"),
                   (0.10, 0.13, "Tel : 03-51217970"))
    assert fields["supplier_name"] == "TRI SHAAS SDN BHD"
    assert fields["supplier_address"].startswith("4-20, Jalan Ria")


def test_a_legal_form_alone_on_its_line_joins_the_name_above_it() -> None:
    fields = _read((0.30, 0.04, "Nando's"),
                   (0.25, 0.06, "PERi-PERI CHICKEN"),
                   (0.20, 0.08, "Nando's Chickenland Malaysia"),
                   (0.30, 0.10, "Sdn Bhd"),
                   (0.15, 0.12, "Unit G-13, Ground Floor, No.1"),
                   (0.15, 0.14, "50480 Kuala Lumpur"))
    assert fields["supplier_name"] == "Nando's Chickenland Malaysia Sdn Bhd"


def test_a_name_broken_over_two_lines_is_joined_before_any_legal_line_is_looked_for() -> None:
    fields = _read((0.30, 0.04, "POPULAR BOOK-"),
                   (0.30, 0.07, "CO. (M) SDN BHD"),
                   (0.20, 0.10, "(Company No. 113825-W)"),
                   (0.15, 0.12, "No 8, Jalan 7/118B, Desa Tun Razak"))
    assert fields["supplier_name"] == "POPULAR BOOK- CO. (M) SDN BHD"


def test_without_a_legal_entity_in_the_header_the_shops_name_stands() -> None:
    fields = _read((0.30, 0.05, "KEDAI KOPI MAJU"),
                   (0.15, 0.07, "12, Jalan Maju 3, 81100 Johor Bahru"),
                   (0.20, 0.09, "Tel 07-3507405"))
    assert fields["supplier_name"] == "KEDAI KOPI MAJU"


def test_a_name_whose_parenthesis_stays_open_takes_the_line_that_closes_it() -> None:
    fields = _read((0.30, 0.04, "AIK HUAT HARDWARE"),
                   (0.30, 0.06, "ENTERPRISE (SETIA"),
                   (0.30, 0.08, "ALAM) SDN BHD"),
                   (0.15, 0.10, "NO. 17-G, JALAN SETIA INDAH"),
                   (0.15, 0.12, "SEKSYEN U13, 40170 SHAH ALAM"))
    assert fields["supplier_name"] == "AIK HUAT HARDWARE ENTERPRISE (SETIA ALAM) SDN BHD"
    assert fields["supplier_address"].startswith("NO. 17-G")
