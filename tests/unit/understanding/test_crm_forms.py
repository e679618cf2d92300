"""CRM forms: classified by their title, read by their labels, carried on the record."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from reportlab.pdfgen import canvas

from docket.capture import capture_document
from docket.crm.record import crm_record
from docket.crm.terms import contract_terms
from docket.understanding.crm_forms import classify_crm, extract_crm

ORDER_FORM = """Signed Order Form
Customer: Globex Retail AG
Customer number: C-2001
Quote reference: Q-2026-014
Order number: OF-7781
Net amount: 4.800,00 EUR
Total: 5.712,00 EUR
Currency: EUR
Signature date: 01.03.2026""".splitlines()

CONTRACT = """Service Agreement
Contract number: K-2026-031
Customer: Globex Retail AG
Start date: 1 April 2026
Initial term: 12 months
Renewal: renews automatically for 12 months
Notice period: 3 months
Monthly fee: 400,00 EUR
Billing frequency: monthly""".splitlines()

CHANGE = """Änderung der Bankverbindung
Kunde: Globex Retail AG
Bisherige IBAN: DE75 5121 0800 1245 1261 99
Neue IBAN: DE29 1001 0010 0987 6543 21
New e-mail: ap@globex.example
Street:
Hafenstraße 12""".splitlines()


def _values(lines: list[str], kind: str) -> dict[str, str]:
    fields, _ = extract_crm(lines, kind)
    return {field.name: field.value for field in fields}


def test_each_form_is_classified_by_its_title() -> None:
    assert [c.document_type if c else None for c in map(classify_crm, (ORDER_FORM, CONTRACT, CHANGE))] == [
        "order_form", "contract", "customer_change"]


def test_an_invoice_naming_a_contract_number_is_no_contract() -> None:
    invoice = ["Rechnung", "Contract no: 4711", "Rechnungsnummer: RE-1", "Total: 119,00 EUR"]

    assert classify_crm(invoice) is None


def test_an_order_form_gives_its_customer_quote_amount_and_signature_date() -> None:
    values = _values(ORDER_FORM, "order_form")

    assert values["buyer_name"] == "Globex Retail AG"
    assert (values["opportunity_reference"], values["order_number"]) == ("Q-2026-014", "OF-7781")
    assert (values["net_total"], values["total"], values["currency"]) == ("4800.00", "5712.00", "EUR")
    assert values["signature_date"] == "2026-03-01"


def test_a_contract_gives_its_terms_and_the_renewal_and_notice_dates_follow() -> None:
    fields, missing = extract_crm(CONTRACT, "contract")
    crm = crm_record(fields)

    assert (crm.contract_number, crm.start_date, crm.term_months) == ("K-2026-031", date(2026, 4, 1), 12)
    assert (crm.auto_renewal, crm.notice_days, crm.value, crm.billing_frequency) == (
        True, 90, Decimal("400.00"), "monthly")
    terms = contract_terms(crm)
    assert terms is not None
    assert (terms.end_date, terms.renewal_date, terms.notice_date) == (
        date(2027, 3, 31), date(2027, 4, 1), date(2026, 12, 31))
    assert missing == []  # the fee's "EUR" states the currency
    assert {field.name: field.value for field in fields}["currency"] == "EUR"


def test_a_change_form_gives_old_and_new_bank_details_and_a_value_on_the_next_line() -> None:
    fields, _ = extract_crm(CHANGE, "customer_change")
    values = {field.name: field for field in fields}

    assert values["new_iban"].value == "DE29100100100987654321"
    assert values["old_iban"].value == "DE75512108001245126199"
    assert values["email"].value == "ap@globex.example"
    assert (values["street"].value, values["street"].confidence) == ("Hafenstraße 12", 0.8)
    assert values["buyer_name"].confidence == 0.9


def test_a_captured_contract_pdf_is_typed_and_read_as_a_contract() -> None:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for index, line in enumerate(CONTRACT):
        pdf.drawString(72, 780 - 18 * index, line)
    pdf.save()

    captured, = capture_document(buffer.getvalue(), "contract.pdf", "application/pdf")

    assert captured.document_type == "contract"
    values = {field.name: field.value for field in captured.fields}
    assert (values["contract_number"], values["start_date"]) == ("K-2026-031", "2026-04-01")
