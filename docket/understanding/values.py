"""Turning printed text into canonical values: amounts, percentages, dates, currencies, IDs.

Every parser returns the canonical text (``1234.50``, ``2025-04-03``, ``EUR``, ``DE89370400440532013000``)
or ``None`` when the text is not such a value; ``None`` here means "not this kind of value", and the
extractor records a MissingField rather than guessing. Locale ambiguity (``1.234`` / ``03/04/2025``)
is settled by a :class:`NumberStyle` / ``day_first`` hint learned from the whole document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.dates import get_month_names
from schwifty import BIC, IBAN
from schwifty.exceptions import InvalidChecksumDigits, SchwiftyException
from stdnum.eu import vat as eu_vat

LANGUAGES = ("en", "de", "fr", "es", "nl")

CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "CHF": "CHF", "Fr.": "CHF", "kr": "SEK",
                    "zł": "PLN", "US$": "USD", "RM": "MYR", "S$": "SGD", "₹": "INR", "Rs.": "INR"}
KNOWN_CURRENCIES = frozenset({"EUR", "USD", "GBP", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF",
                              "CAD", "AUD", "NZD", "CNY", "INR", "BRL", "MXN", "ZAR", "SGD", "HKD", "KWD",
                              "BHD", "RON", "BGN", "TRY", "ILS", "AED", "SAR", "MYR", "IDR", "THB", "PHP"})
_AMOUNT = re.compile(r"^\(?[-+\u2212]?\d{1,3}(?:[.,' \u00a0\u202f]\d{3})*(?:[.,]\d{1,4})?-?\)?$|"
                     r"^\(?[-+\u2212]?\d+(?:[.,]\d{1,4})?-?\)?$")


@dataclass(frozen=True)
class NumberStyle:
    """How a document writes numbers: ``decimal`` is ``.`` or ``,``."""

    decimal: str = "."


def strip_currency(text: str) -> tuple[str, str | None]:
    """``text`` without a leading/trailing currency code or symbol, and that currency (ISO) if any."""
    cleaned = text.strip()
    found: str | None = None
    match = re.match(r"^([A-Z]{3})\s*(?=[\d(+\-\u2212])", cleaned) or re.search(r"(?<=[\d)\-])\s*([A-Z]{3})$", cleaned)
    if match and match.group(1) in KNOWN_CURRENCIES:
        found = match.group(1)
        cleaned = (cleaned[:match.start(1)] + cleaned[match.end(1):]).strip()
    for symbol, code in sorted(CURRENCY_SYMBOLS.items(), key=lambda item: -len(item[0])):
        if cleaned.startswith(symbol) or cleaned.endswith(symbol):
            found = found or code
            cleaned = cleaned.removeprefix(symbol).removesuffix(symbol).strip()
            break
    return cleaned, found


def parse_amount(text: str, style: NumberStyle | None = None) -> str | None:
    """Canonical decimal text of a printed amount or quantity (``-1.234,50 €`` -> ``-1234.50``)."""
    cleaned, _ = strip_currency(text)
    cleaned = cleaned.replace("\u2212", "-").replace("\u00a0", " ").replace("\u202f", " ").strip()
    if not cleaned or not _AMOUNT.match(cleaned):
        return None
    negative = cleaned.startswith(("-", "(")) or cleaned.endswith("-")
    digits = cleaned.strip("()+-").replace(" ", "").replace("'", "")
    number = _normalise_separators(digits, style or NumberStyle())
    if number is None:
        return None
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None
    return format_decimal(-value if negative else value)


def _normalise_separators(digits: str, style: NumberStyle) -> str | None:
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:
        decimal_sep = "." if digits.rfind(".") > digits.rfind(",") else ","
    elif dots + commas == 0:
        return digits
    else:
        sep = "." if dots else ","
        tail = digits.rsplit(sep, 1)[1]
        if dots + commas > 1:
            if len(tail) not in (2, 3):
                return None
            # "10.635.50": a misread comma (OCR) before two final digits is the decimal mark.
            if len(tail) == 2:
                head = digits.rsplit(sep, 1)[0].replace(sep, "")
                return f"{head}.{tail}"
            decimal_sep = ""
        elif len(tail) == 3:
            decimal_sep = sep if style.decimal == sep else ""
        else:
            decimal_sep = sep
    thousands = {".", ","} - {decimal_sep}
    for mark in thousands:
        digits = digits.replace(mark, "")
    return digits.replace(decimal_sep, ".") if decimal_sep else digits


def format_decimal(value: Decimal) -> str:
    """Plain decimal text, no exponent, trailing zeros kept as printed (``20.00`` stays ``20.00``)."""
    text = format(value, "f")
    return "0" if text in ("-0", "+0") else text


def parse_percent(text: str, style: NumberStyle | None = None) -> str | None:
    """Canonical rate of ``19 %``, ``19,0%``, ``7%`` -> ``19``, ``19.0``, ``7`` (the % is optional)."""
    cleaned = text.replace("%", "").replace("VAT", "").strip()
    value = parse_amount(cleaned, style)
    if value is None or not (Decimal(0) <= Decimal(value) <= Decimal(100)):
        return None
    return value


@lru_cache(maxsize=1)
def _month_numbers() -> dict[str, int]:
    """Lower-case month names and abbreviations in the supported languages -> month number."""
    months: dict[str, int] = {}
    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=language).items():
                    key = name.lower().rstrip(".")
                    months.setdefault(key, number)
                    months.setdefault(_fold(key), number)
                    months.setdefault(key[:3], number)
    months.pop("mar", None)
    months["mar"] = 3  # "mar" is March in en/fr/es/nl; martes is not a month name
    months["mär"] = 3
    months["sept"] = 9
    return months


def _fold(text: str) -> str:
    return text.translate(str.maketrans("éèêûôàäöüç", "eeeuoaaouc"))


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# Not inside a longer number, and a two-digit year that a separator and digits follow is the month of
# a longer date ("REG #19- 10/03/2018" is 10 March 2018, not 19 October 2003).
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s?[./\-]\s?(\d{1,2})\s?[./\-]\s?(\d{4}|\d{2}(?!\s?[./\-]\s?\d))")
_TEXT_DATE = re.compile(r"\b(\d{1,2})(?:er|st|nd|rd|th)?\.?[\s\-/]*(?:de\s+)?([A-Za-zÀ-ÿ]{3,10})\.?,?"
                        r"[\s\-/]*(?:de\s+)?(\d{4}|\d{2}(?![\d:]))")
_TEXT_DATE_US = re.compile(r"([A-Za-zÀ-ÿ]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")


def parse_date(text: str, *, day_first: bool = True) -> str | None:
    """ISO date of the first date in ``text`` (numeric, ISO or with a month name in en/de/fr/es/nl)."""
    for finder in (_find_iso, _find_textual, _find_numeric):
        found = finder(text, day_first)
        if found is not None:
            return found.isoformat()
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _find_iso(text: str, day_first: bool) -> date | None:
    match = _ISO_DATE.search(text)
    return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def _find_numeric(text: str, day_first: bool) -> date | None:
    match = _NUMERIC_DATE.search(text)
    if not match:
        return None
    first, second, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if year >= 100 and not 1970 <= year <= 2099:
        year //= 100  # a two-digit year glued to the time on receipts: "12-01-1921:13"
    if first > 12 or (day_first and second <= 12):
        return _safe_date(year, second, first)
    return _safe_date(year, first, second)


def _find_textual(text: str, day_first: bool) -> date | None:
    months = _month_numbers()
    match = _TEXT_DATE.search(text)
    if match:
        month = months.get(match.group(2).lower()) or months.get(_fold(match.group(2).lower()))
        if month:
            return _safe_date(int(match.group(3)), month, int(match.group(1)))
    match = _TEXT_DATE_US.search(text)
    if match:
        month = months.get(match.group(1).lower()) or months.get(_fold(match.group(1).lower()))
        if month:
            return _safe_date(int(match.group(3)), month, int(match.group(2)))
    return None


def numeric_date_order(texts: list[str]) -> bool | None:
    """True (day first) / False (month first) when some numeric date in ``texts`` settles it."""
    for text in texts:
        for match in _NUMERIC_DATE.finditer(text):
            first, second = int(match.group(1)), int(match.group(2))
            if first > 12 >= second:
                return True
            if second > 12 >= first:
                return False
    return None


def parse_currency(text: str) -> str | None:
    """ISO 4217 code of a code or symbol in ``text`` (``EUR``, ``€``, ``US$``)."""
    for token in re.findall(r"\b[A-Z]{3}\b", text):
        if token in KNOWN_CURRENCIES:
            return str(token)
    for symbol, code in sorted(CURRENCY_SYMBOLS.items(), key=lambda item: -len(item[0])):
        if len(symbol) == 1 and symbol in text:
            return code
    return None


def compact(text: str) -> str:
    """Upper case without spaces, dots or dashes (IBAN/BIC/VAT ID canonical form)."""
    return re.sub(r"[\s.\-]", "", text).upper()


def parse_iban(text: str) -> str | None:
    """The valid IBAN in ``text`` (checksum verified by schwifty), compact upper case."""
    cleaned = re.sub(r"\b([A-Z]{2})[.\-:]\s?(\d{2})", r"\1\2", _fix_ocr_prefix(text.upper()))
    for match in re.finditer(r"[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{1,4}){3,8}", cleaned):
        candidate = compact(match.group())
        for end in range(len(candidate), 14, -1):
            try:
                return str(IBAN(candidate[:end]).compact)
            except SchwiftyException:
                continue
    return None


def parse_labelled_iban(text: str) -> str | None:
    """An IBAN after its label: a checked one as :func:`parse_iban` finds it, else one of the right
    country, length and alphabet whose check digits fail (specimen numbers, a typo the reviewer
    should see): printed beside the label, it is what the page states."""
    checked = parse_iban(text)
    if checked is not None:
        return checked
    cleaned = re.sub(r"\b([A-Z]{2})[.\-:]\s?(\d{2})", r"\1\2", text.upper())
    for match in re.finditer(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{1,4}){3,8}\b", cleaned):
        candidate = compact(match.group())
        try:
            IBAN(candidate)
        except InvalidChecksumDigits:
            return candidate
        except SchwiftyException:
            continue
    return None


def parse_bic(text: str) -> str | None:
    """A structurally valid BIC in ``text`` (schwifty), compact upper case."""
    for match in re.finditer(r"\b[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b", text.upper()):
        try:
            return str(BIC(match.group()).compact)
        except SchwiftyException:
            continue
    return None


_VAT_CANDIDATE = re.compile(r"\b(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|GR|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|"
                            r"RO|SE|SI|SK|GB|XI|CHE)[\s\-.]?[0-9A-Z][0-9A-Z \-.]{4,16}[0-9A-Z]")


_SWISS_UID = re.compile(r"\bCHE[\s\-.]?(\d{3})[\s.]?(\d{3})[\s.]?(\d{3})(?:\s?(MWST|TVA|IVA|VAT))?\b")


_OCR_PREFIXES = {"NI": "NL", "N1": "NL", "0E": "DE", "8E": "BE", "A7": "AT", "E5": "ES", "FB": "FR"}


def _fix_ocr_prefix(text: str) -> str:
    """Country prefixes OCR commonly misreads (``NI`` for ``NL``) put right before a VAT number."""
    return re.sub(r"\b(NI|N1|0E|8E|A7|E5)(?=[\s.\-]?\d)", lambda m: _OCR_PREFIXES[m.group(1)], text)


_CONFUSIONS = {"8": "B", "B": "8", "0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "6": "G", "G": "6"}


def _repair_one_character(candidate: str) -> str | None:
    """The checksum-valid VAT ID one OCR confusion (8/B, 0/O, 1/I, 5/S, 6/G) away, if exactly one."""
    valid = set()
    for position in range(2, len(candidate)):
        swap = _CONFUSIONS.get(candidate[position])
        if swap is not None:
            attempt = candidate[:position] + swap + candidate[position + 1:]
            if eu_vat.is_valid(attempt):
                valid.add(str(eu_vat.compact(attempt)))
    return valid.pop() if len(valid) == 1 else None


def parse_vat_id(text: str) -> str | None:
    """A VAT ID in ``text``: a Swiss UID (with its MWST/TVA/IVA suffix when printed), a
    checksum-valid EU number (one OCR slip repaired), else a well-formed UK number."""
    swiss = _SWISS_UID.search(text.upper())
    if swiss:
        return "CHE" + "".join(g for g in swiss.groups() if g)
    raw = [m.group() for m in _VAT_CANDIDATE.finditer(_fix_ocr_prefix(text.upper()))]
    candidates = [compact(r) for r in raw]
    for printed in raw:
        # Shorten only at printed group boundaries, so an IBAN's first groups are never a VAT ID.
        groups = printed.split()
        for end in range(len(groups), 0, -1):
            candidate = compact("".join(groups[:end]))
            if len(candidate) > 7 and eu_vat.is_valid(candidate):
                return str(eu_vat.compact(candidate))
    for candidate in candidates:
        repaired = _repair_one_character(candidate)
        if repaired is not None:
            return repaired
    # EU numbers must pass their checksum; UK ones are accepted when well formed.
    for candidate in candidates:
        if re.fullmatch(r"(?:GB|XI)(?:\d{9}|\d{12}|GD\d{3}|HA\d{3})", candidate):
            return candidate
    return None


_EU_PREFIXES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT",
                "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI")
_VAT_SHAPE = re.compile(r"\b(" + "|".join(_EU_PREFIXES) + r")[ .\-]?([0-9A-Z][0-9A-Z .\-]{6,14}[0-9A-Z])\b")


def parse_labelled_vat_id(text: str) -> str | None:
    """A VAT ID after its label: a checked one as :func:`parse_vat_id` finds it, else a number
    of VAT shape (EU country prefix, 8-12 digits) whose checksum fails: printed beside the label,
    it is what the page states (specimen numbers, a typo the reviewer should see)."""
    checked = parse_vat_id(text)
    if checked is not None:
        return checked
    match = _VAT_SHAPE.search(text.upper())
    if match is None:
        return None
    candidate = compact(match.group(1) + match.group(2))
    return candidate if re.fullmatch(r"[A-Z]{2}\d{8,12}|FR[0-9A-Z]{2}\d{9}|NL\d{9}B\d{2}", candidate) else None


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces, trimmed."""
    return " ".join(text.split())
