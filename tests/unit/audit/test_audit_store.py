"""The audit store on SQLite: migrations, idempotent recording, timelines, redaction."""

from __future__ import annotations

import random
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from connectors.stores.audit import AuditStore
from connectors.stores.audit_tables import metadata
from docket.audit import AuditError, redact
from docket.model import DeadLetter, Envelope, PaymentReceived
from tests.unit.audit.audit_events import IBAN, SHA, TOKEN, life_of

VERSION_TABLE = "docket_audit_alembic_version"
RECORDED_AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> AuditStore:
    return AuditStore(f"sqlite:///{tmp_path / 'audit.db'}", clock=lambda: RECORDED_AT)


def test_stores_opened_by_several_threads_at_once_all_migrate(tmp_path: Path) -> None:
    # a worker's agents open their stores from executor threads, several at once at start-up
    start, failures = threading.Barrier(6), []

    def open_one(index: int) -> None:
        start.wait()
        try:
            AuditStore(f"sqlite:///{tmp_path / f'audit-{index % 3}.db'}").close()
        except Exception as error:  # the assertion below names what failed
            failures.append(repr(error))

    threads = [threading.Thread(target=open_one, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert all(AuditStore(f"sqlite:///{tmp_path / f'audit-{i}.db'}").document("none") is None for i in range(3))


def test_opening_creates_the_schema_the_tables_module_declares(tmp_path: Path) -> None:
    store = AuditStore(f"sqlite:///{tmp_path / 'audit.db'}")
    names = set(inspect(store.engine).get_table_names())
    assert {"audit_documents", "audit_events", "audit_posting_attempts", VERSION_TABLE} <= names
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        differences = compare_metadata(context, metadata)
    assert differences == []
    store.close()
    AuditStore(f"sqlite:///{tmp_path / 'audit.db'}").close()  # reopening an up-to-date store is a no-op


def test_timeline_is_in_pipeline_order_with_versions_and_erp_reference(store: AuditStore) -> None:
    events = life_of("doc-42")
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)  # topics deliver in any order
    assert store.record_many(shuffled) == len(events)
    timeline = store.timeline("doc-42")
    assert [entry.stage for entry in timeline] == [
        "received", "extracted", "enriched", "routed", "review_requested", "reviewed", "posting_requested",
        "posting_retrying", "posted"]
    assert [entry.event_id for entry in timeline] == [event.envelope.event_id for event in events]
    assert timeline[1].versions == {"extraction": "inv-1.3"}
    assert timeline[-1].versions["mapping"] == "tryton/2"
    assert timeline[-1].erp_reference == "SUPP-2026-0017"
    assert timeline[3].summary["route"] == "review"
    assert timeline[5].summary["decision"] == "approve"
    assert timeline[0].occurred_at.tzinfo is not None
    assert store.timeline("unknown") == []


def test_document_row_tracks_first_seen_and_current_state(store: AuditStore) -> None:
    events = life_of("doc-43")
    store.record_many(reversed(events))
    document = store.document("doc-43")
    assert document is not None
    assert document.sha256 == SHA and document.blob_uri == f"file:///blobs/{SHA}"
    assert document.first_seen == events[0].envelope.occurred_at
    assert document.current_state == "posted"
    assert document.legal_entity == "acme-de"
    assert store.document("unknown") is None


def test_recording_is_idempotent_per_event_id(store: AuditStore) -> None:
    events = life_of("doc-44")
    assert store.record_many(events) == len(events)
    assert store.record_many(events) == 0
    assert store.record(events[0]) is False
    assert len(store.timeline("doc-44")) == len(events)
    assert len(store.posting_attempts("doc-44")) == 2


def test_posting_attempts_keep_request_response_and_errors(store: AuditStore) -> None:
    store.record_many(life_of("doc-45"))
    retrying, posted = store.posting_attempts("doc-45")
    assert (retrying.attempt, retrying.status, retrying.error_code) == (1, "retrying", "POSTING_TARGET_UNAVAILABLE")
    assert (posted.attempt, posted.status, posted.erp_reference, posted.erp_id) == (2, "posted", "SUPP-2026-0017",
                                                                                   "417")
    assert posted.duration_ms == 512 and posted.response == {"id": 417, "number": "SUPP-2026-0017"}
    assert posted.request["headers"]["Authorization"] == "***"
    assert posted.request["body"]["iban"] == "***3000"
    assert posted.idempotency_key == "doc-45:0:tryton"


def test_no_secret_or_bank_detail_reaches_the_database(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    store = AuditStore(f"sqlite:///{path}")
    store.record_many(life_of("doc-46"))
    store.close()
    connection = sqlite3.connect(path)
    dump = "\n".join(connection.iterdump())
    connection.close()
    assert IBAN not in dump and "COBADEFFXXX" not in dump
    assert TOKEN not in dump
    assert "***3000" in dump  # masked, yet two accounts can still be told apart


def test_payments_and_unknown_kinds(store: AuditStore) -> None:
    envelope = Envelope.new(document_id="stmt-1", legal_entity="acme-de", producer="cashapp",
                            now=RECORDED_AT)
    payment = PaymentReceived(envelope=envelope, payment_id="stmt-1:3", amount="250.00", currency="EUR",
                              payer_account=IBAN, remittance_text=f"INV-9 from {IBAN}", source_format="camt.053")
    assert store.record(payment)
    (entry,) = store.timeline("stmt-1")
    assert entry.stage == "payment_received" and entry.summary["amount"] == "250.0000"
    assert IBAN not in str(entry.payload)
    letter = DeadLetter(source_topic="t", source_partition=0, source_offset=1, error_code="DECODE_FAILED",
                        message="bad", consumer="c", occurred_at=RECORDED_AT)
    with pytest.raises(AuditError) as caught:
        store.record(letter)  # type: ignore[arg-type]
    assert caught.value.code == "AUDIT_EVENT_UNSUPPORTED"


def test_unreachable_database_is_a_retryable_audit_error(tmp_path: Path) -> None:
    with pytest.raises(AuditError) as caught:
        AuditStore(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'audit.db'}")
    assert caught.value.retryable and caught.value.code == "AUDIT_STORE_UNAVAILABLE"


def test_redaction_rules() -> None:
    masked = redact({"api_key": "k", "ibans": [IBAN, "GB33BUKB20201555555555"], "bic": "COBADEFFXXX",
                     "note": f"pay to {IBAN[:4]} {IBAN[4:8]} {IBAN[8:12]} {IBAN[12:16]} {IBAN[16:20]} {IBAN[20:]}",
                     "request": '{"password": "hunter2", "amount": "10.00"}', "count": 3, "name": "Muster"})
    assert masked["api_key"] == "***"
    assert masked["ibans"] == ["***3000", "***5555"]
    assert masked["bic"] == "***FXXX"
    assert IBAN[-8:] not in masked["note"].replace(" ", "") and "***3000" in masked["note"]
    assert "hunter2" not in masked["request"] and '"amount": "10.00"' in masked["request"]
    assert (masked["count"], masked["name"]) == (3, "Muster")


def test_one_batch_holding_repeats_records_each_event_once(store: AuditStore) -> None:
    events = life_of("doc-47")
    assert store.record_many(events + events[:3]) == len(events)
    assert len(store.timeline("doc-47")) == len(events)
    with pytest.raises(AuditError):
        store.record_many([events[0], "not an event"])  # type: ignore[list-item]
