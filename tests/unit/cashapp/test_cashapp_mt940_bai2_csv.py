"""MT940, BAI2 and CSV statements to statement lines; format detection."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import yaml

from docket.cashapp.errors import CsvLayoutError, StatementError, UnknownStatementFormatError
from docket.cashapp.statements import CsvLayout, detect_format, parse_bai2, parse_csv, parse_mt940, parse_statement
from tests.unit.cashapp.conftest import SAMPLES, sample


@pytest.mark.parametrize(("name", "kind"), [("statement.sta", "mt940"), ("lockbox.bai", "bai2"),
                                            ("bank_export_de.csv", "csv"), ("camt053_v08.xml", "camt")])
def test_detect_format(name: str, kind: str) -> None:
    assert detect_format(sample(name)) == kind


def test_unknown_bytes_are_refused() -> None:
    with pytest.raises(UnknownStatementFormatError) as raised:
        parse_statement(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert raised.value.code == "CASHAPP_STATEMENT_UNKNOWN_FORMAT"


def test_mt940_reads_both_statements_of_the_file() -> None:
    lines = parse_mt940(sample("statement.sta"))
    assert [line.amount for line in lines] == [Decimal("1190.00"), Decimal("2750.40"), Decimal("-12.50"),
                                               Decimal("500.00")]
    assert {line.statement_id for line in lines} == {"STARTUMSE/00214", "STMT-NL-0905/305"}


def test_mt940_german_subfields() -> None:
    first = parse_mt940(sample("statement.sta"))[0]
    assert first.payer_name == "ACME LOGISTICS GMBH"
    assert first.payer_account == "DE44500105175407324931"
    assert first.payer_bic == "INGDDEFFXXX"
    assert first.remittance_structured == "RF32INV2026004512"
    # the purpose was cut mid-number into 27-character subfields; it must read whole again
    assert "INV-2026-004512" in (first.remittance_text or "")
    assert first.value_date == date(2026, 11, 4)
    assert type(first.value_date) is date


def test_mt940_slash_codes() -> None:
    last = parse_mt940(sample("statement.sta"))[-1]
    assert last.payer_name == "ALPINE TOOLS AG"
    assert last.payer_account == "DE75512108001245126199"
    assert last.payer_bic == "SOGEDEFFXXX"
    assert "RE 2026-004490" in (last.remittance_text or "")


def test_mt940_bad_tag_is_refused() -> None:
    with pytest.raises(StatementError) as raised:
        parse_mt940(sample("mt940_bad_tag.sta"))
    assert raised.value.code == "CASHAPP_STATEMENT_MALFORMED"


def test_mt940_without_statement_is_refused() -> None:
    with pytest.raises(StatementError):
        parse_mt940(b"hello\nworld\n")


def test_bai2_amounts_in_minor_units_and_sign_from_type_code() -> None:
    lines = parse_bai2(sample("lockbox.bai"))
    assert [line.amount for line in lines] == [Decimal("3450.00"), Decimal("2000.00"), Decimal("-9.50")]
    assert all(line.currency == "USD" for line in lines)
    assert lines[0].booking_date == date(2026, 11, 4)


def test_bai2_continuation_text_and_payer() -> None:
    first, second, _ = parse_bai2(sample("lockbox.bai"))
    assert first.payer_name == "PIONEER SYSTEMS INC"
    assert first.remittance_text is not None and "2026-004703" in first.remittance_text
    assert second.payer_name == "ATLAS TRADING LLC"
    assert second.remittance_structured == "RF32INV2026004512"


def test_bai2_control_total_mismatch_is_refused() -> None:
    with pytest.raises(StatementError) as raised:
        parse_bai2(sample("bai2_bad_totals.bai"))
    assert raised.value.code == "CASHAPP_STATEMENT_MALFORMED"


def _german_layout() -> CsvLayout:
    return CsvLayout.from_mapping(yaml.safe_load((SAMPLES / "bank_export_de.yaml").read_text()))


def test_csv_layout_from_yaml_reads_german_numbers_dates_and_direction() -> None:
    lines = parse_csv(sample("bank_export_de.csv"), _german_layout())
    assert [line.amount for line in lines] == [Decimal("1190.00"), Decimal("2750.40"), Decimal("-12.50")]
    assert lines[1].value_date == date(2026, 11, 3)
    assert lines[1].booking_date == date(2026, 11, 4)
    assert lines[0].payer_account == "DE44500105175407324931"
    assert lines[0].remittance_structured == "RF32INV2026004512"
    assert lines[0].payment_id.endswith(":TX-1")


def test_csv_bad_row_fails_the_file_naming_the_row() -> None:
    with pytest.raises(StatementError) as raised:
        parse_csv(sample("bank_export_bad_row.csv"), _german_layout())
    assert raised.value.details["row"] == "3"


def test_csv_missing_column_is_refused() -> None:
    with pytest.raises(StatementError):
        parse_csv(sample("bank_export_de.csv"))  # the default layout's headers are not in this file


def test_csv_default_layout_with_credit_debit_columns() -> None:
    layout = CsvLayout(columns={"value_date": "date", "credit": "in", "debit": "out", "remittance_text": "memo"},
                       default_currency="GBP")
    data = b"date,in,out,memo\n2026-11-02,100.50,,INV 77\n2026-11-02,,20.00,fee\n"
    lines = parse_csv(data, layout)
    assert [line.amount for line in lines] == [Decimal("100.50"), Decimal("-20.00")]
    assert {line.currency for line in lines} == {"GBP"}


@pytest.mark.parametrize("raw", [
    {"columns": {"amount": "a"}},  # no date column
    {"columns": {"amount": "a", "value_date": "d"}},  # no currency column nor default
    {"columns": {"amount": "a", "value_date": "d", "colour": "c"}, "default_currency": "EUR"},
    {"delimiters": ";"},
])
def test_inconsistent_layouts_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(CsvLayoutError) as raised:
        CsvLayout.from_mapping(raw)
    assert raised.value.code == "CASHAPP_CSV_LAYOUT_INVALID"


def test_mt940_inside_swift_blocks() -> None:
    data = sample("statement_swift_blocks.sta")
    assert detect_format(data) == "mt940"
    lines = parse_statement(data)
    assert [line.amount for line in lines] == [Decimal("1190.00"), Decimal("2750.40"), Decimal("-12.50")]
