"""Till receipts: the shop's name heads the slip; items are name/amount lines, quantities
(``2 x 19.48``) on the line below."""

from __future__ import annotations

import dataclasses
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
    if "total" in found:
        found["total"] = cash_rounded(ctx, found["total"])
    if (date := slip_date(ctx, "receipt_date", found.get("receipt_date"))) is not None:
        found["receipt_date"] = date
    read_parties(ctx, found, issuer_role="supplier", other_role="buyer", other_label="buyer",
                 address_field="supplier_address")
    found.pop("buyer_name", None)
    _slip_issuer(ctx, found)
    read_currency(ctx, found)
    rows = _item_lines(ctx)
    fields, missing = assemble(found, RECEIPT_FIELDS, ctx.engine)
    return Extraction(fields, missing, line_items(rows, ctx.engine), found)


_CASH = re.compile(r"\b(cash|tendered|tunai|bayar|paid|received|payment|visa|master|card|credit)\b", re.I)
_CHANGE = re.compile(r"\b(change|baki|kembali|balance)\b", re.I)
_ROUNDED = re.compile(r"\b(total\s+rounded|rounded\s+total|nett?\s+total|grand\s+total|total\s+(?:amount\s+)?"
                      r"payable|total\s+due|amount\s+due|total\s+(?:sales\s+)?\(?incl)", re.I)
# "TOTAL INCLUDES 6% GST 1.51": a line that states a tax rate gives the tax in the total, not the total
_TAX_RATE = re.compile(r"\d(?:[.,]\d+)?\s?%")
_EXCLUDING = re.compile(r"\b(excl|excluding|before|sub\s*-?\s*total|w/o|without)\b", re.I)


def _line_amount(ctx: Context, index: int) -> tuple[Decimal, tuple[Word, ...]] | None:
    """The last money amount printed on line ``index``."""
    amounts = money_amounts(ctx, list(ctx.lines[index].words))
    if not amounts:
        return None
    value, words = amounts[-1]
    return Decimal(value), tuple(words)


_LEGAL_FORM = re.compile(r"(?:\bSDN\.?\s*BHD\.?|\bBHD\.?|\bS/B\b|\bBERHAD\b|\bENTERPRISES?\b|\bTRADING\b|\bPTE\.?\s*LTD"
                         r"\.?|\bLTD\.?|\bLIMITED\b|\bINC\.?|\bLLC\b|\bPLC\b|\bGMBH\b|\bCORP(?:ORATION)?\.?|\bCO\.?\s*\(M\))",
                         re.I)
_SLIP_ID = re.compile(r"^\(.*\)$|\b(co\.?\s*reg|reg\.?\s*no|roc|co\.?\s*no|company\s*no|gst|sst|tax)\b|\(\s*\d", re.I)
_SLIP_STOP = re.compile(r"\b(tel|fax|phone|h/p|hp|gst|email|e-mail|www|invoice|receipt|cash|date|bill|table|"
                        r"cashier|order|tax|telephone|tel\.)\b|@", re.I)
_TOP = 0.35


def _slip_issuer(ctx: Context, found: dict[str, Found]) -> None:
    """The shop as a slip prints it: a name broken over two lines joined (the second ending in a legal
    form, "SDN BHD", "PTE LTD", or the first in "&"), the legal entity the header names when that name
    has no legal form (:func:`legal_name`), and the address lines under both."""
    name = found.get("supplier_name")
    start = _line_of(ctx, name) if name is not None else None
    if start is None or name is None:
        return
    following = start + 1
    # one continuation line, and one more while a parenthesis stays open ("ENTERPRISE (SETIA" / "ALAM) SDN BHD")
    while following < len(ctx.lines) and following <= start + 2 and _continues_name(
            name.value, ctx.lines[following].text, opened=following > start + 1):
        line = ctx.lines[following]
        name = Found("supplier_name", collapse(f"{name.value} {line.text}"), name.words + line.words, name.page,
                     name.method, name.confidence)
        following += 1
    if (legal := legal_name(ctx, name)) is not None:
        found_end = _line_index(ctx, legal.words[-1])
        legal_end = start if found_end is None else found_end
        # the address follows the legal name, or the shop's own name printed right under it (a line with a
        # number and a comma, "3RD FLR, AEON TAMAN MALURI SC", was the address's first line, not a name)
        under = start == legal_end + 1 and not _looks_like_address(ctx.lines[start].text)
        following = following if under else legal_end + 1
        name = legal
    found["supplier_name"] = name
    address = _slip_address(ctx, following)
    if address is not None:
        found["supplier_address"] = address


