"""Till slips of many shops and regions: the training corpus of the receipt candidate ranker.

The generator's receipt families (``render_slips``) draw one kind of slip: the address centred under
the name and paid by card. Real till slips vary in what a ranker has to learn: the shop's registration
and tax numbers between its name and address, addresses of two to four lines with phone and e-mail
after them, several amounts after the items (subtotal, tax or service charge, rounding, the total, the
cash tendered and the change), totals under different labels, currency prefixes or none, and dates in
the region's order. This module draws such slips from general vocabularies (no real shop or slip is
copied) and writes them as text-layer PDFs or scans, each with a ``<id>.truth.json`` as the generator
does (``supplier_name``, ``supplier_address``, ``receipt_date``, ``total``).

    python -m devkit.corpus tills --out var/till-corpus --count 400 --seed 2032
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from devkit.corpus.damage import make_scan
from devkit.corpus.generate import Truth
from devkit.corpus.pen import Pen


@dataclass(frozen=True)
class Region:
    """How shops of one region print: legal forms, tax id label, currency, date order, places."""

    name: str
    legal_forms: tuple[str, ...]
    tax_label: tuple[str, ...]
    currency: tuple[str, ...]
    date_order: str  # dmy or mdy
    streets: tuple[str, ...]
    places: tuple[tuple[str, str], ...]  # (postcode pattern, city/state line)
    tax_names: tuple[str, ...]
    cash_rounding: bool
    countries: tuple[str, ...]


_REGIONS = (
    Region("asia", ("SDN BHD", "SDN. BHD.", "ENTERPRISE", "TRADING", "PTE LTD", "(M) SDN BHD"),
           ("GST ID", "GST REG NO", "SST ID", "TAX ID"), ("RM", "", "S$"), "dmy",
           ("JALAN", "LORONG", "PERSIARAN", "ROAD", "STREET", "AVENUE"),
           (("#####", "KUALA LUMPUR"), ("#####", "JOHOR BAHRU, JOHOR"), ("#####", "PETALING JAYA, SELANGOR"),
            ("######", "SINGAPORE"), ("#####", "SHAH ALAM, SELANGOR DARUL EHSAN"), ("#####", "PENANG")),
           ("GST 6%", "SST 6%", "SR 6%", "SERVICE CHARGE 10%"), True, ("MALAYSIA", "SINGAPORE")),
    Region("us", ("INC", "LLC", "CO.", "CORP"), ("TAX ID", "EIN"), ("$", ""), "mdy",
           ("MAIN ST", "BROADWAY", "OAK AVE", "MARKET ST", "ELM ST"),
           (("#####", "SPRINGFIELD, IL"), ("#####", "AUSTIN, TX"), ("#####", "PORTLAND, OR")),
           ("SALES TAX 8.25%", "TAX 7%"), False, ("USA",)),
    Region("uk", ("LTD", "LIMITED", "PLC"), ("VAT NO", "VAT REG"), ("£", "GBP", ""), "dmy",
           ("HIGH STREET", "STATION ROAD", "CHURCH LANE", "MILL ROAD"),
           (("AA# #AA", "LONDON"), ("AA## #AA", "MANCHESTER"), ("AA# #AA", "LEEDS")),
           ("VAT 20%",), False, ("UNITED KINGDOM",)),
    Region("eu", ("GmbH", "B.V.", "SARL", "S.L.", "S.r.l.", "AG", "KG"), ("USt-IdNr", "BTW", "TVA", "P.IVA", "VAT"),
           ("EUR", "€", ""), "dmy",
           ("Hauptstrasse", "Rue de la Gare", "Calle Mayor", "Via Roma", "Stationsweg", "Bahnhofstr."),
           (("#####", "Berlin"), ("#####", "Lyon"), ("#####", "Madrid"), ("#####", "Milano"), ("#### AA", "Utrecht")),
           ("MwSt 19%", "TVA 20%", "IVA 21%", "BTW 9%"), False, ("Deutschland", "France", "España", "Italia")),
)

_SHOP_WORDS = ("GOLDEN", "SUNRISE", "EVERGREEN", "HAPPY", "CITY", "PRIMA", "ROYAL", "ORCHID", "LUCKY", "GREEN LEAF",
               "STAR", "OCEAN", "PEARL", "MAPLE", "BRIGHT", "UNITED", "PACIFIC", "NORTH", "SILVER", "METRO")
_SHOP_KINDS = ("HARDWARE", "BOOKSTORE", "BAKERY", "RESTAURANT", "STATIONERY", "MART", "PHARMACY", "CAFE",
               "KITCHEN", "SUPERMARKET", "AUTO PARTS", "FLORIST", "ELECTRICAL", "TEA HOUSE", "OPTICAL")
_ITEMS = ("NOTEBOOK A5", "PEN BLUE", "BREAD LOAF", "MILK 1L", "COFFEE", "TEA", "NASI LEMAK", "CHICKEN RICE",
          "SCREWDRIVER", "PAINT BRUSH", "TAPE 24MM", "BATTERY AA", "TISSUE BOX", "WATER 500ML", "SANDWICH",
          "ENVELOPE", "CABLE TIE", "NOODLES", "ORANGE JUICE", "GLUE STICK", "LIGHT BULB", "FILE FOLDER")
_TOTAL_LABELS = ("TOTAL", "TOTAL AMOUNT", "GRAND TOTAL", "NET TOTAL", "TOTAL (INCL. TAX)", "AMOUNT DUE",
                 "TOTAL SALES", "Total", "TOTAL RM", "NETT TOTAL")
_RECEIPT_TITLES = ("TAX INVOICE", "RECEIPT", "SIMPLIFIED TAX INVOICE", "CASH RECEIPT", "OFFICIAL RECEIPT", "")
_NUMBER_LABELS = ("INVOICE NO", "RECEIPT NO", "BILL NO", "DOC NO", "TRANS NO", "CHECK #")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_FOOTERS = ("THANK YOU", "THANK YOU, PLEASE COME AGAIN", "GOODS SOLD ARE NOT RETURNABLE", "HAVE A NICE DAY",
            "KEEP THIS RECEIPT FOR EXCHANGES")

WIDTH = 226.0


def _pattern(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randrange(10)) if c == "#" else rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") if c == "A" else c
                   for c in pattern)


def _money(value: Decimal, comma: bool) -> str:
    text = f"{value:,.2f}"
    return text.replace(",", " ").replace(".", ",") if comma else text


@dataclass(frozen=True)
class Till:
    """One slip's content: what is printed and the labels of the four ranked fields."""

    name: str
    header_lines: tuple[str, ...]  # registration / tax lines between name and address
    address_lines: tuple[str, ...]
    contact_lines: tuple[str, ...]
    title: str
    meta: tuple[tuple[str, str], ...]
    items: tuple[tuple[str, str, str], ...]  # description, quantity line, amount
    after_items: tuple[tuple[str, str], ...]  # label, amount text (the total among them)
    footer: str
    centred: bool
    date: dt.date
    total: Decimal


