"""Cash-application benchmark: auto-match precision and recall on generated ledgers, and speed.

Two ledger families. Family A (:mod:`devkit.ledger_gen`) on several seeds and several mixes of
payment mess (default, messier, cleaner, and an adversarial one heavy in typos, stale references
and missing references) is the one the scorer is fitted on (other seeds than these). Family B
(:mod:`devkit.ledger_gen_b`) draws its mess by other rules and is never used for fitting or
tuning: its figures are the out-of-sample ones. An auto-applied payment is correct when the
items it was applied to are exactly the true ones. Reported: precision of auto-applied matches,
recall (correct auto-applications over payments that have true items), per payment kind and per
evidence class (what the applied claim rested on), a reliability table (confidence bucket of the
best claim vs how often it was right), payments per second, and a threshold sweep.
Prints the figures and writes bench/results/cashapp_match.json.

    .venv/bin/python bench/cashapp_match.py [--seeds 1 2 3] [--payments 1500] [--b-seeds 101 102]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from devkit.ledger_gen import MIXES, GeneratedLedger, generate
from devkit.ledger_gen_b import generate_b
from docket.cashapp.ledger import Ledger
from docket.cashapp.matching import ApplicationDraft, MatchPolicy, apply_payment
from docket.cashapp.metrics import CashMetrics, cash_metrics, describe

THRESHOLDS = (0.8, 0.85, 0.88, 0.9, 0.92, 0.95, 0.97)
# family A's scenarios as the kinds of payment the issue counts (family B is drawn by kind)
KIND_OF_A = {"rf_exact": "exact_ref_amount", "text_exact": "exact_ref_amount", "text_ocr": "ocr_ref",
             "text_typo": "typo_ref", "bundle_refs": "bundle", "bundle_norefs": "bundle",
             "no_reference": "amount_only", "partial": "partial", "short_deduction": "short_deduction",
             "other_currency": "other_currency", "overpayment": "overpayment", "unknown_payer": "no_match",
             "stale_reference": "no_match"}
# what an applied claim rests on, strongest first: the first of these among its evidence names its class
EVIDENCE_CLASSES = ("subset_sum_anchored", "structured_reference", "remittance_advice", "ocr_folded",
                    "invoice_number_in_text", "invoice_number_fuzzy", "invoice_number_partial", "subset_sum",
                    "amount_unique", "amount_unique_ledger", "subset_sum_ambiguous", "amount_ambiguous")
PAYER_CLASSES = ("payer_account", "payer_name")
BUCKETS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 1.0001)


def kind_of(world: GeneratedLedger, payment_id: str) -> str:
    """The payment's kind in the issue's table (family B's scenarios are kinds already)."""
    scenario = world.truth[payment_id].scenario
    return KIND_OF_A.get(scenario, scenario)


def evidence_class(evidence: tuple[str, ...] | list[str]) -> str:
    """The strongest evidence class among ``evidence`` (``other`` when none is listed)."""
    return next((c for c in EVIDENCE_CLASSES if c in evidence), "other")


def payer_class(evidence: tuple[str, ...] | list[str]) -> str:
    """How the payer was identified for the applied claim: by account, by name, or not at all."""
    return next((c for c in PAYER_CLASSES if c in evidence), "payer_unidentified")


def _best_items(draft: ApplicationDraft) -> frozenset[str]:
    return frozenset(draft.candidates[0].open_item_ids) if draft.candidates else frozenset()


def _breakdown(worlds: list[tuple[GeneratedLedger, list[ApplicationDraft]]], threshold: float
               ) -> dict[str, dict[str, dict[str, Any]]]:
    """Per kind: payments, auto-applied, correct, precision, recall; per evidence class of the
    applied claim: auto-applied, correct, precision, share of all correct applications."""
    kinds: dict[str, Counter[str]] = {}
    classes: dict[str, Counter[str]] = {}
    payers: dict[str, Counter[str]] = {}
    for world, drafts in worlds:
        for draft in drafts:
            truth = world.truth[draft.payment_id]
            kind = kinds.setdefault(kind_of(world, draft.payment_id), Counter())
            kind["payments"] += 1
            kind["matchable"] += bool(truth.item_ids)
            if draft.confidence < threshold or not draft.applications:
                continue
            right = draft.applied_item_ids == truth.item_ids
            kind["auto"] += 1
            kind["correct"] += right
            cls = classes.setdefault(evidence_class(draft.evidence), Counter())
            cls["auto"] += 1
            cls["correct"] += right
            payer = payers.setdefault(payer_class(draft.evidence), Counter())
            payer["auto"] += 1
            payer["correct"] += right
    all_correct = sum(c["correct"] for c in classes.values()) or 1
    by_kind = {k: {"payments": c["payments"], "auto": c["auto"], "correct": c["correct"],
                   "precision": round(c["correct"] / c["auto"], 4) if c["auto"] else 1.0,
                   "recall": round(c["correct"] / c["matchable"], 4) if c["matchable"] else None}
               for k, c in sorted(kinds.items())}
    def per_class(counters: dict[str, Counter[str]]) -> dict[str, dict[str, Any]]:
        return {k: {"auto": c["auto"], "correct": c["correct"],
                    "precision": round(c["correct"] / c["auto"], 4) if c["auto"] else 1.0,
                    "share_of_correct": round(c["correct"] / all_correct, 4)}
                for k, c in sorted(counters.items())}

    return {"by_kind": by_kind, "by_evidence_class": per_class(classes), "by_payer_evidence": per_class(payers)}


def _reliability(worlds: list[tuple[GeneratedLedger, list[ApplicationDraft]]]) -> list[dict[str, Any]]:
    """Confidence bucket of each payment's best claim against how often that claim was exactly right."""
    rows = []
    for low, high in itertools.pairwise(BUCKETS):
        inside = [(w, d) for w, ds in worlds for d in ds if d.candidates and low <= d.confidence < high]
        right = sum(_best_items(d) == w.truth[d.payment_id].item_ids for w, d in inside)
        mean = sum(d.confidence for _, d in inside) / len(inside) if inside else 0.0
        rows.append({"bucket": f"[{low:.3f}, {min(high, 1.0):.3f})", "claims": len(inside),
                     "mean_confidence": round(mean, 4),
                     "observed_precision": round(right / len(inside), 4) if inside else None})
    return rows


def _print_breakdown(title: str, figures: dict[str, dict[str, dict[str, Any]]]) -> None:
    print(f"{title}, by kind:")
    for kind, f in figures["by_kind"].items():
        recall = f"{f['recall']:.3f}" if f["recall"] is not None else "  -  "
        print(f"    {kind:22s} {f['correct']:5d}/{f['payments']:5d} right, {f['auto'] - f['correct']:3d} wrong  "
              f"precision {f['precision']:.4f} recall {recall}")
    for key, label in (("by_evidence_class", "evidence class"), ("by_payer_evidence", "payer evidence")):
        print(f"{title}, by {label} of the applied claim:")
        for cls, f in figures[key].items():
            print(f"    {cls:22s} {f['correct']:5d}/{f['auto']:5d} right  precision {f['precision']:.4f} "
                  f"share of correct {f['share_of_correct']:.3f}")


def _print_reliability(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"{title}, reliability (best claim's confidence vs observed precision):")
    for row in rows:
        observed = f"{row['observed_precision']:.4f}" if row["observed_precision"] is not None else "   -  "
        print(f"    {row['bucket']:18s} claims {row['claims']:6d}  mean confidence {row['mean_confidence']:.4f}  "
              f"observed {observed}")


def _run(world: GeneratedLedger) -> tuple[list[ApplicationDraft], float]:
    ledger = Ledger.build(world.items, world.customers, world.xrefs)
    policy = replace(MatchPolicy(), auto_apply_threshold=0.0)  # decide afterwards, per threshold
    started = time.perf_counter()
    drafts = [apply_payment(p, ledger, fx=world.fx, policy=policy) for p in world.payments]
    return drafts, time.perf_counter() - started


def _score(world: GeneratedLedger, drafts: list[ApplicationDraft], threshold: float) -> dict[str, float]:
    auto = correct = 0
    matchable = sum(1 for t in world.truth.values() if t.item_ids)
    for draft in drafts:
        if draft.confidence < threshold or not draft.applications:
            continue
        auto += 1
        correct += draft.applied_item_ids == world.truth[draft.payment_id].item_ids
    return {"auto_applied": auto, "correct": correct, "matchable": matchable,
            "precision": correct / auto if auto else 1.0, "recall": correct / matchable if matchable else 0.0}


def _by_scenario(world: GeneratedLedger, drafts: list[ApplicationDraft], threshold: float) -> dict[str, str]:
    seen: Counter[str] = Counter()
    right: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for draft in drafts:
        truth = world.truth[draft.payment_id]
        seen[truth.scenario] += 1
        if draft.confidence >= threshold and draft.applications:
            if draft.applied_item_ids == truth.item_ids:
                right[truth.scenario] += 1
            else:
                wrong[truth.scenario] += 1
    return {s: f"{right[s]}/{seen[s]} auto-correct, {wrong[s]} wrong" for s in sorted(seen)}


def _book_metrics(world: GeneratedLedger, currency: str = "EUR") -> CashMetrics:
    """Order-to-cash figures of the EUR book at the default threshold (as the service would decide)."""
    ledger = Ledger.build(world.items, world.customers, world.xrefs)
    results = [(p, apply_payment(p, ledger, fx=world.fx)) for p in world.payments]
    return cash_metrics(results, world.items, currency=currency, as_of=world.as_of)


def _metrics_json(metrics: CashMetrics) -> dict[str, object]:
    rate = metrics.auto_match
    return {"currency": metrics.currency, "auto_match_by_count": round(rate.by_count, 4),
            "auto_match_by_amount": round(rate.by_amount, 4), "unapplied_cash": str(metrics.unapplied),
            "invoice_to_cash_days": round(metrics.invoice_to_cash_days, 1)
            if metrics.invoice_to_cash_days is not None else None,
            "dso_days": round(metrics.dso_days, 1) if metrics.dso_days is not None else None,
            "period_days": metrics.period_days}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--payments", type=int, default=1500)
    parser.add_argument("--b-seeds", type=int, nargs="+", default=[101, 102, 103, 104, 105])
    parser.add_argument("--out", type=Path, default=Path("bench/results/cashapp_match.json"))
    args = parser.parse_args()
    threshold = MatchPolicy().auto_apply_threshold
    runs = []
    totals = {t: Counter[str]() for t in (*THRESHOLDS, threshold)}
    elapsed = 0.0
    count = 0
    family_a: list[tuple[GeneratedLedger, list[ApplicationDraft]]] = []
    for mix_name, mix in MIXES.items():
        for seed in args.seeds:
            world = generate(seed, payments=args.payments, mix=mix)
            drafts, seconds = _run(world)
            family_a.append((world, drafts))
            elapsed += seconds
            count += len(drafts)
            for t in totals:
                for key, value in _score(world, drafts, t).items():
                    if key in ("auto_applied", "correct", "matchable"):
                        totals[t][key] += int(value)
            result = _score(world, drafts, threshold)
            runs.append({"mix": mix_name, "seed": seed, "payments": len(drafts), "items": len(world.items),
                         "customers": len(world.customers), **result,
                         "payments_per_second": round(len(drafts) / seconds, 1),
                         "scenarios": _by_scenario(world, drafts, threshold)})
            print(f"{mix_name:8s} seed {seed}: precision {result['precision']:.4f} recall {result['recall']:.4f} "
                  f"auto {result['auto_applied']}/{len(drafts)}  {len(drafts) / seconds:.0f} payments/s")
    sweep = {}
    for t, c in sorted(totals.items()):
        sweep[str(t)] = {"precision": round(c["correct"] / c["auto_applied"], 5) if c["auto_applied"] else 1.0,
                         "recall": round(c["correct"] / c["matchable"], 5), "auto_applied": c["auto_applied"]}
    worst = min(r["precision"] for r in runs)
    metrics = {name: _book_metrics(generate(args.seeds[0], payments=args.payments, mix=mix))
               for name, mix in MIXES.items()}
    family_b = [(world, _run(world)[0]) for world in (generate_b(seed) for seed in args.b_seeds)]
    b_totals = Counter[str]()
    for world, drafts in family_b:
        for key, value in _score(world, drafts, threshold).items():
            if key in ("auto_applied", "correct", "matchable"):
                b_totals[key] += int(value)
    b_overall = {"precision": round(b_totals["correct"] / b_totals["auto_applied"], 5)
                 if b_totals["auto_applied"] else 1.0,
                 "recall": round(b_totals["correct"] / b_totals["matchable"], 5), **b_totals}
    b_sweep: dict[str, dict[str, float]] = {}
    for level in sorted({*THRESHOLDS, threshold}):
        c = Counter[str]()
        for world, drafts in family_b:
            for key, value in _score(world, drafts, level).items():
                if key in ("auto_applied", "correct", "matchable"):
                    c[key] += int(value)
        b_sweep[str(level)] = {"precision": round(c["correct"] / c["auto_applied"], 5) if c["auto_applied"] else 1.0,
                           "recall": round(c["correct"] / c["matchable"], 5), "auto_applied": c["auto_applied"]}
    breakdown = {"A": _breakdown(family_a, threshold), "B": _breakdown(family_b, threshold)}
    reliability = {"A": _reliability(family_a), "B": _reliability(family_b)}
    summary = {"threshold": threshold, "overall": sweep[str(threshold)], "worst_run_precision": round(worst, 5),
               "payments_per_second": round(count / elapsed, 1), "runs": runs, "threshold_sweep": sweep,
               "order_to_cash": {name: _metrics_json(m) for name, m in metrics.items()},
               "family_b": {"seeds": args.b_seeds, "overall": b_overall, "threshold_sweep": b_sweep},
               "breakdown": breakdown, "reliability": reliability}
    print(f"threshold {threshold}: overall precision {sweep[str(threshold)]['precision']:.4f}, recall "
          f"{sweep[str(threshold)]['recall']:.4f}, worst run precision {worst:.4f}, "
          f"{summary['payments_per_second']} payments/s")
    for level_name, row in sweep.items():
        print(f"  sweep {level_name}: precision {row['precision']:.4f} recall {row['recall']:.4f}")
    for name, book in metrics.items():
        print(f"  order-to-cash, {name} mix seed {args.seeds[0]}: " + "; ".join(describe(book)))
    print(f"family B (never fitted on), seeds {args.b_seeds}: precision {b_overall['precision']:.4f} recall "
          f"{b_overall['recall']:.4f} auto {b_overall['auto_applied']} of {b_overall['matchable']} matchable")
    for level_name, row in b_sweep.items():
        print(f"  B sweep {level_name}: precision {row['precision']:.4f} recall {row['recall']:.4f}")
    for family in ("A", "B"):
        _print_breakdown(f"family {family}", breakdown[family])
        _print_reliability(f"family {family}", reliability[family])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
