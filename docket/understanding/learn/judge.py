"""How a value read from a real document is judged against its label (pure functions).

Exact: names case-folded after whitespace collapse, identifiers as printed (spaces ignored),
dates and amounts as values. Lenient: names equal on letters and digits or within a rapidfuzz ratio
(90 for names, 85 for addresses), identifiers equal on letters and digits.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation

from rapidfuzz import fuzz

NAMES = {"supplier_name"}
ADDRESSES = {"supplier_address"}
DATES = {"invoice_date", "due_date", "receipt_date"}
AMOUNTS = {"total", "net_total", "tax_total"}
# A receipt read as an invoice (or the reverse) still has its date judged: the type is scored apart.
ALIASES = {"receipt_date": ("invoice_date",), "invoice_date": ("receipt_date",),
           "invoice_number": ("receipt_number",)}


def _collapse(text: str) -> str:
    return " ".join(text.split()).casefold()


def _alnum(text: str) -> str:
    return re.sub(r"[\W_]", "", text.casefold())


def verdict(name: str, truth: str, predicted: str | None) -> tuple[bool, bool]:
    """(exact, lenient) for ``predicted`` against ``truth`` of field ``name``."""
    if predicted is None:
        return False, False
    if name in AMOUNTS:
        try:
            same = Decimal(truth) == Decimal(predicted)
        except InvalidOperation:
            same = False
        return same, same
    if name in DATES or name == "currency":
        same = truth.strip() == predicted.strip()
        return same, same
    if name in NAMES or name in ADDRESSES:
        exact = _collapse(truth) == _collapse(predicted)
        a, b = _alnum(truth), _alnum(predicted)
        bar = 90 if name in NAMES else 85
        return exact, exact or a == b or fuzz.ratio(a, b) >= bar
    exact = truth.replace(" ", "") == predicted.replace(" ", "")
    return exact, exact or _alnum(truth) == _alnum(predicted)


def _amount_forms(value: str) -> list[str]:
    amount = Decimal(value)
    plain = f"{amount:.2f}"
    whole, cents = plain.split(".")
    grouped = f"{int(whole):,}" if not whole.startswith("-") else f"-{int(whole[1:]):,}"
    return [plain, f"{whole},{cents}", f"{grouped}.{cents}", f"{grouped.replace(',', '.')},{cents}",
            f"{grouped.replace(',', ' ')},{cents}", f"{grouped.replace(',', chr(160))},{cents}"]


def printed(name: str, truth: str, text: str) -> bool:
    """Whether the label ``truth`` of field ``name`` is on the page text ``text`` (loosely)."""
    if name in AMOUNTS:
        try:
            forms = _amount_forms(truth)
        except (InvalidOperation, ValueError):
            return False
        return any(form in text for form in forms)
    if name in DATES:
        year, month, day = truth.split("-")
        numeric = re.findall(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})", text)
        if any(int(d) == int(day) and int(m) == int(month) and y[-2:] == year[-2:] for d, m, y in numeric):
            return True
        if truth in text or f"{year}{month}{day}" in text:
            return True
        # dates with month names: the day and the year near each other
        return bool(re.search(rf"\b0?{int(day)}\.?\s+\w+\.?\s+{year}\b", text))
    if name in NAMES:
        return fuzz.partial_ratio(_collapse(truth), _collapse(text)) >= 90
    if name == "currency":
        return True
    return _alnum(truth) in _alnum(text)


def split_of(data: bytes) -> str:
    """``calib`` for one file in five by sha256 (held out from training, used to calibrate), else ``train``."""
    return "calib" if int(hashlib.sha256(data).hexdigest(), 16) % 5 == 0 else "train"
