"""What a country's conventions say about printed numbers and dates.

Used only as evidence when the text itself is ambiguous (``1.234``, ``03/04/2025``); the text
always wins when it is unambiguous.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages
from babel.numbers import get_decimal_symbol

# Countries that print numeric dates month first (M/D/Y). Everything else reads D/M/Y or Y/M/D.
MONTH_FIRST_COUNTRIES = frozenset({"US", "PH", "PR", "GU", "AS", "MP", "UM", "VI", "FM", "MH", "PW"})


@lru_cache(maxsize=512)
def country_locale(country: str | None, language: str | None = None) -> str | None:
    """The babel locale id (``de_CH``) for a country, preferring ``language`` when it is spoken there.

    Returns None when neither is known. Guarantees the id parses with :class:`babel.Locale`.
    """
    candidates: list[str] = []
    if country:
        languages = list(get_official_languages(country.upper(), de_facto=True))
        if language and language.lower() in languages:
            languages.insert(0, language.lower())
        candidates.extend(f"{lang}_{country.upper()}" for lang in languages)
    if language:
        candidates.append(language.lower())
    for candidate in candidates:
        try:
            Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
        return candidate
    return None


@lru_cache(maxsize=512)
def decimal_separator(country: str | None, language: str | None = None) -> str | None:
    """The decimal separator (``.`` or ``,``) printed in ``country``, or None when unknown."""
    locale_id = country_locale(country, language)
    if locale_id is None:
        return None
    symbol: str = get_decimal_symbol(locale_id)
    return symbol if symbol in {".", ","} else None


def day_first(country: str | None) -> bool | None:
    """True when ``country`` prints numeric dates day first, False when month first, None if unknown."""
    if not country:
        return None
    return country.upper() not in MONTH_FIRST_COUNTRIES
