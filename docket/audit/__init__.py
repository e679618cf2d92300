"""The audit trail: every event of a document, every posting attempt, a timeline per document.

``AuditStore(url)`` opens (and migrates) the store; ``record(event)`` stores any Docket event
idempotently; ``timeline(document_id)`` reads a document's life from receipt to ERP posting.
"""

from docket.audit.redaction import redact
from docket.audit.stages import STAGE_ORDER, stage_of
from docket.audit.store import AuditError, AuditStore, DocumentState, PostingAttempt, TimelineEntry

__all__ = [
    "STAGE_ORDER",
    "AuditError",
    "AuditStore",
    "DocumentState",
    "PostingAttempt",
    "TimelineEntry",
    "redact",
    "stage_of",
]
