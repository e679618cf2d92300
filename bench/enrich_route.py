"""Enrichment + routing on real Kafka: documents per second per worker with 100k vendors loaded,
and how long a restarted worker takes to get its master data and tables back.

    .venv/bin/python bench/enrich_route.py [--vendors 100000] [--documents 2000] [--seed 7] [--dev]

Uses the already running test stack (Kafka 19092, registry 18081; ``--dev`` for 9092/8081) with
its own topic prefix; starts nothing but one worker process at a time running the master-data,
enrich and route agents. Steps:

1. publish ``--vendors`` generated vendors (valid VAT IDs and IBANs) on ``masterdata.vendors``;
2. start a worker, time until its master data is loaded (``masterdata_ready`` in its log);
3. produce ``--documents`` extracted invoices (vendors named by VAT ID, IBAN, alias or name with
   OCR slips, as in bench/enrich_pure.py) and time them through enrich → by-vendor → route;
4. stop the worker, start a new one, and time until it is ready and until a probe document that
   duplicates one routed before the restart comes out as ``duplicate`` (tables recovered).

The machine is shared: every phase reports the worker's CPU seconds (from /proc) beside wall time.
Prints a table and writes bench/results/enrich_route.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results" / "enrich_route.json"
STAGE_MODULES = ("agents.masterdata", "agents.enrich", "agents.route")
WORKER_SCRIPT = f"""
import faust
from agents.registry import load_agents
from streams.app import app, settings
from streams.logging import configure_logging
configure_logging(settings.log_format, "info")
load_agents({STAGE_MODULES!r})
faust.Worker(app, loglevel="info", redirect_stdouts=False, override_logging=False).execute_from_commandline()
"""
EVIDENCE_MIX = ("vat_id", "vat_id", "iban", "alias", "name", "name_ocr")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BenchWorker:
    """One worker subprocess with its log file; ``mark(text)`` waits for a log line."""

    def __init__(self, settings: Any, log_path: Path) -> None:
        from tests.integration.harness import settings_env

        (settings.state_dir / "faust").mkdir(parents=True, exist_ok=True)
        self.log_path = log_path
        self.started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT], cwd=REPO,
                                        env={**os.environ, **settings_env(settings)},
                                        stdout=log_path.open("wb"), stderr=subprocess.STDOUT)

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)

    def wait_log(self, text: str, timeout: float = 600) -> float:
        """Seconds since start when ``text`` first appears in the log."""
        from tests.integration.harness import wait_for

        def seen() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited:\n{self.log_path.read_text(errors='replace')[-3000:]}")
            return text in self.log_path.read_text(errors="replace")

        wait_for(seen, timeout=timeout, interval=0.1, what=text)
        return time.perf_counter() - self.started

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


class Watcher:
    """Counts routed decisions as they arrive (one consumer for the whole run)."""

    def __init__(self, settings: Any, codecs: Any) -> None:
        from confluent_kafka import Consumer

        self.codec = codecs.for_topic("documents.routed")
        self.consumer = Consumer({"bootstrap.servers": settings.bootstrap_servers,
                                  "group.id": f"bench-{uuid.uuid4()}", "auto.offset.reset": "earliest"})
        self.consumer.subscribe([settings.topic("documents.routed")])
        self.routes: dict[str, str] = {}
        self.last_ms = 0

    def until(self, done: Any, timeout: float) -> None:
        from tests.integration.harness import wait_for

        def drain() -> bool:
            for message in self.consumer.consume(2000, timeout=0.5):
                if message.error() or message.value() is None:
                    continue
                event = self.codec.decode(message.value())
                self.routes[event.envelope.document_id] = event.route
                self.last_ms = max(self.last_ms, message.timestamp()[1])
            return bool(done(self.routes))

        wait_for(drain, timeout=timeout, interval=0, what="routing decisions")


def publish_vendors(settings: Any, codecs: Any, count: int, rng: random.Random) -> tuple[list[Any], float]:
    from bench.enrich_pure import make_vendors
    from streams.producer import EventProducer

    vendors = make_vendors(count, rng)
    producer = EventProducer(settings, codecs, **{"queue.buffering.max.messages": 200000})
    started = time.perf_counter()
    for vendor in vendors:
        producer.send("masterdata.vendors", f"{vendor.legal_entity}:{vendor.party_id}", vendor)
    producer.flush(300)
    return vendors, time.perf_counter() - started


def produce_documents(settings: Any, codecs: Any, documents: list[Any]) -> None:
    from streams.producer import EventProducer

    producer = EventProducer(settings, codecs)
    for document in documents:
        producer.send("documents.extracted", document.envelope.document_id, document)
    producer.flush(120)


def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from bench.enrich_pure import make_document
    from infra.process import free_port
    from streams.codecs import CodecRegistry, registry_client
    from streams.settings import Settings
    from streams.topics import ALL_TOPICS, create_topics
    from tests.integration.harness import infra_settings

    base = Settings() if args.dev else infra_settings()
    settings = Settings(kafka_port=base.kafka_port, registry_port=base.registry_port,
                        topic_prefix=f"bench-er-{uuid.uuid4().hex[:6]}.", partitions=args.partitions,
                        state_dir=tmp / "w1", broker_session_timeout=6.0, broker_heartbeat_interval=1.0,
                        web_port=free_port(), log_format="console", posting_targets="tryton")
    create_topics(settings.bootstrap_servers, ALL_TOPICS, prefix=settings.topic_prefix,
                  partitions=args.partitions)
    codecs = CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)
    rng = random.Random(args.seed)
    vendors, publish_s = publish_vendors(settings, codecs, args.vendors, rng)
    print(f"published {len(vendors):,} vendors in {publish_s:.1f} s")
    with_alias = [v for v in vendors if v.aliases]
    documents = []
    for n in range(args.documents):
        evidence = EVIDENCE_MIX[n % len(EVIDENCE_MIX)]
        vendor = rng.choice(with_alias if evidence == "alias" else vendors)
        documents.append(make_document(n, vendor, evidence, rng))

    watcher = Watcher(settings, codecs)
    worker = BenchWorker(settings, tmp / "worker-1.log")
    ready_s = worker.wait_log("masterdata_ready")
    ready_cpu = worker.cpu()
    print(f"worker 1: master data ready after {ready_s:.1f} s wall, {ready_cpu:.1f} s CPU")
    started_ms, cpu_before = time.time() * 1000, worker.cpu()
    produce_documents(settings, codecs, documents)
    watcher.until(lambda routes: len(routes) >= len(documents), timeout=1800)
    span_s = (watcher.last_ms - started_ms) / 1000
    cpu_used = worker.cpu() - cpu_before
    mix = Counter(watcher.routes.values())
    print(f"worker 1: {len(documents)} documents in {span_s:.1f} s wall, {cpu_used:.1f} s CPU")
    worker.stop()

    restarted = BenchWorker(settings.model_copy(update={"web_port": free_port(), "state_dir": tmp / "w2"}),
                            tmp / "worker-2.log")
    restart_ready_s = restarted.wait_log("masterdata_ready")
    restart_ready_cpu = restarted.cpu()
    probe_of = documents[0]
    probe = probe_of.model_copy(update={"envelope": probe_of.envelope.model_copy(update={
        "event_id": str(uuid.uuid4()), "document_id": "probe-after-restart"})})
    produce_documents(settings, codecs, [probe])
    watcher.until(lambda routes: "probe-after-restart" in routes, timeout=600)
    first_decision_s = time.perf_counter() - restarted.started
    first_decision_cpu = restarted.cpu()
    restarted.stop()
    watcher.consumer.close()
    return {
        "vendors": len(vendors), "documents": len(documents), "partitions": args.partitions, "cores": os.cpu_count(),
        "publish_vendors_s": publish_s,
        "load": {"masterdata_ready_wall_s": ready_s, "masterdata_ready_cpu_s": ready_cpu},
        "throughput": {"wall_s": span_s, "worker_cpu_s": cpu_used,
                       "documents_per_s_wall": len(documents) / span_s,
                       "documents_per_cpu_s": len(documents) / max(cpu_used, 1e-9),
                       "route_mix": dict(mix)},
        "restart": {"masterdata_ready_wall_s": restart_ready_s, "masterdata_ready_cpu_s": restart_ready_cpu,
                    "first_decision_wall_s": first_decision_s, "first_decision_cpu_s": first_decision_cpu,
                    "probe_route": watcher.routes["probe-after-restart"],
                    "documents_before_restart": len(documents)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--partitions", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dev", action="store_true", help="use the dev stack (9092/8081), not the test stack")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args, Path(tmp))
    from rich.console import Console
    from rich.table import Table

    t, load, restart = result["throughput"], result["load"], result["restart"]
    table = Table("phase", "wall s", "worker CPU s", "figure",
                  title=f"enrich + route, one worker, {result['vendors']:,} vendors")
    table.add_row("master data load (start → ready)", f"{load['masterdata_ready_wall_s']:.1f}",
                  f"{load['masterdata_ready_cpu_s']:.1f}", "")
    table.add_row(f"{result['documents']} documents enrich → route", f"{t['wall_s']:.1f}", f"{t['worker_cpu_s']:.1f}",
                  f"{t['documents_per_s_wall']:.0f}/s wall, {t['documents_per_cpu_s']:.0f}/CPU-s")
    table.add_row("restart → master data ready", f"{restart['masterdata_ready_wall_s']:.1f}",
                  f"{restart['masterdata_ready_cpu_s']:.1f}", "")
    table.add_row("restart → first decision (tables recovered)", f"{restart['first_decision_wall_s']:.1f}",
                  f"{restart['first_decision_cpu_s']:.1f}", f"probe routed {restart['probe_route']}")
    Console().print(table)
    print("route mix:", ", ".join(f"{k} {v}" for k, v in sorted(t["route_mix"].items())))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
