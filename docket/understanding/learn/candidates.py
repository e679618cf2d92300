"""Candidate values of a receipt's fields, each with the features a ranker weighs (pure functions).

Every plausible span on the page becomes a candidate: for ``total`` each money amount of each line, for
``receipt_date`` each date a line or one of its segments reads as (and the other reading of an ambiguous
day/month), for ``supplier_name`` each line, segment and pair of lines of the upper page, for
``supplier_address`` each run of one to six consecutive lines there. Features describe the span's place
(relative height on the page, line index from top and bottom, left/centre), its print (box height against
the page's median, upper case, digits), its text (legal forms such as SDN BHD / PTE LTD / GMBH, address
words, contact words), its neighbourhood (label words on the same, previous and next line: TOTAL, ROUNDING,
CASH, CHANGE, GST/TAX, DATE ...), the value's arithmetic (largest amount, tendered minus change, printed
twice) and whether the rules chose the same value. Vectors are plain floats in :data:`FEATURES` order.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from docket.reading.page import Word
from docket.understanding.extract.base import Context, Found
from docket.understanding.extract.taxes import money_amounts
from docket.understanding.layout import Line
from docket.understanding.values import collapse, parse_date

RANKED_FIELDS = ("supplier_name", "supplier_address", "receipt_date", "total")

# Label words of the neighbourhood, one feature family each (same line, previous line, next line).
LABELS: dict[str, re.Pattern[str]] = {
    "total": re.compile(r"\b(total|jumlah|amount|amt|nett?|grand|payable|due)\b", re.I),
    "subtotal": re.compile(r"\b(sub\s*-?\s*total|subtotal|excl|excluding|before)\b", re.I),
    "rounding": re.compile(r"\b(round(ing|ed)?|rndg|adj(ustment)?)\b", re.I),
    "cash": re.compile(r"\b(cash|tendered|tunai|bayar|paid|received|payment|visa|master|card|credit)\b", re.I),
    "change": re.compile(r"\b(change|baki|kembali|balance)\b", re.I),
    "tax": re.compile(r"\b(gst|sst|tax|vat|cukai)\b|%", re.I),
    "discount": re.compile(r"\b(disc(ount)?|less|saving|voucher)\b", re.I),
    "quantity": re.compile(r"\b(qty|quantity|pcs|unit|items?|x\s*\d)\b", re.I),
    "date": re.compile(r"\b(date|dated|tarikh|datum|fecha|dt)\b", re.I),
    "time": re.compile(r"\b\d{1,2}:\d{2}\b|\b(time|am|pm)\b", re.I),
    "number": re.compile(r"\b(no|inv|invoice|receipt|bill|doc|ref|slip|trans)\b|#", re.I),
    "contact": re.compile(r"\b(tel|fax|phone|h/p|hp|email|e-mail|www|http)\b|@", re.I),
    "register": re.compile(r"\b(co\.?\s*reg|reg\.?\s*no|roc|co\.?\s*no|company\s*no|gst\s*(reg|id|no))\b", re.I),
}
# Legal forms of companies (a generic list: Malaysian, Singaporean, Indian, English, US, German-speaking, French).
LEGAL_FORM = re.compile(r"(?:\bSDN\.?\s*BHD\.?|\bBHD\.?|\bS/B\b|\bBERHAD\b|\bENTERPRISES?\b|\bTRADING\b|\bPTE\.?\b|"
                        r"\bLTD\.?|\bLIMITED\b|\bINC\.?|\bLLC\b|\bLLP\b|\bPLC\b|\bGMBH\b|\bAG\b|\bKG\b|\bCORP(?:ORATION)?"
                        r"\.?|\bCO\.?\s*\(M\)|\bPVT\.?|\bSARL\b|\bSAS\b|\bS\.?A\.?\b|\bB\.?V\.?\b|\bRESTAURANT\b|"
                        r"\bSTORES?\b|\bMART\b|\bHARDWARE\b|\bMARKETING\b|\bSERVICES?\b|\bINDUSTRIES\b)", re.I)
ADDRESS_WORD = re.compile(r"\b(jalan|jln|lorong|taman|tmn|lot|no\.?|road|rd|street|st|avenue|ave|batu|kampung|"
                          r"kg|bandar|seksyen|persiaran|lebuh|blok|block|floor|level|unit|plaza|wisma|kompleks|"
                          r"industri|perindustrian|selangor|johor|kuala|lumpur|penang|pulau|pinang|perak|kedah|"
                          r"melaka|pahang|sabah|sarawak|negeri|sembilan|terengganu|kelantan|malaysia|singapore|"
                          r"strasse|str|platz|weg|rue|via|calle)\b", re.I)
POSTCODE = re.compile(r"(?<!\d)\d{5,6}(?!\d)")
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
_YEAR4 = re.compile(r"(?:19|20)\d{2}")
_MONTH_NAME = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
_TWO_DECIMALS = re.compile(r"[.,]\d{2}$")
_CURRENCY = re.compile(r"\b(RM|MYR|SGD|USD|EUR|S\$)|\$|€", re.I)

NAME_LINES = 15
ADDRESS_LINES = 22
ADDRESS_SPAN = 6

LINE_FEATURES = ("rel_y", "text_rel_y", "index", "index_from_bottom", "index_rel", "x0", "x1", "centre_offset",
                 "height_ratio", "upper_ratio", "digit_ratio", "alpha_ratio", "chars", "words", "segments",
                 "confidence")
NEIGHBOUR_FEATURES = tuple(f"{where}_{label}" for where in ("same", "prev", "next") for label in LABELS)
FEATURES: dict[str, tuple[str, ...]] = {
    "total": (*LINE_FEATURES, *NEIGHBOUR_FEATURES, "rule_agrees", "is_max", "value_rank", "value_rank_rel",
              "occurrences", "cash_minus_change", "last_on_line", "amounts_on_line", "two_decimals", "currency_mark",
              "round_005", "lines_below_rel", "larger_below", "value_log", "equals_cash", "equals_change",
              "after_total_line", "variant"),
    "receipt_date": (*LINE_FEATURES, *NEIGHBOUR_FEATURES, "rule_agrees", "swapped", "year4", "month_name",
                     "occurrences", "date_order", "ambiguous", "segment_only", "year_offset", "finder"),
    "supplier_name": (*LINE_FEATURES, *NEIGHBOUR_FEATURES, "rule_agrees", "rule_overlap", "span_lines",
                      "segment_only", "legal_form", "ends_legal_form", "next_legal_form", "height_rank",
                      "first_text_line", "address_words", "postcode", "variant"),
    "supplier_address": (*LINE_FEATURES, *NEIGHBOUR_FEATURES, "rule_agrees", "rule_overlap", "span_lines",
                         "digits_span", "postcode", "commas", "address_words", "legal_form_span", "contact_span",
                         "register_span", "after_name", "next_stops", "prev_legal_form", "start_after_rule_name",
                         "chars_span", "ends_postcode_line"),
}


@dataclass(frozen=True)
class Candidate:
    """One candidate value of ``field``: canonical ``value``, the words it spans, its feature vector."""

    field: str
    value: str
    words: tuple[Word, ...]
    page: int
    features: tuple[float, ...]


def _ratio(text: str, test: str) -> float:
    letters = [ch for ch in text if not ch.isspace()]
    if not letters:
        return 0.0
    if test == "upper":
        alpha = [ch for ch in letters if ch.isalpha()]
        return sum(ch.isupper() for ch in alpha) / len(alpha) if alpha else 0.0
    if test == "digit":
        return sum(ch.isdigit() for ch in letters) / len(letters)
    return sum(ch.isalpha() for ch in letters) / len(letters)


@dataclass
class _Page:
    """Document-wide measures the line features are relative to."""

    lines: list[Line]
    median_height: float
    top: float
    bottom: float
    centre: float

    @classmethod
    def of(cls, lines: list[Line]) -> _Page:
        heights = [w.height for line in lines for w in line.words] or [1.0]
        words = [w for line in lines for w in line.words]
        left = min((w.x0 for w in words), default=0.0)
        right = max((w.x1 for w in words), default=1.0)
        return cls(lines, statistics.median(heights) or 1.0, min((ln.y0 for ln in lines), default=0.0),
                   max((ln.y1 for ln in lines), default=1.0), (left + right) / 2)


def _span_features(page: _Page, first: int, last: int, words: Sequence[Word]) -> list[float]:
    """Place, print and text features of the words of lines ``first``..``last`` (inclusive)."""
    count = len(page.lines)
    text = " ".join(w.text for w in words)
    y0 = min(w.y0 for w in words)
    x0, x1 = min(w.x0 for w in words), max(w.x1 for w in words)
    extent = max(page.bottom - page.top, 1e-6)
    height = statistics.median(w.height for w in words)
    segments = sum(len(page.lines[i].segments) for i in range(first, last + 1))
    return [y0, (y0 - page.top) / extent, float(first), float(count - 1 - last), first / max(count, 1), x0, x1,
            abs((x0 + x1) / 2 - page.centre), height / page.median_height, _ratio(text, "upper"),
            _ratio(text, "digit"), _ratio(text, "alpha"), float(len(text)), float(len(words)), float(segments),
            min(w.confidence for w in words)]


def _neighbour_features(page: _Page, first: int, last: int) -> list[float]:
    out: list[float] = []
    for index in (first, first - 1, last + 1):
        text = page.lines[index].text if 0 <= index < len(page.lines) else ""
        out.extend(float(bool(pattern.search(text))) for pattern in LABELS.values())
    return out


def _same(a: str, b: str) -> bool:
    return re.sub(r"[\W_]", "", a.casefold()) == re.sub(r"[\W_]", "", b.casefold())


def _overlap(words: Sequence[Word], rule: Found | None) -> float:
    if rule is None or not rule.words:
        return 0.0
    mine = {id(w) for w in words}
    return sum(id(w) in mine for w in rule.words) / len(rule.words)


def candidates(ctx: Context, found: dict[str, Found]) -> dict[str, list[Candidate]]:
    """Candidates per ranked field of the receipt in ``ctx``; ``found`` is what the rules chose."""
    page = _Page.of(ctx.lines)
    if not ctx.lines:
        return {name: [] for name in RANKED_FIELDS}
    return {"total": _totals(ctx, page, found.get("total")),
            "receipt_date": _dates(ctx, page, found.get("receipt_date") or found.get("invoice_date")),
            "supplier_name": _names(page, found.get("supplier_name")),
            "supplier_address": _addresses(page, found.get("supplier_address"), found.get("supplier_name"))}


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _totals(ctx: Context, page: _Page, rule: Found | None) -> list[Candidate]:
    raw: list[tuple[int, Decimal, list[Word], bool, int]] = []
    for index, line in enumerate(ctx.lines):
        amounts = money_amounts(ctx, list(line.words))
        for position, (value, words) in enumerate(amounts):
            amount = _decimal(value)
            if amount is not None and amount > 0:
                raw.append((index, amount, words, position == len(amounts) - 1, len(amounts)))
    if not raw:
        return []
    values = sorted({r[1] for r in raw}, reverse=True)
    largest = values[0]
    cash = change = None
    total_line = None
    for index, amount, _, last, _ in raw:
        text = ctx.lines[index].text
        if LABELS["change"].search(text) and last:
            change = amount
        elif LABELS["cash"].search(text) and last and cash is None:
            cash = amount
        if LABELS["total"].search(text) and not LABELS["subtotal"].search(text) and total_line is None:
            total_line = index
    settled = cash - change if cash is not None and change is not None else None
    rule_value = _decimal(rule.value) if rule is not None else None
    variants = [(index, amount, words, last, on_line, 0) for index, amount, words, last, on_line in raw]
    for index, amount, words, last, on_line in raw:
        rounded = (amount * 20).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 20
        if rounded != amount and rounded > 0 and LABELS["total"].search(ctx.lines[index].text):
            variants.append((index, rounded.quantize(Decimal("0.01")), words, last, on_line, 1))
    if settled is not None and settled > 0 and settled not in values:
        where = next(r for r in raw if r[1] == change)
        variants.append((where[0], settled, where[2], where[3], where[4], 2))
    out = []
    for index, amount, words, last, on_line, variant in variants:
        rank = values.index(amount) if amount in values else len(values)
        larger_below = sum(1 for r in raw if r[0] > index and r[1] > amount)
        text = words[-1].text
        features = [*_span_features(page, index, index, words), *_neighbour_features(page, index, index),
                    float(rule_value == amount), float(amount == largest), float(rank), rank / max(len(values), 1),
                    float(sum(1 for r in raw if r[1] == amount)), float(settled == amount), float(last),
                    float(on_line), float(bool(_TWO_DECIMALS.search(text))),
                    float(bool(_CURRENCY.search(ctx.lines[index].text))), float(amount * 20 == int(amount * 20)),
                    (len(ctx.lines) - 1 - index) / max(len(ctx.lines), 1), float(larger_below),
                    float(min(amount, Decimal(100000)).ln() if amount > 0 else 0), float(cash == amount),
                    float(change == amount), float(total_line is not None and index >= total_line), float(variant)]
        out.append(Candidate("total", str(amount), tuple(words), ctx.lines[index].page, tuple(features)))
    return out


def _swap(value: str) -> str | None:
    year, month, day = value.split("-")
    if int(day) > 12 or day == month:
        return None
    return f"{year}-{day}-{month}"


# a lookahead so that overlapping matches are all seen ("REG #19- 24/07/2016"); a two-digit year that a
# separator and digits follow is the month of the longer date, not a year ("19- 10/03/2018" is no 2003 date)
_NUMERIC_DATE = re.compile(r"(?<!\d)(?=(\d{1,2})\s?[/.\-~]\s?(\d{1,2})\s?[/.\-~]\s?((?:19|20)\d{2}|\d{2}(?!\d)"
                           r"(?!\s?[/.\-~]\s?\d)))")
_COMPACT_YMD = re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])([0-3]\d)(?!\d)")
_COMPACT_DMY = re.compile(r"(?<!\d)([0-3]\d)(0[1-9]|1[0-2])(20\d{2})(?!\d)")
# one separator lost in reading ("0502-18", "2703/2018"): day and month two digits each
_JOINED_DM = re.compile(r"(?<!\d)(?=([0-3]\d)([01]\d)[/.\-]((?:19|20)\d{2}|\d{2}(?!\d)))")
_JOINED_MY = re.compile(r"(?<!\d)(?=([0-3]\d)[/.\-]([01]\d)((?:19|20)\d{2}|\d{2})(?!\d))")
_SPACED = re.compile(r"(?<=[\d/.\-])\s+(?=[\d/.\-])")


def _iso(year: int, month: int, day: int) -> str | None:
    year += 2000 if year < 100 else 0
    try:
        return dt.date(year, month, day).isoformat() if 1990 <= year <= 2099 else None
    except ValueError:
        return None


def pattern_dates(text: str) -> list[str]:
    """Dates a line prints as digits, every reading of each (day first and month first; years glued to a
    time, ``18/01/201810:27``; compact ``20180428`` / ``25032018``; letter-spaced ``0 5 / 0 9 / 2 0 1 7``;
    one separator lost, ``0502-18``)."""
    found: list[str] = []
    for source in (text, _SPACED.sub("", text)):
        for match in _NUMERIC_DATE.finditer(source):
            first, second = int(match[1]), int(match[2])
            # a four-digit "year" that is no year is a two-digit one glued to the time ("12-01-1921:13")
            years = [int(match[3])] if int(match[3]) >= 1990 or len(match[3]) == 2 else [int(match[3][:2])]
            found.extend(v for year in years for v in (_iso(year, second, first), _iso(year, first, second)) if v)
        for pattern in (_JOINED_DM, _JOINED_MY):
            found.extend(v for m in pattern.finditer(source) if (v := _iso(int(m[3]), int(m[2]), int(m[1]))))
        found.extend(v for m in _COMPACT_YMD.finditer(source) if (v := _iso(int(m[1]), int(m[2]), int(m[3]))))
        found.extend(v for m in _COMPACT_DMY.finditer(source) if (v := _iso(int(m[3]), int(m[2]), int(m[1]))))
    return list(dict.fromkeys(found))


def _dates(ctx: Context, page: _Page, rule: Found | None) -> list[Candidate]:
    seen: dict[tuple[int, str], tuple[tuple[Word, ...], bool, str, bool, int]] = {}
    for index, line in enumerate(ctx.lines):
        spans = [(s.words, s.text, True) for s in line.segments]
        if len(line.segments) > 1:
            spans.append((line.words, line.text, False))
        for words, text, segment in spans:
            value = parse_date(text, day_first=ctx.day_first)
            if value is None or not 1990 <= int(value[:4]) <= 2099:
                continue
            readings = [(value, False)]
            if (other := _swap(value)) is not None:
                readings.append((other, True))
            for reading, swapped in readings:
                seen.setdefault((index, reading), (tuple(words), swapped, text, segment and len(line.segments) > 1, 0))
        for value in pattern_dates(line.text):
            seen.setdefault((index, value), (line.words, False, line.text, False, 1))
    counts: dict[str, int] = {}
    for _, value in seen:
        counts[value] = counts.get(value, 0) + 1
    out = []
    for order, ((index, value), (words, swapped, text, segment_only, finder)) in enumerate(seen.items()):
        features = [*_span_features(page, index, index, words), *_neighbour_features(page, index, index),
                    float(rule is not None and rule.value == value), float(swapped),
                    float(bool(_YEAR4.search(text))), float(bool(_MONTH_NAME.search(text))), float(counts[value]),
                    float(order), float(_swap(value) is not None), float(segment_only),
                    float(abs(int(value[:4]) - 2017)), float(finder)]
        out.append(Candidate("receipt_date", value, words, ctx.lines[index].page, tuple(features)))
    return out


def _upper_lines(page: _Page, limit: int, depth: float) -> range:
    count = 0
    for index, line in enumerate(page.lines[:limit]):
        if (line.y0 - page.top) / max(page.bottom - page.top, 1e-6) > depth:
            break
        count = index + 1
    return range(count)


_TRAILING_ID = re.compile(r"[\s(]*(?:co\.?\s*reg\.?\s*(?:no)?\.?\s*:?\s*)?\(?\d{3,}[\s-]*[A-Z]?\s*\)?\s*$", re.I)
_LEADING_LABEL = re.compile(r"^[^:]{2,20}:\s*")


def name_variants(text: str) -> list[tuple[str, int]]:
    """A span's text and its trimmed forms: cut after its last legal form ("AEON CO. (M) BHD (126926-H)" ->
    "AEON CO. (M) BHD"), a trailing register number dropped, a leading "label:" dropped (variant 1, 2, 3)."""
    variants = [(text, 0)]
    forms = list(LEGAL_FORM.finditer(text))
    end = forms[-1].end() if forms else 0
    while 0 < end < len(text) and text[end] == ".":  # "B.V." keeps its last dot
        end += 1
    if forms and end < len(text.rstrip(" ")):
        variants.append((collapse(text[:end]), 1))
    stripped = collapse(_TRAILING_ID.sub("", text))
    if stripped and stripped != text:
        variants.append((stripped, 2))
    labelled = _LEADING_LABEL.match(text)
    if labelled and len(text) > labelled.end() + 3:
        for value, kind in list(variants):
            rest = _LEADING_LABEL.sub("", value)
            if rest and rest != value:
                variants.append((collapse(rest), 3 + kind))
    return list(dict((v, k) for v, k in reversed(variants)).items())[::-1]


def _names(page: _Page, rule: Found | None) -> list[Candidate]:
    indices = _upper_lines(page, NAME_LINES, 0.5)
    spans: list[tuple[int, int, tuple[Word, ...], bool]] = []
    for index in indices:
        line = page.lines[index]
        spans.append((index, index, line.words, False))
        if len(line.segments) > 1:
            spans.extend((index, index, segment.words, True) for segment in line.segments)
        for extra in (1, 2):
            if index + extra < len(page.lines):
                spans.append((index, index + extra,
                              tuple(w for ln in page.lines[index:index + extra + 1] for w in ln.words), False))
    heights = sorted({round(statistics.median(w.height for w in page.lines[i].words) / page.median_height, 2)
                      for i in indices}, reverse=True)
    first_text = next((i for i in indices if _ratio(page.lines[i].text, "alpha") > 0.5), 0)
    out = []
    for first, last, words, segment_only in spans:
        full = collapse(" ".join(w.text for w in words))
        last_line = page.lines[last].text
        height = round(statistics.median(w.height for w in page.lines[first].words) / page.median_height, 2)
        following = page.lines[last + 1].text if last + 1 < len(page.lines) else ""
        base = [*_span_features(page, first, last, words), *_neighbour_features(page, first, last)]
        for text, variant in name_variants(full):
            features = [*base, float(rule is not None and _same(rule.value, text)), _overlap(words, rule),
                        float(last - first + 1), float(segment_only), float(bool(LEGAL_FORM.search(text))),
                        float(bool(LEGAL_FORM.search(last_line.split()[-1] if last_line.split() else ""))),
                        float(bool(LEGAL_FORM.search(following))),
                        float(heights.index(height) if height in heights else 9), float(first == first_text),
                        float(len(ADDRESS_WORD.findall(text))), float(bool(POSTCODE.search(text))), float(variant)]
            out.append(Candidate("supplier_name", text, words, page.lines[first].page, tuple(features)))
    return out


def _addresses(page: _Page, rule: Found | None, name: Found | None) -> list[Candidate]:
    indices = _upper_lines(page, ADDRESS_LINES, 0.6)
    name_line = None
    if name is not None and name.words:
        last_word = name.words[-1]
        name_line = next((i for i, line in enumerate(page.lines) if last_word in line.words), None)
    out = []
    for first in indices:
        for last in range(first, min(first + ADDRESS_SPAN, len(indices))):
            lines = page.lines[first:last + 1]
            words = tuple(w for line in lines for w in line.words)
            text = collapse(" ".join(w.text for w in words))
            following = page.lines[last + 1].text if last + 1 < len(page.lines) else ""
            previous = page.lines[first - 1].text if first > 0 else ""
            stops = LABELS["contact"].search(following) or LABELS["register"].search(following) or \
                LABELS["tax"].search(following) or not following
            features = [*_span_features(page, first, last, words), *_neighbour_features(page, first, last),
                        float(rule is not None and _same(rule.value, text)), _overlap(words, rule),
                        float(last - first + 1), _ratio(text, "digit"), float(bool(POSTCODE.search(text))),
                        float(text.count(",")), float(len(ADDRESS_WORD.findall(text))),
                        float(bool(LEGAL_FORM.search(text))), float(bool(LABELS["contact"].search(text))),
                        float(bool(LABELS["register"].search(text))),
                        float(name_line is not None and first == name_line + 1), float(bool(stops)),
                        float(bool(LEGAL_FORM.search(previous))),
                        float(name_line is not None and first > name_line), float(len(text)),
                        float(bool(POSTCODE.search(lines[-1].text)))]
            out.append(Candidate("supplier_address", text, words, page.lines[first].page, tuple(features)))
    return out
