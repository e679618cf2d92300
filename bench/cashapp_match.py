"""Cash-application benchmark: auto-match precision and recall on generated ledgers, and speed.

Runs the matcher on several seeds and several mixes of payment mess (default, messier, cleaner,
and an adversarial one heavy in typos, stale references and missing references), counts an
auto-applied payment as correct when the items it was applied to are exactly the true ones, and
reports precision of auto-applied matches, recall (correct auto-applications over payments that
have true items), per-scenario figures, payments per second, and a threshold sweep.
Prints the figures and writes bench/results/cashapp_match.json.

    .venv/bin/python bench/cashapp_match.py [--seeds 1 2 3] [--payments 1500]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from devkit.ledger_gen import GeneratedLedger, MessMix, generate
from docket.cashapp.ledger import Ledger
from docket.cashapp.matching import ApplicationDraft, MatchPolicy, apply_payment
from docket.cashapp.metrics import CashMetrics, cash_metrics, describe

MIXES = {
    "default": MessMix(),
    "messy": MessMix(rf_exact=4, text_exact=6, text_ocr=12, text_typo=12, bundle_norefs=10, no_reference=16,
                     partial=8, short_deduction=10, other_currency=8, overpayment=5, unknown_payer=8,
                     stale_reference=8, new_account_share=0.35, no_payer_share=0.15),
    "clean": MessMix(rf_exact=25, text_exact=30, text_ocr=2, text_typo=2, bundle_refs=10, bundle_norefs=2,
                     no_reference=5, partial=2, short_deduction=3, other_currency=2, overpayment=1,
                     unknown_payer=2, stale_reference=1, new_account_share=0.1, no_payer_share=0.03),
}
MIXES["adversarial"] = MessMix(rf_exact=2, text_exact=4, text_ocr=8, text_typo=20, bundle_refs=4, bundle_norefs=10,
                               no_reference=20, partial=6, short_deduction=6, other_currency=6, overpayment=4,
                               unknown_payer=10, stale_reference=20, new_account_share=0.4, no_payer_share=0.2)
THRESHOLDS = (0.8, 0.85, 0.88, 0.9, 0.92, 0.95, 0.97)


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
    parser.add_argument("--out", type=Path, default=Path("bench/results/cashapp_match.json"))
    args = parser.parse_args()
    threshold = MatchPolicy().auto_apply_threshold
    runs = []
    totals = {t: Counter[str]() for t in (*THRESHOLDS, threshold)}
    elapsed = 0.0
    count = 0
    for mix_name, mix in MIXES.items():
        for seed in args.seeds:
            world = generate(seed, payments=args.payments, mix=mix)
            drafts, seconds = _run(world)
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
    summary = {"threshold": threshold, "overall": sweep[str(threshold)], "worst_run_precision": round(worst, 5),
               "payments_per_second": round(count / elapsed, 1), "runs": runs, "threshold_sweep": sweep,
               "order_to_cash": {name: _metrics_json(m) for name, m in metrics.items()}}
    print(f"threshold {threshold}: overall precision {sweep[str(threshold)]['precision']:.4f}, recall "
          f"{sweep[str(threshold)]['recall']:.4f}, worst run precision {worst:.4f}, "
          f"{summary['payments_per_second']} payments/s")
    for t, figures in sweep.items():
        print(f"  sweep {t}: precision {figures['precision']:.4f} recall {figures['recall']:.4f}")
    for name, figures in metrics.items():
        print(f"  order-to-cash, {name} mix seed {args.seeds[0]}: " + "; ".join(describe(figures)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