# "Dimiliki oleh" (Malay), "owned by": the company that owns the shop named above it
_OWNED_BY = re.compile(r"^\s*(?:dimiliki(?:\s+oleh)?|owned\s+by|owner\s+by|operated\s+by)\s*:?\s*", re.I)
_REGISTRATION = re.compile(r"\s*[(\[]?\s*(?:co\.?\s*reg\.?\s*(?:no)?\.?\s*:?\s*)?\d{3,}[-\s]?[a-z]?\s*[)\]]?\s*$", re.I)
_HEADER_LINES = 8


def legal_name(ctx: Context, name: Found) -> Found | None:
    """The legal entity a slip prints in its header when ``name`` (a brand, the outlet) carries no legal
    form: the first line above ``_TOP`` among the first ``_HEADER_LINES`` that names one ("TRI SHAAS SDN
    BHD (728515-M)" under or over "MYDIN MART SRI MUDA"), its registration number and an "owned by"
    dropped, a legal form alone on its line joined to the line above; its words are the whole line(s).
    That company issued the slip and is whom the books name. None when ``name`` has a legal form or the
    header names none."""
    if _LEGAL_FORM.search(name.value):
        return None
    for index, line in enumerate(ctx.lines[:_HEADER_LINES]):
        if line.y0 > _TOP or line.page != name.page:
            break
        text = _REGISTRATION.sub("", _OWNED_BY.sub("", line.text)).strip(" ,.:;")
        if not _LEGAL_FORM.search(text) or _contact_or_numbered(text):
            continue
        words = line.words
        if _LEGAL_FORM.fullmatch(text) and index > 0:  # "Nando's Chickenland Malaysia" / "Sdn Bhd"
            above = ctx.lines[index - 1]
            if _contact_or_numbered(above.text):
                continue
            text, words = f"{above.text.strip()} {text}", above.words + words
        return Found("supplier_name", collapse(text), words, line.page, "layout", 0.8 * word_confidence(words))
    return None


def _contact_or_numbered(text: str) -> bool:
    """A contact or ID line, or one with more digits than a name holds: no part of a legal name."""
    return bool(_SLIP_STOP.search(text)) or sum(ch.isdigit() for ch in text) > 2


