"""Valid inputs of every kind the fuzzer starts from, built deterministically (no clock, no randomness).

Hostile inputs are these, mutated (:mod:`tests.unit.fuzz.cases`), or built hostile from the start.
"""

from __future__ import annotations

import io
from email.message import EmailMessage
from functools import cache

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A6
from reportlab.pdfgen import canvas

CAMT = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2025-04-03T10:00:00</CreDtTm></GrpHdr>
<Stmt><Id>STMT-42</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">250.50</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
<Ntry><Amt Ccy="EUR">150.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2025-04-03</Dt></BookgDt>
<NtryDtls><TxDtls><RmtInf><Ustrd>INV-1 payment</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""

UBL = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:ID>UBL-1</cbc:ID><cbc:IssueDate>2026-11-03</cbc:IssueDate><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
<cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Acme</cbc:Name></cac:PartyName></cac:Party>
</cac:AccountingSupplierParty><cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">119.00</cbc:PayableAmount>
</cac:LegalMonetaryTotal></Invoice>"""

CII = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocument><ram:ID>CII-1</ram:ID><ram:TypeCode>380</ram:TypeCode>
<ram:IssueDateTime><udt:DateTimeString format="102">20261103</udt:DateTimeString></ram:IssueDateTime>
</rsm:ExchangedDocument><rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeSettlement>
<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode><ram:SpecifiedTradeSettlementHeaderMonetarySummation>
<ram:GrandTotalAmount>119.00</ram:GrandTotalAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>
</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"""

MT940 = (b":20:STMT-7\r\n:25:DE89370400440532013000\r\n:28C:1/1\r\n:60F:C250403EUR100,00\r\n"
         b":61:2504030403C50,00NTRFNONREF\r\n:86:INV-1 payment\r\n:62F:C250403EUR150,00\r\n")

BAI2 = (b"01,BANKID,CUSTID,250403,0800,1,,,2/\n02,CUSTID,BANKID,1,250403,,USD,2/\n"
        b"03,123456789,USD,010,10000,,,015,25000,,/\n16,175,15000,,REF1,INV-1/\n88,payment for INV-1\n"
        b"49,40000,3/\n98,40000,1,5/\n99,40000,1,7/\n")

VENDORS_CSV = (b"legal_entity,party_id,name,vat_id,country,address,ibans,bic,default_gl_account,tax_code,cost_center,"
               b"payment_terms,currency,aliases,erp_id,active\n"
               b"DE01,V-1001,Muster B\xc3\xbcrobedarf GmbH,DE136695976,DE,\"Hauptstra\xc3\x9fe 1, 10115 Berlin\","
               b"DE89370400440532013000,COBADEFFXXX,6815,VSt19,1000,30 days net,EUR,Muster;Acme,17,true\n")
OPEN_ITEMS_CSV = (b"legal_entity,item_id,customer_id,invoice_number,invoice_date,due_date,currency,amount_total,"
                  b"amount_open,structured_reference,erp_id\n"
                  b"DE01,OI-10023,C-2001,INV-10023,2026-10-20,2026-11-19,EUR,1190.00,1190.00,RF18539007547034,I1\n")


def _text_pdf(lines: list[str], pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A6, invariant=True)  # invariant: no date or random id in the bytes
    for _ in range(pages):
        y = 380
        for line in lines:
            pdf.drawString(20, y, line)
            y -= 14
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


INVOICE_LINES = ["INVOICE", "Acme Office Supplies Ltd", "Invoice number: INV-1001", "Invoice date: 03.11.2026",
                 "VAT ID DE136695976", "IBAN DE89 3704 0044 0532 0130 00", "Net 100.00", "VAT 19% 19.00",
                 "Total due EUR 119.00"]


def _image(fmt: str, size: tuple[int, int] = (96, 64), **save: object) -> bytes:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.text((4, 4), "INV 1", fill="black")
    draw.rectangle((4, 40, 60, 50), outline="black")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return buffer.getvalue()


def _tiff_pages(pages: int) -> bytes:
    frames = [Image.new("L", (64, 48), 255 - 40 * i) for i in range(pages)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def mail_with(attachment: bytes, filename: str, maintype: str = "application", subtype: str = "pdf", *,
              html: str | None = None) -> bytes:
    """A plain mail (optionally with an HTML alternative) carrying one attachment."""
    message = EmailMessage()
    message["From"] = "Acme Billing <billing@acme.example>"
    message["To"] = "ap@docket.example"
    message["Subject"] = "Invoice INV-1001"
    message["Date"] = "Tue, 03 Nov 2026 09:15:00 +0100"
    message["Message-ID"] = "<inv-1001@acme.example>"
    message.set_content("Please find our invoice attached.")
    if html is not None:
        message.add_alternative(html, subtype="html")
    message.add_attachment(attachment, maintype=maintype, subtype=subtype, filename=filename)
    for number, part in enumerate(message.walk()):  # fixed boundaries: the stdlib would draw random ones
        if part.is_multipart():
            part.set_boundary(f"docket-seed-{number}")
    return message.as_bytes()


@cache
def documents() -> dict[str, list[bytes]]:
    """Seed files by kind (the kinds capture and the sources read)."""
    pdf = _text_pdf(INVOICE_LINES)
    return {
        "pdf": [pdf, _text_pdf(INVOICE_LINES[:2], pages=2), _text_pdf([])],
        "png": [_image("PNG")],
        "jpeg": [_image("JPEG", quality=70)],
        "tiff": [_image("TIFF"), _tiff_pages(3)],
        "camt": [CAMT],
        "ubl": [UBL],
        "cii": [CII],
        "mt940": [MT940],
        "bai2": [BAI2],
        "csv": [VENDORS_CSV, OPEN_ITEMS_CSV],
        "eml": [mail_with(pdf, "inv.pdf"), mail_with(CAMT, "statement.xml", "application", "xml",
                                                     html="<p>Statement <b>attached</b></p>")],
    }
