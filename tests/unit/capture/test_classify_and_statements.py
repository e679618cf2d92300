"""Classification of printed documents by title and of statement files by content."""

from __future__ import annotations

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from docket.capture import capture_document
from docket.errors import DocketError


def _titled_pdf(title: str, body: list[str]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(50, 790, title)
    pdf.setFont("Helvetica", 10)
    for index, line in enumerate(body):
        pdf.drawString(50, 740 - 16 * index, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.mark.parametrize(("title", "expected", "language"), [
    ("Rechnung", "invoice", "de"), ("Gutschrift", "credit_note", "de"), ("Facture d'avoir", "credit_note", "fr"),
    ("Bon de commande", "purchase_order", "fr"), ("Orden de compra", "purchase_order", "es"),
    ("Kassabon", "receipt", "nl"), ("Remittance Advice", "remittance_advice", "en"),
    ("Factuur", "invoice", "nl"), ("Auftragsbestätigung", "customer_order", "de"),
])
def test_titles_decide_the_type(title: str, expected: str, language: str) -> None:
    bodies = {"de": ["Datum: 01.02.2025", "Gesamt netto und Betrag"], "fr": ["Date : 01/02/2025", "Montant de la TVA"],
              "es": ["Fecha: 01/02/2025", "Importe y cantidad"], "nl": ["Datum: 01-02-2025", "Totaal bedrag en btw"],
              "en": ["Date: 2025-02-01", "Amount and total of the payment"]}
    [document] = capture_document(_titled_pdf(title, bodies[language]), "doc.pdf")
    assert document.document_type == expected
    assert document.language == language
    assert 0.5 <= document.type_confidence <= 1.0


def test_a_page_without_known_title_is_other_with_low_confidence() -> None:
    [document] = capture_document(_titled_pdf("Hello", ["Lorem ipsum dolor sit amet"]), "doc.pdf")
    assert document.document_type == "other"
    assert document.type_confidence < 0.5


CAMT = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2025-04-03T10:00:00</CreDtTm></GrpHdr>
<Stmt><Id>STMT-42</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">250.50</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
</Stmt></BkToCstmrStmt></Document>"""


def test_camt_statement_is_structured_with_its_summary() -> None:
    [document] = capture_document(CAMT, "statement.xml")
    fields = {f.name: f.value for f in document.fields}
    assert document.document_type == "bank_statement" and document.reading == "structured"
    assert fields["account"] == "DE89370400440532013000"
    assert fields["statement_id"] == "STMT-42"
    assert fields["currency"] == "EUR"
    assert fields["opening_balance"] == "100.00" and fields["closing_balance"] == "250.50"


MT940 = (b":20:STMT-7\r\n:25:DE89370400440532013000\r\n:28C:1/1\r\n:60F:C250403EUR100,00\r\n"
         b":61:2504030403C50,00NTRFNONREF\r\n:86:INV-1 payment\r\n:62F:C250403EUR150,00\r\n")


def test_mt940_statement_is_recognised_by_content() -> None:
    [document] = capture_document(MT940, "upload.txt")
    fields = {f.name: f.value for f in document.fields}
    assert document.document_type == "bank_statement"
    assert fields["account"] == "DE89370400440532013000"
    assert fields["statement_id"] == "STMT-7"


def test_malformed_camt_is_structured_invalid() -> None:
    broken = CAMT.replace(b"</Document>", b"")
    with pytest.raises(DocketError) as caught:
        capture_document(broken, "statement.xml")
    assert caught.value.code == "CAPTURE_STRUCTURED_INVALID"
