"""Postings per second into a real Tryton: one invoice per call, batched ``post_batch``, and several
posters at once (as several workers / partitions would), with the CPU each side spent.

    python bench/tryton_postings.py [--count 20] [--batch-size 10] [--posters 2]
                                    [--backends postgresql,sqlite]

For each database backend (``DOCKET_TRYTON_DB``) it starts its own Tryton from the cached template
(building it first if needed) on a free port in 18000-18099, posts ``count`` supplier invoices
(create + attach + post) one by one, ``count`` more in batches, then ``posters`` threads each
posting ``count`` in batches at the same time, prints the figures and writes
``bench/results/tryton_postings.json``. Wall figures depend on the machine's load (recorded);
CPU-seconds per invoice (trytond + PostgreSQL, and the client) much less so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.sink_timing import rate  # noqa: E402
from connectors.base import PostingOutcome  # noqa: E402
from connectors.tryton import TrytonClient, TrytonSink  # noqa: E402
from infra import tryton as infra_tryton  # noqa: E402
from tests.contract.harness import invoice_request  # noqa: E402
from tests.contract.tryton_server import free_port  # noqa: E402

RESULTS = REPO / "bench" / "results" / "tryton_postings.json"
_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int, *, reaped_children: bool = False) -> float:
    """CPU-seconds of ``pid`` (user + system), with its reaped children's when asked; 0 when gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, IndexError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped_children else 0)
    return ticks / _TICK


def postgres_cpu() -> float:
    """CPU-seconds of the Tryton PostgreSQL server: postmaster, its exited backends, the live ones."""
    from infra import postgres, tryton_pg

    server = postgres.status(port=tryton_pg.port())
    if server is None:
        return 0.0
    children = [int(p) for p in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
    return process_cpu(server.pid, reaped_children=True) + sum(process_cpu(child) for child in children)


class CpuMeter:
    """CPU-seconds spent by trytond, PostgreSQL and this client between ``start`` and ``stop``."""

    def __init__(self, trytond_pid: int, backend: str) -> None:
        self._pid, self._pg = trytond_pid, backend == "postgresql"

    def _now(self) -> tuple[float, float, float]:
        return process_cpu(self._pid), postgres_cpu() if self._pg else 0.0, time.process_time()

    def measure(self, work: Callable[[], None]) -> dict[str, float]:
        before = self._now()
        started = time.perf_counter()
        work()
        wall = time.perf_counter() - started
        after = self._now()
        return {"wall_s": round(wall, 2), "trytond_cpu_s": round(after[0] - before[0], 2),
                "postgres_cpu_s": round(after[1] - before[1], 2), "client_cpu_s": round(after[2] - before[2], 2)}


def _sink(instance: infra_tryton.TrytonInstance, state_dir: Path) -> TrytonSink:
    credentials = infra_tryton.load_credentials(state_dir)
    client = TrytonClient(instance.url, instance.database, credentials.login, credentials.password, timeout=300.0)
    return TrytonSink(client, blob_reader=lambda uri: b"%PDF-1.4 bench " + uri.encode())


def _requests(prefix: str, count: int) -> list[Any]:
    return [invoice_request(f"{prefix}-{uuid.uuid4().hex[:10]}", target="tryton") for _ in range(count)]


def _post_in_batches(sink: TrytonSink, requests: list[Any], batch_size: int, failures: list[int]) -> None:
    for offset in range(0, len(requests), batch_size):
        answers = sink.post_batch(requests[offset:offset + batch_size])
        failures.append(sum(1 for answer in answers if not isinstance(answer, PostingOutcome)))


def _phase(meter: CpuMeter, count: int, work: Callable[[], None]) -> dict[str, float]:
    figures = meter.measure(work)
    server_cpu = figures["trytond_cpu_s"] + figures["postgres_cpu_s"]
    return {**figures, "postings_per_s": rate(count, figures["wall_s"]),
            "server_cpu_s_per_posting": round(server_cpu / count, 3),
            "client_cpu_s_per_posting": round(figures["client_cpu_s"] / count, 3)}


def run_backend(backend: str, count: int, batch_size: int, posters: int) -> dict[str, Any]:
    os.environ["DOCKET_TRYTON_DB"] = backend
    with tempfile.TemporaryDirectory(prefix="docket-tryton-bench-") as tmp:
        state_dir = Path(tmp)
        started = time.perf_counter()
        instance = infra_tryton.start(state_dir, port=free_port(), fresh=True)
        start_seconds = time.perf_counter() - started
        try:
            meter = CpuMeter(instance.pid, backend)
            sink = _sink(instance, state_dir)
            sink.post(_requests("warmup", 1)[0])  # login, caches
            single = _requests("one", count)
            one_by_one = _phase(meter, count, lambda: [sink.post(request) for request in single] and None)
            failures: list[int] = []
            batched_requests = _requests("batch", count)
            batched = _phase(meter, count, lambda: _post_in_batches(sink, batched_requests, batch_size, failures))
            repeat = meter.measure(lambda: sink.post_batch(batched_requests[:batch_size]) and None)
            sinks = [_sink(instance, state_dir) for _ in range(posters)]
            for extra in sinks:
                extra.post(_requests("warmup", 1)[0])
            loads = [_requests(f"par{index}", count) for index in range(posters)]
            parallel_failures: list[int] = []

            def concurrently() -> None:
                threads = [threading.Thread(target=_post_in_batches, args=(s, load, batch_size, parallel_failures))
                           for s, load in zip(sinks, loads, strict=True)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()

            parallel = _phase(meter, count * posters, concurrently)
            for closing in (sink, *sinks):
                closing.close()
        finally:
            infra_tryton.remove(state_dir)
    return {
        "one_by_one": one_by_one,
        "batched": {**batched, "failures": sum(failures)},
        "concurrent_posters": {**parallel, "posters": posters, "failures": sum(parallel_failures)},
        "repeat_batch_already_posted": {**repeat, "answers_per_s": rate(batch_size, repeat["wall_s"])},
        "server_start_seconds": round(start_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--posters", type=int, default=2, help="concurrent posters in the last phase")
    parser.add_argument("--backends", default=None,
                        help="comma-separated: postgresql,sqlite (default: DOCKET_TRYTON_DB, else postgresql)")
    args = parser.parse_args()
    backends = (args.backends or infra_tryton.backend()).split(",")
    load_before = [round(x, 2) for x in os.getloadavg()]
    figures: dict[str, Any] = {
        "command": "python bench/tryton_postings.py " + " ".join(sys.argv[1:]),
        "invoices_each": args.count, "batch_size": args.batch_size, "lines_per_invoice": 2,
        "backends": {backend: run_backend(backend, args.count, args.batch_size, args.posters) for backend in backends},
        "machine": {"cpus": os.cpu_count(), "load_average_before": load_before,
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    for backend, result in figures["backends"].items():
        for phase in ("one_by_one", "batched", "concurrent_posters"):
            row = result[phase]
            print(f"{backend:10} {phase:18} {row['postings_per_s']:6} postings/s  wall {row['wall_s']} s  "
                  f"server {row['server_cpu_s_per_posting']} CPU-s/posting  client "
                  f"{row['client_cpu_s_per_posting']} CPU-s/posting  failures {row.get('failures', 0)}")
    print(f"load average before {load_before}, after {figures['machine']['load_average_after']}; "
          f"{os.cpu_count()} cores; wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
