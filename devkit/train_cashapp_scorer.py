"""Fit the cash-application claim scorer on generated ledgers of family A, and write it with its manifest.

Data: :func:`devkit.ledger_gen.generate` on the benchmark's four mixes of payment mess (with one
customer in twenty sharing a legal name with another, and three referenced bundles in ten naming
only some of their invoices), training seeds and validation seeds
disjoint from each other and from the benchmark's (1-5). Family B (:mod:`devkit.ledger_gen_b`)
is never read here. Every claim the matcher gathers for a payment is one row; its label is
whether the claim's items are exactly the payment's true items.

Model: L2-regularised logistic regression fitted by Newton's method (iteratively reweighted
least squares) in numpy, deterministic for the same data. The auto-apply threshold is the
lowest value of a grid (from 0.9 up) at which the matcher's decisions on the validation
ledgers keep auto-applied precision at or above ``--target-precision``.

    PYTHONPATH=. python -m devkit.train_cashapp_scorer [--out docket/cashapp/scorer_model.json] [--check]

``--check`` refits and compares with the shipped file instead of writing it (exit 1 on a
difference beyond 1e-6 in any coefficient).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from devkit.ledger_gen import MIXES, GeneratedLedger, generate
from docket.cashapp.features import FEATURES
from docket.cashapp.ledger import Ledger
from docket.cashapp.matching import MatchPolicy, apply_payment, claim_rows
from docket.cashapp.scorer import Scorer

TRAIN_SEEDS = tuple(range(11, 19))
VALIDATION_SEEDS = (19, 20)
PAYMENTS = 1500
SHARED_NAME_SHARE = 0.05
PARTLY_NAMED_SHARE = 0.3
L2 = 1.0
GRID = (0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99)
DEFAULT_OUT = Path("docket/cashapp/scorer_model.json")


def _worlds(seeds: tuple[int, ...]) -> list[tuple[str, int, GeneratedLedger]]:
    return [(name, seed, generate(seed, payments=PAYMENTS, mix=replace(mix, shared_name_share=SHARED_NAME_SHARE,
                                                                     partly_named_share=PARTLY_NAMED_SHARE)))
            for name, mix in MIXES.items() for seed in seeds]


def rows_of(worlds: list[tuple[str, int, GeneratedLedger]]) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix and labels of every claim of every payment."""
    policy = MatchPolicy(auto_apply_threshold=1.0)
    x: list[list[float]] = []
    y: list[float] = []
    for _, _, world in worlds:
        ledger = Ledger.build(world.items, world.customers, world.xrefs)
        for line in world.payments:
            if line.amount <= 0:
                continue
            truth = world.truth[line.payment_id].item_ids
            for row in claim_rows(line, ledger, fx=world.fx, policy=policy)[1]:
                x.append([row.features[f] for f in FEATURES])
                y.append(float(bool(truth) and frozenset(row.claim.item_ids) == truth))
    return np.array(x, dtype=float), np.array(y, dtype=float)


