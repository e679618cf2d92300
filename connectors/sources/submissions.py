"""What the HTTP API accepted, so ``GET /v1/documents/{id}`` can answer without reading Kafka.

A small SQLite table written after Kafka acknowledged the event; one connection per call keeps
it safe from FastAPI's worker threads. ``:memory:`` is not supported (each call would see an
empty database): tests pass a file in a temp directory.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from connectors.sources.http_models import DocumentStatus
from docket.model import DocumentReceived

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    document_id TEXT PRIMARY KEY,
    legal_entity TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    blob_uri TEXT NOT NULL,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    channel TEXT NOT NULL,
    external_reference TEXT,
    metadata TEXT NOT NULL,
    received_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL
)
"""


_COLUMNS = tuple(DocumentStatus.model_fields)
_SELECT_ONE = f"SELECT {', '.join(_COLUMNS)} FROM submissions WHERE document_id = ?"


class SubmissionLog:
    """Accepted submissions in a SQLite file (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def record(self, event: DocumentReceived, submitted_by: str) -> DocumentStatus:
        """Store ``event`` (a repeat of the same document id replaces the earlier row)."""
        entry = DocumentStatus(
            document_id=event.envelope.document_id, legal_entity=event.envelope.legal_entity,
            sha256=event.sha256, blob_uri=event.blob_uri, filename=event.filename, media_type=event.media_type,
            size_bytes=event.size_bytes, channel=event.channel, external_reference=event.external_reference,
            metadata=dict(event.metadata), received_at=event.envelope.occurred_at.isoformat(),
            submitted_by=submitted_by)
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                       (entry.document_id, entry.legal_entity, entry.sha256, entry.blob_uri, entry.filename,
                        entry.media_type, entry.size_bytes, entry.channel, entry.external_reference,
                        json.dumps(entry.metadata), entry.received_at, entry.submitted_by))
        return entry

    def find(self, document_id: str) -> DocumentStatus | None:
        """The submission with ``document_id``, or None when this API never accepted it."""
        with closing(self._connect()) as db:
            row = db.execute(_SELECT_ONE, (document_id,)).fetchone()
        if row is None:
            return None
        values = dict(zip(_COLUMNS, row, strict=True))
        values["metadata"] = json.loads(values["metadata"])
        return DocumentStatus.model_validate(values)
