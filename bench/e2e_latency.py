"""End-to-end latency, submit → posted in Tryton, for text-layer invoices at a steady arrival rate.

    python bench/e2e_latency.py [--documents 40] [--rate 0.5]

Brings up Kafka, the registry and Tryton (``infra/``), publishes the ERP's master data, starts one
worker with every stage, then submits ``--documents`` freshly rendered invoices from the demo
vendors at ``--rate`` documents per second and follows each to its posting result. Prints
p50/p95/max latency and throughput, and writes ``bench/results/e2e_latency.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results" / "e2e_latency.json"

VENDORS = [("Acme Office Supplies GmbH", "DE136695976", "DE89370400440532013000"),
           ("Nordlicht Logistik AG", "DE812526315", "DE02120300000000202051")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--rate", type=float, default=0.5, help="documents per second")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    from confluent_kafka import Consumer

    from connectors.blobstore import LocalBlobStore
    from connectors.sources.intake import Intake
    from infra import demo, stack
    from streams.producer import EventProducer
    from streams.settings import Settings
    from tests.documents import invoice_pdf

    base = Settings()
    stack.up(stack.stack_for(base), erp=True)
    settings, codecs = demo.isolated_run(base, "bench-e2e", f"bench-e2e-{uuid.uuid4().hex[:6]}.")
    demo._sync_masterdata(settings, codecs)
    worker = demo._start_worker(settings)
    intake = Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs),
                    default_legal_entity=settings.default_legal_entity)
    consumer = Consumer({"bootstrap.servers": settings.bootstrap_servers, "group.id": f"bench-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest"})
    watched = ["postings.results", "reviews.requested", "documents.rejected", "documents.routed"]
    consumer.subscribe([settings.topic(t) for t in watched])
    submitted: dict[str, float] = {}
    finished: dict[str, tuple[float, str]] = {}
    started = time.monotonic()
    try:
        for i in range(args.documents):
            due = started + i / args.rate
            while time.monotonic() < due:
                _drain(consumer, codecs, settings, submitted, finished)
            name, vat_id, iban = VENDORS[i % len(VENDORS)]
            pdf = invoice_pdf(number=f"B-{uuid.uuid4().hex[:8]}", supplier=name, vat_id=vat_id, iban=iban)
            event = intake.submit(pdf, f"bench-{i}.pdf", channel="bench")
            intake.flush()
            submitted[event.envelope.document_id] = time.monotonic()
        deadline = time.monotonic() + args.timeout
        while len(finished) < len(submitted) and time.monotonic() < deadline:
            _drain(consumer, codecs, settings, submitted, finished)
    finally:
        consumer.close()
        demo._stop(worker)
    posted = sorted(at - submitted[doc] for doc, (at, outcome) in finished.items() if outcome == "posted")
    outcomes: dict[str, int] = {}
    for _, outcome in finished.values():
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    span = max((at for at, _ in finished.values()), default=started) - started
    figures = {
        "documents": args.documents, "arrival_rate_per_s": args.rate, "outcomes": outcomes,
        "unfinished": len(submitted) - len(finished),
        "latency_s": {"p50": _pct(posted, 50), "p95": _pct(posted, 95), "max": posted[-1] if posted else None,
                      "mean": statistics.fmean(posted) if posted else None},
        "throughput_per_s": len(finished) / span if span else None, "cores": os.cpu_count(),
        "load_average": os.getloadavg(), "measured_at": datetime.now(UTC).isoformat(),
    }
    print(json.dumps(figures, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


def _pct(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, round(pct / 100 * len(values) + 0.5) - 1))
    return values[index]


def _drain(consumer: object, codecs: object, settings: object, submitted: dict[str, float],
           finished: dict[str, tuple[float, str]]) -> None:
    message = consumer.poll(0.2)  # type: ignore[attr-defined]
    if message is None or message.error() or message.value() is None:
        return
    logical = message.topic()[len(settings.topic_prefix):]  # type: ignore[attr-defined]
    event = codecs.for_topic(logical).decode(message.value())  # type: ignore[attr-defined]
    document_id = event.envelope.document_id
    if document_id not in submitted or document_id in finished:
        return
    outcome = None
    if logical == "postings.results" and event.status in ("posted", "already_posted"):
        outcome = "posted"
    elif logical == "postings.results" and event.status in ("rejected", "failed"):
        outcome = f"posting {event.status}"
    elif logical == "reviews.requested":
        outcome = "review:" + ",".join(r.code for r in event.reasons)
    elif logical == "documents.rejected":
        outcome = f"rejected:{event.error_code}"
    elif logical == "documents.routed" and event.route in ("duplicate", "reject"):
        outcome = event.route
    if outcome:
        finished[document_id] = (time.monotonic(), outcome)


if __name__ == "__main__":
    main()