def _date_text(rng: random.Random, date: dt.date, order: str) -> str:
    style = rng.randrange(4)
    if style == 0:
        return f"{date.day:02d} {_MONTHS[date.month - 1]} {date.year}"
    if style == 1:
        return date.isoformat() if rng.random() < 0.5 else f"{date.year}{date.month:02d}{date.day:02d}"
    year = f"{date.year % 100:02d}" if style == 2 else str(date.year)
    sep = rng.choice("/-.")
    first, second = (date.month, date.day) if order == "mdy" else (date.day, date.month)
    return f"{first:02d}{sep}{second:02d}{sep}{year}"


def make_till(rng: random.Random) -> Till:
    """A slip drawn from the vocabularies above."""
    region = rng.choice(_REGIONS)
    name = f"{rng.choice(_SHOP_WORDS)} {rng.choice(_SHOP_KINDS)} {rng.choice(region.legal_forms)}"
    if region.name == "eu":
        name = name.title().replace("Gmbh", "GmbH").replace("B.v.", "B.V.").replace("Sarl", "SARL")
    header = []
    if rng.random() < 0.5:
        registration = _pattern(rng, "######-A" if region.name == "asia" else "########")
        header.append(f"({registration})" if region.name == "asia" else f"CO. REG {registration}")
    if rng.random() < 0.6:
        header.append(f"{rng.choice(region.tax_label)}: {_pattern(rng, '############')}")
    postcode, city = rng.choice(region.places)
    street = f"{rng.randrange(1, 300)}{rng.choice(['', ', ', ' '])}{rng.choice(region.streets)} {rng.randrange(1, 40)}"
    address = [f"NO. {street}" if region.name == "asia" and rng.random() < 0.5 else street]
    if rng.random() < 0.5:
        address.append(rng.choice(("TAMAN MEWAH", "BLOCK B", "UNIT 3-2", "SUITE 200", "2ND FLOOR", "Gewerbepark")))
    address.append(f"{_pattern(rng, postcode)} {city}")
    if rng.random() < 0.3:
        address.append(rng.choice(region.countries))
    contact = [f"TEL: {_pattern(rng, rng.choice(('###-#######', '+## ## #### ####', '(###) ###-####')))}"] \
        if rng.random() < 0.7 else []
    if rng.random() < 0.3:
        contact.append(f"EMAIL: shop{rng.randrange(100)}@example.com")
    date = dt.date(2017, 1, 1) + dt.timedelta(days=rng.randrange(2200))
    meta = [(rng.choice(_NUMBER_LABELS), _pattern(rng, rng.choice(("#######", "AA######", "##-#####")))),
            ("DATE", _date_text(rng, date, region.date_order))]
    if rng.random() < 0.6:
        meta.append(("TIME", f"{rng.randrange(8, 22):02d}:{rng.randrange(60):02d}"))
    if rng.random() < 0.4:
        meta.append((rng.choice(("CASHIER", "SERVED BY", "TABLE")), _pattern(rng, "##")))
    if rng.random() < 0.2:
        rng.shuffle(meta)
    comma = region.name == "eu" and rng.random() < 0.7
    items, subtotal = [], Decimal(0)
    for _ in range(rng.randrange(1, 8)):
        quantity, price = rng.choice((1, 1, 1, 2, 3, 5)), Decimal(rng.randrange(50, 9000)) / 100
        amount = price * quantity
        subtotal += amount
        items.append((rng.choice(_ITEMS), f"{quantity} x {_money(price, comma)}" if quantity > 1 else "",
                      _money(amount, comma)))
    after = []
    tax = Decimal(0)
    if rng.random() < 0.7:
        after.append((rng.choice(("SUBTOTAL", "SUB TOTAL", "TOTAL EXCL. TAX")), _money(subtotal, comma)))
        tax_name = rng.choice(region.tax_names)
        rate = Decimal(tax_name.rsplit(" ", 1)[-1].rstrip("%"))
        tax = (subtotal * rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        after.append((tax_name, _money(tax, comma)))
    total = subtotal + tax
    if region.cash_rounding and rng.random() < 0.5:
        rounded = (total * 20).quantize(Decimal(1), ROUND_HALF_UP) / 20
        after.append(("ROUNDING ADJ", _money(rounded - total, comma)))
        total = rounded.quantize(Decimal("0.01"))
    currency = rng.choice(region.currency)
    label = rng.choice(_TOTAL_LABELS)
    after.append((label, f"{currency} {_money(total, comma)}".strip() if currency and rng.random() < 0.6
                  else _money(total, comma)))
    if rng.random() < 0.55:
        tendered = (total / 10).to_integral_value(rounding=ROUND_CEILING) * 10 + rng.choice((0, 0, 10, 50))
        after.append(("CASH", _money(tendered, comma)))
        after.append(("CHANGE", _money(tendered - total, comma)))
    elif rng.random() < 0.5:
        after.append((rng.choice(("VISA", "MASTERCARD", "CARD", "DEBIT")), _money(total, comma)))
    if rng.random() < 0.3:
        after.append((f"TOTAL QTY: {sum(1 for _ in items)}", ""))
    return Till(name=name, header_lines=tuple(header), address_lines=tuple(address), contact_lines=tuple(contact),
                title=rng.choice(_RECEIPT_TITLES), meta=tuple(meta), items=tuple(items), after_items=tuple(after),
                footer=rng.choice(_FOOTERS), centred=rng.random() < 0.7, date=date, total=total)


def render_till(till: Till, font: str) -> bytes:
    """The slip as a one-page PDF on a till roll."""
    rows = 10 + len(till.header_lines) + len(till.address_lines) + len(till.contact_lines) + len(till.meta) \
        + 2 * len(till.items) + len(till.after_items)
    step = 11.0
    height = rows * step + 70
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(WIDTH, height), invariant=True, pageCompression=1)
    pen = Pen(canvas, font, 8.0)
    left, right, mid = 10.0, WIDTH - 10.0, WIDTH / 2
    x, align = (mid, "center") if till.centred else (left, "left")
    y = height - 24
    pen.text(x, y, till.name, bold=True, size=9.0, align=align)
    y -= step + 2
    for line in (*till.header_lines, *till.address_lines, *till.contact_lines):
        pen.text(x, y, line, align=align)
        y -= step
    if till.title:
        y -= 4
        pen.text(mid, y, till.title, bold=True, align="center")
        y -= step
    for label, value in till.meta:
        pen.text(left, y, f"{label}: {value}")
        y -= step
    canvas.setDash(2, 2)
    canvas.line(left, y + 8, right, y + 8)
    canvas.setDash()
    for description, quantity, amount in till.items:
        pen.text(left, y - 2, description)
        pen.text(right, y - 2, amount, align="right")
        y -= step
        if quantity:
            pen.text(left + 8, y - 2, quantity)
            y -= step
    canvas.line(left, y + 6, right, y + 6)
    y -= 4
    for label, amount in till.after_items:
        bold = label in _TOTAL_LABELS
        pen.text(left, y, label, bold=bold)
        pen.text(right, y, amount, bold=bold, align="right")
        y -= step
    pen.text(mid, y - 8, till.footer, align="center")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def write_tills(out: Path, count: int, seed: int) -> list[Truth]:
    """``count`` slips (one in three a text-layer PDF, the rest clean or damaged scans) and their truths."""
    out.mkdir(parents=True, exist_ok=True)
    truths = []
    for index in range(count):
        rng = random.Random(f"till:{seed}:{index}")
        till = make_till(rng)
        pdf = render_till(till, rng.choice(("courier", "helvetica", "dejavu_mono", "dejavu_condensed")))
        condition = ("text_layer", "clean_scan", "damaged_scan")[index % 3]
        doc_id = f"t{seed}-{index:05d}-receipt"
        damage: list[str] = []
        if condition == "text_layer":
            data, extension = pdf, "pdf"
        else:
            scan = make_scan(pdf, rng, damaged=condition == "damaged_scan")
            data, extension, damage = scan.data, scan.extension, list(scan.damage)
        fields = {"supplier_name": till.name, "supplier_address": " ".join(till.address_lines),
                  "receipt_date": till.date.isoformat(), "total": f"{till.total:.2f}"}
        truth = Truth(id=doc_id, document_type="receipt", layout="till", layout_split="dev", language="en",
                      condition=condition, damage=damage, file=f"{doc_id}.{extension}", pages=1, fields=fields,
                      line_items=[], seed=f"till:{seed}:{index}")
        (out / truth.file).write_bytes(data)
        (out / f"{doc_id}.truth.json").write_text(truth.to_json(), encoding="utf-8")
        truths.append(truth)
    return truths
