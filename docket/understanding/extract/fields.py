"""Layout-aware label/value reading: a field's label found on a line, its value read to the right
of the label on the same line or in the aligned segment just below (column headers).

Works for vendors never seen before: it relies only on the label dictionaries and geometry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from docket.understanding.extract.base import Context, Found, amount_of, word_confidence
from docket.understanding.extract.taxes import money_amounts
from docket.understanding.labels import LabelMatch, Token
from docket.understanding.layout import Line
from docket.understanding.values import (
    collapse,
    parse_bic,
    parse_currency,
    parse_date,
    parse_iban,
    parse_labelled_vat_id,
    strip_currency,
)

KIND_ID, KIND_DATE, KIND_AMOUNT, KIND_TEXT = "id", "date", "amount", "text"
KIND_CURRENCY, KIND_IBAN, KIND_BIC, KIND_VAT = "currency", "iban", "bic", "vat"

FIELD_KINDS: dict[str, str] = {
    "invoice_number": KIND_ID, "po_number": KIND_ID, "amends_number": KIND_ID, "order_number": KIND_ID,
    "receipt_number": KIND_ID, "payment_reference": KIND_ID, "supplier_tax_number": "taxno",
    "invoice_date": KIND_DATE, "due_date": KIND_DATE, "order_date": KIND_DATE, "delivery_date": KIND_DATE,
    "receipt_date": KIND_DATE, "payment_date": KIND_DATE,
    "net_total": KIND_AMOUNT, "tax_total": KIND_AMOUNT, "total": KIND_AMOUNT,
    "payment_terms": KIND_TEXT, "currency": KIND_CURRENCY,
    "supplier_iban": KIND_IBAN, "supplier_bic": KIND_BIC, "supplier_vat_id": KIND_VAT, "buyer_vat_id": KIND_VAT,
}
# Totals stand at the end of a document; a label of theirs higher up is usually a column header.
_LAST_WINS = frozenset({"net_total", "tax_total", "total"})
_BELOW_LINES = 2
# Values that may contain label words ("CHE-123.456.789 MWST", "30 Tage netto") run to the line end.
_WHOLE_LINE_KINDS = frozenset({"vat", "iban", "bic", "text", "taxno"})


@dataclass(frozen=True)
class Candidate:
    """Tokens that may hold a field's value, and how they relate to the label."""

    line: int
    tokens: tuple[Token, ...]
    where: str  # "right" or "below"


def read_labelled(ctx: Context, names: list[str]) -> dict[str, Found]:
    """Values for ``names`` read next to their labels; each name at most once."""
    found: dict[str, Found] = {}
    for name in names:
        kind = FIELD_KINDS.get(name)
        if kind is None:
            continue
        candidates = list(_candidates(ctx, name))
        if name in _LAST_WINS:
            # Bottom-most first, and a value beside its label before one under a column header.
            candidates = [c for c in reversed(candidates) if c.where == "right" and not _has_rate(ctx, c)] + \
                [c for c in reversed(candidates) if c.where == "below" and not _has_rate(ctx, c)] + \
                [c for c in reversed(candidates) if name == "tax_total" and c.where == "right" and _has_rate(ctx, c)
                 and _amount_count(ctx, c) == 1]
        for candidate in candidates:
            result = parse_candidate(ctx, name, kind, candidate)
            if result is not None:
                found[name] = result
                break
    return found


def _amount_count(ctx: Context, candidate: Candidate) -> int:
    return len(money_amounts(ctx, [t.word for t in candidate.tokens if "%" not in t.word.text]))


def _has_rate(ctx: Context, candidate: Candidate) -> bool:
    """Tax breakdown rows (``VAT 19 % 100.00 19.00``) and charge rows with their rate before the tax label
    (``Zuschlag Versandkosten 137,30 7 % UST (S) 5,80``) are not where totals are printed."""
    return any("%" in t.word.text for t in (*candidate.tokens, *ctx.tokens[candidate.line]))


def _candidates(ctx: Context, name: str) -> Iterator[Candidate]:
    for line_index, matches in enumerate(ctx.labels):
        for position, match in enumerate(matches):
            if name not in match.names:
                continue
            following = matches[position + 1].start if position + 1 < len(matches) else None
            if FIELD_KINDS.get(name) in _WHOLE_LINE_KINDS:
                following = None
            right = tuple(ctx.tokens[line_index][match.end:following])
            if right:
                yield Candidate(line_index, right, "right")
            below = _below(ctx, line_index, match)
            if below:
                yield Candidate(below[0], below[1], "below")


def _below(ctx: Context, line_index: int, match: LabelMatch) -> tuple[int, tuple[Token, ...]] | None:
    """Tokens of the next lines' segment that sits under the label (header row above values)."""
    tokens = ctx.tokens[line_index]
    label_words = [t.word for t in tokens[match.start:match.end]]
    x0, x1 = min(w.x0 for w in label_words), max(w.x1 for w in label_words)
    line = ctx.lines[line_index]
    for next_index in range(line_index + 1, min(line_index + 1 + _BELOW_LINES, len(ctx.lines))):
        below_line = ctx.lines[next_index]
        if below_line.page != line.page or below_line.y0 - line.y1 > 3 * line.height:
            return None
        picked = [t for t in ctx.tokens[next_index] if _overlaps(t.word.x0, t.word.x1, x0, x1)]
        if picked:
            column = _column_run(below_line, ctx.tokens[next_index], picked)
            if any(_starts_with_label(ctx, next_index, t) for t in column):
                return None
            return next_index, tuple(column)
    return None


