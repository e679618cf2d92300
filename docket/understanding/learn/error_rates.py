"""Measured error rates of the learned field confidence, the evidence routing thresholds rest on.

For every field name, and for all fields pooled (:data:`POOLED`), the calibration split says how
many fields a threshold would accept (learned confidence at or above it) and how many of those were
wrong. Routing turns these counts into a threshold per field for the error rate a policy accepts
(:mod:`docket.routing.thresholds`); the counts ship in the model's manifest, so a threshold is
traceable to the documents that measured it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

POOLED = "*"
GRID: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99)


@dataclass(frozen=True)
class Accepted:
    """What accepting fields at ``threshold`` and above did on the calibration split."""

    threshold: float
    accepted: int
    wrong: int

    def as_json(self) -> dict[str, Any]:
        return {"from": self.threshold, "accepted": self.accepted, "wrong": self.wrong}

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Accepted:
        return cls(float(row["from"]), int(row["accepted"]), int(row["wrong"]))


def error_curve(fields: Sequence[str], probabilities: Sequence[float], right: Sequence[bool],
                grid: Sequence[float] = GRID) -> dict[str, list[Accepted]]:
    """Per field name (and :data:`POOLED`), the fields accepted and wrong at each threshold of ``grid``."""
    rows = list(zip(fields, probabilities, right, strict=True))
    names = [*sorted({name for name, _, _ in rows}), POOLED]
    curve: dict[str, list[Accepted]] = {}
    for name in names:
        mine = [(p, ok) for field, p, ok in rows if name in (POOLED, field)]
        curve[name] = [Accepted(t, sum(p >= t for p, _ in mine), sum(p >= t and not ok for p, ok in mine))
                       for t in grid]
    return curve


def curve_as_json(curve: dict[str, list[Accepted]]) -> dict[str, list[dict[str, Any]]]:
    return {name: [row.as_json() for row in rows] for name, rows in curve.items()}


def curve_from_json(data: dict[str, Any]) -> dict[str, list[Accepted]]:
    return {str(name): [Accepted.from_json(row) for row in rows] for name, rows in data.items()}


def error_upper_bound(wrong: int, accepted: int, level: float = 0.95) -> float:
    """The one-sided Clopper-Pearson upper bound on the error rate after ``wrong`` of ``accepted``:
    the rate ``p`` at which seeing ``wrong`` or fewer has probability ``1 - level`` (1.0 for none
    accepted). Found by bisection on the exact binomial tail."""
    if accepted <= 0 or wrong >= accepted:
        return 1.0
    tail = 1.0 - level
    low, high = wrong / accepted, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if _binomial_cdf(wrong, accepted, middle) > tail:
            low = middle
        else:
            high = middle
    return high


def _binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p), summed in log space (no overflow for large n)."""
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0 if k < n else 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    return sum(math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p
                        + (n - i) * log_q) for i in range(k + 1))


def shipped_error_curve() -> tuple[dict[str, list[Accepted]], str]:
    """The error curve measured on the shipped model's calibration split, and the model's sha256
    (``({}, "")`` when the manifest is absent or predates the curve)."""
    from docket.understanding.learn.confidence import shipped_manifest

    manifest = shipped_manifest()
    data = manifest.get("metrics_calib", {}).get("error_curve")
    if not isinstance(data, dict):
        return {}, ""
    return curve_from_json(data), str(manifest.get("model_sha256", ""))
