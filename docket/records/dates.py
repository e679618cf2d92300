"""Printed dates to ISO dates, keeping day/month ambiguity explicit until it can be resolved.

:func:`read_date` returns every calendar reading the text allows (``03/04/2025`` gives two);
:func:`resolve_dates` picks one reading per document using, in order of evidence: an unambiguous
sibling date on the same document (``25/03/2025`` proves day-first), the issuer's country
convention (else the document language, when it is not English), then consistency between the
dates (a due date on or after the invoice date, close to it). Month names are looked up in
babel's calendars for the common European languages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from babel.dates import get_month_names

from docket.records.errors import DateUnreadableError
from docket.records.locales import day_first

_MONTH_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "nb", "fi", "pl", "cs")
_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})\s*([./\-])\s*(\d{1,2})\s*[./\-]\s*(\d{2,4})(?!\d)")
_COMPACT_ISO = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")
_WORD = re.compile(r"[^\W\d_]+\.?")


@dataclass(frozen=True)
class DateReading:
    """The readings of one printed date: ``day_first`` / ``month_first`` differ only when ambiguous.

    ``order_fixed`` is True when the text itself says which number is the day (ISO order, a month
    name, or a number above 12), so the reading can serve as evidence for sibling dates.
    """

    raw: str
    day_first: date | None
    month_first: date | None
    order_fixed: bool
    separator: str | None = None

    @property
    def ambiguous(self) -> bool:
        return (self.day_first is not None and self.month_first is not None
                and self.day_first != self.month_first)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).rstrip(".")


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for language in _MONTH_LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, language).items():
                    names.setdefault(_fold(name), int(number))
    names.setdefault("sept", 9)
    return names


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _read_numeric(raw: str, match: re.Match[str]) -> DateReading:
    first, separator, second, third = match.group(1), match.group(2), match.group(3), match.group(4)
    if len(first) == 4:
        iso = _safe_date(int(first), int(second), int(third))
        return DateReading(raw, iso, iso, order_fixed=iso is not None, separator=separator)
    year = _year(third)
    as_day_first = _safe_date(year, int(second), int(first))
    as_month_first = _safe_date(year, int(first), int(second))
    if separator == "." and as_day_first is not None:
        # Dotted dates are a day-first convention (DE, CH, AT, Nordics...); M.D.Y is not printed.
        return DateReading(raw, as_day_first, as_day_first, order_fixed=True, separator=separator)
    fixed = (as_day_first is None) != (as_month_first is None) or int(first) == int(second)
    return DateReading(raw, as_day_first, as_month_first, order_fixed=fixed, separator=separator)


def _read_with_month_name(raw: str) -> DateReading | None:
    months = _month_names()
    month = next((months[w] for w in (_fold(m.group(0)) for m in _WORD.finditer(raw)) if w in months), None)
    if month is None:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", raw)]
    years = [n for n in numbers if n >= 1000]
    days = [n for n in numbers if 1 <= n <= 31]
    if len(years) == 1 and days:
        found = _safe_date(years[0], month, days[0])
    elif len(numbers) == 2 and not years:
        day, short_year = (numbers[0], numbers[1])
        found = _safe_date(_year(str(short_year)), month, day)
    else:
        found = None
    if found is None:
        return None
    return DateReading(raw, found, found, order_fixed=True)


def read_date(raw: str) -> DateReading:
    """Every calendar reading of ``raw``; raises :class:`DateUnreadableError` when there is none."""
    text = raw.strip()
    match = _NUMERIC.search(text)
    if match:
        reading = _read_numeric(text, match)
        if reading.day_first or reading.month_first:
            return reading
    compact = _COMPACT_ISO.search(text)
    if compact:
        found = _safe_date(int(compact.group(1)), int(compact.group(2)), int(compact.group(3)))
        if found:
            return DateReading(text, found, found, order_fixed=True)
    named = _read_with_month_name(text)
    if named is not None:
        return named
    raise DateUnreadableError(f"no date in {raw!r}")


@dataclass(frozen=True)
class ResolvedDate:
    """One chosen date and the evidence that chose it (``unambiguous``, ``document``,
    ``country``, ``language``, ``consistency`` or ``default``)."""

    value: date
    evidence: str


def _order_from_siblings(readings: dict[str, DateReading]) -> bool | None:
    """Day-first (True) / month-first (False) as proven by an unambiguous numeric sibling."""
    votes = set()
    for reading in readings.values():
        if reading.separator is None or reading.ambiguous or reading.day_first == reading.month_first:
            continue
        votes.add(reading.day_first is not None)
    return votes.pop() if len(votes) == 1 else None


def _consistent(chosen: dict[str, date]) -> bool:
    issue, due = chosen.get("issue"), chosen.get("due")
    if issue is None or due is None:
        return True
    return 0 <= (due - issue).days <= 190


def _pick(readings: dict[str, DateReading], day_first_order: bool) -> dict[str, date]:
    chosen: dict[str, date] = {}
    for role, reading in readings.items():
        preferred = reading.day_first if day_first_order else reading.month_first
        fallback = reading.month_first if day_first_order else reading.day_first
        value = preferred or fallback
        if value is not None:
            chosen[role] = value
    return chosen


def _order_from_language(language: str | None) -> bool | None:
    """Day-first for any document language but English (whose readers split between M/D and D/M)."""
    if not language:
        return None
    return None if language.lower().split("-")[0].split("_")[0] == "en" else True


def resolve_dates(readings: dict[str, DateReading], *, country: str | None,
                  language: str | None = None) -> dict[str, ResolvedDate]:
    """Choose one date per role (``issue``, ``due``, ...) for a whole document.

    All ambiguous dates on one document are read in the same order. Guarantees a result for
    every role with at least one valid reading.
    """
    if not any(r.ambiguous for r in readings.values()):
        return {role: ResolvedDate(d, "unambiguous") for role, d in _pick(readings, True).items()}
    sibling_order = _order_from_siblings(readings)
    country_order, country_evidence = day_first(country), "country"
    if country_order is None:
        country_order, country_evidence = _order_from_language(language), "language"
    if sibling_order is not None:
        order, evidence = sibling_order, "document"
    elif country_order is not None:
        order, evidence = country_order, country_evidence
        if not _consistent(_pick(readings, order)) and _consistent(_pick(readings, not order)):
            order, evidence = not order, "consistency"
    else:
        day_first_ok, month_first_ok = _consistent(_pick(readings, True)), _consistent(_pick(readings, False))
        if day_first_ok != month_first_ok:
            order, evidence = day_first_ok, "consistency"
        else:
            order, evidence = True, "default"
    return {
        role: ResolvedDate(value, evidence if readings[role].ambiguous else "unambiguous")
        for role, value in _pick(readings, order).items()
    }
