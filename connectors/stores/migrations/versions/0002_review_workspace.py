"""The review workspace: tasks, actions, users, the unmask log, learned field positions.

Revision ID: 0002_review_workspace
Revises: 0001_audit_trail
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

# Loading the migrations declares the workspace tables on the audit metadata too, so whoever opens
# the store compares one schema with one set of declarations (autogenerate, the schema test).
import connectors.stores.review_tables  # noqa: F401

revision = "0002_review_workspace"
down_revision = "0001_audit_trail"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "review_tasks",
        sa.Column("task_id", sa.String(140), primary_key=True),
        sa.Column("document_id", sa.String(100), nullable=False),
        sa.Column("legal_entity", sa.String(64), nullable=False),
        sa.Column("document_type", sa.String(40), nullable=False),
        sa.Column("vendor", sa.String(200)),
        sa.Column("amount", sa.Numeric(20, 4)),
        sa.Column("currency", sa.String(3)),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("reasons", _JSON, nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("request_event_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("assignee", sa.String(100)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", sa.String(100)),
    )
    op.create_index("ix_review_tasks_document_id", "review_tasks", ["document_id"])
    op.create_index("ix_review_tasks_queue", "review_tasks", ["status", "legal_entity"])
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task_id", sa.String(140), nullable=False),
        sa.Column("document_id", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("task_version", sa.Integer, nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("corrections", _JSON, nullable=False),
        sa.Column("event_id", sa.String(64), unique=True),
    )
    op.create_index("ix_review_actions_task_id", "review_actions", ["task_id"])
    op.create_table(
        "review_users",
        sa.Column("login", sa.String(100), primary_key=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("entities", _JSON, nullable=False),
        sa.Column("approval_limit", sa.Numeric(20, 4)),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("active", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "review_unmask_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("login", sa.String(100), nullable=False),
        sa.Column("document_id", sa.String(100), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_unmask_log_document_id", "review_unmask_log", ["document_id"])
    op.create_table(
        "review_field_positions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("legal_entity", sa.String(64), nullable=False),
        sa.Column("vendor_id", sa.String(100), nullable=False),
        sa.Column("document_type", sa.String(40), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("x0", sa.Float, nullable=False),
        sa.Column("y0", sa.Float, nullable=False),
        sa.Column("x1", sa.Float, nullable=False),
        sa.Column("y1", sa.Float, nullable=False),
        sa.Column("samples", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("legal_entity", "vendor_id", "document_type", "field", "page",
                            name="uq_review_field_positions"),
    )


def downgrade() -> None:
    for name in ("review_field_positions", "review_unmask_log", "review_users", "review_actions"):
        op.drop_table(name)
    op.drop_index("ix_review_tasks_queue", "review_tasks")
    op.drop_index("ix_review_tasks_document_id", "review_tasks")
    op.drop_table("review_tasks")
