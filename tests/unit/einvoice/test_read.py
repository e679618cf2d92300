"""Reading EN 16931 e-invoices: every syntax, the business terms with their provenance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.tryton.sink import _attachment_name
from docket.capture import capture_document
from docket.reading import sniff
from docket.reading.einvoice.read import read_einvoice
from docket.reading.errors import EinvoiceUnreadableError
from tests import factories
from tests.unit.einvoice.builders import DATA, EINFACH

CII_RABATTE = DATA / "drafthorse" / "zugferd_2p1_EN16931_Rabatte.xml"
UBL_CREDIT_NOTE = DATA / "zugferd-corpus" / "XML-Rechnung" / "UBL" / "ubl-tc434-creditnote1.xml"
UBL_XRECHNUNG = DATA / "zugferd-corpus" / "XML-Rechnung" / "UBL" / "XRECHNUNG_Einfach.ubl.xml"
CII_XRECHNUNG = DATA / "zugferd-corpus" / "XML-Rechnung" / "CII" / "XRECHNUNG_Einfach.cii.xml"
ZF1_PDF = DATA / "zugferd-corpus" / "ZUGFeRDv1" / "correct" / "Intarsys" / "ZUGFeRD_1p0_BASIC_Einfach.pdf"


def _fields(path: object, name: str = "x") -> dict[str, object]:
    (document,) = capture_document(path.read_bytes(), name)  # type: ignore[attr-defined]
    return {f.name: f for f in document.fields}


def test_xml_is_sniffed_by_its_namespace() -> None:
    assert sniff.sniff_media_type(EINFACH.read_bytes()) == sniff.CII
    assert sniff.sniff_media_type(UBL_CREDIT_NOTE.read_bytes()) == sniff.UBL


def test_cii_terms_carry_their_business_term_and_path() -> None:
    (document,) = capture_document(CII_RABATTE.read_bytes(), "rabatte.xml")
    fields = {f.name: f for f in document.fields}
    assert document.reading == "structured" and document.document_type == "invoice"
    assert (fields["invoice_number"].value, fields["invoice_number"].business_term) == ("471102", "BT-1")
    assert fields["invoice_date"].value == "2018-06-05" and fields["invoice_date"].raw_text == "20180605"
    assert fields["total"].value == "215.07" and fields["total"].business_term == "BT-112"
    assert fields["total"].xml_path is not None and fields["total"].xml_path.endswith("ram:GrandTotalAmount")
    assert fields["amount_due"].value == "165.07" and fields["prepaid_amount"].value == "50.00"
    assert fields["allowance_total"].value == "14.73" and fields["charge_total"].value == "5.80"
    assert fields["supplier_vat_id"].value == "DE123456789" and fields["supplier_tax_number"].value == "201/113/40209"
    assert fields["tax_1_rate"].value == "7.00" and fields["tax_1_base"].value == "129.37"
    assert fields["tax_2_amount"].business_term == "BT-117"
    assert all(f.confidence == 1.0 and f.method == "structured" and f.bbox is None for f in document.fields)
    assert not document.findings


def test_allowances_and_charges_become_lines_that_add_up_to_the_net_total() -> None:
    (document,) = capture_document(CII_RABATTE.read_bytes(), "rabatte.xml")
    amounts = [Decimal(next(f.value for f in item.fields if f.name == "amount")) for item in document.line_items]
    kinds = [next((f.value for f in item.fields if f.name == "kind"), "line") for item in document.line_items]
    assert kinds == ["line"] * 4 + ["allowance", "allowance", "charge"]
    assert sum(amounts) == Decimal("193.77")  # BT-109
    first = {f.name: f for f in document.line_items[0].fields}
    assert first["unit_price"].value == "3.3333" and first["quantity"].business_term == "BT-129"
    assert first["description"].value == "Kunstrasen grün 3m breit" and first["unit"].value == "MTK"


def test_ubl_credit_note_is_a_credit_note_with_its_terms() -> None:
    (document,) = capture_document(UBL_CREDIT_NOTE.read_bytes(), "cn.xml")
    fields = {f.name: f for f in document.fields}
    assert document.document_type == "credit_note"
    assert fields["invoice_number"].value == "018304 / 28865" and fields["type_code"].value == "381"
    assert fields["supplier_iban"].value == "BE91000000143476" and fields["supplier_bic"].value == "BPOTBEB1"
    assert fields["tax_1_category"].value == "E" and fields["tax_1_exemption_reason"].business_term == "BT-120"
    assert fields["supplier_name"].xml_path == ("/ubl:CreditNote/cac:AccountingSupplierParty/cac:Party/"
                                                "cac:PartyLegalEntity/cbc:RegistrationName")


@pytest.mark.parametrize("path", [UBL_XRECHNUNG, CII_XRECHNUNG])
def test_xrechnung_in_both_syntaxes_reads_the_same_invoice(path: object) -> None:
    fields = _fields(path)
    assert fields["customization_id"].value.endswith("xrechnung_3.0")
    assert (fields["buyer_reference"].value, fields["buyer_reference"].business_term) == ("04011000-12345-34", "BT-10")
    assert fields["invoice_number"].value == "471102" and Decimal(fields["total"].value) == Decimal("529.87")
    assert fields["supplier_iban"].value == "DE02120300000000202051"


def test_zugferd_1_pdf_is_read_from_its_embedded_xml() -> None:
    (document,) = capture_document(ZF1_PDF.read_bytes(), "zf1.pdf")
    fields = {f.name: f for f in document.fields}
    assert document.reading == "structured" and document.engine.startswith("cii-zugferd1+")
    assert document.page_count >= 1
    assert fields["invoice_number"].business_term == "BT-1" and fields["total"].xml_path is not None
    assert fields["invoice_number"].xml_path.startswith("/rsm:CrossIndustryDocument/rsm:HeaderExchangedDocument")


def test_malformed_xml_is_rejected_with_a_code() -> None:
    broken = EINFACH.read_bytes().replace(b"</rsm:CrossIndustryInvoice>", b"")
    with pytest.raises(EinvoiceUnreadableError) as raised:
        capture_document(broken, "broken.xml")
    assert raised.value.code == "CAPTURE_EINVOICE_UNREADABLE"


def test_entities_are_not_expanded() -> None:
    evil = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">'
            b'<rsm:ExchangedDocument><ram:ID xmlns:ram="urn:un:unece:uncefact:data:standard:'
            b'ReusableAggregateBusinessInformationEntity:100">&e;</ram:ID></rsm:ExchangedDocument>'
            b'</rsm:CrossIndustryInvoice>')
    invoice = read_einvoice(evil)
    number = invoice.value("invoice_number")
    assert number is None or "root:" not in number


def test_a_posted_e_invoice_keeps_its_original_xml_attached_under_an_xml_name() -> None:
    request = factories.posting_requested(blob_uri="blob:sha256:" + "ab" * 32)
    assert _attachment_name(request, EINFACH.read_bytes()) == "RE-2026-0815.xml"
    assert _attachment_name(request, b"%PDF-1.7\n...") == "RE-2026-0815.pdf"
