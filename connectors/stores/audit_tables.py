"""The audit trail's tables (SQLAlchemy Core). The schema itself is created by the Alembic
migrations in ``connectors/stores/migrations``; a test keeps these declarations and the migrations in step.

* ``audit_documents``: one row per document: tenant, content hash, blob, first seen, current state.
* ``audit_events``: every event recorded for a document, unique by ``event_id`` (at-least-once
  delivery makes repeats normal: a repeat is ignored), payload redacted.
* ``audit_posting_attempts``: every answer of a posting target, with the redacted request and
  response, the ERP reference and the error code.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

_JSON = JSON().with_variant(JSONB(), "postgresql")

documents = Table(
    "audit_documents", metadata,
    Column("document_id", String(100), primary_key=True),
    Column("legal_entity", String(64), nullable=False),
    Column("sha256", String(64)),
    Column("blob_uri", Text),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("current_state", String(40), nullable=False),
    Column("state_at", DateTime(timezone=True), nullable=False),
)

events = Table(
    "audit_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("document_id", String(100), ForeignKey("audit_documents.document_id"), nullable=False),
    Column("correlation_id", String(100), nullable=False),
    Column("causation_id", String(64)),
    Column("subject", String(64), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("producer", String(64), nullable=False),
    Column("versions", _JSON, nullable=False),
    Column("summary", _JSON, nullable=False),
    Column("payload", _JSON, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_audit_events_document_time", "document_id", "occurred_at"),
)

posting_attempts = Table(
    "audit_posting_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), ForeignKey("audit_events.event_id"), nullable=False, unique=True),
    Column("document_id", String(100), nullable=False, index=True),
    Column("idempotency_key", String(200), nullable=False, index=True),
    Column("target", String(64), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("request", _JSON),
    Column("response", _JSON),
    Column("erp_reference", String(100)),
    Column("erp_id", String(100)),
    Column("error_code", String(64)),
    Column("error_message", Text),
    Column("duration_ms", Integer),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
)
