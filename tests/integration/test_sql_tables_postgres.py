"""SqlInterfaceSink against a real PostgreSQL server started by infra/postgres.py.

The server is a throwaway one on a free port with its own data directory, stopped at the end.
If PostgreSQL cannot start, the tests fail (never skip): the interface-table guarantees rest on
PostgreSQL's unique constraint and transactions, which only a real server shows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select, text

import connectors.stores.review_tables  # noqa: F401  (the review workspace's tables share the audit metadata)
from connectors.base import PostingOutcome, PostingRejected, TargetUnavailable
from connectors.mapping import load_field_map
from connectors.sql_tables import SqlInterfaceSink
from connectors.stores.audit import AuditStore
from connectors.stores.audit_tables import metadata as audit_metadata
from docket.errors import DocketError
from docket.model import (
    Envelope,
    InvoiceLine,
    InvoiceRecord,
    PostingRequested,
    PostingResult,
    idempotency_key,
)
from infra import postgres
from infra.process import free_port
from tests.integration.harness import throwaway_postgres
from tests.unit.audit.audit_events import life_of

pytestmark = pytest.mark.integration

MAP = load_field_map("sql_invoice.v1")


@pytest.fixture(scope="module")
def server() -> Iterator[postgres.PostgresServer]:
    with throwaway_postgres("docket_it") as server:
        yield server


@pytest.fixture
def engine(server: postgres.PostgresServer) -> Iterator[Engine]:
    engine = create_engine(server.url, pool_size=8)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS docket_ap_line, docket_ap_header"))
    yield engine
    engine.dispose()


def _request(document_id: str, **changes: Any) -> PostingRequested:
    record: dict[str, Any] = dict(
        document_type="invoice", number=f"INV-{document_id}", issue_date=date(2026, 11, 3), currency="EUR",
        net_total=Decimal("1000.00"), tax_total=Decimal("190.00"), total=Decimal("1190.00"),
        supplier_name="Beispiel Maschinenbau AG", supplier_iban="DE89370400440532013000",
        lines=[InvoiceLine(index=0, description="Spindle", quantity=Decimal("3"),
                           unit_price=Decimal("333.3333"), amount=Decimal("1000.00"))])
    record.update(changes)
    envelope = Envelope.new(document_id=document_id, legal_entity="acme-de", producer="test",
                            now=datetime(2026, 11, 22, tzinfo=UTC))
    return PostingRequested(envelope=envelope, idempotency_key=idempotency_key(document_id, 0, "sql"),
                            target="sql", posting_type="supplier_invoice", mapping_version="sql_invoice/1",
                            record=InvoiceRecord(**record))


def _headers(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM docket_ap_header")).scalar_one())


def test_post_and_repeat_keep_exact_numerics(engine: Engine) -> None:
    sink = SqlInterfaceSink(engine, MAP)
    outcome = sink.post(_request("pg-1"))
    again = SqlInterfaceSink(engine, MAP).post(_request("pg-1"))
    assert (outcome.status, again.status) == ("posted", "already_posted")
    assert again.erp_id == outcome.erp_id
    with engine.connect() as connection:
        price = connection.execute(select(sink.line_table.c.unit_price)).scalar_one()
        column_type = connection.execute(text(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'docket_ap_header' AND column_name = 'total_amount'")).scalar_one()
    assert price == Decimal("333.3333")
    assert column_type == "numeric"


def test_concurrent_posts_of_one_key_create_one_row(engine: Engine) -> None:
    sinks = [SqlInterfaceSink(engine, MAP) for _ in range(6)]
    barrier = threading.Barrier(len(sinks))
    results: list[PostingOutcome | DocketError] = []
    lock = threading.Lock()

    def post(sink: SqlInterfaceSink) -> None:
        barrier.wait()
        try:
            result: PostingOutcome | DocketError = sink.post(_request("pg-race"))
        except DocketError as error:
            result = error
        with lock:
            results.append(result)

    threads = [threading.Thread(target=post, args=(sink,)) for sink in sinks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(getattr(result, "status", repr(result)) for result in results)
    assert statuses == ["already_posted"] * 5 + ["posted"]
    assert _headers(engine) == 1


def test_value_the_database_refuses_is_rejected_and_leaves_nothing(engine: Engine) -> None:
    sink = SqlInterfaceSink(engine, MAP)
    with pytest.raises(PostingRejected):
        sink.post(_request("pg-2", supplier_vat_id="X" * 40))  # the column holds 32 characters
    assert _headers(engine) == 0


def test_batch_commits_once_and_isolates_a_refused_row(engine: Engine) -> None:
    sink = SqlInterfaceSink(engine, MAP)
    results = sink.post_batch([_request("pg-3"), _request("pg-4", supplier_vat_id="X" * 40), _request("pg-5")])
    assert [type(result).__name__ for result in results] == ["PostingOutcome", "PostingRejected",
                                                              "PostingOutcome"]
    with engine.connect() as connection:
        numbers = connection.execute(select(sink.header_table.c.document_number)
                                     .order_by(sink.header_table.c.id)).scalars().all()
        lines = connection.execute(select(func.count()).select_from(sink.line_table)).scalar_one()
    assert numbers == ["INV-pg-3", "INV-pg-5"]
    assert lines == 2


def test_stopped_server_is_target_unavailable(server: postgres.PostgresServer) -> None:
    closed_port = free_port()
    url = server.url.replace(f":{server.port}/", f":{closed_port}/")
    with pytest.raises(TargetUnavailable):
        SqlInterfaceSink(url, MAP)


def test_infra_status_reports_the_running_server(server: postgres.PostgresServer) -> None:
    found = postgres.status(port=server.port, data_dir=server.data_dir, database=server.database)
    assert found is not None and found.pid == server.pid


def test_audit_store_migrates_and_records_on_postgresql(server: postgres.PostgresServer) -> None:
    """The audit store's PostgreSQL option: migrations, JSONB payloads, idempotent inserts."""
    engine = create_engine(server.url)
    with engine.begin() as connection:
        # Every table of the audit database (the review workspace's share it), so the migrations run from scratch.
        names = ", ".join(table.name for table in reversed(audit_metadata.sorted_tables))
        connection.execute(text(f"DROP TABLE IF EXISTS {names}, docket_audit_alembic_version"))
    engine.dispose()
    store = AuditStore(server.url)
    request = _request("pg-audit")
    result = PostingResult(envelope=request.envelope.follow(producer="post.sql", now=datetime(2026, 11, 22, 1,
                                                                                              tzinfo=UTC)),
                           idempotency_key=request.idempotency_key, target="sql", status="posted",
                           erp_reference="AP-1", request='{"token": "t0p", "iban": "DE89370400440532013000"}')
    assert store.record(request) and store.record(result)
    assert not store.record(result)
    timeline = store.timeline("pg-audit")
    assert [entry.stage for entry in timeline] == ["posting_requested", "posted"]
    assert timeline[-1].erp_reference == "AP-1"
    with store.engine.connect() as connection:
        stored = connection.execute(text("SELECT payload::text FROM audit_events")).scalars().all()
        kind = connection.execute(text(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'audit_events' AND column_name = 'payload'")).scalar_one()
    assert kind == "jsonb"
    assert not any("DE89370400440532013000" in text_ or "t0p" in text_ for text_ in stored)
    store.close()


def test_audit_store_concurrent_writers_record_each_event_once(server: postgres.PostgresServer) -> None:
    """Several consumers replaying the same events at once (at-least-once delivery)."""
    store = AuditStore(server.url)
    events = life_of("pg-audit-race")
    barrier = threading.Barrier(4)
    counts: list[int] = []
    failures: list[BaseException] = []

    def replay() -> None:
        barrier.wait()
        try:
            counts.append(sum(1 for event in events if store.record(event)))
        except BaseException as error:  # surfaced below: a thread's exception would be lost
            failures.append(error)

    threads = [threading.Thread(target=replay) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sum(counts) == len(events)
    assert [entry.event_id for entry in store.timeline("pg-audit-race")] == [e.envelope.event_id for e in events]
    document = store.document("pg-audit-race")
    assert document is not None and document.current_state == "posted"
    store.close()


def test_nul_characters_in_a_batch_neither_raise_nor_retry_the_batch(engine: Engine) -> None:
    sink = SqlInterfaceSink(engine, MAP)
    results = sink.post_batch([_request("pg-6"), _request("pg-7", supplier_name="Acme\x00 AG"), _request("pg-8")])
    assert [getattr(result, "status", None) for result in results] == ["posted"] * 3
    with engine.connect() as connection:
        names = connection.execute(select(sink.header_table.c.supplier_name)
                                   .order_by(sink.header_table.c.id)).scalars().all()
    assert names == ["Beispiel Maschinenbau AG", "Acme AG", "Beispiel Maschinenbau AG"]
