"""Till receipts: the shop's name heads the slip; items are name/amount lines, quantities
(``2 x 19.48``) on the line below."""

from __future__ import annotations

import re

from docket.understanding.extract.base import Context, Found, amount_of, assemble, line_items, word_confidence
from docket.understanding.extract.commercial import Extraction, read_currency, read_parties
from docket.understanding.extract.fields import read_labelled
from docket.understanding.values import collapse

RECEIPT_FIELDS = ["supplier_name", "supplier_address", "supplier_vat_id", "receipt_number", "receipt_date", "currency",
                  "tax_total", "total"]
_QTY_LINE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*[xX\u00d7*]\s*(\S+)\s*$")


def extract_receipt(ctx: Context) -> Extraction:
    """Fields, missing fields and item lines of a receipt."""
    found = read_labelled(ctx, RECEIPT_FIELDS)
    read_parties(ctx, found, issuer_role="supplier", other_role="buyer", other_label="buyer",
                 address_field="supplier_address")
    found.pop("buyer_name", None)
    read_currency(ctx, found)
    rows = _item_lines(ctx)
    fields, missing = assemble(found, RECEIPT_FIELDS, ctx.engine)
    return Extraction(fields, missing, line_items(rows, ctx.engine), found)


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
