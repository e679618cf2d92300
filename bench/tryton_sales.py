"""Sales orders per second into a real Tryton: one order per call vs batched ``post_batch``.

    python bench/tryton_sales.py [--count 20] [--batch-size 10]

Starts its own Tryton from the cached template database on a free port in 18000-18099 and posts
``count`` customer orders (two lines each: create, quote, confirm → Tryton makes the customer
invoice, which is posted) one by one, then ``count`` more in batches, then repeats one batch.
Prints the figures and writes ``bench/results/tryton_sales.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from connectors.base import PostingOutcome  # noqa: E402
from connectors.tryton import TrytonClient  # noqa: E402
from connectors.tryton.sales import TrytonSalesOrderSink  # noqa: E402
from infra import tryton as infra_tryton  # noqa: E402
from tests.contract.sales_harness import order_request  # noqa: E402
from tests.contract.tryton_server import free_port  # noqa: E402

RESULTS = REPO / "bench" / "results" / "tryton_sales.json"


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 2) if seconds else 0.0


def run(count: int, batch_size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="docket-sales-bench-") as tmp:
        state_dir = Path(tmp)
        instance = infra_tryton.start(state_dir, port=free_port(), fresh=True)
        try:
            credentials = infra_tryton.load_credentials(state_dir)
            client = TrytonClient(instance.url, instance.database, credentials.login, credentials.password,
                                  timeout=120.0)
            sink = TrytonSalesOrderSink(client)
            sink.post(order_request(f"warmup-{uuid.uuid4().hex[:8]}"))  # login, caches
            single = [order_request(f"one-{uuid.uuid4().hex[:10]}") for _ in range(count)]
            t0 = time.perf_counter()
            for request in single:
                sink.post(request)
            one_by_one = time.perf_counter() - t0
            batched = [order_request(f"batch-{uuid.uuid4().hex[:10]}") for _ in range(count)]
            failures = 0
            t0 = time.perf_counter()
            for offset in range(0, count, batch_size):
                results = sink.post_batch(batched[offset:offset + batch_size])
                failures += sum(1 for result in results if not isinstance(result, PostingOutcome))
            in_batches = time.perf_counter() - t0
            t0 = time.perf_counter()
            repeats = sink.post_batch(batched[:batch_size])
            repeat_seconds = time.perf_counter() - t0
            sink.close()
            client.close()
        finally:
            infra_tryton.stop(state_dir)
    return {
        "orders_each": count, "batch_size": batch_size, "lines_per_order": 2,
        "one_by_one": {"seconds": round(one_by_one, 2), "orders_per_s": _rate(count, one_by_one)},
        "batched": {"seconds": round(in_batches, 2), "orders_per_s": _rate(count, in_batches), "failures": failures},
        "repeat_batch_already_posted": {"seconds": round(repeat_seconds, 2),
                                        "answers_per_s": _rate(len(repeats), repeat_seconds)},
        "machine": {"cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=10)
    args = parser.parse_args()
    figures = run(args.count, args.batch_size)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"one by one: {figures['one_by_one']['orders_per_s']} orders/s "
          f"({args.count} in {figures['one_by_one']['seconds']} s)")
    print(f"batched ({args.batch_size}/call): {figures['batched']['orders_per_s']} orders/s "
          f"({args.count} in {figures['batched']['seconds']} s, {figures['batched']['failures']} failures)")
    print(f"repeats answered already_posted: {figures['repeat_batch_already_posted']['answers_per_s']} /s")
    print(f"load average {figures['machine']['load_average_1m']}; wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
