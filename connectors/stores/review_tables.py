"""The review workspace's tables, declared on the audit trail's ``metadata`` (one database, one
migration chain: ``connectors/stores/migrations/versions/0002_review_workspace.py`` creates them).

* ``review_tasks``: one row per task, with the ``ReviewRequested`` it came from (unredacted: this
  store is access-controlled) and its ``version`` for optimistic locking.
* ``review_actions``: every action on a task (opened, assigned, decided), who and when, with the
  corrections; ``event_id`` is the ``ReviewCompleted`` it published or consumed (unique).
* ``review_users``: logins with their argon2 hash, role, entities and approval limit.
* ``review_unmask_log``: every protected value shown in clear.
* ``review_field_positions``: where each vendor prints each field, learned from corrections.
* ``review_sessions``: the workspace's server-side sessions (``0003_review_sessions``): the cookie
  holds only a random id; the row, keyed by a keyed hash of it, holds the session's data and whether
  it was revoked (logout).
* ``customer_promises``: promises to pay read from customers' mails (``0004_customer_promises``),
  ``open`` until the promised date passes: then ``kept`` or ``broken``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

from connectors.stores.audit_tables import metadata

_JSON = JSON().with_variant(JSONB(), "postgresql")

tasks = Table(
    "review_tasks", metadata,
    Column("task_id", String(140), primary_key=True),
    Column("document_id", String(100), nullable=False, index=True),
    Column("legal_entity", String(64), nullable=False),
    Column("document_type", String(40), nullable=False),
    Column("vendor", String(200)),
    Column("amount", Numeric(20, 4)),
    Column("currency", String(3)),
    Column("due_at", DateTime(timezone=True)),
    Column("reasons", _JSON, nullable=False),
    Column("payload", _JSON, nullable=False),
    Column("request_event_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("assignee", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("opened_at", DateTime(timezone=True)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", String(100)),
    Index("ix_review_tasks_queue", "status", "legal_entity"),
)

actions = Table(
    "review_actions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", String(140), nullable=False, index=True),
    Column("document_id", String(100), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(20), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("task_version", Integer, nullable=False),
    Column("detail", Text),
    Column("corrections", _JSON, nullable=False),
    Column("event_id", String(64), unique=True),
)

users = Table(
    "review_users", metadata,
    Column("login", String(100), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("entities", _JSON, nullable=False),
    Column("approval_limit", Numeric(20, 4)),
    Column("display_name", String(200), nullable=False),
    Column("active", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

unmask_log = Table(
    "review_unmask_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(100), nullable=False),
    Column("document_id", String(100), nullable=False, index=True),
    Column("field", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

field_positions = Table(
    "review_field_positions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("legal_entity", String(64), nullable=False),
    Column("vendor_id", String(100), nullable=False),
    Column("document_type", String(40), nullable=False),
    Column("field", String(64), nullable=False),
    Column("page", Integer, nullable=False),
    Column("x0", Float, nullable=False),
    Column("y0", Float, nullable=False),
    Column("x1", Float, nullable=False),
    Column("y1", Float, nullable=False),
    Column("samples", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("legal_entity", "vendor_id", "document_type", "field", "page",
                     name="uq_review_field_positions"),
)

sessions = Table(
    "review_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("login", String(100)),
    Column("data", _JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False, index=True),
    Column("revoked_at", DateTime(timezone=True)),
)

promises = Table(
    "customer_promises", metadata,
    Column("promise_id", String(64), primary_key=True),
    Column("legal_entity", String(64), nullable=False),
    Column("document_id", String(100), nullable=False),
    Column("customer_id", String(100)),
    Column("open_item_ids", _JSON, nullable=False),
    Column("promised_date", Date, nullable=False),
    Column("amount", Numeric(20, 4)),
    Column("currency", String(3)),
    Column("sender", String(300)),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("checked_at", DateTime(timezone=True)),
    Index("ix_customer_promises_due", "status", "promised_date"),
)
