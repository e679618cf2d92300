"""How a payment settles a chosen set of open items: amounts applied, FX difference, deduction, rest."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from docket.cashapp.deductions import reason_from_shortfall, reason_from_text
from docket.cashapp.errors import FxRateMissingError
from docket.cashapp.fx import FxRates
from docket.model.masterdata import OpenItem
from docket.model.payments import AppliedItem

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Settlement:
    """The outcome of applying ``paid`` to items, oldest first.

    ``fit`` is ``exact``, ``fx_difference`` (other currency, within tolerance), ``overpayment``,
    ``short_with_reason``, ``partial`` or ``fx_rate_missing``; amounts applied are in each item's
    currency, ``unapplied`` and ``deduction`` in the payment's.
    """

    fit: str
    applications: tuple[AppliedItem, ...]
    unapplied: Decimal
    deduction: Decimal | None = None
    deduction_reason: str | None = None

    @property
    def status(self) -> str:
        """``partial`` when items stay open after this payment, else ``applied``."""
        return "partial" if self.fit in ("short_with_reason", "partial") else "applied"


@dataclass(frozen=True)
class Tolerances:
    """``amount``: absolute, in the payment currency; ``fx``: relative, for other-currency items."""

    amount: Decimal = Decimal("0.01")
    fx: Decimal = Decimal("0.02")


def _q(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_EVEN)


def settle(items: list[OpenItem], paid: Decimal, currency: str, *, fx: FxRates, tolerances: Tolerances,
           text: str | None = None) -> Settlement:
    """Apply ``paid`` (in ``currency``) to ``items`` (oldest invoice first) and classify the fit.

    Amounts are compared in the invoices' currency when they share one (the payment is converted
    at the given rate), else in the payment's. Items in another currency than the payment get a
    relative tolerance (``tolerances.fx``) and, when closed in full, their ``fx_difference``.
    """
    ordered = sorted(items, key=lambda i: (i.invoice_date, i.item_id))
    basis = ordered[0].currency if ordered and len({i.currency for i in ordered}) == 1 else currency
    try:
        opened = [fx.convert(i.amount_open, i.currency, basis) for i in ordered]
        received = fx.convert(paid, currency, basis)
    except FxRateMissingError:
        return Settlement("fx_rate_missing", (), paid)
    total = sum(opened, Decimal(0))
    foreign = any(i.currency != currency for i in ordered)
    tolerance = max(tolerances.amount, total * tolerances.fx) if foreign else tolerances.amount
    difference = received - total
    if abs(difference) <= tolerance:
        return _settle_in_full(ordered, opened, received, basis, fx, foreign)
    if difference > 0:
        closed = tuple(AppliedItem(open_item_id=i.item_id, invoice_number=i.invoice_number,
                                   amount_applied=i.amount_open, currency=i.currency) for i in ordered)
        return Settlement("overpayment", closed, _q(fx.convert(difference, basis, currency)))
    shortfall = _q(fx.convert(-difference, basis, currency))
    reason = reason_from_text(text) or reason_from_shortfall(-difference, total, tolerance=tolerances.amount)
    applied = _allocate(ordered, opened, received, basis, fx)
    if reason:
        return Settlement("short_with_reason", applied, Decimal(0), shortfall, reason)
    return Settlement("partial", applied, Decimal(0))


def _settle_in_full(ordered: list[OpenItem], opened: list[Decimal], received: Decimal, basis: str,
                    fx: FxRates, foreign: bool) -> Settlement:
    total = sum(opened, Decimal(0))
    applied: list[AppliedItem] = []
    for item, share in zip(ordered, opened, strict=True):
        difference = None
        if foreign:
            # the item is closed in full; what the payment lacked or exceeded is an FX difference
            part = fx.convert(received * share / total, basis, item.currency) if total else Decimal(0)
            difference = _q(part - item.amount_open)
        applied.append(AppliedItem(open_item_id=item.item_id, invoice_number=item.invoice_number,
                                   amount_applied=item.amount_open, currency=item.currency,
                                   fx_difference=difference))
    fit = "fx_difference" if foreign and received != total else "exact"
    return Settlement(fit, tuple(applied), Decimal(0))


def _allocate(ordered: list[OpenItem], opened: list[Decimal], received: Decimal, basis: str,
              fx: FxRates) -> tuple[AppliedItem, ...]:
    """``received`` (in ``basis``) spread over the items oldest first, the last one partly."""
    remaining = received
    applied: list[AppliedItem] = []
    for item, share in zip(ordered, opened, strict=True):
        if remaining <= 0:
            break
        portion = min(remaining, share)
        remaining -= portion
        amount = item.amount_open if portion == share else _q(fx.convert(portion, basis, item.currency))
        applied.append(AppliedItem(open_item_id=item.item_id, invoice_number=item.invoice_number,
                                   amount_applied=amount, currency=item.currency))
    return tuple(applied)
