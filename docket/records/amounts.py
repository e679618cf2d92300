"""Printed amounts to Decimal, whatever the decimal and grouping convention.

``1.234,56``, ``1,234.56``, ``1 234,56``, ``1'234.56``, ``1,23,456.78``, ``(1,234.56)``, ``1.234,56-``
and ``-€ 12,50`` all read. Only a lone separator followed by exactly three digits (``1.234``) is
ambiguous; the locale decides, and without one it is read as grouping because invoices rarely
print three decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from docket.records.currency import normalize_currency
from docket.records.errors import AmountUnreadableError, CurrencyUnknownError

_MINUS_SIGNS = "-\u2212\u2012\u2013\u2014"
_GROUP_ONLY = "'\u2019 \u00a0\u202f\u2009"
_NUMBER = re.compile(r"[0-9][0-9.,'\u2019 \u00a0\u202f\u2009]*")
_LETTER = re.compile(r"[^\W\d_]")
_MINUS = "[-\u2212\u2012\u2013\u2014]"
# Leading minus or "(", trailing minus, a minus between a symbol and the digits, or a CR suffix.
_NEGATIVE = re.compile(rf"^\s*(?:{_MINUS}|\()|{_MINUS}\s*$|{_MINUS}\s*[0-9]|\b(?:CR|Cr|cr)\.?\s*$")
_CREDIT_WORDS = re.compile(r"\b(?:CR|DR|cr|dr)\b\.?")
_SPACING = re.compile(r"[()\s\-\u2212\u2012\u2013\u2014]+")
_DROP_GROUPING = str.maketrans("", "", _GROUP_ONLY)


@dataclass(frozen=True)
class ReadAmount:
    """An amount read from text: ``value`` carries the sign the text printed."""

    value: Decimal
    decimal_separator: str | None


def _sign(text: str) -> int:
    """-1 for ``-12``, ``12-``, ``(12)``, ``€ -12``, ``12 CR``; +1 otherwise."""
    return -1 if _NEGATIVE.search(text) else 1


def _decimal_position(digits: str, locale_separator: str | None) -> str | None:
    """Which of ``.`` / ``,`` is the decimal separator in ``digits`` (None: an integer)."""
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    separator = "." if last_dot >= 0 else "," if last_comma >= 0 else None
    if separator is None:
        return None
    if digits.count(separator) > 1:
        return None
    after = len(digits) - digits.rfind(separator) - 1
    if after != 3:
        return separator
    before = digits[: digits.rfind(separator)]
    if before.strip(_GROUP_ONLY) in {"", "0"}:
        return separator
    return separator if locale_separator == separator else None


def _check_grouping(integer_part: str, group: str | None) -> None:
    """Reject ``12,34,5`` style text: groups after the first must hold 2 or 3 digits."""
    if group is None or group not in integer_part:
        return
    groups = integer_part.split(group)
    if any(not g.isdigit() for g in groups) or any(len(g) not in (2, 3) for g in groups[1:]):
        raise AmountUnreadableError(f"inconsistent digit grouping in {integer_part!r}")
    if len(groups[-1]) != 3:
        raise AmountUnreadableError(f"inconsistent digit grouping in {integer_part!r}")


def _check_words(text: str, number: str) -> None:
    """Words around the number must name a currency (``EUR``, ``Euro``, ``US$``) or a credit (``CR``)."""
    rest = _CREDIT_WORDS.sub(" ", text.replace(number, " "))
    if not _LETTER.search(rest):
        return
    try:
        normalize_currency(_SPACING.sub(" ", rest))
    except CurrencyUnknownError as exc:
        raise AmountUnreadableError(f"words around the amount in {text!r}") from exc


def read_amount(text: str, *, locale_separator: str | None = None) -> ReadAmount:
    """Read one amount from ``text`` (symbols, codes and words around it are ignored).

    ``locale_separator`` is the decimal separator the issuer's locale prints (``,`` or ``.``),
    used only when the text is ambiguous. Raises :class:`AmountUnreadableError` when the text
    holds no number, more than one, or words that are not a currency.
    """
    numbers = [m.group(0).strip(_GROUP_ONLY + ".,") for m in _NUMBER.finditer(text)]
    numbers = [n for n in numbers if n]
    if len(numbers) != 1:
        raise AmountUnreadableError(f"expected one amount in {text!r}, found {len(numbers)}")
    if _LETTER.search(text):
        _check_words(text, numbers[0])
    digits = numbers[0].translate(_DROP_GROUPING)
    separator = _decimal_position(digits, locale_separator)
    if separator is None:
        group = "," if "," in digits else "." if "." in digits else None
        _check_grouping(digits, group)
        plain = digits.replace(",", "").replace(".", "")
    else:
        integer_part, fraction = digits[: digits.rfind(separator)], digits[digits.rfind(separator) + 1:]
        group = "," if separator == "." else "."
        _check_grouping(integer_part, group if group in integer_part else None)
        plain = integer_part.replace(group, "") + "." + fraction
    try:
        value = Decimal(plain)
    except InvalidOperation as exc:
        raise AmountUnreadableError(f"not a number: {text!r}") from exc
    return ReadAmount(value=value * _sign(text), decimal_separator=separator)


def _without_words(text: str) -> str:
    return re.sub(r"[^\W\d_]+\.?", " ", text)


def read_quantity(text: str, *, locale_separator: str | None = None) -> Decimal:
    """A quantity, with any unit around it ignored (``2 Stk``, ``5,5 h``, ``pcs 10``)."""
    return read_amount(_without_words(text), locale_separator=locale_separator).value


def read_percent(text: str) -> Decimal:
    """A tax rate in percent from ``19%``, ``19,0 %``, ``MwSt 7.7``, or ``0.19`` printed as a fraction.

    A value below 1 with a leading zero and no percent sign is read as a fraction (``0.19`` is 19%).
    """
    read = read_amount(_without_words(text).replace("%", " "), locale_separator=None)
    value = abs(read.value)
    if "%" not in text and Decimal(0) < value < 1:
        value = value * 100
    return value
