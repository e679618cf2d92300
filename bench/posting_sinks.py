"""Postings per second through the REST, SQL interface-table and file sinks, and events per
second into the audit store, on this machine.

    python bench/posting_sinks.py [--count 500] [--postgres]

SQLite files and output directories live in a temp directory; the REST target is a local
http.server (the fake AP API of the unit tests), so the REST figure is the sink's own overhead
plus one loopback HTTP round trip. ``--postgres`` also runs the SQL sink and the audit store on a
throwaway PostgreSQL server (``infra/postgres.py``). Writes ``bench/results/posting_sinks.json``.
Every write is durable (SQLite commits, fsync per file), so the figures follow the disk.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results" / "posting_sinks.json"


def measure(label: str, action: Callable[[], object], count: int, figures: dict[str, Any]) -> None:
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    figures[label] = {"per_second": round(count / elapsed, 1), "ms_each": round(elapsed * 1000 / count, 3),
                      "count": count}
    print(f"{label:<40} {count / elapsed:>9,.0f}/s  {elapsed * 1000 / count:7.2f} ms each  (n={count})")


def sql_and_audit(url_for: Callable[[str], str], suffix: str, count: int, figures: dict[str, Any]) -> None:
    from connectors.mapping import load_field_map
    from connectors.sql_tables import SqlInterfaceSink
    from connectors.stores.audit import AuditStore
    from tests.unit.audit.audit_events import life_of
    from tests.unit.connectors.sink_requests import make_request

    requests = [make_request(f"s{index}", target="sql") for index in range(count)]
    field_map = load_field_map("sql_invoice.v1")
    single = SqlInterfaceSink(url_for("single"), field_map)
    measure(f"sql post, one tx each ({suffix})", lambda: [single.post(r) for r in requests], count, figures)
    measure(f"sql post again: already_posted ({suffix})", lambda: [single.post(r) for r in requests], count,
            figures)
    batched = SqlInterfaceSink(url_for("batch"), field_map)
    measure(f"sql post_batch of 50 ({suffix})",
            lambda: [batched.post_batch(requests[i:i + 50]) for i in range(0, count, 50)], count, figures)
    single.close()
    batched.close()
    events = [event for index in range(max(count // 9, 1)) for event in life_of(f"doc-{index}")]
    store = AuditStore(url_for("audit"))
    measure(f"audit record, one tx each ({suffix})", lambda: [store.record(e) for e in events], len(events),
            figures)
    bulk = AuditStore(url_for("audit_bulk"))
    measure(f"audit record_many of 9 ({suffix})",
            lambda: [bulk.record_many(events[i:i + 9]) for i in range(0, len(events), 9)], len(events), figures)
    documents = sorted({event.envelope.document_id for event in events})
    measure(f"audit timeline of 9 events ({suffix})", lambda: [store.timeline(d) for d in documents],
            len(documents), figures)
    store.close()
    bulk.close()


def files_and_rest(work: Path, count: int, figures: dict[str, Any]) -> None:
    from connectors.files import FileSink
    from connectors.mapping import load_field_map
    from connectors.rest import BearerToken, RestSink
    from tests.unit.connectors.fake_rest_erp import running_erp
    from tests.unit.connectors.sink_requests import make_request

    requests = [make_request(f"f{index}", target="files") for index in range(count)]
    ubl = FileSink(work / "ubl", file_format="ubl")
    measure("file post, UBL 2.1 XML", lambda: [ubl.post(r) for r in requests], count, figures)
    csv_sink = FileSink(work / "csv", file_format="csv", maps=load_field_map("csv_invoice.v1"))
    measure("file post, CSV", lambda: [csv_sink.post(r) for r in requests], count, figures)
    with running_erp() as (_, base):
        rest = RestSink(url=f"{base}/invoices", maps=load_field_map("rest_invoice.v1"), auth=BearerToken("t"))
        rest_requests = [make_request(f"r{index}", target="rest") for index in range(count)]
        measure("rest post (loopback http.server)", lambda: [rest.post(r) for r in rest_requests], count, figures)
        rest.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="docket-bench-sinks-"))
    try:
        sql_and_audit(lambda name: f"sqlite:///{work / name}.db", "sqlite", args.count, figures)
        files_and_rest(work, args.count, figures)
        if args.postgres:
            from infra import postgres

            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = int(probe.getsockname()[1])
            pg_dir = Path(tempfile.mkdtemp(prefix="docket-bench-pg-"))  # the server runs as another user
            server = postgres.start(port=port, data_dir=pg_dir, database="bench")
            try:
                # A fresh database per store, as each SQLite run gets a fresh file.
                sql_and_audit(lambda name: _fresh_database(server, port, name), "postgresql", args.count, figures)
            finally:
                postgres.stop(port=port, data_dir=pg_dir)
                shutil.rmtree(pg_dir, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                   "count": args.count, "figures": figures}, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


def _fresh_database(server: Any, port: int, name: str) -> str:
    from infra import postgres

    postgres.start(port=port, data_dir=server.data_dir, database=name)
    base: str = server.url.rsplit("/", 1)[0]
    return f"{base}/{name}"


if __name__ == "__main__":
    sys.exit(main())
