"""The worker's handle on the audit database, shared by the agents that write it (``agents.audit``
records every event, ``agents.review`` keeps the workspace's tasks in the same database): one
engine and one migration check per worker, opened on first use."""

from __future__ import annotations

import threading

from connectors.stores.audit import AuditStore
from streams.app import settings

_audit: AuditStore | None = None
# Agents open the store from executor threads, several at once when a worker starts; Alembic's
# migration context is process-global, so two threads migrating at once break each other.
_opening = threading.Lock()


def audit_store() -> AuditStore:
    """The audit store at ``settings.audit_database_url`` (migrated when first opened, by one thread)."""
    global _audit
    if _audit is None:
        with _opening:
            if _audit is None:
                settings.state_dir.mkdir(parents=True, exist_ok=True)
                _audit = AuditStore(settings.audit_database_url)
    return _audit
