"""What the audit trail holds, as values: a document's state, its timeline entries, its posting attempts.

The store that persists them is at the edge (``connectors.stores.audit``); domain code that reads
a trail depends on :class:`AuditReader`, never on the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from docket.errors import DocketError


class AuditError(DocketError):
    """The audit store could not record or read (unsupported value, database unavailable)."""

    code = "AUDIT_STORE_FAILED"


@dataclass(frozen=True)
class TimelineEntry:
    """One event in a document's life, as the timeline shows it (payload already redacted)."""

    stage: str
    subject: str
    event_type: str
    event_id: str
    occurred_at: datetime
    producer: str
    versions: Mapping[str, str]
    summary: Mapping[str, Any]
    payload: Mapping[str, Any] = field(repr=False)
    causation_id: str | None = None

    @property
    def erp_reference(self) -> str | None:
        """The ERP's reference when this entry is a posting result that carries one."""
        reference = self.summary.get("erp_reference")
        return None if reference is None else str(reference)


@dataclass(frozen=True)
class DocumentState:
    """The document row: tenant, content, when it was first seen, where it stands now."""

    document_id: str
    legal_entity: str
    sha256: str | None
    blob_uri: str | None
    first_seen: datetime
    current_state: str
    state_at: datetime


@dataclass(frozen=True)
class PostingAttempt:
    """One answer of a posting target, from a ``postings.results`` event."""

    event_id: str
    document_id: str
    idempotency_key: str
    target: str
    attempt: int
    status: str
    occurred_at: datetime
    request: Any = None
    response: Any = None
    erp_reference: str | None = None
    erp_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    duration_ms: int | None = None


class AuditReader(Protocol):
    """What reading a document's trail needs from a store."""

    def document(self, document_id: str) -> DocumentState | None: ...

    def timeline(self, document_id: str) -> list[TimelineEntry]: ...

    def posting_attempts(self, document_id: str) -> list[PostingAttempt]: ...
