"""Foreign-exchange conversion for comparing a payment with items in another currency."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from docket.cashapp.errors import FxRateMissingError


@dataclass(frozen=True)
class FxRates:
    """Rates as ``{(from, to): rate}``, one unit of ``from`` buys ``rate`` units of ``to``.

    The inverse of a given pair is derived; there is no triangulation, so a rate must be given
    for every pair that meets (the caller knows the rate source and its date).
    """

    rates: Mapping[tuple[str, str], Decimal] = field(default_factory=dict)

    def rate(self, source: str, target: str) -> Decimal:
        """Units of ``target`` per unit of ``source``; raises ``CASHAPP_FX_RATE_MISSING``."""
        if source == target:
            return Decimal(1)
        direct = self.rates.get((source, target))
        if direct is not None:
            return direct
        inverse = self.rates.get((target, source))
        if inverse is not None and inverse != 0:
            return Decimal(1) / inverse
        raise FxRateMissingError(f"no FX rate {source}->{target}", details={"from": source, "to": target})

    def has(self, source: str, target: str) -> bool:
        """Whether :meth:`rate` would answer for this pair."""
        return source == target or (source, target) in self.rates or (target, source) in self.rates

    def convert(self, amount: Decimal, source: str, target: str) -> Decimal:
        """``amount`` in ``source`` expressed in ``target`` (not rounded: callers compare with tolerance)."""
        return amount * self.rate(source, target)
