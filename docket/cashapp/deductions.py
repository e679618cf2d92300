"""Why a customer paid less than was open: reason codes from remittance wording or the shortfall."""

from __future__ import annotations

import re
from decimal import Decimal

# (reason code, words customers and banks use for it); first match wins, most specific first
_REASON_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("early_payment_discount", ("skonto", "early payment", "prompt payment", "cash discount", "escompte",
                                "2% disc", "3% disc", "discount")),
    ("damaged_goods", ("damaged", "damage", "defect", "broken", "beschaedigt", "beschädigt")),
    ("short_shipment", ("short ship", "shortage", "missing item", "not delivered", "short delivery",
                        "fehlmenge")),
    ("pricing_dispute", ("price diff", "pricing", "overcharg", "price dispute", "wrong price")),
    ("freight", ("freight", "shipping charge", "delivery charge", "fracht")),
    ("promotion_allowance", ("promo", "allowance", "rebate", "bonus", "co-op", "coop")),
    ("withholding_tax", ("withholding", "wht", "tds", "quellensteuer")),
    ("credit_note", ("credit note", "credit memo", "gutschrift")),
    ("bank_charges", ("bank charge", "bank fee", "charges", "fees")),
    ("unspecified_deduction", ("deduction", "deducted", "less ", "minus", "abzug", "short paid", "short pay")),
)
_DISCOUNT_RATES = (Decimal("0.01"), Decimal("0.015"), Decimal("0.02"), Decimal("0.025"), Decimal("0.03"),
                   Decimal("0.05"))


def reason_from_text(text: str | None) -> str | None:
    """The deduction reason code the remittance text names, if any."""
    if not text:
        return None
    lowered = f" {text.lower()} "
    for code, words in _REASON_WORDS:
        if any(re.search(rf"(?<![a-z]){re.escape(w)}", lowered) for w in words):
            return code
    return None


def reason_from_shortfall(shortfall: Decimal, open_total: Decimal, *, tolerance: Decimal) -> str | None:
    """``early_payment_discount`` when the shortfall is a usual discount rate of the open total."""
    if open_total <= 0 or shortfall <= 0:
        return None
    for rate in _DISCOUNT_RATES:
        if abs(open_total * rate - shortfall) <= tolerance:
            return "early_payment_discount"
    return None
