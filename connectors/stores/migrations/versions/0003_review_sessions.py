"""The review workspace's server-side sessions (logout revokes them).

Revision ID: 0003_review_sessions
Revises: 0002_review_workspace
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003_review_sessions"
down_revision = "0002_review_workspace"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "review_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("login", sa.String(100)),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_review_sessions_last_seen_at", "review_sessions", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_review_sessions_last_seen_at", table_name="review_sessions")
    op.drop_table("review_sessions")
