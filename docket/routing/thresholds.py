"""Confidence thresholds derived from measured error rates.

A policy may give a field's threshold as ``measured`` instead of a number. It then rests on the
error curve of the shipped field-confidence model (:mod:`docket.understanding.learn.error_rates`:
per threshold, how many fields of the calibration split it accepted and how many of those were
wrong), for the largest error rate the policy accepts (``max_error``). The measured threshold is
the lowest one of the curve's grid at which

* all fields pooled show, with 95 % confidence (one-sided Clopper-Pearson upper bound), no more
  than ``max_error`` wrong among those accepted: one calibrated model, so the pooled rate is the
  general floor; and
* the field's own accepted fields, when there are at least ``min_accepted`` of them, were wrong no
  more than ``max_error`` of the time (a field the model reads worse than the rest gets a higher
  threshold; with fewer examples its own rate says too little, and the pooled floor decides).

When no grid threshold meets both, the field needs confidence 1.0: only a corroborated or
reviewed value passes. A field the calibration never measured gets the policy's ``fallback``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from docket.understanding.learn.error_rates import POOLED, Accepted, error_upper_bound

MEASURED = "measured"
MIN_ACCEPTED = 20
LEVEL = 0.95


@dataclass(frozen=True)
class MeasuredThreshold:
    """A field's threshold for ``max_error`` and the counts it rests on (``reached`` False: none did)."""

    field: str
    max_error: float
    threshold: float
    reached: bool
    accepted: int
    wrong: int
    pooled_accepted: int
    pooled_wrong: int
    pooled_upper_bound: float

    @property
    def basis(self) -> str:
        """``field`` when the field's own rate took part, else ``pooled``."""
        return "field" if self.accepted >= MIN_ACCEPTED else "pooled"


def measured_threshold(curve: Mapping[str, Sequence[Accepted]], field: str, max_error: float, *,
                       min_accepted: int = MIN_ACCEPTED, level: float = LEVEL) -> MeasuredThreshold | None:
    """The measured threshold of ``field`` (None when the curve never measured it, or holds no pool)."""
    own, pooled = curve.get(field), curve.get(POOLED)
    if not own or not pooled:
        return None
    for mine, pool in zip(own, pooled, strict=True):
        upper = error_upper_bound(pool.wrong, pool.accepted, level)
        if upper > max_error:
            continue
        if mine.accepted >= min_accepted and mine.wrong > max_error * mine.accepted:
            continue
        return _threshold(field, max_error, mine, pool, upper, reached=True)
    last_mine, last_pool = own[-1], pooled[-1]
    return _threshold(field, max_error, last_mine, last_pool,
                      error_upper_bound(last_pool.wrong, last_pool.accepted, level), reached=False)


def _threshold(field: str, max_error: float, mine: Accepted, pool: Accepted, upper: float, *,
               reached: bool) -> MeasuredThreshold:
    return MeasuredThreshold(field=field, max_error=max_error, threshold=mine.threshold if reached else 1.0,
                             reached=reached, accepted=mine.accepted, wrong=mine.wrong,
                             pooled_accepted=pool.accepted, pooled_wrong=pool.wrong,
                             pooled_upper_bound=round(upper, 4))
