"""Postings of CRM documents with the facts the dashboard lists (contract dates, deals won).

Revision ID: 0005_crm_postings
Revises: 0004_customer_promises
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_crm_postings"
down_revision = "0004_customer_promises"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_postings",
        sa.Column("idempotency_key", sa.String(200), primary_key=True),
        sa.Column("document_id", sa.String(100), nullable=False),
        sa.Column("legal_entity", sa.String(64), nullable=False),
        sa.Column("posting_type", sa.String(40), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("party_id", sa.String(100)),
        sa.Column("customer_name", sa.String(300)),
        sa.Column("reference", sa.String(100)),
        sa.Column("document_number", sa.String(100)),
        sa.Column("amount", sa.Numeric(20, 4)),
        sa.Column("currency", sa.String(3)),
        sa.Column("start_date", sa.Date()),
        sa.Column("end_date", sa.Date()),
        sa.Column("renewal_date", sa.Date()),
        sa.Column("notice_date", sa.Date()),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("erp_reference", sa.String(100)),
        sa.Column("requested_at", sa.DateTime(timezone=True)),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_crm_postings_document_id", "crm_postings", ["document_id"])
    op.create_index("ix_crm_postings_type_status", "crm_postings", ["posting_type", "status"])


def downgrade() -> None:
    op.drop_index("ix_crm_postings_type_status", table_name="crm_postings")
    op.drop_index("ix_crm_postings_document_id", table_name="crm_postings")
    op.drop_table("crm_postings")
