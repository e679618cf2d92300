"""The audit trail: documents, events, posting attempts.

Revision ID: 0001_audit_trail
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_audit_trail"
down_revision = None
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_documents",
        sa.Column("document_id", sa.String(100), primary_key=True),
        sa.Column("legal_entity", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("blob_uri", sa.Text),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_state", sa.String(40), nullable=False),
        sa.Column("state_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("document_id", sa.String(100), sa.ForeignKey("audit_documents.document_id"), nullable=False),
        sa.Column("correlation_id", sa.String(100), nullable=False),
        sa.Column("causation_id", sa.String(64)),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("producer", sa.String(64), nullable=False),
        sa.Column("versions", _JSON, nullable=False),
        sa.Column("summary", _JSON, nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_audit_events_document_time", "audit_events", ["document_id", "occurred_at"])
    op.create_table(
        "audit_posting_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), sa.ForeignKey("audit_events.event_id"), nullable=False,
                  unique=True),
        sa.Column("document_id", sa.String(100), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("request", _JSON),
        sa.Column("response", _JSON),
        sa.Column("erp_reference", sa.String(100)),
        sa.Column("erp_id", sa.String(100)),
        sa.Column("error_code", sa.String(64)),
        sa.Column("error_message", sa.Text),
        sa.Column("duration_ms", sa.Integer),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_audit_posting_attempts_document_id", "audit_posting_attempts", ["document_id"])
    op.create_index("ix_audit_posting_attempts_idempotency_key", "audit_posting_attempts",
                    ["idempotency_key"])


def downgrade() -> None:
    op.drop_table("audit_posting_attempts")
    op.drop_table("audit_events")
    op.drop_table("audit_documents")
