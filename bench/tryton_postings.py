"""Postings per second into a real Tryton: one invoice per call vs batched ``post_batch``.

    python bench/tryton_postings.py [--count 20] [--batch-size 10]

Starts its own Tryton from the cached template database (building it first if needed) on a
free port in 18000-18099, posts ``count`` supplier invoices (create + attach + post) one by one,
then ``count`` more in batches, prints the figures and writes ``bench/results/tryton_postings.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.sink_timing import rate, time_sink  # noqa: E402
from connectors.tryton import TrytonClient, TrytonSink  # noqa: E402
from infra import tryton as infra_tryton  # noqa: E402
from tests.contract.harness import invoice_request  # noqa: E402
from tests.contract.tryton_server import free_port  # noqa: E402

RESULTS = REPO / "bench" / "results" / "tryton_postings.json"


def _sink(instance: infra_tryton.TrytonInstance, state_dir: Path) -> TrytonSink:
    credentials = infra_tryton.load_credentials(state_dir)
    client = TrytonClient(instance.url, instance.database, credentials.login, credentials.password, timeout=120.0)
    return TrytonSink(client, blob_reader=lambda uri: b"%PDF-1.4 bench " + uri.encode())


def run(count: int, batch_size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="docket-tryton-bench-") as tmp:
        state_dir = Path(tmp)
        started = time.perf_counter()
        instance = infra_tryton.start(state_dir, port=free_port(), fresh=True)
        start_seconds = time.perf_counter() - started
        try:
            sink = _sink(instance, state_dir)
            timed = time_sink(sink, lambda name: invoice_request(name, target="tryton"), count, batch_size)
            sink.close()
        finally:
            infra_tryton.stop(state_dir)
    build = CACHE_BUILD.read_text(encoding="utf-8") if (CACHE_BUILD := infra_tryton.CACHE_DIR / "build.json").exists() \
        else "{}"
    return {
        "invoices_each": count, "batch_size": batch_size, "lines_per_invoice": 2,
        "one_by_one": {"seconds": round(timed.one_by_one_s, 2), "postings_per_s": rate(count, timed.one_by_one_s)},
        "batched": {"seconds": round(timed.batched_s, 2), "postings_per_s": rate(count, timed.batched_s),
                    "failures": timed.failures},
        "repeat_batch_already_posted": {"seconds": round(timed.repeat_s, 2),
                                        "answers_per_s": rate(timed.repeats, timed.repeat_s)},
        "server_start_seconds": round(start_seconds, 2),
        "template_build": json.loads(build),
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
    print(f"one by one: {figures['one_by_one']['postings_per_s']} postings/s "
          f"({args.count} in {figures['one_by_one']['seconds']} s)")
    print(f"batched ({args.batch_size}/call): {figures['batched']['postings_per_s']} postings/s "
          f"({args.count} in {figures['batched']['seconds']} s, {figures['batched']['failures']} failures)")
    print(f"repeats answered already_posted: {figures['repeat_batch_already_posted']['answers_per_s']} /s")
    print(f"server start: {figures['server_start_seconds']} s; load average {figures['machine']['load_average_1m']}")
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
