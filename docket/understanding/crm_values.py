"""The values of CRM forms in their canonical text forms, in every supported language.

Durations ("24 Monate", "3 mois", "12-month"), billing periods ("monthly", "pro Quartal",
"per maand") and country names ("Royaume-Uni", "Nederland") are read with the unit and territory
names of CLDR (through babel) for the languages the extractors support, not with word lists of
their own; amounts may stand among words ("400,00 EUR pro Monat"). :data:`PARSERS` maps each CRM
field to its reader (a field without one keeps its text).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from babel import Locale

from docket.understanding.values import LANGUAGES, parse_amount, parse_bic, parse_currency, parse_date, parse_iban


def fold(text: str) -> str:
    """Lower case without accents and with single spaces: how labels and titles are compared."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def money_amount(text: str) -> str | None:
    """The amount of a segment that states one with its currency ("EUR 1,200.00", "400,00 € par mois")."""
    return parse_crm_amount(text) if parse_currency(text) is not None and re.search(r"\d[.,]\d\d(?!\d)", text) else None


_DATE_LIKE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}")


def has_decimal_number(text: str) -> bool:
    """Whether ``text`` holds a number with decimals ("198,00", "1.234.56"), dates aside: what any
    amount of money is printed as, with or without its currency."""
    return re.search(r"\d[.,]\d\d(?!\d)", _DATE_LIKE.sub(" ", text)) is not None


@lru_cache(maxsize=2)
def duration_words(singular_only: bool = False) -> dict[str, str]:
    """Folded duration unit words in the supported languages (CLDR, via babel) -> day, week, month,
    quarter or year: "Monate", "mois", "maanden", "meses", "Quartal", "jaar"... (only the forms
    CLDR uses for a count of one when ``singular_only``)."""
    words: dict[str, str] = {}
    for language in LANGUAGES:
        patterns = Locale.parse(language)._data["unit_patterns"]
        for unit in ("day", "week", "month", "quarter", "year"):
            for key, pattern in dict(patterns.get(f"duration-{unit}", {}).get("long", {})).items():
                if key == "per" or (singular_only and key != "one"):
                    continue
                for word in fold(str(pattern).replace("{0}", " ")).split():
                    words.setdefault(word, unit)
    if not singular_only:
        for word, unit in (("monaten", "month"), ("jahren", "year"), ("tagen", "day")):
            words.setdefault(word, unit)  # the dative plurals CLDR does not list
    return words


_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "quarter": 90, "year": 365}
_UNIT_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def parse_duration(text: str) -> tuple[int, str] | None:
    """The first "<count> <unit>" in ``text`` (any supported language): (count, unit), or None.
    "12-month" and "24 Monate" count; a unit word is matched whole, or as the first part of a
    compound ("Monatsende" is no duration: a count must come first)."""
    words = duration_words()
    for match in re.finditer(r"(\d{1,3})[\s\-\u00a0]*([^\W\d_]+)", fold(text)):
        unit = words.get(match.group(2))
        if unit is not None:
            return int(match.group(1)), unit
    return None


def parse_months(text: str) -> str | None:
    found = parse_duration(text)
    if found is None or found[1] not in _UNIT_MONTHS:
        return None
    return str(found[0] * _UNIT_MONTHS[found[1]])


def parse_days(text: str) -> str | None:
    found = parse_duration(text)
    return None if found is None else str(found[0] * _UNIT_DAYS[found[1]])


def parse_renewal(text: str) -> str | None:
    folded = fold(text)
    if re.search(r"(?<!\w)(no|none|nicht|keine|does not)(?!\w)", folded):
        return "none"
    if re.search(r"automatic|auto|renews|verlangert sich|automatisch|yes|ja", folded):
        return "auto"
    return None


_FREQUENCY_OF_UNIT = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}


def parse_frequency(text: str) -> str | None:
    """monthly, quarterly or yearly: said by the word ("monthly", "jährlich") or by a period unit
    without a count before it, in any supported language ("per month", "pro Quartal", "par mois",
    "per maand", "every month", the compound "maandelijks")."""
    folded = fold(text)
    for name, words in (("monthly", ("monthly", "monatlich", "per month")),
                        ("quarterly", ("quarterly", "vierteljahrlich", "quartalsweise", "per quarter")),
                        ("yearly", ("yearly", "annually", "annual", "jahrlich", "per year"))):
        if any(word in folded for word in words):
            return name
    if parse_duration(folded) is not None:
        return None  # "12 months" is a term, not a frequency
    units, every_form = duration_words(singular_only=True), duration_words()
    for word in re.findall(r"[^\W\d_]+", folded):
        if word in every_form and word not in units:
            continue  # a plural ("every three months") says how many, not how often
        unit = units.get(word) or next((u for w, u in units.items() if len(w) >= 4 and word.startswith(w)
                                        and u in _FREQUENCY_OF_UNIT), None)
        if unit in _FREQUENCY_OF_UNIT:
            return _FREQUENCY_OF_UNIT[unit]
    return None


def plain_text(text: str) -> str | None:
    value = text.strip().strip(":").strip()
    return value or None


def international_phone(text: str) -> str | None:
    """``text`` when it is a phone number in international form and nothing else ("+49 30 1234 567")."""
    value = text.strip()
    return value if re.fullmatch(r"\+\d{1,3}[\d \u00a0/().\-]{6,18}\d", value) else None


def email_address(text: str) -> str | None:
    match = re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", text)
    return match.group(0).lower() if match else None


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Folded country names in the supported languages (CLDR, via babel) -> ISO 3166 alpha-2."""
    names: dict[str, str] = {}
    for language in LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if re.fullmatch(r"[A-Z]{2}", code):
                names.setdefault(fold(name), code)
    names.update({"usa": "US", "uk": "GB"})
    return names


def parse_country(text: str) -> str | None:
    value = text.strip()
    if re.fullmatch(r"[A-Z]{2}", value):
        return value
    return country_names().get(fold(value))


_NUMBER_RUN = re.compile(r"\d[\d.,'\u00a0\u202f ]*\d|\d")


def parse_postal_code(text: str) -> str | None:
    """A postal code: from the first word with a digit on ("neu 50667" is 50667; "1015 CJ",
    "EC1A 1BB" and "D02 X285" keep their letters)."""
    match = re.search(r"\S*\d.*", text.strip())
    return match.group(0).strip() if match else None


def parse_crm_amount(text: str) -> str | None:
    """The amount in ``text``; words around it ("400,00 EUR pro Monat", "€ 1.200 per maand") are
    not part of it: then the first run of digits and separators that reads as an amount is it."""
    whole = parse_amount(text)
    if whole is not None:
        return whole
    for run in _NUMBER_RUN.finditer(text):
        value = parse_amount(run.group(0).strip())
        if value is not None:
            return value
    return None


PARSERS: dict[str, Callable[[str], str | None]] = {
    "signature_date": parse_date, "start_date": parse_date, "end_date": parse_date,
    "total": parse_crm_amount, "net_total": parse_crm_amount, "value": parse_crm_amount, "currency": parse_currency,
    "term_months": parse_months, "notice_period": parse_days, "renewal": parse_renewal,
    "billing_frequency": parse_frequency, "new_iban": parse_iban, "old_iban": parse_iban, "new_bic": parse_bic,
    "email": email_address, "country": parse_country, "postal_code": parse_postal_code,
}
