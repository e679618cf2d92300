"""The audit trail: every event of a document, every posting attempt, a timeline per document.

The values a trail holds (``records``), how stages are named and ordered (``stages``), what is
redacted before anything is stored (``redaction``) and a trail as JSON-ready data (``trail``). The
store itself (SQLAlchemy, Alembic) is ``connectors.stores.audit.AuditStore``.
"""

from docket.audit.records import AuditError, AuditReader, DocumentState, PostingAttempt, TimelineEntry
from docket.audit.redaction import redact
from docket.audit.stages import STAGE_ORDER, stage_of

__all__ = [
    "STAGE_ORDER",
    "AuditError",
    "AuditReader",
    "DocumentState",
    "PostingAttempt",
    "TimelineEntry",
    "redact",
    "stage_of",
]
