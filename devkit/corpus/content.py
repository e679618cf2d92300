"""What a generated document says, before any layout: parties, numbers, dates, lines, totals.

``make_content`` draws one document's content from a ``random.Random``. Amounts are Decimal and
internally consistent by construction: each line amount is quantity x unit price rounded to the
cent, the net total is the sum of line amounts, each tax row is its base x rate rounded, and the
total is net + tax (receipts print gross prices: tax is the share included in them).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from devkit.corpus.formatting import CENT, NumberFormat
from devkit.corpus.parties import CURRENCY_BY_COUNTRY, TAX_RATES, Company, make_company

_PRODUCTS: dict[str, tuple[tuple[str, str, int, int], ...]] = {
    # description, unit, min price, max price (whole currency units)
    "en": (("Copy paper A4 80 g, 500 sheets", "box", 3, 9), ("Consulting services", "h", 80, 180),
           ("Stainless steel bolts M8 x 40", "pcs", 1, 3), ("Shipping pallet, heat treated", "pcs", 12, 30),
           ("Cable tray 2 m galvanised", "pcs", 15, 45), ("Software licence, annual subscription", "pcs", 200, 900),
           ("Installation and commissioning on site", "h", 60, 120), ("Packing tape 50 mm brown", "roll", 2, 5),
           ("LED panel 60 x 60 cm neutral white", "pcs", 30, 70), ("Freight charges", "pcs", 20, 150),
           ("Safety gloves, size 9", "pair", 2, 8), ("Maintenance contract, quarterly fee", "pcs", 150, 600),
           ("Hydraulic oil HLP 46", "l", 3, 6), ("Copper cable 3 x 1.5 mm²", "m", 1, 3)),
    "de": (("Kopierpapier A4 80 g, 500 Blatt", "Karton", 3, 9), ("Beratungsleistung", "Std", 80, 180),
           ("Edelstahlschrauben M8 x 40", "Stk", 1, 3), ("Europalette, hitzebehandelt", "Stk", 12, 30),
           ("Kabelrinne 2 m verzinkt", "Stk", 15, 45), ("Softwarelizenz, Jahresabonnement", "Stk", 200, 900),
           ("Montage und Inbetriebnahme vor Ort", "Std", 60, 120), ("Packband 50 mm braun", "Rolle", 2, 5),
           ("LED-Panel 60 x 60 cm neutralweiß", "Stk", 30, 70), ("Frachtkosten", "psch", 20, 150),
           ("Schutzhandschuhe Größe 9", "Paar", 2, 8), ("Wartungsvertrag, Quartalspauschale", "psch", 150, 600),
           ("Hydrauliköl HLP 46", "l", 3, 6), ("Kupferkabel NYM-J 3 x 1,5 mm²", "m", 1, 3)),
    "fr": (("Papier A4 80 g, ramette de 500 feuilles", "carton", 3, 9), ("Prestation de conseil", "h", 80, 180),
           ("Vis inox M8 x 40", "pce", 1, 3), ("Palette Europe traitée", "pce", 12, 30),
           ("Chemin de câbles galvanisé 2 m", "pce", 15, 45), ("Licence logiciel, abonnement annuel", "pce", 200, 900),
           ("Installation et mise en service sur site", "h", 60, 120), ("Ruban adhésif 50 mm marron", "rouleau", 2, 5),
           ("Panneau LED 60 x 60 cm blanc neutre", "pce", 30, 70), ("Frais de port", "forfait", 20, 150),
           ("Gants de protection taille 9", "paire", 2, 8),
           ("Contrat de maintenance, forfait trimestriel", "forfait", 150, 600),
           ("Huile hydraulique HLP 46", "l", 3, 6), ("Câble cuivre 3 x 1,5 mm²", "m", 1, 3)),
    "es": (("Papel A4 80 g, paquete de 500 hojas", "caja", 3, 9), ("Servicios de consultoría", "h", 80, 180),
           ("Tornillos inoxidables M8 x 40", "ud", 1, 3), ("Palé europeo tratado", "ud", 12, 30),
           ("Bandeja portacables galvanizada 2 m", "ud", 15, 45),
           ("Licencia de software, suscripción anual", "ud", 200, 900),
           ("Instalación y puesta en marcha", "h", 60, 120), ("Cinta de embalar 50 mm marrón", "rollo", 2, 5),
           ("Panel LED 60 x 60 cm blanco neutro", "ud", 30, 70), ("Portes", "ud", 20, 150),
           ("Guantes de seguridad talla 9", "par", 2, 8),
           ("Contrato de mantenimiento, cuota trimestral", "ud", 150, 600),
           ("Aceite hidráulico HLP 46", "l", 3, 6), ("Cable de cobre 3 x 1,5 mm²", "m", 1, 3)),
    "nl": (("Kopieerpapier A4 80 g, 500 vel", "doos", 3, 9), ("Advieswerkzaamheden", "uur", 80, 180),
           ("RVS bouten M8 x 40", "st", 1, 3), ("Europallet, hittebehandeld", "st", 12, 30),
           ("Kabelgoot 2 m verzinkt", "st", 15, 45), ("Softwarelicentie, jaarabonnement", "st", 200, 900),
           ("Installatie en inbedrijfstelling op locatie", "uur", 60, 120),
           ("Verpakkingstape 50 mm bruin", "rol", 2, 5),
           ("LED-paneel 60 x 60 cm neutraalwit", "st", 30, 70), ("Vrachtkosten", "st", 20, 150),
           ("Werkhandschoenen maat 9", "paar", 2, 8), ("Onderhoudscontract, kwartaalbedrag", "st", 150, 600),
           ("Hydraulische olie HLP 46", "l", 3, 6), ("Koperkabel 3 x 1,5 mm²", "m", 1, 3)),
}
_RECEIPT_ITEMS: dict[str, tuple[str, ...]] = {
    "en": ("Coffee", "Sandwich", "Notebook", "Batteries AA 4x", "Water 0.5 l", "Parking", "Printer ink", "Croissant"),
    "de": ("Kaffee", "Belegtes Brötchen", "Notizblock", "Batterien AA 4x", "Wasser 0,5 l", "Parkgebühr",
           "Druckerpatrone", "Brezel"),
    "fr": ("Café", "Sandwich", "Carnet", "Piles AA x4", "Eau 50 cl", "Stationnement", "Cartouche d'encre", "Croissant"),
    "es": ("Café", "Bocadillo", "Cuaderno", "Pilas AA x4", "Agua 0,5 l", "Aparcamiento", "Cartucho de tinta",
           "Croissant"),
    "nl": ("Koffie", "Broodje", "Notitieblok", "Batterijen AA 4x", "Water 0,5 l", "Parkeren", "Inktcartridge",
           "Croissant"),
}
_TERMS: dict[str, tuple[str, ...]] = {
    "en": ("Net {d} days", "Payable within {d} days of invoice date", "{d} days net"),
    "de": ("Zahlbar innerhalb von {d} Tagen ohne Abzug", "{d} Tage netto", "Zahlungsziel {d} Tage"),
    "fr": ("Paiement à {d} jours", "Règlement à {d} jours date de facture", "{d} jours net"),
    "es": ("Pago a {d} días", "{d} días fecha factura", "Transferencia a {d} días"),
    "nl": ("Betaling binnen {d} dagen", "{d} dagen netto", "Te voldoen binnen {d} dagen"),
}
_NUMBER_STYLES: dict[str, tuple[str, ...]] = {
    "en": ("comma_dot", "comma_dot", "plain_dot"), "de": ("dot_comma", "dot_comma", "plain_comma"),
    "fr": ("space_comma", "thin_space_comma", "dot_comma"), "es": ("dot_comma", "plain_comma"),
    "nl": ("dot_comma", "plain_comma"),
}
_DATE_STYLES: dict[str, tuple[str, ...]] = {
    "US": ("mdy_slash", "month_d_y"), "GB": ("dmy_slash", "d_month_y", "d_mon_y", "iso"),
    "IE": ("dmy_slash", "d_month_y"), "de": ("dmy_dot", "dmy_dot", "d_month_y", "iso"),
    "fr": ("dmy_slash", "d_month_y", "dmy_dot"), "es": ("dmy_slash", "d_month_y", "dmy_dash"),
    "nl": ("dmy_dash", "d_month_y", "iso", "dmy_dot"),
}
_ORDER_PATTERNS = ("PO-{y}-{n:05d}", "BE{n:06d}", "{n:07d}", "ORD-{n:05d}", "{y}/PO/{n:04d}", "4500{n:06d}")
_NUMBER_PATTERNS = ("INV-{y}-{n:05d}", "RE{y}{n:05d}", "F{y}/{n:04d}", "{y}-{n:04d}", "FAC-{n:06d}",
                    "A {n:05d}", "{n:07d}", "INV{n:06d}")


@dataclass(frozen=True)
class Line:
    """One billed or ordered line. ``amount`` = quantity x unit_price, rounded to the cent."""

    description: str
    sku: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    tax_rate: Decimal


@dataclass(frozen=True)
class RemittanceLine:
    """One invoice settled by a remittance: ``amount_paid`` = invoice_amount - deduction."""

    invoice_number: str
    invoice_date: dt.date
    invoice_amount: Decimal
    deduction: Decimal
    amount_paid: Decimal


@dataclass(frozen=True)
class TaxRow:
    """One tax rate's base and amount (``amount`` = base x rate / 100, rounded to the cent)."""

    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class DocumentContent:
    """Everything one document states. ``issuer`` prints the document (supplier of an invoice or
    receipt, buyer of an order, payer of a remittance); ``counterparty`` is the addressee."""

    document_type: str
    language: str
    currency: str
    issuer: Company
    counterparty: Company | None
    number: str
    issue_date: dt.date
    number_format: NumberFormat
    date_style: str
    due_date: dt.date | None = None
    payment_terms: str | None = None
    po_number: str | None = None
    amends_number: str | None = None
    delivery_date: dt.date | None = None
    customer_number: str | None = None
    payment_reference: str | None = None
    lines: tuple[Line, ...] = ()
    remittance_lines: tuple[RemittanceLine, ...] = ()
    taxes: tuple[TaxRow, ...] = ()
    net_total: Decimal = Decimal("0.00")
    tax_total: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")
    extras: dict[str, str] = field(default_factory=dict)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _line_count(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.65:
        return rng.randint(1, 7)
    if roll < 0.9:
        return rng.randint(8, 18)
    return rng.randint(24, 48)  # long enough to run over several pages


def _lines(rng: random.Random, language: str, rates: tuple[Decimal, ...], count: int,
           sign: int) -> tuple[Line, ...]:
    lines = []
    for _ in range(count):
        description, unit, low, high = rng.choice(_PRODUCTS[language])
        if unit in {"h", "Std", "uur", "l", "m"} and rng.random() < 0.5:
            quantity = Decimal(rng.randint(1, 40)) / Decimal(2)
        else:
            quantity = Decimal(rng.choice((1, 1, 2, 3, 4, 5, 6, 10, 12, 20, 25, 50, 100)))
        price = _cents(Decimal(rng.randint(low * 100, high * 100)) / 100) * sign
        lines.append(Line(description=description, sku=f"{rng.choice('ABCKMPSTX')}{rng.randint(1000, 99999)}",
                          quantity=quantity, unit=unit, unit_price=price, amount=_cents(quantity * price),
                          tax_rate=rng.choice(rates)))
    return tuple(lines)


def tax_rows(lines: tuple[Line, ...]) -> tuple[TaxRow, ...]:
    """The tax breakdown ``lines`` print: one row per rate (highest first), tax rounded half up to the cent."""
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        bases[line.tax_rate] = bases.get(line.tax_rate, Decimal("0.00")) + line.amount
    return tuple(TaxRow(rate=rate, base=base, amount=_cents(base * rate / 100))
                 for rate, base in sorted(bases.items(), reverse=True))


def _doc_number(rng: random.Random, year: int, patterns: tuple[str, ...] = _NUMBER_PATTERNS) -> str:
    return rng.choice(patterns).format(y=year, n=rng.randint(1, 99999))


def _date(rng: random.Random) -> dt.date:
    return dt.date(2023, 1, 2) + dt.timedelta(days=rng.randint(0, 1400))


def make_content(document_type: str, language: str, rng: random.Random) -> DocumentContent:
    """One document's content of ``document_type`` in ``language``; deterministic in ``rng``."""
    issuer = make_company(language, rng)
    counterparty = make_company(language, rng, country=issuer.country if rng.random() < 0.7 else None)
    currency = CURRENCY_BY_COUNTRY.get(issuer.country, "EUR")
    style_key = issuer.country if issuer.country in {"US", "GB", "IE"} else language
    number_style = "apos_dot" if issuer.country == "CH" and rng.random() < 0.7 else rng.choice(
        _NUMBER_STYLES[language])
    negative = "suffix" if language == "de" and rng.random() < 0.3 else "prefix"
    issue_date = _date(rng)
    base = DocumentContent(
        document_type=document_type, language=language, currency=currency, issuer=issuer,
        counterparty=counterparty, number=_doc_number(rng, issue_date.year), issue_date=issue_date,
        number_format=NumberFormat(number_style, negative), date_style=rng.choice(_DATE_STYLES[style_key]))
    rates = tuple(Decimal(r) for r in TAX_RATES[issuer.country])
    used_rates = rates if rng.random() < 0.3 else rates[:1]
    if document_type in {"invoice", "credit_note", "purchase_order", "customer_order"}:
        return _commercial(base, rng, used_rates)
    if document_type == "receipt":
        return _receipt(base, rng, used_rates)
    return _remittance(base, rng)


def _commercial(base: DocumentContent, rng: random.Random, rates: tuple[Decimal, ...]) -> DocumentContent:
    sign = -1 if base.document_type == "credit_note" and rng.random() < 0.5 else 1
    count = _line_count(rng) if base.document_type != "credit_note" else rng.randint(1, 5)
    lines = _lines(rng, base.language, rates, count, sign)
    taxes = tax_rows(lines)
    net = sum((line.amount for line in lines), Decimal("0.00"))
    tax = sum((row.amount for row in taxes), Decimal("0.00"))
    days = rng.choice((0, 7, 14, 30, 30, 45, 60))
    commercial = base.document_type in {"invoice", "credit_note"}
    terms = rng.choice(_TERMS[base.language]).format(d=days) if commercial and days and rng.random() < 0.7 else None
    number = base.number if commercial else _doc_number(rng, base.issue_date.year, _ORDER_PATTERNS)
    return replace(
        base, number=number, lines=lines, taxes=taxes, net_total=net, tax_total=tax, total=net + tax,
        due_date=base.issue_date + dt.timedelta(days=days) if commercial and days and rng.random() < 0.75 else None,
        payment_terms=terms,
        po_number=f"PO-{rng.randint(10000, 99999)}" if commercial and rng.random() < 0.5 else None,
        amends_number=_doc_number(rng, base.issue_date.year) if base.document_type == "credit_note" else None,
        delivery_date=base.issue_date + dt.timedelta(days=rng.randint(3, 40)) if not commercial else None,
        customer_number=str(rng.randint(10000, 999999)) if rng.random() < 0.6 else None)


def _receipt(base: DocumentContent, rng: random.Random, rates: tuple[Decimal, ...]) -> DocumentContent:
    lines = []
    for _ in range(rng.randint(1, 9)):
        quantity = Decimal(rng.choice((1, 1, 1, 2, 3)))
        price = _cents(Decimal(rng.randint(80, 4500)) / 100)
        lines.append(Line(description=rng.choice(_RECEIPT_ITEMS[base.language]), sku="", quantity=quantity,
                          unit="", unit_price=price, amount=_cents(quantity * price), tax_rate=rng.choice(rates)))
    gross: dict[Decimal, Decimal] = {}
    for line in lines:
        gross[line.tax_rate] = gross.get(line.tax_rate, Decimal("0.00")) + line.amount
    # receipt prices include tax: the tax is the included share, the base what remains
    taxes = tuple(TaxRow(rate=rate, base=g - _cents(g * rate / (100 + rate)), amount=_cents(g * rate / (100 + rate)))
                  for rate, g in sorted(gross.items(), reverse=True))
    total = sum((line.amount for line in lines), Decimal("0.00"))
    tax = sum((row.amount for row in taxes), Decimal("0.00"))
    return replace(base, counterparty=None, lines=tuple(lines), taxes=taxes, net_total=total - tax,
                   tax_total=tax, total=total, number=str(rng.randint(1000, 999999)),
                   extras={"time": f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}"})


def _remittance(base: DocumentContent, rng: random.Random) -> DocumentContent:
    lines = []
    for _ in range(rng.randint(1, 12)):
        amount = _cents(Decimal(rng.randint(5000, 2500000)) / 100)
        deduction = _cents(amount * Decimal("0.02")) if rng.random() < 0.25 else Decimal("0.00")
        lines.append(RemittanceLine(invoice_number=_doc_number(rng, base.issue_date.year),
                                    invoice_date=base.issue_date - dt.timedelta(days=rng.randint(10, 70)),
                                    invoice_amount=amount, deduction=deduction, amount_paid=amount - deduction))
    total = sum((line.amount_paid for line in lines), Decimal("0.00"))
    return replace(base, remittance_lines=tuple(lines), net_total=total, total=total,
                   payment_reference=f"PAY{rng.randint(100000, 9999999)}")
