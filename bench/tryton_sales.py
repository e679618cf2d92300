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
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.sink_timing import rate, time_sink  # noqa: E402
from connectors.tryton import TrytonClient  # noqa: E402
from connectors.tryton.sales import TrytonSalesOrderSink  # noqa: E402
from infra import tryton as infra_tryton  # noqa: E402
from tests.contract.sales_harness import order_request  # noqa: E402
from tests.contract.tryton_server import free_port  # noqa: E402

RESULTS = REPO / "bench" / "results" / "tryton_sales.json"


def run(count: int, batch_size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="docket-sales-bench-") as tmp:
        state_dir = Path(tmp)
        instance = infra_tryton.start(state_dir, port=free_port(), fresh=True)
        try:
            credentials = infra_tryton.load_credentials(state_dir)
            client = TrytonClient(instance.url, instance.database, credentials.login, credentials.password,
                                  timeout=120.0)
            sink = TrytonSalesOrderSink(client)
            timed = time_sink(sink, order_request, count, batch_size)
            sink.close()
            client.close()
        finally:
            infra_tryton.remove(state_dir)
    return {
        "orders_each": count, "batch_size": batch_size, "lines_per_order": 2,
        "one_by_one": {"seconds": round(timed.one_by_one_s, 2), "orders_per_s": rate(count, timed.one_by_one_s)},
        "batched": {"seconds": round(timed.batched_s, 2), "orders_per_s": rate(count, timed.batched_s),
                    "failures": timed.failures},
        "repeat_batch_already_posted": {"seconds": round(timed.repeat_s, 2),
                                        "answers_per_s": rate(timed.repeats, timed.repeat_s)},
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
