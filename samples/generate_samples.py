"""Makes the demo documents in samples/documents/ (run once; the files are committed).

    python samples/generate_samples.py [FILE NAME ...]   # all of them, or only the ones named

The suppliers are the vendors of the demo ERP (infra/tryton/configure_template.py), so the demo
resolves them from master data; one supplier is deliberately unknown, one scan is damaged a
little, one file is corrupt, and one invoice is sent twice as different files. The customer order
comes from Globex Retail AG, a customer of the demo ERP (the demo later pays its invoice by a
bank statement it writes at run time, since the invoice number is Tryton's).

The two e-invoices are public EN 16931 samples (the ZUGFeRD corpus' ``XRECHNUNG_Einfach.ubl.xml``
and python-drafthorse's ``zugferd_2p3_EN16931_Einfach.xml``, both Apache-2.0, committed under
tests/data/einvoices) re-addressed to the demo ERP's vendors: an XRechnung 3.0 UBL from Nordlicht
Logistik and a Factur-X PDF from Acme whose printed page shows what its XML says.

The CRM side: Globex's signed order form accepting the demo ERP's open quote, and its service
agreement (samples/crm_forms.py).
"""

from __future__ import annotations

import io
import random
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pypdfium2
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

OUT = Path(__file__).resolve().parent / "documents"
EINVOICES = Path(__file__).resolve().parents[1] / "tests" / "data" / "einvoices"
# Sample party → demo vendor, as text replacements (the sample's totals and lines stay as they are).
_BUYER = (("Kunden AG Mitte", "Docket Demo GmbH"), ("Kundenstraße 15", "Musterweg 5"),
          (">Frankfurt<", ">Berlin<"), (">69876<", ">10115<"))
_NORDLICHT = (("Lieferant GmbH", "Nordlicht Logistik AG"), ("Lieferantenstraße 20", "Speicherstadt 3"),
              ("München", "Hamburg"), ("80333", "20457"), ("DE123456789", "DE812526315"),
              (">471102<", ">NL-44187<"), ("2024-11-15", "2026-11-12"), ("2024-11-14", "2026-11-11"),
              ("bis 15.12.2024", "bis 12.12.2026"), ("bis 25.11.2024", "bis 22.11.2026"),
              ("Trennblätter A4", "Lagerlogistik Palettenplatz"), ("Joghurt Banane", "Zustellung Presse"))
_ACME = (("Lieferant GmbH", "Acme Office Supplies GmbH"), ("Lieferantenstraße 20", "Friedrichstraße 12"),
         ("München", "Berlin"), ("80333", "10117"), ("DE123456789", "DE136695976"),
         (">471102<", ">AC-2026-1203<"), (">20241115<", ">20261112<"), (">20241114<", ">20261111<"),
         ("bis 15.12.2024", "bis 12.12.2026"), ("bis 25.11.2024", "bis 22.11.2026"),
         ("Joghurt Banane", "Kaffee Bohnen 1 kg"))


def readdressed(path: Path, replacements: tuple[tuple[str, str], ...]) -> bytes:
    text = path.read_text(encoding="utf-8")
    for old, new in (*replacements, *_BUYER):
        text = text.replace(old, new)
    return text.encode("utf-8")


def facturx(xml: bytes) -> bytes:
    """Acme's printed invoice (the lines and totals its XML states) with the XML attached as
    ``factur-x.xml``, the way a Factur-X PDF/A-3 carries it."""
    acme = Invoice("Acme Office Supplies GmbH", "Friedrichstraße 12, 10117 Berlin, Germany", "DE136695976",
                   "DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "AC-2026-1203", "12.11.2026", "12.12.2026",
                   Decimal(19), (Line("Trennblätter A4", Decimal(20), Decimal("9.90")),), DE)
    printed = render(acme, extra_rates=((Line("Kaffee Bohnen 1 kg", Decimal(50), Decimal("5.50")), Decimal(7)),))
    pdf = pypdfium2.PdfDocument(printed)
    pdf.new_attachment("factur-x.xml").set_data(xml)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class Invoice:
    supplier: str
    address: str
    vat_id: str
    iban: str
    bic: str
    number: str
    date: str
    due: str
    rate: Decimal
    lines: tuple[Line, ...]
    labels: dict[str, str]


