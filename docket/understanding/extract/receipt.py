"""Till receipts: the shop's name heads the slip; items are name/amount lines, quantities
(``2 x 19.48``) on the line below."""

from __future__ import annotations

import re
from decimal import Decimal

from docket.reading.page import Word
from docket.understanding.extract.base import Context, Found, amount_of, assemble, line_items, word_confidence
from docket.understanding.extract.commercial import Extraction, read_currency, read_parties
from docket.understanding.extract.fields import read_labelled
from docket.understanding.extract.taxes import money_amounts
from docket.understanding.values import collapse, parse_date

RECEIPT_FIELDS = ["supplier_name", "supplier_address", "supplier_vat_id", "receipt_number", "receipt_date", "currency",
                  "tax_total", "total"]
_QTY_LINE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*[xX\u00d7*]\s*(\S+)\s*$")


def extract_receipt(ctx: Context) -> Extraction:
    """Fields, missing fields and item lines of a receipt."""
    found = read_labelled(ctx, RECEIPT_FIELDS)
    settled = settled_total(ctx)
    if settled is not None and ("total" not in found or found["total"].value != settled.value):
        found["total"] = settled
    if "receipt_date" not in found and (date := first_date(ctx, "receipt_date")) is not None:
        found["receipt_date"] = date
    read_parties(ctx, found, issuer_role="supplier", other_role="buyer", other_label="buyer",
                 address_field="supplier_address")
    found.pop("buyer_name", None)
    read_currency(ctx, found)
    rows = _item_lines(ctx)
    fields, missing = assemble(found, RECEIPT_FIELDS, ctx.engine)
    return Extraction(fields, missing, line_items(rows, ctx.engine), found)


_CASH = re.compile(r"\b(cash|tendered|tunai|bayar|paid|received|payment|visa|master|card|credit)\b", re.I)
_CHANGE = re.compile(r"\b(change|baki|kembali|balance)\b", re.I)
_ROUNDED = re.compile(r"\b(total\s+rounded|rounded\s+total|nett?\s+total|grand\s+total|total\s+(?:amount\s+)?"
                      r"payable|total\s+due|amount\s+due|total\s+(?:sales\s+)?\(?incl)", re.I)
_EXCLUDING = re.compile(r"\b(excl|excluding|before|sub\s*-?\s*total|w/o|without)\b", re.I)


def _line_amount(ctx: Context, index: int) -> tuple[Decimal, tuple[Word, ...]] | None:
    """The last money amount printed on line ``index``."""
    amounts = money_amounts(ctx, list(ctx.lines[index].words))
    if not amounts:
        return None
    value, words = amounts[-1]
    return Decimal(value), tuple(words)


def settled_total(ctx: Context) -> Found | None:
    """What the customer paid: tendered minus change when both are printed and the difference is an
    amount on the slip; else the amount of a final-total label ("TOTAL ROUNDED", "Grand Total",
    "Total (incl. GST)"), the lowest such line winning."""
    tendered = change = None
    printed: dict[Decimal, tuple[int, tuple[Word, ...]]] = {}
    final = None
    for index, line in enumerate(ctx.lines):
        amount = _line_amount(ctx, index)
        if amount is None:
            continue
        printed.setdefault(amount[0], (index, amount[1]))
        text = line.text
        if _CHANGE.search(text):
            change = amount[0]
        elif _CASH.search(text) and not _EXCLUDING.search(text):
            tendered = amount[0] if tendered is None else tendered
        if _ROUNDED.search(text) and not _EXCLUDING.search(text):
            final = (index, amount)
    if tendered is not None and change is not None and tendered - change in printed and tendered - change > 0:
        index, words = printed[tendered - change]
        return Found("total", str(tendered - change), words, ctx.lines[index].page, "derived",
                     0.9 * word_confidence(words))
    if final is not None:
        index, (value, words) = final
        return Found("total", str(value), words, ctx.lines[index].page, "label", 0.85 * word_confidence(words))
    return None


def first_date(ctx: Context, name: str) -> Found | None:
    """The first date printed anywhere (a slip states one date: the sale's)."""
    for line in ctx.lines:
        for segment in line.segments:
            value = parse_date(segment.text, day_first=ctx.day_first)
            if value is not None and 1990 <= int(value[:4]) <= 2099:
                return Found(name, value, segment.words, line.page, "pattern", 0.75 * word_confidence(segment.words))
    return None


def _item_lines(ctx: Context) -> list[dict[str, Found]]:
    """Lines of text ending in an amount, between the header fields and the total."""
    rows: list[dict[str, Found]] = []
    for index, line in enumerate(ctx.lines):
        if ctx.labels[index]:
            if rows:
                break
            continue
        words = line.words
        quantity = _QTY_LINE.match(line.text)
        if quantity and rows:
            qty = amount_of(quantity.group(1), ctx.style)
            price = amount_of(quantity.group(2), ctx.style)
            if qty is not None and price is not None:
                rows[-1]["quantity"] = Found("quantity", qty, words[:1], line.page, "table", 0.85)
                rows[-1]["unit_price"] = Found("unit_price", price, words[-1:], line.page, "table", 0.85)
            continue
        if len(words) < 2:
            continue
        amount = amount_of(words[-1].text, ctx.style)
        if amount is None or not re.search(r"[.,]\d{2}$", words[-1].text):
            continue
        description = collapse(" ".join(w.text for w in words[:-1]))
        if not re.search(r"[A-Za-zÀ-ÿ]", description):
            continue
        confidence = 0.85 * word_confidence(words)
        rows.append({"description": Found("description", description, words[:-1], line.page, "table", confidence),
                     "amount": Found("amount", amount, words[-1:], line.page, "table", confidence)})
    return rows
