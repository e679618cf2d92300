"""E-invoice test material: the committed real files, and hybrid PDFs made on the fly.

``hybrid_pdf`` prints an invoice page with reportlab (the values a test chooses, so a test can
doctor one) and attaches e-invoice XML as ``factur-x.xml`` with pypdfium2, the way a Factur-X
PDF/A-3 carries it.
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

DATA = Path(__file__).resolve().parents[2] / "data" / "einvoices"
EINFACH = DATA / "drafthorse" / "zugferd_2p3_EN16931_Einfach.xml"

# What zugferd_2p3_EN16931_Einfach.xml says (with a valid VAT id), as its printed copy shows it.
EINFACH_PRINT = {"number": "471102", "date": "15.11.2024", "supplier": "Lieferant GmbH", "vat_id": "DE136695976",
                 "net": "473,00", "tax": "56,87", "total": "529,87"}


VALID_VAT_ID = "DE136695976"  # the sample's DE123456789 fails its checksum; master data vendors have real ones


def einfach_xml(*, number: str = "471102", vat_id: str = VALID_VAT_ID, issued: str = "20241115") -> bytes:
    """The Einfach invoice's XML with its number, seller VAT id and issue date (``YYYYMMDD``) replaced."""
    xml = EINFACH.read_bytes().replace(b">20241115<", f">{issued}<".encode())
    return xml.replace(b"<ram:ID>471102</ram:ID>", f"<ram:ID>{number}</ram:ID>".encode()) \
        .replace(b">DE123456789<", f">{vat_id}<".encode())


def printed_invoice(values: dict[str, str]) -> bytes:
    """A one-page German invoice print with ``values`` (keys as in :data:`EINFACH_PRINT`)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    _, height = A4
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(50, height - 60, values["supplier"])
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, height - 78, "Lieferantenstraße 20, 80333 München")
    pdf.drawString(50, height - 92, f"USt-IdNr.: {values['vat_id']}")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(50, height - 140, "RECHNUNG")
    pdf.setFont("Helvetica", 10)
    for i, (label, value) in enumerate([("Rechnungsnummer:", values["number"]), ("Rechnungsdatum:", values["date"]),
                                        ("Währung:", "EUR")]):
        pdf.drawString(350, height - 140 - 16 * i, label)
        pdf.drawString(460, height - 140 - 16 * i, value)
    pdf.drawString(50, height - 230, "Kunden AG Mitte, Kundenstraße 15, 69876 Frankfurt")
    y = height - 280
    for column, text in zip((50, 300, 380, 470), ("Bezeichnung", "Menge", "Preis", "Betrag"), strict=True):
        pdf.drawString(column, y, text)
    for i, row in enumerate([("Trennblätter A4", "20", "9,90", "198,00"), ("Joghurt Banane", "50", "5,50", "275,00")]):
        for column, text in zip((50, 300, 380, 470), row, strict=True):
            pdf.drawString(column, y - 18 * (i + 1), text)
    for i, (label, value) in enumerate([("Nettobetrag:", values["net"]), ("Umsatzsteuer:", values["tax"]),
                                        ("Gesamtbetrag:", values["total"])]):
        pdf.drawString(350, y - 80 - 16 * i, label)
        pdf.drawString(470, y - 80 - 16 * i, f"{value} EUR")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def attach_xml(pdf_bytes: bytes, xml: bytes, name: str = "factur-x.xml") -> bytes:
    """``pdf_bytes`` with ``xml`` embedded as the attachment ``name``."""
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        pdf.new_attachment(name).set_data(xml)
        out = io.BytesIO()
        pdf.save(out)
    finally:
        pdf.close()
    return out.getvalue()


def hybrid_pdf(xml: bytes, **printed: str) -> bytes:
    """A Factur-X-style hybrid: the Einfach print (with ``printed`` overrides) carrying ``xml``."""
    return attach_xml(printed_invoice({**EINFACH_PRINT, **printed}), xml)