EN = {"title": "INVOICE", "number": "Invoice number:", "date": "Invoice date:", "due": "Due date:",
      "vat": "VAT ID:", "desc": "Description", "qty": "Qty", "price": "Unit price", "amount": "Amount",
      "net": "Net amount:", "tax": "VAT {rate}%:", "total": "Total due:", "bill": "Bill to:"}
DE = {"title": "RECHNUNG", "number": "Rechnungsnummer:", "date": "Rechnungsdatum:", "due": "Fällig am:",
      "vat": "USt-IdNr.:", "desc": "Bezeichnung", "qty": "Menge", "price": "Einzelpreis", "amount": "Betrag",
      "net": "Nettobetrag:", "tax": "MwSt. {rate}%:", "total": "Gesamtbetrag:", "bill": "Rechnung an:"}
FR = {"title": "FACTURE", "number": "Numéro de facture :", "date": "Date de facture :", "due": "Échéance :",
      "vat": "N° TVA :", "desc": "Désignation", "qty": "Qté", "price": "Prix unitaire", "amount": "Montant",
      "net": "Total HT :", "tax": "TVA {rate} % :", "total": "Total TTC :", "bill": "Facturé à :"}


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):.2f}"


def render(invoice: Invoice, extra_rates: tuple[tuple[Line, Decimal], ...] = ()) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    _, height = A4
    labels = invoice.labels
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(50, height - 60, invoice.supplier)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(50, height - 78, invoice.address)
    pdf.drawString(50, height - 92, f"{labels['vat']} {invoice.vat_id}")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(50, height - 140, labels["title"])
    pdf.setFont("Helvetica", 10)
    for i, (key, value) in enumerate([("number", invoice.number), ("date", invoice.date), ("due", invoice.due)]):
        pdf.drawString(330, height - 140 - 16 * i, labels[key])
        pdf.drawString(450, height - 140 - 16 * i, value)
    pdf.drawString(50, height - 210, f"{labels['bill']} Docket Demo GmbH, Musterweg 5, 10115 Berlin")
    y = height - 260
    for col, key in zip((50, 300, 370, 470), ("desc", "qty", "price", "amount"), strict=True):
        pdf.drawString(col, y, labels[key])
    net = Decimal(0)
    rated = [(line, invoice.rate) for line in invoice.lines] + list(extra_rates)
    taxes: dict[Decimal, Decimal] = {}
    for row, (line, rate) in enumerate(rated, start=1):
        amount = line.quantity * line.unit_price
        net += amount
        taxes[rate] = taxes.get(rate, Decimal(0)) + amount
        pdf.drawString(50, y - 18 * row, line.description)
        pdf.drawString(300, y - 18 * row, str(line.quantity))
        pdf.drawString(370, y - 18 * row, money(line.unit_price))
        pdf.drawString(470, y - 18 * row, money(amount))
    tax_rows = [(labels["tax"].format(rate=rate), (base * rate / 100).quantize(Decimal("0.01")))
                for rate, base in sorted(taxes.items())]
    tax = sum((amount for _, amount in tax_rows), Decimal(0))
    y -= 18 * (len(rated) + 3)
    for i, (label, value) in enumerate([(labels["net"], net), *tax_rows, (labels["total"], net + tax)]):
        pdf.drawString(330, y - 16 * i, label)
        pdf.drawString(470, y - 16 * i, f"{money(value)} EUR")
    pdf.drawString(50, 80, f"IBAN {invoice.iban}   BIC {invoice.bic}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scan(pdf_bytes: bytes, *, dpi: int = 200, seed: int = 7) -> bytes:
    """A slightly skewed, noisy greyscale scan of the first page, as PNG."""
    page = pypdfium2.PdfDocument(pdf_bytes)[0]
    image = page.render(scale=dpi / 72).to_pil().convert("L")
    image = image.rotate(0.8, expand=True, fillcolor=255).filter(ImageFilter.GaussianBlur(0.6))
    rng = random.Random(seed)
    pixels = image.load()
    for _ in range(image.width * image.height // 200):
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        pixels[x, y] = rng.choice((0, 90, 200))
    out = io.BytesIO()
    Image.Image.save(image, out, format="PNG", optimize=True)
    return out.getvalue()


def customer_order(seed: str = "demo-order-3") -> bytes:
    """A customer order from Globex Retail AG, drawn by the corpus generator (lines at 19 % VAT)."""
    from devkit.corpus.orders import customer_order as render_order

    return render_order(seed, buyer="Globex Retail AG", vat_id="DE811907980")[0]


def crm_files() -> dict[str, bytes]:
    """The CRM side of the demo: Globex's signed order form and its service agreement (samples/crm_forms.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from crm_forms import contract, order_form

    return {"11-globex-order-form.pdf": order_form(), "12-globex-contract.pdf": contract()}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    acme = Invoice("Acme Office Supplies GmbH", "Friedrichstraße 12, 10117 Berlin, Germany", "DE136695976",
                   "DE89 3704 0044 0532 0130 00", "COBADEFFXXX", "AC-2026-1187", "2026-11-03", "2026-12-03",
                   Decimal(19), (Line("Copy paper A4, 500 sheets", Decimal(20), Decimal("4.20")),
                                 Line("Delivery", Decimal(1), Decimal("8.00"))), EN)
    nordlicht = Invoice("Nordlicht Logistik AG", "Speicherstadt 3, 20457 Hamburg", "DE812526315",
                        "DE02 1203 0000 0000 2020 51", "BYLADEM1001", "NL-44120", "05.11.2026", "05.12.2026",
                        Decimal(19), (Line("Transport Berlin-Hamburg", Decimal(2), Decimal("180.00")),
                                      Line("Palettenmiete", Decimal(6), Decimal("7.50"))), DE)
    lumiere = Invoice("Papeterie Lumière SARL", "12 rue de la République, 69002 Lyon", "FR40303265045",
                      "FR14 2004 1010 0505 0001 3M02 606", "PSSTFRPPLYO", "F-2026-0391", "07/11/2026",
                      "07/12/2026", Decimal(20), (Line("Enveloppes C5 (boîte de 500)", Decimal(4),
                                                       Decimal("18.90")),), FR)
    unknown = Invoice("Brightwater Consulting Ltd", "1 Harbour Road, Bristol BS1 4QA", "GB980780684",
                      "GB33 BUKB 2020 1555 5555 55", "BUKBGB22", "BW-1009", "2026-11-10", "2026-12-10",
                      Decimal(19), (Line("Process review workshop", Decimal(2), Decimal("950.00")),), EN)
    acme_pdf = render(acme)
    files = {
        "01-acme-invoice.pdf": acme_pdf,
        "02-nordlicht-invoice-scan.png": scan(render(nordlicht)),
        "03-lumiere-facture.pdf": render(lumiere),
        "04-brightwater-invoice.pdf": render(unknown),
        # The same invoice again, re-sent by mail as a fresh PDF: other bytes, same invoice.
        "05-acme-invoice-resent.pdf": render(acme),
        "06-corrupt.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 8,
        "07-globex-order.pdf": customer_order(),
        "09-nordlicht-xrechnung.xml": readdressed(EINVOICES / "zugferd-corpus" / "XML-Rechnung" / "UBL" /
                                                  "XRECHNUNG_Einfach.ubl.xml", _NORDLICHT),
        "10-acme-facturx.pdf": facturx(readdressed(EINVOICES / "drafthorse" / "zugferd_2p3_EN16931_Einfach.xml",
                                                   _ACME)),
        **crm_files(),
    }
    wanted = set(sys.argv[1:])
    for name, data in files.items():
        if wanted and name not in wanted:
            continue
        (OUT / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