def fit(x: np.ndarray, y: np.ndarray, *, l2: float = L2, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Coefficients and intercept of L2-penalised logistic regression (the intercept unpenalised)."""
    design = np.hstack([np.ones((x.shape[0], 1)), x])
    beta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -30, 30)))
        gradient = design.T @ (p - y) + penalty * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return beta[1:], float(beta[0])


def _log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _probabilities(x: np.ndarray, coefficients: np.ndarray, intercept: float) -> np.ndarray:
    probabilities: np.ndarray = 1.0 / (1.0 + np.exp(-(x @ coefficients + intercept)))
    return probabilities


def _decisions(worlds: list[tuple[str, int, GeneratedLedger]], scorer: Scorer) -> list[tuple[float, bool, bool]]:
    """(confidence, auto-appliable, right) of the best claim per payment with a claim, and
    (0, False, False) rows standing for matchable payments without one."""
    policy = MatchPolicy(auto_apply_threshold=0.0, scorer=scorer)
    out: list[tuple[float, bool, bool]] = []
    for _, _, world in worlds:
        ledger = Ledger.build(world.items, world.customers, world.xrefs)
        for line in world.payments:
            draft = apply_payment(line, ledger, fx=world.fx, policy=policy)
            truth = world.truth[line.payment_id].item_ids
            out.append((draft.confidence, bool(draft.applications),
                        bool(truth) and draft.applied_item_ids == truth))
    return out


def _precision_recall(decisions: list[tuple[float, bool, bool]], matchable: int, threshold: float
                      ) -> tuple[float, float, int]:
    applied = [(c, r) for c, a, r in decisions if a and c >= threshold]
    right = sum(r for _, r in applied)
    return (right / len(applied) if applied else 1.0), right / matchable, len(applied)


def train(target_precision: float) -> dict[str, Any]:
    """The model document: features, coefficients, intercept, threshold and manifest."""
    train_worlds, validation_worlds = _worlds(TRAIN_SEEDS), _worlds(VALIDATION_SEEDS)
    x, y = rows_of(train_worlds)
    vx, vy = rows_of(validation_worlds)
    coefficients, intercept = fit(x, y)
    p, vp = _probabilities(x, coefficients, intercept), _probabilities(vx, coefficients, intercept)
    document: dict[str, Any] = {
        "kind": "logistic_regression", "features": list(FEATURES),
        "coefficients": [round(float(c), 8) for c in coefficients], "intercept": round(intercept, 8),
        "auto_apply_threshold": GRID[-1]}
    scorer = Scorer.from_mapping(document)
    decisions = _decisions(validation_worlds, scorer)
    matchable = sum(1 for _, _, w in validation_worlds for t in w.truth.values() if t.item_ids)
    sweep = {t: _precision_recall(decisions, matchable, t) for t in GRID}
    threshold = next((t for t in GRID if sweep[t][0] >= target_precision), GRID[-1])
    document["auto_apply_threshold"] = threshold
    document["manifest"] = {
        "data": {"generator": "devkit.ledger_gen.generate (family A)", "mixes": list(MIXES),
                 "shared_name_share": SHARED_NAME_SHARE, "partly_named_share": PARTLY_NAMED_SHARE,
                 "payments_per_ledger": PAYMENTS,
                 "train_seeds": list(TRAIN_SEEDS), "validation_seeds": list(VALIDATION_SEEDS),
                 "train_rows": len(y), "train_positives": int(y.sum()), "validation_rows": len(vy)},
        "fit": {"method": "logistic regression, Newton/IRLS, numpy", "l2": L2},
        "metrics": {"train_log_loss": round(_log_loss(p, y), 5), "validation_log_loss": round(_log_loss(vp, vy), 5),
                    "validation_brier": round(float(np.mean((vp - vy) ** 2)), 5),
                    "validation_sweep": {str(t): {"precision": round(v[0], 5), "recall": round(v[1], 5),
                                                  "auto_applied": v[2]} for t, v in sweep.items()},
                    "target_precision": target_precision},
        "retrain": "PYTHONPATH=. python -m devkit.train_cashapp_scorer",
    }
    return document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--target-precision", type=float, default=0.999)
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = parser.parse_args()
    document = train(args.target_precision)
    metrics = document["manifest"]["metrics"]
    print(f"rows {document['manifest']['data']['train_rows']}, validation log loss "
          f"{metrics['validation_log_loss']}, brier {metrics['validation_brier']}, "
          f"threshold {document['auto_apply_threshold']}")
    for t, figures in metrics["validation_sweep"].items():
        print(f"  validation {t}: precision {figures['precision']:.5f} recall {figures['recall']:.5f}")
    if args.check:
        shipped = json.loads(args.out.read_text())
        same = shipped["features"] == document["features"] and all(
            math.isclose(a, b, abs_tol=1e-6) for a, b in zip(shipped["coefficients"], document["coefficients"],
                                                              strict=True))
        print("retrained coefficients match the shipped model" if same else "retrained model DIFFERS")
        sys.exit(0 if same else 1)
    args.out.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
