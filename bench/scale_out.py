"""Scale-out: one, two and three worker processes on one topic set, mixed documents, documents/s.

    python bench/scale_out.py [--workers 1,2,3] [--documents 24] [--scans 0.25] [--partitions 6]
                              [--capture-processes 1] [--seed N]

Brings up Kafka, the registry and Tryton like ``bench/e2e_latency.py`` (the local defaults; point
``DOCKET_KAFKA_PORT`` / ``DOCKET_REGISTRY_PORT`` / ``DOCKET_STATE_DIR`` at a running stack to share
it). For each worker count: a fresh topic prefix with ``--partitions`` partitions per topic, the
ERP's master data published, N worker processes started in one consumer group (each its own state
directory, one shared blob store), then a burst of ``--documents`` fresh documents — text-layer
invoices and credit notes, and a ``--scans`` share of them rasterised at 200 dpi (PNG, clean) so
capture runs OCR — submitted at once and followed to their end.

Prints and writes ``bench/results/scale_out.json``: per worker count, documents/s end to end
(documents finished over the span from the first submit to the last finish), per stage the
documents/s through it (documents out of the stage over the span from the first submit to its
last output) and its median hop, the worker processes' CPU-seconds per document, how the documents
ended, the partitions and the machine's cores and load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results" / "scale_out.json"
STAGES = (("capture", "documents.extracted"), ("enrich", "documents.enriched"), ("route", "documents.routed"),
          ("post", "postings.results"))


def _documents(rng: random.Random, count: int, scans: float) -> list[tuple[str, bytes, str]]:
    """``(filename, bytes, kind)``: fresh invoices and credit notes, a share of them as scans."""
    from devkit.corpus.damage import make_scan
    from tests.integration.demo_invoices import demo_document

    made = []
    for index in range(count):
        kind = "credit_note" if rng.random() < 0.1 else "invoice"
        document = demo_document(rng, document_type=kind)
        if rng.random() < scans:
            scan = make_scan(document.pdf, rng, damaged=False, damage=())
            made.append((f"scale-{index}.{scan.extension}", scan.data, "scan"))
        else:
            made.append((f"scale-{index}.pdf", document.pdf, "text_layer"))
    return made


def _members(settings: Any) -> int:
    from confluent_kafka.admin import AdminClient

    group = f"{settings.topic_prefix}{settings.app_id}"
    admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers})  # alive until the answer came
    try:
        description = admin.describe_consumer_groups([group])[group].result(timeout=5)
    except Exception:  # not there yet
        return 0
    return len(description.members) if str(description.state).endswith("STABLE") else 0


def _start_workers(settings: Any, count: int, capture_processes: int) -> list[subprocess.Popen[bytes]]:
    from infra.process import free_port

    workers = []
    for index in range(count):
        state = settings.state_dir / f"worker-{index}"
        state.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **settings.to_env(), "DOCKET_STATE_DIR": str(state), "DOCKET_WEB_PORT": str(free_port()),
               "DOCKET_BLOB_DIR": str(settings.blob_root), "DOCKET_CAPTURE_PROCESSES": str(capture_processes)}
        log = (state / "worker.log").open("ab")
        workers.append(subprocess.Popen([sys.executable, "-m", "cli.main", "worker", "-l", "warning"], cwd=REPO,
                                        env=env, stdout=log, stderr=subprocess.STDOUT))
    deadline = time.monotonic() + 300
    while _members(settings) < count:
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            for worker in workers:
                worker.kill()
            raise RuntimeError(f"{count} workers did not join the group; logs under {settings.state_dir}")
        time.sleep(1)
    return workers


def _cpu_tree(pid: int) -> float:
    """CPU-seconds of ``pid`` and its live descendants (the capture process pool)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def run_one(base: Any, workers: int, args: argparse.Namespace, seed: int) -> dict[str, Any]:
    from confluent_kafka import Consumer

    from bench.e2e_latency import WATCHED, Followed, _drain
    from cli import demo_run as demo
    from connectors.blobstore import LocalBlobStore
    from connectors.sources.intake import Intake
    from streams.producer import EventProducer

    partitioned = base.model_copy(update={"partitions": args.partitions})
    settings, codecs = demo.isolated_run(partitioned, f"bench-scale-{workers}", f"bench-scale-{uuid.uuid4().hex[:6]}.")
    demo._sync_masterdata(settings, codecs)
    documents = _documents(random.Random(seed + workers), args.documents, args.scans)
    procs = _start_workers(settings, workers, args.capture_processes)
    intake = Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs),
                    default_legal_entity=settings.default_legal_entity)
    consumer = Consumer({"bootstrap.servers": settings.bootstrap_servers, "group.id": f"bench-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([settings.topic(t) for t in WATCHED])
    followed: dict[str, Followed] = {}
    kinds: dict[str, str] = {}
    cpu_before = sum(_cpu_tree(p.pid) for p in procs)
    load_before = [round(x, 2) for x in os.getloadavg()]
    started = time.monotonic()
    try:
        for name, data, kind in documents:
            event = intake.submit(data, name, channel="bench")
            followed[event.envelope.document_id] = Followed(time.monotonic(), kind, kind, 0,
                                                            stamps={"received": event.envelope.occurred_at})
            kinds[event.envelope.document_id] = kind
        intake.flush()
        deadline = time.monotonic() + args.timeout
        while any(f.finished_at is None for f in followed.values()) and time.monotonic() < deadline:
            _drain(consumer, codecs, settings.topic_prefix, followed)
        cpu = sum(_cpu_tree(p.pid) for p in procs) - cpu_before
    finally:
        consumer.close()
        for proc in procs:
            demo._stop(proc)
    return _figures(workers, args, followed, started, cpu, load_before)


def _figures(workers: int, args: argparse.Namespace, followed: dict[str, Any], started: float, cpu: float,
             load_before: list[float]) -> dict[str, Any]:
    finished = [f for f in followed.values() if f.finished_at is not None]
    span = max((f.finished_at for f in finished), default=started) - started
    first = min(f.stamps["received"] for f in followed.values())
    stages: dict[str, Any] = {}
    previous = "received"
    for stage, topic in STAGES:
        outs = [f.stamps[topic] for f in followed.values() if topic in f.stamps]
        hops = [(f.stamps[topic] - f.stamps[previous]).total_seconds() for f in followed.values()
                if topic in f.stamps and previous in f.stamps]
        last = max(outs, default=first)
        stage_span = (last - first).total_seconds()
        stages[stage] = {"documents": len(outs),
                         "documents_per_s": round(len(outs) / stage_span, 2) if stage_span else None,
                         "median_hop_s": round(statistics.median(hops), 3) if hops else None}
        previous = topic
    return {
        "workers": workers, "partitions": args.partitions, "capture_processes_per_worker": args.capture_processes,
        "documents": len(followed), "mix": dict(Counter(f.kind for f in followed.values())),
        "outcomes": dict(Counter(f.outcome or "(unfinished)" for f in followed.values())),
        "documents_per_s": round(len(finished) / span, 2) if span else None, "span_s": round(span, 1),
        "stages": stages, "worker_cpu_s_per_document": round(cpu / max(1, len(finished)), 2),
        "load_average_before": load_before, "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--documents", type=int, default=24)
    parser.add_argument("--scans", type=float, default=0.25, help="share of documents submitted as scans")
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--capture-processes", type=int, default=1, help="OCR process pool per worker")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)

    from infra import stack
    from streams.settings import Settings

    base = Settings()
    stack.up(stack.stack_for(base), erp=True)
    runs = [run_one(base, int(count), args, seed) for count in args.workers.split(",")]
    figures = {"benchmark": "scale_out", "command": "python bench/scale_out.py " + " ".join(sys.argv[1:]),
               "seed": seed, "cores": os.cpu_count(), "runs": runs}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"{'workers':>7} {'partitions':>10} {'docs/s':>7} " + " ".join(f"{s:>14}" for s, _ in STAGES)
          + f" {'CPU-s/doc':>9} {'load':>11}  outcomes")
    for run in runs:
        print(f"{run['workers']:>7} {run['partitions']:>10} {run['documents_per_s']!s:>7} "
              + " ".join(f"{str(run['stages'][s]['documents_per_s']) + '/s':>14}" for s, _ in STAGES)
              + f" {run['worker_cpu_s_per_document']:>9} {run['load_average_after'][0]:>11}  {run['outcomes']}")
    print(f"{os.cpu_count()} cores; wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
