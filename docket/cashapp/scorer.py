"""The calibrated claim scorer: a logistic regression over the evidence of :mod:`docket.cashapp.features`.

``P(claim is exactly right) = 1 / (1 + exp(-(intercept + sum(weight_i * feature_i))))``. Each
term ``weight_i * feature_i`` is that evidence's contribution in log-odds (nats), so every
decision can be explained by what it rested on and how much each piece counted. The weights
ship with the package (``scorer_model.json``, written by ``devkit/train_cashapp_scorer.py``
from generated ledgers of family A only, with its manifest: data, seeds, metrics); nothing is
downloaded. The manifest also carries the auto-apply threshold chosen from the calibration.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from docket.cashapp.errors import ScorerModelError

MODEL_FILE = "scorer_model.json"


@dataclass(frozen=True, slots=True)
class Contribution:
    """One piece of evidence: its value and what it added to the log-odds of the claim."""

    name: str
    value: float
    weight: float


@dataclass(frozen=True)
class Scorer:
    """Weights per feature name and an intercept; ``auto_apply_threshold`` from the calibration."""

    weights: dict[str, float]
    intercept: float
    auto_apply_threshold: float
    manifest: dict[str, Any]

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Scorer:
        """A scorer from the JSON document ``devkit/train_cashapp_scorer.py`` writes.

        Raises ``CASHAPP_SCORER_INVALID`` when features and coefficients do not line up.
        """
        try:
            features = list(data["features"])
            coefficients = [float(c) for c in data["coefficients"]]
            intercept = float(data["intercept"])
            threshold = float(data["auto_apply_threshold"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ScorerModelError(f"scorer model lacks or mangles a field: {exc}") from exc
        if len(features) != len(coefficients):
            raise ScorerModelError(f"{len(features)} features but {len(coefficients)} coefficients")
        return cls(dict(zip(features, coefficients, strict=True)), intercept, threshold,
                   dict(data.get("manifest") or {}))

    def log_odds(self, features: dict[str, float]) -> tuple[float, list[Contribution]]:
        """The claim's log-odds and the non-zero contributions, largest in magnitude first."""
        parts = [Contribution(name, value, self.weights[name] * value) for name, value in features.items()
                 if value and self.weights.get(name)]
        total = self.intercept + sum(p.weight for p in parts)
        return total, sorted(parts, key=lambda p: (-abs(p.weight), p.name))

    def probability(self, features: dict[str, float]) -> tuple[float, list[Contribution]]:
        """``P(claim right)`` and the contributions behind it."""
        total, parts = self.log_odds(features)
        return _sigmoid(total), parts


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


@lru_cache(maxsize=1)
def default_scorer() -> Scorer:
    """The scorer shipped in the package (read once)."""
    try:
        text = resources.files("docket.cashapp").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScorerModelError(f"scorer model {MODEL_FILE} is missing from the package") from exc
    return Scorer.from_mapping(json.loads(text))
