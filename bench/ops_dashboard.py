"""How long the dashboard takes over a day of documents on SQLite: reading the audit store
(``load_activity``), computing the figures (``build_dashboard``, hourly buckets) and one search.

    python bench/ops_dashboard.py [--documents 2000]

Each synthetic document has six events (received, extracted, enriched, routed, posting requested,
posting result) spread over the 24 h window, across three legal entities; a quarter go to review.
Writes ``bench/results/ops_dashboard.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from connectors.stores.audit import AuditStore  # noqa: E402
from connectors.stores.ops_queries import load_activity, search_documents  # noqa: E402
from docket.model import Event, idempotency_key  # noqa: E402
from docket.ops import build_dashboard  # noqa: E402
from tests import factories  # noqa: E402
from tests.unit.ops.scenario import NOW, event  # noqa: E402

RESULTS = REPO / "bench" / "results" / "ops_dashboard.json"


def day_of(documents: int) -> list[Event]:
    events: list[Event] = []
    spacing = timedelta(hours=23) / max(1, documents)
    for i in range(documents):
        doc, entity = f"doc-{i:06d}", ("DE01", "FR01", "NL01")[i % 3]
        start = NOW - timedelta(hours=23) + i * spacing
        key = idempotency_key(doc, 0, "tryton")

        def later(seconds: int, start: timedelta = start) -> object:
            return start + timedelta(seconds=seconds)

        events += [event(factories.received, doc, start, entity),
                   event(factories.extracted, doc, later(5), entity),  # type: ignore[arg-type]
                   event(factories.enriched, doc, later(6), entity,  # type: ignore[arg-type]
                         record=factories.record(number=f"RE-{i}")),
                   event(factories.routed, doc, later(7), entity,  # type: ignore[arg-type]
                         route="post" if i % 4 else "review"),
                   event(factories.posting_requested, doc, later(8), entity,  # type: ignore[arg-type]
                         idempotency_key=key),
                   event(factories.posting_result, doc, later(9 + i % 30), entity,  # type: ignore[arg-type]
                         idempotency_key=key)]
    return events


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=2000)
    args = parser.parse_args()
    events = day_of(args.documents)
    store = AuditStore(f"sqlite:///{tempfile.mkdtemp(prefix='ops-bench-')}/audit.db")
    store.record_many(events)
    started = time.perf_counter()
    documents, rows = load_activity(store.engine, since=NOW - timedelta(hours=24), until=NOW)
    loaded = time.perf_counter()
    board = build_dashboard(documents, rows, now=NOW, window=timedelta(hours=24), bucket=timedelta(hours=1))
    built = time.perf_counter()
    hits = search_documents(store.engine, text="RE-19")
    searched = time.perf_counter()
    result = {"documents": args.documents, "events": len(events), "load_activity_s": round(loaded - started, 3),
              "build_dashboard_s": round(built - loaded, 3), "search_ms": round((searched - built) * 1000, 1),
              "search_hits": len(hits), "stp_rate": board.figures.stp_rate}
    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
