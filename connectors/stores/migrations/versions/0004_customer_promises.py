"""Promises to pay read from customers' mails, checked when their date passes.

Revision ID: 0004_customer_promises
Revises: 0003_review_sessions
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004_customer_promises"
down_revision = "0003_review_sessions"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "customer_promises",
        sa.Column("promise_id", sa.String(64), primary_key=True),
        sa.Column("legal_entity", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(100), nullable=False),
        sa.Column("customer_id", sa.String(100)),
        sa.Column("open_item_ids", _JSON, nullable=False),
        sa.Column("promised_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(20, 4)),
        sa.Column("currency", sa.String(3)),
        sa.Column("sender", sa.String(300)),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_customer_promises_due", "customer_promises", ["status", "promised_date"])


def downgrade() -> None:
    op.drop_index("ix_customer_promises_due", table_name="customer_promises")
    op.drop_table("customer_promises")
