"""Fresh text-layer invoices and credit notes from the demo ERP's vendors, for pipeline tests and benches.

The suppliers are the vendors the demo Tryton holds (infra/tryton/configure_template.py), so
enrichment resolves them from master data. Everything else — number, dates, lines, quantities,
prices, tax rates, number and date styles, layout — is drawn from a ``random.Random``, so each
call makes a new document and the same seed makes the same one. Rendering is ``devkit.corpus`` (the corpus the capture
accuracy bench scores), so what is printed is known exactly: ``DemoDocument.content`` is the truth.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from devkit.corpus.content import DocumentContent, Line, tax_rows
from devkit.corpus.formatting import NumberFormat
from devkit.corpus.layouts import layout_by_id
from devkit.corpus.parties import Company
from devkit.corpus.render import render_pdf


@dataclass(frozen=True)
class DemoVendor:
    """A vendor of the demo ERP as it prints itself: its code there, its identifiers, its tax rates."""

    code: str
    company: Company
    rates: tuple[Decimal, ...]


def _company(name: str, address: tuple[str, ...], country: str, vat_id: str, iban: str, bic: str) -> Company:
    return Company(name=name, address_lines=address, country=country, vat_id=vat_id, vat_id_printed=vat_id,
                   tax_number=None, iban=iban, iban_printed=" ".join(iban[i:i + 4] for i in range(0, len(iban), 4)),
                   bic=bic, phone="+49 30 1234 567", email="accounts@example.com")


ACME = DemoVendor("V-1001", _company("Acme Office Supplies GmbH", ("Friedrichstraße 12", "10117 Berlin"), "DE",
                                     "DE136695976", "DE89370400440532013000", "COBADEFFXXX"),
                  (Decimal(19), Decimal(7)))
NORDLICHT = DemoVendor("V-1003", _company("Nordlicht Logistik AG", ("Speicherstadt 3", "20457 Hamburg"), "DE",
                                          "DE812526315", "DE02120300000000202051", "BYLADEM1001"),
                       (Decimal(19), Decimal(7)))
VENDORS = (ACME, NORDLICHT)
# The demo company itself; no identifiers, so enrichment cannot mistake it for one of the ERP's customers.
BUYER = Company(name="Docket Demo GmbH", address_lines=("Musterweg 5", "10115 Berlin"), country="DE", vat_id=None,
                vat_id_printed=None, tax_number=None, iban=None, iban_printed=None, bic=None, phone="+49 30 5555 100",
                email="ap@docket-demo.example")

_ITEMS = (("Copy paper A4 80 g, 500 sheets", "box", Decimal(7)), ("Printer toner black", "pcs", Decimal(19)),
          ("Desk lamp LED", "pcs", Decimal(19)), ("Technical handbook", "pcs", Decimal(7)),
          ("Delivery", "pcs", Decimal(19)), ("Office chair, ergonomic", "pcs", Decimal(19)),
          ("Trade journal subscription", "pcs", Decimal(7)), ("Cable tray 2 m galvanised", "pcs", Decimal(19)))
# Development layout families whose reference block capture reads with full confidence. The "grid"
# families (invoice-03, invoice-07, credit-02: label above value) are read right but at 0.88 confidence,
# under the policy's 0.90 for invoice number and date, so they go to review by design.
LAYOUTS = ("invoice-01", "invoice-02", "invoice-04", "invoice-05", "invoice-06", "invoice-08")
CREDIT_LAYOUTS = ("credit-01", "credit-03")
# How German suppliers print English invoices: either convention for numbers, unambiguous dates.
NUMBER_STYLES = ("comma_dot", "plain_dot", "dot_comma")
DATE_STYLES = ("iso", "d_month_y", "dmy_dot")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class DemoDocument:
    """A rendered document and what it states."""

    pdf: bytes
    content: DocumentContent
    vendor: DemoVendor
    layout: str


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _lines(rng: random.Random, count: int, rates: tuple[Decimal, ...]) -> tuple[Line, ...]:
    """``count`` distinct items; when the vendor charges several rates, every rate appears at least once."""
    chosen = rng.sample(_ITEMS, count)
    if len(rates) > 1 and count >= len(rates) and len({rate for _, _, rate in chosen}) < len(rates):
        missing = next(item for item in _ITEMS if item[2] not in {rate for _, _, rate in chosen})
        chosen[-1] = missing
    lines = []
    for description, unit, rate in chosen:
        # At most 6 lines x 10 x 99.99 + 19 %: always under the policy's 10,000 EUR auto-post limit.
        quantity = Decimal(rng.choice((1, 2, 3, 4, 5, 6, 8, 10)))
        price = _cents(Decimal(rng.randint(150, 9999)) / 100)
        lines.append(Line(description=description, sku=f"A{rng.randint(1000, 99999)}", quantity=quantity,
                          unit=unit, unit_price=price, amount=_cents(quantity * price), tax_rate=rate))
    return tuple(lines)


def demo_document(rng: random.Random, *, document_type: str = "invoice", vendor: DemoVendor | None = None,
                  lines: int | None = None, layout: str | None = None,
                  issue_date: dt.date | None = None) -> DemoDocument:
    """A new ``invoice`` or ``credit_note`` from ``vendor`` (default: drawn) in English, rendered as a PDF.

    Credit notes print positive amounts and name the invoice they correct.
    """
    vendor = vendor or rng.choice(VENDORS)
    count = lines if lines is not None else rng.randint(2, 6)
    if not 1 <= count <= 6:
        raise ValueError(f"demo documents hold 1 to 6 lines, not {count}")
    items = _lines(rng, count, vendor.rates)
    taxes = tax_rows(items)
    net = sum((line.amount for line in items), Decimal("0.00"))
    tax = sum((row.amount for row in taxes), Decimal("0.00"))
    issued = issue_date or dt.date(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 300))
    prefix = "CN" if document_type == "credit_note" else "INV"
    content = DocumentContent(
        document_type=document_type, language="en", currency="EUR", issuer=vendor.company, counterparty=BUYER,
        number=f"{prefix}-{issued.year}-{rng.randint(10000, 99999)}", issue_date=issued,
        number_format=NumberFormat(rng.choice(NUMBER_STYLES)), date_style=rng.choice(DATE_STYLES), lines=items,
        taxes=taxes, net_total=net, tax_total=tax, total=net + tax)
    if document_type == "credit_note":
        content = replace(content, amends_number=f"INV-{issued.year}-{rng.randint(10000, 99999)}")
    else:
        content = replace(content, due_date=issued + dt.timedelta(days=30), payment_terms="Net 30 days")
    chosen = layout or rng.choice(CREDIT_LAYOUTS if document_type == "credit_note" else LAYOUTS)
    rendered = render_pdf(content, layout_by_id(chosen))
    return DemoDocument(pdf=rendered.pdf, content=content, vendor=vendor, layout=chosen)
