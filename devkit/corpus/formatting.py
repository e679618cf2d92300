"""How values are printed on generated documents, and their canonical truth text.

Every printed value has two forms: what stands on the page (locale number grouping, local date
style, currency symbol) and the canonical text stored in the ground truth (``1234.50``,
``2025-03-03``, ``EUR``). The functions here produce both from the same Decimal or date, so the
truth can never drift from the print.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date as babel_format_date

CENT = Decimal("0.01")

#: number styles: (thousands separator, decimal separator)
NUMBER_STYLES: dict[str, tuple[str, str]] = {
    "comma_dot": (",", "."),        # 1,234.56
    "dot_comma": (".", ","),        # 1.234,56
    "space_comma": ("\u00a0", ","),  # 1 234,56 (no-break space, as French typesetting does)
    "thin_space_comma": (" ", ","),  # 1 234,56 (plain space)
    "apos_dot": ("'", "."),         # 1'234.56
    "plain_dot": ("", "."),         # 1234.56
    "plain_comma": ("", ","),       # 1234,56
}

#: date styles: a babel/CLDR pattern (month names come from the document language)
DATE_STYLES: dict[str, str] = {
    "dmy_dot": "dd.MM.yyyy",
    "mdy_slash": "MM/dd/yyyy",
    "dmy_slash": "dd/MM/yyyy",
    "dmy_dash": "dd-MM-yyyy",
    "iso": "yyyy-MM-dd",
    "d_month_y": "d MMMM yyyy",
    "d_mon_y": "d MMM yyyy",
    "month_d_y": "MMMM d, yyyy",
}

CURRENCY_SYMBOLS: dict[str, str] = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF"}


@dataclass(frozen=True)
class NumberFormat:
    """A locale's way of printing numbers and money on one document."""

    style: str = "comma_dot"
    negative: str = "prefix"  # "prefix" (-12.00) or "suffix" (12.00-), as German ledgers print

    def amount(self, value: Decimal, places: int = 2) -> str:
        """``value`` rounded to ``places`` decimals, grouped and signed in this format."""
        thousands, decimal_sep = NUMBER_STYLES[self.style]
        quantum = Decimal(1).scaleb(-places)
        rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
        sign = "-" if rounded < 0 else ""
        whole, _, frac = f"{abs(rounded):f}".partition(".")
        groups: list[str] = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        groups.insert(0, whole)
        text = thousands.join(groups) + (decimal_sep + frac if places else "")
        if not sign:
            return text
        return text + "-" if self.negative == "suffix" else "-" + text

    def quantity(self, value: Decimal) -> str:
        """A quantity: integers without decimals, fractions with as many decimals as they have."""
        if value == value.to_integral_value():
            return self.amount(value, 0)
        places = max(0, -int(value.normalize().as_tuple().exponent))
        return self.amount(value, places)

    def rate(self, value: Decimal, spaced: bool = False) -> str:
        """A tax rate in percent (``19%``, ``5,5 %``)."""
        return self.quantity(value) + ("\u00a0%" if spaced else "%")


def canonical_amount(value: Decimal, places: int = 2) -> str:
    """Truth text of an amount: plain decimal, ``.`` separator, sign kept (``-1234.50``)."""
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_UP):f}"


def canonical_number(value: Decimal) -> str:
    """Truth text of a quantity or rate: plain decimal without trailing zeros (``2.5``, ``19``)."""
    normal = value.normalize()
    return f"{normal:f}" if normal != normal.to_integral_value() else str(int(normal))


def canonical_date(value: dt.date) -> str:
    """Truth text of a date: ISO 8601 ``YYYY-MM-DD``."""
    return value.isoformat()


def format_date(value: dt.date, style: str, language: str) -> str:
    """``value`` printed in ``style`` (a key of DATE_STYLES), month names in ``language``."""
    pattern = DATE_STYLES[style]
    if language == "de" and style == "d_month_y":
        pattern = "d. MMMM yyyy"
    if language == "es" and style == "d_month_y":
        pattern = "d 'de' MMMM 'de' yyyy"
    return str(babel_format_date(value, pattern, locale=language))


def money(fmt: NumberFormat, value: Decimal, currency: str, display: str) -> str:
    """An amount with its currency as the layout shows it.

    ``display``: ``none`` (bare number, currency stated elsewhere), ``symbol_before`` (``€ 12.00``),
    ``symbol_after`` (``12,00 €``), ``code_before`` (``EUR 12.00``), ``code_after`` (``12.00 EUR``).
    """
    number = fmt.amount(value)
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    return {
        "none": number,
        "symbol_before": f"{symbol} {number}" if len(symbol) > 1 else f"{symbol}{number}",
        "symbol_after": f"{number} {symbol}",
        "code_before": f"{currency} {number}",
        "code_after": f"{number} {currency}",
    }[display]


def collapse(text: str) -> str:
    """Whitespace collapsed to single spaces, ends trimmed (the truth form of free text)."""
    return " ".join(text.split())
