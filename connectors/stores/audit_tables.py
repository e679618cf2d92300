"""The audit trail's tables (SQLAlchemy Core). The schema itself is created by the Alembic
migrations in ``connectors/stores/migrations``; a test keeps these declarations and the migrations in step.

* ``audit_documents``: one row per document: tenant, content hash, blob, first seen, current state.
* ``audit_events``: every event recorded for a document, unique by ``event_id`` (at-least-once
  delivery makes repeats normal: a repeat is ignored), payload redacted.
* ``audit_posting_attempts``: every answer of a posting target, with the redacted request and
  response, the ERP reference and the error code.
* ``crm_postings`` (``0005_crm_postings``): one row per posting of a CRM document (order form,
  contract, customer change) with what the dashboard lists (customer, quote or contract number,
  amount, the contract's end, renewal and notice dates) and the target's latest answer.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, Numeric, String, Table, Text
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

crm_postings = Table(
    "crm_postings", metadata,
    Column("idempotency_key", String(200), primary_key=True),
    Column("document_id", String(100), nullable=False, index=True),
    Column("legal_entity", String(64), nullable=False),
    Column("posting_type", String(40), nullable=False),
    Column("target", String(64), nullable=False),
    Column("party_id", String(100)),
    Column("customer_name", String(300)),
    Column("reference", String(100)),
    Column("document_number", String(100)),
    Column("amount", Numeric(20, 4)),
    Column("currency", String(3)),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("renewal_date", Date),
    Column("notice_date", Date),
    Column("status", String(32), nullable=False),
    Column("erp_reference", String(100)),
    Column("requested_at", DateTime(timezone=True)),
    Column("answered_at", DateTime(timezone=True)),
    Index("ix_crm_postings_type_status", "posting_type", "status"),
)
