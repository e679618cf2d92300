"""The audit trail store: record any Docket event for its document, read a document's timeline.

Pure persistence (SQLAlchemy; SQLite by default, PostgreSQL by URL); no Kafka. Opening a store
brings its schema up to date with the Alembic migrations in ``connectors/stores/migrations``.
Postings of CRM documents are also filed in ``crm_postings`` for the dashboard
(:mod:`connectors.stores.crm_postings`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.exc import IntegrityError, OperationalError

from connectors.stores import audit_tables as tables
from connectors.stores.crm_postings import record_crm_answer, record_crm_request
from docket.audit.records import AuditError, DocumentState, PostingAttempt, TimelineEntry
from docket.audit.redaction import redact
from docket.audit.stages import stage_of, stage_rank, summary_of
from docket.model import Event, PostingRequested, PostingResult

_MIGRATIONS = Path(__file__).with_name("migrations")


# Alembic's migration context is process-global: two stores opened at once by two threads (a
# worker's agents do, from executor threads) would run into each other's ("KeyError: 'config'"), and
# one that read the schema version before the other committed would create the tables again.
_MIGRATING = threading.Lock()


class AuditStore:
    """The audit trail in one database (``url``: any SQLAlchemy URL, default a local SQLite file).

    ``record`` is idempotent per ``event_id``; ``timeline`` orders a document's events by time
    (then by pipeline stage for equal times). Payloads are stored redacted: no secrets, bank
    identifiers masked to their last four characters. ``clock`` stamps ``recorded_at``.
    """

    def __init__(self, url: str = "sqlite:///docket-audit.db", *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._engine = create_engine(url)
        if self._engine.dialect.name == "sqlite":
            event.listen(self._engine, "connect", _sqlite_foreign_keys)
        self._clock = clock
        try:
            # under the lock until committed: a second store must see the first one's migration done
            with _MIGRATING, self._engine.begin() as connection:
                _upgrade(connection)
        except OperationalError as error:
            self._engine.dispose()
            raise AuditError(f"cannot open the audit store: {error.orig}", code="AUDIT_STORE_UNAVAILABLE",
                             retryable=True) from error

    @property
    def engine(self) -> Engine:
        return self._engine

    def record(self, recorded: Event) -> bool:
        """Store ``recorded`` for its document; False if this ``event_id`` was recorded before."""
        if not isinstance(recorded, Event):
            raise AuditError(f"{type(recorded).__name__} is not a document event",
                             code="AUDIT_EVENT_UNSUPPORTED")
        for attempt in range(3):
            try:
                with self._engine.begin() as connection:
                    return self._insert(connection, recorded)
            except IntegrityError as error:
                # Another writer recorded the same event or created the document concurrently;
                # the next pass sees its row.
                if attempt == 2:
                    raise AuditError(f"cannot record {recorded.envelope.event_id}: {error.orig}",
                                     retryable=True) from error
            except OperationalError as error:
                raise AuditError(f"audit store unavailable: {error.orig}", code="AUDIT_STORE_UNAVAILABLE",
                                 retryable=True) from error
        raise AssertionError("unreachable: the loop returns or raises")

    def record_many(self, recorded: Iterable[Event]) -> int:
        """Record several events in one transaction; the number that were new. If a concurrent
        writer makes the transaction fail, each event is recorded on its own."""
        items = list(recorded)
        for item in items:
            if not isinstance(item, Event):
                raise AuditError(f"{type(item).__name__} is not a document event", code="AUDIT_EVENT_UNSUPPORTED")
        try:
            with self._engine.begin() as connection:
                return sum(1 for item in items if self._insert(connection, item))
        except IntegrityError:
            return sum(1 for item in items if self.record(item))
        except OperationalError as error:
            raise AuditError(f"audit store unavailable: {error.orig}", code="AUDIT_STORE_UNAVAILABLE",
                             retryable=True) from error

    def timeline(self, document_id: str) -> list[TimelineEntry]:
        """The document's events in order: received → extracted → enriched → routed → reviewed →
        posted, with versions and ERP references; empty if the document is unknown."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(tables.events).where(
                tables.events.c.document_id == document_id)).mappings().all()
        entries = [TimelineEntry(
            stage=row["stage"], subject=row["subject"], event_type=row["event_type"], event_id=row["event_id"],
            occurred_at=_aware(row["occurred_at"]), producer=row["producer"], versions=row["versions"],
            summary=row["summary"], payload=row["payload"], causation_id=row["causation_id"]) for row in rows]
        order = {row["event_id"]: row["id"] for row in rows}
        return sorted(entries, key=lambda entry: (entry.occurred_at, stage_rank(entry.stage),
                                                  order[entry.event_id]))

    def document(self, document_id: str) -> DocumentState | None:
        """The document's row, or None if no event of it was recorded."""
        with self._engine.connect() as connection:
            row = connection.execute(select(tables.documents).where(
                tables.documents.c.document_id == document_id)).mappings().first()
        if row is None:
            return None
        return DocumentState(document_id=row["document_id"], legal_entity=row["legal_entity"],
                             sha256=row["sha256"], blob_uri=row["blob_uri"], first_seen=_aware(row["first_seen"]),
                             current_state=row["current_state"], state_at=_aware(row["state_at"]))

    def posting_attempts(self, document_id: str) -> list[PostingAttempt]:
        """Every posting answer recorded for the document, oldest first."""
        attempts = tables.posting_attempts
        with self._engine.connect() as connection:
            rows = connection.execute(select(attempts).where(attempts.c.document_id == document_id)
                                      .order_by(attempts.c.occurred_at, attempts.c.id)).mappings().all()
        return [PostingAttempt(**{**{key: row[key] for key in PostingAttempt.__dataclass_fields__},
                                  "occurred_at": _aware(row["occurred_at"])}) for row in rows]

    def close(self) -> None:
        self._engine.dispose()

    # -- internals --------------------------------------------------------------------------------

    def _insert(self, connection: Connection, recorded: Event) -> bool:
        envelope = recorded.envelope
        exists = connection.execute(select(tables.events.c.id).where(
            tables.events.c.event_id == envelope.event_id)).first()
        if exists is not None:
            return False
        stage = stage_of(recorded)
        occurred_at = envelope.occurred_at.astimezone(UTC)
        self._upsert_document(connection, recorded, stage, occurred_at)
        payload = redact(recorded.model_dump(mode="json", exclude={"envelope"}))
        # Parameters at execute time (not .values()) keep the compiled statements cached.
        connection.execute(tables.events.insert(), dict(
            event_id=envelope.event_id, document_id=envelope.document_id, correlation_id=envelope.correlation_id,
            causation_id=envelope.causation_id, subject=recorded.SUBJECT or type(recorded).__name__,
            event_type=type(recorded).__name__, stage=stage, occurred_at=occurred_at,
            producer=envelope.producer, versions=dict(envelope.versions),
            summary=redact(summary_of(recorded)), payload=payload, recorded_at=self._clock().astimezone(UTC)))
        if isinstance(recorded, PostingResult):
            connection.execute(tables.posting_attempts.insert(), dict(
                event_id=envelope.event_id, document_id=envelope.document_id,
                idempotency_key=recorded.idempotency_key, target=recorded.target, attempt=recorded.attempt,
                status=recorded.status, request=_parsed(payload.get("request")),
                response=_parsed(payload.get("response")),
                erp_reference=recorded.erp_reference, erp_id=recorded.erp_id, error_code=recorded.error_code,
                error_message=redact(recorded.error_message), duration_ms=recorded.duration_ms,
                occurred_at=occurred_at))
            record_crm_answer(connection, recorded, occurred_at)
        elif isinstance(recorded, PostingRequested):
            record_crm_request(connection, recorded, occurred_at)
        return True

    def _upsert_document(self, connection: Connection, recorded: Event, stage: str, occurred_at: datetime) -> None:
        envelope = recorded.envelope
        sha256 = getattr(recorded, "sha256", None)
        blob_uri = getattr(recorded, "blob_uri", None)
        documents = tables.documents
        row = connection.execute(select(documents).where(
            documents.c.document_id == envelope.document_id)).mappings().first()
        if row is None:
            connection.execute(documents.insert(), dict(
                document_id=envelope.document_id, legal_entity=envelope.legal_entity, sha256=sha256,
                blob_uri=blob_uri, first_seen=occurred_at, current_state=stage, state_at=occurred_at))
            return
        changes: dict[str, Any] = {}
        if _aware(row["first_seen"]) > occurred_at:  # events of several topics arrive in any order
            changes["first_seen"] = occurred_at
        if (occurred_at, stage_rank(stage)) >= (_aware(row["state_at"]), stage_rank(row["current_state"])):
            changes |= {"current_state": stage, "state_at": occurred_at}
        if row["sha256"] is None and sha256:
            changes["sha256"] = sha256
        if row["blob_uri"] is None and blob_uri:
            changes["blob_uri"] = blob_uri
        if changes:
            connection.execute(documents.update().where(
                documents.c.document_id == envelope.document_id).values(**changes))


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _parsed(text: Any) -> Any:
    """A JSON document carried as a string, stored as JSON so it can be queried; other text as is."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
