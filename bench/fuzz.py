"""Hostile-input benchmark: N generated malformed inputs through the real capture, intake and agent code.

    PYTHONPATH=. python bench/fuzz.py --cases 10000 [--seed 0] [--ocr rapid|blank] [--processes 1]

Prints the cases that crashed (an exception that is not a coded DocketError, an INTERNAL_ERROR
event, a 5xx answer, a link followed), the cases over the per-document budget (time or memory:
a hang), the peak RSS of the worker processes and the codes seen; writes bench/results/fuzz.json.
Every case runs in a worker of the budgeted capture pool, as capture does in production. With
``--ocr rapid`` (the default) scanned pages go through RapidOCR, the production engine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.unit.fuzz.harness import FuzzReport, run  # noqa: E402

RESULTS = REPO / "bench" / "results" / "fuzz.json"


_printed = [0]


def _progress(report: FuzzReport, total: int, started: float) -> None:
    if report.cases - _printed[0] >= 1000 or report.cases == total:
        _printed[0] = report.cases
        print(f"  {report.cases}/{total} cases, {len(report.crashes)} crashes, {len(report.over_budget)} over budget, "
              f"{time.monotonic() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ocr", choices=("rapid", "blank"), default="rapid")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per case (the capture budget)")
    parser.add_argument("--memory-limit-mb", type=int, default=4096, help="address space per worker")
    args = parser.parse_args()

    started = time.monotonic()
    cpu_before = time.process_time()
    report = asyncio.run(run(args.cases, seed=args.seed, ocr=args.ocr, processes=args.processes,
                             time_limit_s=args.time_limit, memory_limit_bytes=args.memory_limit_mb * 1024 * 1024,
                             progress=lambda r: _progress(r, args.cases, started)))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {**report.as_dict(), "seed": args.seed, "ocr": args.ocr, "processes": args.processes,
              "time_limit_s": args.time_limit, "memory_limit_mb": args.memory_limit_mb,
              "parent_cpu_seconds": round(time.process_time() - cpu_before, 1),
              "worker_cpu_seconds": round(children.ru_utime + children.ru_stime, 1)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))

    print(f"\n{report.cases} cases in {report.wall_seconds:.0f} s wall (workers {result['worker_cpu_seconds']} CPU-s, "
          f"generation and bookkeeping {result['parent_cpu_seconds']} CPU-s)")
    print(f"outcomes: {dict(report.statuses)}")
    print(f"crashes: {len(report.crashes)}")
    for crash in report.crashes[:20]:
        print(f"  {crash['case']}: {crash['code']}\n    {crash['detail'][-400:]}")
    print(f"hangs over budget: {len(report.over_budget)}")
    for hang in report.over_budget[:20]:
        print(f"  {hang['case']}: {hang['code']} {hang['detail']}")
    print(f"peak worker RSS: {result['peak_worker_rss_mb']} MB; workers replaced: {report.workers_replaced}")
    print("codes seen:")
    for code, count in report.codes.most_common():
        print(f"  {code:<34} {count}")
    print("documents (how the accepted cases were taken):")
    for what, count in report.documents.most_common():
        print(f"  {what:<34} {count}")
    print(f"by kind: {dict(report.kinds)}")
    print(f"by route: {dict(report.routes)}")
    print(f"written {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
