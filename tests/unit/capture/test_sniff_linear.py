"""Type sniffing runs in linear time on the inputs that made its patterns backtrack."""

from __future__ import annotations

import pytest

from docket.reading.errors import UnsupportedTypeError
from docket.reading.sniff import BAI2, MT940, sniff_media_type
from tests.budget import within_cpu_budget

KB64 = 64 * 1024


def _sniff_or_code(data: bytes) -> str:
    try:
        return sniff_media_type(data)
    except UnsupportedTypeError as error:
        return error.code


def test_repeated_mt940_tags_without_a_balance_are_not_a_statement() -> None:
    data = b":20::25:" * (KB64 // 8)
    assert within_cpu_budget(_sniff_or_code, data, cpu_seconds=10) == "CAPTURE_UNSUPPORTED_TYPE"


def test_repeated_mt940_tags_with_a_balance_at_the_end_are_mt940() -> None:
    data = b":20::25:" * (KB64 // 8 - 2) + b":60F:C2"
    assert len(data) <= KB64
    assert within_cpu_budget(_sniff_or_code, data, cpu_seconds=10) == MT940


def test_many_bai2_file_headers_without_a_group_are_not_a_statement() -> None:
    data = b"01,\n" * (KB64 // 4)
    assert within_cpu_budget(_sniff_or_code, data, cpu_seconds=10) == "CAPTURE_UNSUPPORTED_TYPE"


def test_lines_of_spaces_between_bai2_headers_stay_linear() -> None:
    data = (b" " * 60 + b"\n01,x\n") * (KB64 // 67)
    assert within_cpu_budget(_sniff_or_code, data, cpu_seconds=10) == "CAPTURE_UNSUPPORTED_TYPE"


@pytest.mark.parametrize(("data", "expected"), [
    (b":20:REF\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C261201EUR100,00\n", MT940),
    (b":20:REF:25:ACC:60M:C1", MT940),
    (b":20:REF\n:60F:C1\n:25:ACC\n", "CAPTURE_UNSUPPORTED_TYPE"),  # the balance must follow the account
    (b":20:25:60F:", "CAPTURE_UNSUPPORTED_TYPE"),  # tags do not overlap
    (b"01,BANK,CUST,261201,0800,1,,,2/\n02,CUST,BANK,1,261201,,EUR,2/\n", BAI2),
    (b"  01,BANK\n\n   \n  02,GROUP", BAI2),
    (b"01,BANK\r\n03,ACC\r\n02,G\r\n", BAI2),
    (b"x01,BANK\n02,G\n", "CAPTURE_UNSUPPORTED_TYPE"),  # a header starts a line
    (b"01,BANK 02,G\n", "CAPTURE_UNSUPPORTED_TYPE"),  # the group header is a later line
    (b"02,G\n01,BANK\n", "CAPTURE_UNSUPPORTED_TYPE"),
])
def test_statement_recognition_is_unchanged(data: bytes, expected: str) -> None:
    assert _sniff_or_code(data) == expected
