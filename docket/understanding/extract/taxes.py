"""The tax breakdown: one row per rate with the taxable base and the tax amount.

A breakdown row holds a rate (``19 %``) and amounts; the base/amount pair is the one where
base x rate ≈ amount, which tells them apart from gross columns without knowing the layout.
A row with a tax label, a rate and a single amount gives rate and amount only.
"""

from __future__ import annotations

import re
from decimal import Decimal

from docket.reading.page import Word
from docket.understanding.extract.base import Context, Found, amount_of, word_confidence
from docket.understanding.values import format_decimal, parse_percent

_RATE = re.compile(r"^\d{1,2}(?:[.,]\d{1,2})?\s?%$")
_TAX_WORDS = frozenset({"vat", "tax", "mwst", "ust", "umsatzsteuer", "tva", "iva", "btw", "gst", "mehrwertsteuer",
                        "steuer", "taxes", "impuestos"})


def tax_breakdown(ctx: Context, start_line: int) -> dict[str, Found]:
    """``tax_N_rate``/``tax_N_base``/``tax_N_amount`` for breakdown rows at or after ``start_line``."""
    found: dict[str, Found] = {}
    seen_rates: set[str] = set()
    number = 0
    for index in range(start_line, len(ctx.lines)):
        row = _breakdown_row(ctx, index)
        if row is None or row[0].value in seen_rates:
            continue
        rate, base, amount = row
        seen_rates.add(rate.value)
        number += 1
        for kind, item in (("rate", rate), ("base", base), ("amount", amount)):
            if item is not None:
                name = f"tax_{number}_{kind}"
                found[name] = Found(name, item.value, item.words, item.page, item.method, item.confidence)
    return found


def _breakdown_row(ctx: Context, index: int) -> tuple[Found, Found | None, Found] | None:
    line = ctx.lines[index]
    tokens = ctx.tokens[index]
    rate_words = _rate_words(line.words)
    if rate_words is None:
        return None
    rate_value = parse_percent(" ".join(w.text for w in rate_words), ctx.style)
    if rate_value is None:
        return None
    amounts = money_amounts(ctx, [w for w in line.words if w not in rate_words])
    has_tax_word = any(t.norm.rstrip(".") in _TAX_WORDS for t in tokens)
    rate = Found("rate", rate_value, tuple(rate_words), line.page, "layout", 0.9 * word_confidence(rate_words))
    pair = _consistent_pair(Decimal(rate_value), amounts)
    if pair is not None:
        base, amount = pair
        return rate, _as_found(base, line.page), _as_found(amount, line.page)
    if has_tax_word and len(amounts) == 1:
        return rate, None, _as_found(amounts[0], line.page)
    return None


def _rate_words(words: tuple[Word, ...]) -> list[Word] | None:
    for position, word in enumerate(words):
        if _RATE.match(word.text):
            return [word]
        if word.text == "%" and position > 0 and re.fullmatch(r"\d{1,2}(?:[.,]\d{1,2})?", words[position - 1].text):
            return [words[position - 1], word]
    return None


_MONEY = re.compile(r"[.,]\d{2}\)?-?$")
_LEADING_GROUP = re.compile(r"^[-(]?\d{1,3}$")
_FOLLOWING_GROUP = re.compile(r"^\d{3}[.,]\d{2}")


def money_amounts(ctx: Context, words: list[Word]) -> list[tuple[str, list[Word]]]:
    """Money amounts among ``words``; ``1 836,93`` printed as two words is read as one amount."""
    amounts = []
    skip = False
    for position, word in enumerate(words):
        if skip:
            skip = False
            continue
        following = words[position + 1] if position + 1 < len(words) else None
        if following is not None and _LEADING_GROUP.match(_strip_currency_marks(word.text)) \
                and _FOLLOWING_GROUP.match(following.text):
            value = amount_of(f"{word.text} {following.text}", ctx.style)
            if value is not None:
                amounts.append((value, [word, following]))
                skip = True
                continue
        value = amount_of(word.text, ctx.style)
        if value is not None and _MONEY.search(_strip_currency_marks(word.text)):
            amounts.append((value, [word]))
    return amounts


def _strip_currency_marks(text: str) -> str:
    return text.strip("€$£¥ ").removesuffix("EUR").removesuffix("CHF").strip()


def _consistent_pair(rate: Decimal, amounts: list[tuple[str, list[Word]]],
                     ) -> tuple[tuple[str, list[Word]], tuple[str, list[Word]]] | None:
    """The (base, amount) pair with base x rate = amount to the cent. Base and tax share a sign, so
    a base whose minus sign was lost (OCR) takes the amount's."""
    for base in amounts:
        for amount in amounts:
            if base is amount:
                continue
            expected = abs(Decimal(base[0])) * rate / 100
            if abs(expected - abs(Decimal(amount[0]))) <= Decimal("0.011") and (rate == 0 or base[0] != amount[0]):
                negative = Decimal(amount[0]) < 0 or Decimal(base[0]) < 0
                signed = format_decimal(-abs(Decimal(base[0]))) if negative else base[0]
                signed_amount = format_decimal(-abs(Decimal(amount[0]))) if negative else amount[0]
                return (signed, base[1]), (signed_amount, amount[1])
    return None


def _as_found(item: tuple[str, list[Word]], page: int) -> Found:
    value, words = item
    return Found("", value, tuple(words), page, "layout", 0.9 * word_confidence(words))
