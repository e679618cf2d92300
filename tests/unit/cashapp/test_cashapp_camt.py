"""camt.053 (.02 and .08) and camt.054 statements to statement lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from docket.cashapp.errors import StatementError
from docket.cashapp.statements import detect_format, parse_camt, parse_statement
from tests.unit.cashapp.conftest import sample


def test_camt053_v02_reads_every_booked_line_signed_as_booked() -> None:
    lines = parse_camt(sample("camt053_v02.xml"))
    # 4 booked entries, one of them a batch of two; the pending entry is not a booked line
    assert [line.amount for line in lines] == [Decimal("1190.00"), Decimal("2750.40"), Decimal("-12.50"),
                                               Decimal("500.00"), Decimal("330.00")]
    assert {line.source_format for line in lines} == {"camt.053"}
    assert all(line.currency == "EUR" for line in lines)


def test_camt053_v02_fields_of_a_structured_credit() -> None:
    first = parse_camt(sample("camt053_v02.xml"))[0]
    assert first.payer_name == "ACME Logistics GmbH"
    assert first.payer_account == "DE44500105175407324931"
    assert first.payer_bic == "INGDDEFFXXX"
    assert first.remittance_structured == "RF32INV2026004512"
    assert first.booking_date == date(2026, 11, 4)
    assert first.bank_reference == "E2E-ACME-7781"
    assert first.end_to_end_id == "E2E-ACME-7781"
    assert first.account_servicer_reference == "2026110400017"


def test_camt_batch_transactions_keep_their_own_servicer_reference() -> None:
    lines = parse_camt(sample("camt053_v02.xml"))
    assert [line.account_servicer_reference for line in lines[-2:]] == ["B-0004-1", "B-0004-2"]
    assert all(line.end_to_end_id is None for line in lines[-2:])


def test_camt_unstructured_lines_are_joined_and_value_date_kept() -> None:
    second = parse_camt(sample("camt053_v02.xml"))[1]
    assert second.remittance_text == "Invoices INV-2026-004518, INV-2026-004530 less 2% skonto"
    assert second.value_date == date(2026, 11, 3)
    assert second.remittance_structured is None


def test_camt_batch_entries_become_one_line_each_with_distinct_ids() -> None:
    lines = parse_camt(sample("camt053_v02.xml"))
    batch = [line for line in lines if line.payment_id.endswith((":4.1", ":4.2"))]
    assert [b.payer_name for b in batch] == ["Alpine Tools AG", "Vega Media SAS"]
    assert len({line.payment_id for line in lines}) == len(lines)


def test_payment_ids_are_stable_across_parses() -> None:
    first = [line.payment_id for line in parse_camt(sample("camt053_v02.xml"))]
    second = [line.payment_id for line in parse_camt(sample("camt053_v02.xml"))]
    assert first == second


def test_camt053_v08_party_paths_bicfi_and_datetime_booking() -> None:
    lines = parse_camt(sample("camt053_v08.xml"))
    assert lines[0].payer_name == "Summit Pharma AG"
    assert lines[0].payer_bic == "CRESCHZZ80A"
    assert lines[0].currency == "CHF"
    assert lines[0].booking_date == date(2026, 11, 5)
    assert lines[0].remittance_structured == "RF18539007547034"
    assert lines[0].remittance_text == "INV-2026-004611"


def test_invalid_creditor_reference_is_not_structured_but_kept_as_text() -> None:
    line = parse_camt(sample("camt053_v08.xml"))[1]
    assert line.remittance_structured is None
    assert line.remittance_text is not None and "RF99" in line.remittance_text


def test_camt054_notification() -> None:
    lines = parse_statement(sample("camt054_v08.xml"))
    assert len(lines) == 1
    assert lines[0].source_format == "camt.054"
    assert lines[0].payer_account == "GB29NWBK60161331926819"
    assert lines[0].remittance_text == "INV 2026 004577 / INV-2O26-OO4578"


def test_truncated_camt_is_refused_with_stable_code() -> None:
    assert detect_format(sample("camt053_truncated.xml")) == "camt"
    with pytest.raises(StatementError) as raised:
        parse_statement(sample("camt053_truncated.xml"))
    assert raised.value.code == "CASHAPP_STATEMENT_MALFORMED"


def test_entry_without_amount_fails_the_whole_statement_naming_the_entry() -> None:
    with pytest.raises(StatementError) as raised:
        parse_camt(sample("camt053_entry_without_amount.xml"))
    assert raised.value.details["entry"] == "2"


def test_xml_that_is_not_a_bank_statement_is_refused() -> None:
    with pytest.raises(StatementError) as raised:
        parse_camt(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>')
    assert raised.value.code == "CASHAPP_STATEMENT_MALFORMED"


def test_external_entities_are_not_resolved() -> None:
    hostile = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               b'<Document><BkToCstmrStmt><Stmt><Id>S</Id><Ntry><Amt Ccy="EUR">1.00</Amt>'
               b'<CdtDbtInd>CRDT</CdtDbtInd><AddtlNtryInf>&x;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>')
    lines = parse_camt(hostile)
    assert "root:" not in (lines[0].remittance_text or "")


def test_entry_count_mismatch_with_the_banks_summary_is_refused() -> None:
    with pytest.raises(StatementError) as raised:
        parse_camt(sample("camt053_entry_missing.xml"))
    assert "5 entries" in raised.value.message
