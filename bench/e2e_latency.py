"""End-to-end latency, submit → posted in Tryton, for text-layer documents at a steady arrival rate.

    python bench/e2e_latency.py [--documents 40] [--rate 0.5] [--credit-notes 0.1] [--seed N] [--output F]
                                 [--warm-up 0] [--stop-infra]

Brings up Kafka, the registry and Tryton on the local defaults (``infra/``: 9092, 8081, 8000),
publishes the ERP's master data under a fresh topic prefix, starts one worker with every stage,
then submits ``--documents`` freshly rendered documents at ``--rate`` per second and follows each
to its end. Every document is different: vendor (the demo ERP's), number, date, line count (2-6),
items, quantities, prices, both VAT rates, layout family, and a share of credit notes — so none
is a duplicate of another and each should post straight through (DEMO routing policy).

``--warm-up K`` first sends K documents of the same kind and waits until they finished, so the
figures are the worker's steady state; its first documents (the ERP's first calls of each kind
run cold in the ERP's process, about twice as slow) are reported apart, as ``warm_up``.

Prints and writes ``bench/results/e2e_latency.json``: submit→posted latency p50/p90/p95/max/mean,
the median of each hop (capture, enrich, route, posting request, post) by envelope times, the
count per route (``documents.routed``) and per final outcome, why any did not post, throughput
(finished documents over the span from first submit to last finish), and the machine load
(``/proc/loadavg`` at start and end).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results" / "e2e_latency.json"
WATCHED = ("postings.results", "reviews.requested", "documents.rejected", "documents.routed",
           "documents.extracted", "documents.enriched", "postings.requested")
# Each hop, by the envelope times of the events that start and end it (producers on this machine).
HOPS = (("capture", "received", "documents.extracted"), ("enrich", "documents.extracted", "documents.enriched"),
        ("route", "documents.enriched", "documents.routed"), ("route → posting request", "documents.routed",
                                                               "postings.requested"),
        ("post (batch window + Tryton)", "postings.requested", "postings.results"))


@dataclass
class Followed:
    """One submitted document: when it went in, how it was routed, how it ended."""

    submitted_at: float
    kind: str
    layout: str
    lines: int
    route: str | None = None
    route_reasons: list[str] = field(default_factory=list)
    outcome: str | None = None
    finished_at: float | None = None
    stamps: dict[str, datetime] = field(default_factory=dict)
    posting_ms: int | None = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--rate", type=float, default=0.5, help="documents per second")
    parser.add_argument("--credit-notes", type=float, default=0.1, help="share of credit notes")
    parser.add_argument("--seed", type=int, default=None, help="document seed (default: random, recorded)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait after the last submit")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the figures (JSON)")
    parser.add_argument("--warm-up", type=int, default=0,
                        help="documents sent and finished before the measured ones (reported apart)")
    parser.add_argument("--stop-infra", action="store_true", help="stop Kafka, the registry and Tryton at the end")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)

    from confluent_kafka import Consumer

    from cli import demo_run as demo
    from connectors.blobstore import LocalBlobStore
    from connectors.sources.intake import Intake
    from infra import stack
    from streams.producer import EventProducer
    from streams.settings import Settings
    from tests.integration.demo_invoices import demo_document

    base = Settings()
    local = stack.stack_for(base)
    stack.up(local, erp=True)
    load_before = _load()
    settings, codecs = demo.isolated_run(base, "bench-e2e", f"bench-e2e-{uuid.uuid4().hex[:6]}.")
    demo._sync_masterdata(settings, codecs)
    worker = demo._start_worker(settings)
    intake = Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs),
                    default_legal_entity=settings.default_legal_entity)
    consumer = Consumer({"bootstrap.servers": settings.bootstrap_servers, "group.id": f"bench-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([settings.topic(t) for t in WATCHED])
    rng = random.Random(seed)
    followed: dict[str, Followed] = {}
    warm_up: dict[str, Followed] = {}
    tracked: dict[str, Followed] = {}  # both, for the consumer that follows every document

    def send(count: int, into: dict[str, Followed], name: str) -> float:
        started = time.monotonic()
        for i in range(count):
            kind = "credit_note" if rng.random() < args.credit_notes else "invoice"
            document = demo_document(rng, document_type=kind)
            due = started + i / args.rate
            while time.monotonic() < due:
                _drain(consumer, codecs, settings.topic_prefix, tracked)
            event = intake.submit(document.pdf, f"{name}-{i}.pdf", channel="bench")
            intake.flush()
            item = Followed(time.monotonic(), kind, document.layout, len(document.content.lines),
                            stamps={"received": event.envelope.occurred_at})
            into[event.envelope.document_id] = tracked[event.envelope.document_id] = item
        deadline = time.monotonic() + args.timeout
        while any(f.finished_at is None for f in into.values()) and time.monotonic() < deadline:
            _drain(consumer, codecs, settings.topic_prefix, tracked)
        return started

    try:
        warm_started = send(args.warm_up, warm_up, "warm-up")
        started = send(args.documents, followed, "bench")
    finally:
        consumer.close()
        demo._stop(worker)
        if args.stop_infra:
            stack.down(local)
    figures = _figures(args, seed, followed, started, load_before)
    if warm_up:
        figures["warm_up"] = {"documents": len(warm_up),
                              "latency_submit_to_posted_s": _latency(_posted_latencies(warm_up.values())),
                              "median_tryton_call_s": _median_call(warm_up.values()),
                              "span_s": started - warm_started}
    print(json.dumps(figures, indent=2))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(figures, indent=2) + "\n")


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _figures(args: argparse.Namespace, seed: int, followed: dict[str, Followed], started: float,
             load_before: list[float]) -> dict[str, Any]:
    finished = [f for f in followed.values() if f.finished_at is not None]
    span = max((f.finished_at for f in finished if f.finished_at is not None), default=started) - started
    not_posted = [{"kind": f.kind, "layout": f.layout, "route": f.route, "outcome": f.outcome,
                   "reasons": f.route_reasons} for f in followed.values() if f.outcome != "posted"]
    return {
        "benchmark": "e2e_latency",
        "command": "python bench/e2e_latency.py " + " ".join(sys.argv[1:]),
        "documents": args.documents, "arrival_rate_per_s": args.rate, "seed": seed,
        "kinds": dict(Counter(f.kind for f in followed.values())),
        "lines_per_document": dict(sorted(Counter(f.lines for f in followed.values()).items())),
        "routes": dict(Counter(f.route or "(not routed)" for f in followed.values())),
        "outcomes": dict(Counter(f.outcome or "(unfinished)" for f in followed.values())),
        "not_posted": not_posted,
        "latency_submit_to_posted_s": _latency(_posted_latencies(finished)),
        "median_hop_s": _hops(finished),
        "median_tryton_call_s": _median_call(finished),
        "throughput_finished_per_s": len(finished) / span if span else None,
        "span_s": span, "cores": os.cpu_count(), "load_average_before": load_before,
        "load_average_after": _load(), "measured_at": datetime.now(UTC).isoformat(),
    }


def _posted_latencies(followed: Iterable[Followed]) -> list[float]:
    """Submit → posted seconds of the posted documents, sorted."""
    return sorted(f.finished_at - f.submitted_at for f in followed
                  if f.outcome == "posted" and f.finished_at is not None)


def _latency(posted: list[float]) -> dict[str, float | int | None]:
    return {"count": len(posted), "p50": _pct(posted, 50), "p90": _pct(posted, 90), "p95": _pct(posted, 95),
            "max": posted[-1] if posted else None, "mean": statistics.fmean(posted) if posted else None}


def _median_call(followed: Iterable[Followed]) -> float | None:
    """Median seconds of the Tryton call of the batch that posted each document (the rest of the
    post hop is queueing)."""
    calls = [f.posting_ms for f in followed if f.posting_ms is not None]
    return statistics.median(calls) / 1000 if calls else None


def _hops(finished: list[Followed]) -> dict[str, float | None]:
    """Median seconds of each hop over the posted documents (envelope times)."""
    medians: dict[str, float | None] = {}
    for name, start, end in HOPS:
        spans = [(f.stamps[end] - f.stamps[start]).total_seconds() for f in finished
                 if f.outcome == "posted" and start in f.stamps and end in f.stamps]
        medians[name] = statistics.median(spans) if spans else None
    return medians


def _pct(values: list[float], pct: int) -> float | None:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return None
    index = min(len(values) - 1, max(0, -(-pct * len(values) // 100) - 1))
    return values[index]


def _drain(consumer: Any, codecs: Any, prefix: str, followed: dict[str, Followed]) -> None:
    message = consumer.poll(0.2)
    if message is None or message.error() or message.value() is None:
        return
    logical = message.topic()[len(prefix):]
    event = codecs.for_topic(logical).decode(message.value())
    item = followed.get(event.envelope.document_id)
    if item is None or item.finished_at is not None:
        return
    if logical != "postings.results" or event.status in ("posted", "already_posted"):
        item.stamps.setdefault(logical, event.envelope.occurred_at)
    outcome = None
    if logical == "documents.routed":
        item.route, item.route_reasons = event.route, [reason.code for reason in event.reasons]
        outcome = event.route if event.route in ("duplicate", "reject") else None
    elif logical == "postings.results" and event.status in ("posted", "already_posted"):
        outcome, item.posting_ms = "posted", event.duration_ms
    elif logical == "postings.results" and event.status in ("rejected", "failed"):
        outcome = f"posting {event.status}: {event.error_code} {event.error_message or ''}"[:160]
    elif logical == "reviews.requested":
        outcome = "review:" + ",".join(reason.code for reason in event.reasons)
    elif logical == "documents.rejected":
        outcome = f"rejected:{event.error_code}"
    if outcome:
        item.outcome, item.finished_at = outcome, time.monotonic()


if __name__ == "__main__":
    main()