def _looks_like_address(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and "," in text


def _line_of(ctx: Context, found: Found) -> int | None:
    return _line_index(ctx, found.words[0]) if found.words else None


def _line_index(ctx: Context, word: Word) -> int | None:
    return next((i for i, line in enumerate(ctx.lines) if word in line.words), None)


def _continues_name(name: str, text: str, *, opened: bool = False) -> bool:
    """The next line finishes the name: the name ends in "&"/"-", or the line is a legal form or ends in one;
    with ``opened`` (a second continuation) only a line that closes a parenthesis the name left open."""
    if _SLIP_STOP.search(text) or sum(ch.isdigit() for ch in text) > 0:
        return False
    if name.count("(") > name.count(")") and ")" in text:
        return True
    if opened:
        return False
    if name.rstrip().endswith(("&", "-", "AND")):
        return True
    return bool(_LEGAL_FORM.search(text)) and not _LEGAL_FORM.search(name) and len(text.split()) <= 6


def _slip_address(ctx: Context, start: int, max_lines: int = 5) -> Found | None:
    """Address lines under the shop's name: register numbers skipped, ended by contact or ID lines."""
    words: list[Word] = []
    for index in range(start, min(start + max_lines + 1, len(ctx.lines))):
        line = ctx.lines[index]
        text = line.text
        if not words and _SLIP_ID.search(text):
            continue
        if _SLIP_STOP.search(text) or (words and _SLIP_ID.search(text)):
            break
        if line.y0 > 0.5:
            break
        words.extend(line.words)
    if not words:
        return None
    return Found("supplier_address", collapse(" ".join(w.text for w in words)), tuple(words), ctx.lines[start].page,
                 "layout", 0.7 * word_confidence(words))


def settled_total(ctx: Context) -> Found | None:
    """What the customer paid: tendered minus change when both are printed and the difference is an
    amount on the slip; else the amount of a final-total label ("TOTAL ROUNDED", "Grand Total",
    "Total (incl. GST)"), the lowest such line winning unless it states a tax rate."""
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
        if _ROUNDED.search(text) and not _EXCLUDING.search(text) and not _TAX_RATE.search(text):
            final = (index, amount)
    if tendered is not None and change is not None and tendered - change in printed and tendered - change > 0:
        index, words = printed[tendered - change]
        return Found("total", str(tendered - change), words, ctx.lines[index].page, "derived",
                     0.9 * word_confidence(words))
    if final is not None:
        index, (value, words) = final
        return Found("total", str(value), words, ctx.lines[index].page, "layout", 0.85 * word_confidence(words))
    return None


_ROUNDING = re.compile(r"\b(round(ing|ed)?|rndg|pembundaran|rundung\w*|arrondi\w*|adj(ustment)?)\b", re.I)
# the sign may stand before a currency mark: "-0.01", "- 0.01", "-RM 0.02", "-$0.03"
_SIGNED_AMOUNT = re.compile(r"(?<![\d.,])([-\u2212]?)\s?(?:[^\d\s.,\u2212-]{1,3}\s?)?(\d{1,3}[.,]\d{2})(?!\d)")
# Cash is rounded to the smallest coin in use (0.05 in Malaysia, Singapore, Switzerland; 0.10 at most).
_MAX_ROUNDING = Decimal("0.10")


def cash_rounded(ctx: Context, total: Found) -> Found:
    """The amount due when the slip prints a cash-rounding adjustment right under ``total`` and then
    the adjusted amount ("Total incl. GST 23.26 / Rounding Adj -0.01 / TOTAL 23.25"): that amount, read
    from its own words, same method and confidence; else ``total``. A rounding printed before the
    total (already the amount due) is not looked at."""
    index = _line_of(ctx, total)
    if index is None:
        return total
    for rounding in range(index + 1, min(index + 3, len(ctx.lines))):
        if not _ROUNDING.search(ctx.lines[rounding].text):
            continue
        adjustment = _signed_amount(ctx.lines[rounding].text)
        if adjustment is None or adjustment == 0 or abs(adjustment) >= _MAX_ROUNDING:
            return total
        due = Decimal(total.value) + adjustment
        for after in range(rounding, min(rounding + 3, len(ctx.lines))):
            printed = _line_amount(ctx, after)
            if printed is not None and printed[0] == due and (after > rounding or printed[0] != abs(adjustment)):
                return dataclasses.replace(total, value=str(due), words=printed[1], page=ctx.lines[after].page,
                                           raw_text="")
        return total
    return total


def _signed_amount(text: str) -> Decimal | None:
    """The last amount of ``text`` with its sign (a rounding may go either way)."""
    matches = _SIGNED_AMOUNT.findall(text)
    if not matches:
        return None
    sign, digits = matches[-1]
    value = Decimal(digits.replace(",", "."))
    return -value if sign else value


_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
_DATE_WORD = re.compile(r"\b(date|dated|tarikh|datum|fecha|dt)\b", re.I)
_FOUR_DIGIT_YEAR = re.compile(r"(?:19|20)\d{2}")


def timed_date(ctx: Context, name: str) -> Found | None:
    """A date printed with a time of day ("27 Mar 2018 18:46"): the moment of a sale, for documents
    whose date carries no label (till slips read as invoices)."""
    for line in ctx.lines:
        if not _TIME.search(line.text):
            continue
        for segment in line.segments:
            value = parse_date(segment.text, day_first=ctx.day_first)
            if value is not None and 1990 <= int(value[:4]) <= 2099:
                return Found(name, value, segment.words, line.page, "pattern", 0.6 * word_confidence(segment.words))
    return None


def slip_date(ctx: Context, name: str, labelled: Found | None) -> Found | None:
    """The sale's date: of the dates printed on the slip, the one stated with a time of day, beside a date
    label or with a four-digit year (in that order of weight), the first such line winning; the value
    a label gave counts as labelled. Product codes and phone numbers that parse as dates lose."""
    best: tuple[int, Found] | None = None
    for line in ctx.lines:
        for segment in line.segments:
            value = parse_date(segment.text, day_first=ctx.day_first)
            if value is None or not 1990 <= int(value[:4]) <= 2099:
                continue
            score = 3 * bool(_TIME.search(line.text)) + 2 * bool(_DATE_WORD.search(line.text)) + \
                bool(_FOUR_DIGIT_YEAR.search(segment.text))
            if labelled is not None and labelled.value == value:
                score += 2
            if best is None or score > best[0]:
                best = (score, Found(name, value, segment.words, line.page, "pattern",
                                     0.75 * word_confidence(segment.words)))
    if labelled is not None and (best is None or best[1].value == labelled.value):
        return labelled
    return best[1] if best is not None else labelled


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