def _overlaps(a0: float, a1: float, b0: float, b1: float) -> bool:
    return min(a1, b1) - max(a0, b0) > 0.25 * min(a1 - a0, b1 - b0)


def _column_run(line: Line, line_tokens: list[Token], picked: list[Token]) -> list[Token]:
    """The picked tokens extended to the whole segments they belong to (values wider than labels)."""
    picked_words = {id(t.word) for t in picked}
    segment_words = {id(w) for s in line.segments if any(id(w) in picked_words for w in s.words) for w in s.words}
    return [t for t in line_tokens if id(t.word) in segment_words or id(t.word) in picked_words]


def _starts_with_label(ctx: Context, line_index: int, token: Token) -> bool:
    tokens = ctx.tokens[line_index]
    position = tokens.index(token)
    return any(m.start == position for m in ctx.labels[line_index])


def parse_candidate(ctx: Context, name: str, kind: str, candidate: Candidate) -> Found | None:
    """The candidate's value as ``kind`` or None when the tokens hold no such value."""
    parser = _PARSERS[kind]
    parsed = parser(ctx, list(candidate.tokens))
    if parsed is None:
        return None
    value, used = parsed
    words = tuple(t.word for t in used)
    base = 0.93 if candidate.where == "right" else 0.88
    page = ctx.lines[candidate.line].page
    return Found(name=name, value=value, words=words, page=page, method="layout",
                 confidence=base * word_confidence(words))


Parsed = tuple[str, list[Token]] | None


def _parse_id(ctx: Context, tokens: list[Token]) -> Parsed:
    """A document number: the first token with a digit, with a short capital prefix printed apart
    (``A 85241``) kept as part of it."""
    for index, token in enumerate(tokens[:3]):
        text = token.word.text.strip(".:,;()")
        if re.search(r"\d", text) and re.fullmatch(r"[#]?[A-Za-z0-9][A-Za-z0-9\-/._#]*", text) \
                and not _DATE_LIKE.fullmatch(text):
            previous = tokens[index - 1].word.text if index > 0 else ""
            if re.fullmatch(r"[A-Z]{1,3}", previous) and previous not in _NOT_PREFIXES:
                return f"{previous} {text.lstrip('#')}", [tokens[index - 1], tokens[index]]
            return text.lstrip("#"), [tokens[index]]
    return None


_DATE_LIKE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{2,4}")
_NOT_PREFIXES = frozenset({"NO", "NR", "N", "ID", "REF", "PO", "NUM"})


def _parse_tax_number(ctx: Context, tokens: list[Token]) -> Parsed:
    """A registration number printed in digit groups (``943 130 385 00017``)."""
    used: list[Token] = []
    for token in tokens:
        if re.fullmatch(r"[A-Z]{0,3}[\d\-/.]*\d[\d\-/.]*", token.word.text.strip(",;")):
            used.append(token)
        elif used:
            break
    if not used:
        return None
    return " ".join(t.word.text.strip(",;") for t in used), used


def _parse_date(ctx: Context, tokens: list[Token]) -> Parsed:
    for end in range(1, min(len(tokens), 5) + 1):
        text = " ".join(t.word.text for t in tokens[:end])
        value = parse_date(text, day_first=ctx.day_first)
        if value is not None:
            return value, tokens[:end]
    return None


def _parse_amount(ctx: Context, tokens: list[Token]) -> Parsed:
    """The first money amount: two decimals, or a whole number printed with a currency (``45 days``
    after "Net" is not one)."""
    for start in range(min(len(tokens), 4)):
        for size in (3, 2, 1):
            chunk = tokens[start:start + size]
            if len(chunk) < size:
                continue
            text = " ".join(t.word.text for t in chunk)
            value = amount_of(text, ctx.style)
            if value is not None and _looks_like_money(text, tokens[start + size:start + size + 1]):
                return value, chunk
    return None


_DECIMALS = re.compile(r"[.,]\d{2}\)?-?(?:\s*[A-Z]{3}|\s*[€$£])?$")


def _looks_like_money(text: str, after: list[Token]) -> bool:
    if _DECIMALS.search(text.strip()):
        return True
    _, currency = strip_currency(text)
    following = after[0].word.text if after else ""
    return currency is not None or parse_currency(following) is not None


def _parse_text(ctx: Context, tokens: list[Token]) -> Parsed:
    text = collapse(" ".join(t.word.text for t in tokens)).strip(":").strip()
    return (text, tokens) if re.search(r"[A-Za-zÀ-ÿ0-9]", text) else None


def _parse_with(finder: Callable[[str], str | None]) -> Callable[[Context, list[Token]], Parsed]:
    def parse(ctx: Context, tokens: list[Token]) -> Parsed:
        text = " ".join(t.word.text for t in tokens)
        value = finder(text)
        return (value, tokens) if value is not None else None
    return parse


_PARSERS: dict[str, Callable[[Context, list[Token]], Parsed]] = {
    KIND_ID: _parse_id, KIND_DATE: _parse_date, KIND_AMOUNT: _parse_amount, KIND_TEXT: _parse_text,
    KIND_CURRENCY: _parse_with(parse_currency), KIND_IBAN: _parse_with(parse_iban),
    KIND_BIC: _parse_with(parse_bic), KIND_VAT: _parse_with(parse_labelled_vat_id), "taxno": _parse_tax_number,
}
