"""A whole extraction normalized into one record, raw values kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from docket.records.normalize import normalize_document
from tests.unit.records.records_builders import extracted, field, line

GERMAN_INVOICE = {
    "supplier_name": "  Müller Bürobedarf\nGmbH ", "supplier_vat_id": "DE 136 695 976",
    "supplier_iban": "DE89 3704 0044 0532 0130 00", "supplier_bic": "COBADEFF", "invoice_number": "RE-2025-001",
    "invoice_date": "03.04.2025", "due_date": "03.05.2025", "currency": "€", "net_total": "1.000,00",
    "tax_total": "190,00", "total": "1.190,00", "tax_1_rate": "19 %", "tax_1_amount": "190,00",
}


def test_german_invoice_normalizes_every_field() -> None:
    lines = [line(0, description="Papier A4", quantity="10", unit_price="100,00", amount="1.000,00", tax_rate="19%")]
    result = normalize_document(extracted(GERMAN_INVOICE, lines=lines))
    record = result.record
    assert record.supplier_name == "Müller Bürobedarf GmbH"
    assert record.supplier_vat_id == "DE136695976"
    assert record.supplier_iban == "DE89370400440532013000"
    assert record.supplier_bic == "COBADEFFXXX"
    assert record.supplier_country == "DE"
    assert (record.issue_date, record.due_date) == (date(2025, 4, 3), date(2025, 5, 3))
    assert (record.currency, record.net_total, record.tax_total, record.total) == (
        "EUR", Decimal("1000"), Decimal("190"), Decimal("1190"))
    assert record.tax_lines[0].rate == Decimal("19")
    assert record.lines[0].amount == Decimal("1000")
    assert result.findings == []


def test_every_normalization_keeps_its_raw_value() -> None:
    result = normalize_document(extracted(GERMAN_INVOICE))
    by_field = {n.field: n for n in result.normalizations}
    assert by_field["total"].raw == "1.190,00"
    assert by_field["total"].value == "1190.00"
    assert by_field["supplier_vat_id"].raw == "DE 136 695 976"
    assert by_field["currency"].raw == "€"
    assert by_field["invoice_date"].raw == "03.04.2025"


def test_us_vendor_reads_slashed_dates_and_amounts_its_way() -> None:
    fields = {"supplier_name": "Acme Inc", "supplier_vat_id": "12-3456789", "invoice_number": "1001",
              "invoice_date": "03/04/2025", "currency": "$", "total": "1,234"}
    record = normalize_document(extracted(fields), country="US").record
    assert record.issue_date == date(2025, 3, 4)
    assert record.total == Decimal("1234")
    assert record.currency == "USD"


def test_same_text_reads_day_first_for_a_french_vendor() -> None:
    fields = {"invoice_date": "03/04/2025", "total": "1,234"}
    record = normalize_document(extracted(fields), country="FR").record
    assert record.issue_date == date(2025, 4, 3)
    assert record.total == Decimal("1.234")


def test_negative_invoice_becomes_a_positive_credit_note() -> None:
    fields = {"invoice_number": "GS-7", "net_total": "-100,00", "tax_total": "-19,00", "total": "-119,00",
              "tax_1_rate": "19%", "tax_1_amount": "-19,00", "currency": "EUR"}
    lines = [line(0, description="Retoure", quantity="-2", unit_price="50,00", amount="-100,00")]
    result = normalize_document(extracted(fields, lines=lines))
    record = result.record
    assert record.document_type == "credit_note"
    assert (record.net_total, record.tax_total, record.total) == (Decimal("100"), Decimal("19"), Decimal("119"))
    assert record.tax_lines[0].amount == Decimal("19")
    assert (record.lines[0].quantity, record.lines[0].amount) == (Decimal("2"), Decimal("100"))
    assert any(n.field == "document_type" and n.raw == "invoice" and n.value == "credit_note"
               for n in result.normalizations)


def test_credit_note_printed_in_parentheses_stays_a_credit_note() -> None:
    record = normalize_document(extracted({"total": "(250.00)"}, document_type="credit_note")).record
    assert record.document_type == "credit_note"
    assert record.total == Decimal("250")


def test_bad_iban_becomes_an_error_finding_and_stays_empty() -> None:
    fields = {**GERMAN_INVOICE, "supplier_iban": "DE89 3704 0044 0532 0130 01"}
    result = normalize_document(extracted(fields))
    assert result.record.supplier_iban is None
    assert [(f.rule_id, f.severity, f.fields) for f in result.findings] == [
        ("NORMALIZE_IBAN_INVALID", "error", ["supplier_iban"])]


def test_unreadable_raw_amount_falls_back_to_a_canonical_extractor_value() -> None:
    doc = extracted({})
    doc = doc.model_copy(update={"fields": [field("total", "1.190,00 (incl. 19 %)", "1190.00")]})
    result = normalize_document(doc)
    assert result.record.total == Decimal("1190.00")
    assert result.normalizations[0].rule == "amount_from_extractor_value"


def test_unreadable_amount_without_canonical_value_is_a_finding() -> None:
    doc = extracted({}).model_copy(update={"fields": [field("total", "see page 2", "see page 2")]})
    result = normalize_document(doc)
    assert result.record.total is None
    assert result.findings[0].rule_id == "NORMALIZE_AMOUNT_UNREADABLE"


def test_currency_taken_from_the_symbol_printed_with_the_total() -> None:
    assert normalize_document(extracted({"total": "£ 1,200.00"})).record.currency == "GBP"


def test_due_date_derived_from_payment_terms() -> None:
    fields = {"invoice_date": "2025-04-03", "payment_terms": "Zahlbar innerhalb 30 Tagen netto"}
    result = normalize_document(extracted(fields))
    assert result.record.due_date == date(2025, 5, 3)
    assert any(n.rule == "due_from_payment_terms" for n in result.normalizations)


def test_ambiguous_date_without_any_evidence_is_flagged() -> None:
    result = normalize_document(extracted({"invoice_date": "05/06/2025"}))
    assert result.record.issue_date == date(2025, 6, 5)
    assert [f.rule_id for f in result.findings] == ["NORMALIZE_DATE_AMBIGUOUS"]


def test_zero_rate_tax_line_is_kept() -> None:
    fields = {"tax_1_rate": "0 %", "tax_1_base": "500,00", "tax_1_amount": "0,00"}
    tax = normalize_document(extracted(fields)).record.tax_lines
    assert [(t.rate, t.base, t.amount) for t in tax] == [(Decimal(0), Decimal(500), Decimal(0))]


def test_confidence_is_kept_per_field_and_line_cell() -> None:
    doc = extracted({"total": "10,00"}, lines=[line(0, amount="10,00")])
    confidence = normalize_document(doc).field_confidence
    assert set(confidence) == {"total", "line[0].amount"}


def test_charge_line_inside_a_negative_credit_note_keeps_its_direction() -> None:
    fields = {"net_total": "-95,00", "total": "-95,00"}
    lines = [line(0, description="Gutschrift", quantity="-2", unit_price="50,00", amount="-100,00"),
             line(1, description="Bearbeitungsgebühr", quantity="1", unit_price="10,00", amount="10,00"),
             line(2, description="Rabatt", quantity="1", unit_price="-5,00", amount="-5,00")]
    record = normalize_document(extracted(fields, lines=lines)).record
    assert [(ln.quantity, ln.unit_price, ln.amount) for ln in record.lines] == [
        (Decimal(2), Decimal(50), Decimal(100)), (Decimal(-1), Decimal(10), Decimal(-10)),
        (Decimal(1), Decimal(5), Decimal(5))]
    assert sum(ln.amount for ln in record.lines if ln.amount is not None) == record.net_total
