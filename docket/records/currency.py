"""Currency symbols, names and codes to ISO 4217 codes.

Codes are checked against babel's list. Symbols shared by several currencies (``$``, ``kr``,
``¥``) are settled by the issuer's country; without one, the most common reading is taken.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from babel import Locale
from babel.numbers import list_currencies

from docket.records.errors import CurrencyUnknownError

_NAME_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "nb", "pl")

# Symbols that mean one currency wherever they are printed.
_UNIQUE_SYMBOLS = {
    "€": "EUR", "£": "GBP", "₹": "INR", "₽": "RUB", "₩": "KRW", "₺": "TRY", "₪": "ILS", "₫": "VND",
    "₱": "PHP", "₴": "UAH", "₦": "NGN", "฿": "THB", "zł": "PLN", "kč": "CZK", "ft": "HUF", "lei": "RON",
    "us$": "USD", "u$s": "USD", "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD", "nz$": "NZD",
    "s$": "SGD", "hk$": "HKD", "r$": "BRL", "mx$": "MXN", "fr.": "CHF", "sfr.": "CHF", "chf": "CHF",
    "euro": "EUR", "euros": "EUR", "eur": "EUR",
}
# Symbols whose currency depends on the country printing them: (symbol, country) -> code.
_SHARED_SYMBOLS = {
    "$": ({"US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD", "MX": "MXN",
           "AR": "ARS", "CL": "CLP", "CO": "COP", "TW": "TWD"}, "USD"),
    "kr": ({"SE": "SEK", "NO": "NOK", "DK": "DKK", "IS": "ISK"}, "SEK"),
    "kr.": ({"SE": "SEK", "NO": "NOK", "DK": "DKK", "IS": "ISK"}, "DKK"),
    "¥": ({"JP": "JPY", "CN": "CNY"}, "JPY"),
    "元": ({"CN": "CNY"}, "CNY"),
    "r": ({"ZA": "ZAR"}, "ZAR"),
    "dollar": ({"US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD"}, "USD"),
    "dollars": ({"US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD", "HK": "HKD"}, "USD"),
    "krona": ({"SE": "SEK", "IS": "ISK"}, "SEK"),
    "krone": ({"NO": "NOK", "DK": "DKK"}, "NOK"),
    "kronor": ({"SE": "SEK"}, "SEK"),
    "kroner": ({"NO": "NOK", "DK": "DKK"}, "NOK"),
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", folded).strip()


@lru_cache(maxsize=1)
def iso_codes() -> frozenset[str]:
    """Every ISO 4217 code babel knows (current and historic)."""
    return frozenset(list_currencies())


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Folded currency display names (``us dollar``, ``schweizer franken``) to codes."""
    names: dict[str, str] = {}
    for language in _NAME_LANGUAGES:
        for code, name in Locale.parse(language).currencies.items():
            if code in iso_codes():
                names.setdefault(_fold(name), code)
    return names


def normalize_currency(text: str, *, country: str | None = None) -> str:
    """The ISO 4217 code for a code, symbol or name (``€``, ``US$``, ``Schweizer Franken``, ``usd``).

    ``country`` (ISO 3166 alpha-2) settles shared symbols. Raises :class:`CurrencyUnknownError`.
    """
    folded = _fold(text)
    if not folded:
        raise CurrencyUnknownError("empty currency")
    if folded.upper() in iso_codes() and len(folded) == 3:
        return folded.upper()
    if folded in _UNIQUE_SYMBOLS:
        return _UNIQUE_SYMBOLS[folded]
    if folded in _SHARED_SYMBOLS:
        by_country, fallback = _SHARED_SYMBOLS[folded]
        return by_country.get((country or "").upper(), fallback)
    if folded in _names():
        return _names()[folded]
    # A code or symbol next to an amount or in a phrase: "EUR 1.234,00", "Amount in €".
    for token in re.findall(r"\b[a-z]{3}\b", folded):
        code = str(token).upper()
        if code in iso_codes():
            return code
    for symbol in sorted(_UNIQUE_SYMBOLS, key=len, reverse=True):
        if not symbol.isalpha() and symbol in folded:
            return _UNIQUE_SYMBOLS[symbol]
    raise CurrencyUnknownError(f"unknown currency {text!r}")
