"""The folder watcher's durable memory: which file (name + size + sha256) became which document.

States, in order: ``publishing`` (written before the event is sent, with the document id chosen
up front), ``published`` (Kafka acknowledged), ``done`` (the file was moved away) or ``failed``.
A restart reads them back: ``publishing`` is sent again under the same document id (the crash
may have come before Kafka had it: at-least-once, never lost), ``published`` is only moved
(never sent twice), ``done``/``failed`` are never touched again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

PUBLISHING = "publishing"
PUBLISHED = "published"
DONE = "done"
FAILED = "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    file_key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    document_id TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    destination TEXT
)
"""


def file_key(name: str, size_bytes: int, sha256: str) -> str:
    """The identity of a dropped file: the same name, size and content is the same drop."""
    return f"{name}|{size_bytes}|{sha256}"


@dataclass(frozen=True)
class JournalEntry:
    file_key: str
    name: str
    size_bytes: int
    sha256: str
    document_id: str
    state: str
    updated_at: str
    destination: str | None


class FolderJournal:
    """A SQLite journal; every write is committed with a full sync before it returns.

    One connection is kept open (closing the last one checkpoints the WAL, which costs more
    than the write); use the journal from one thread, and :meth:`close` it when done.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: in WAL mode NORMAL may lose the last commits on power loss, and the journal
        # is what prevents a second publish.
        self._db.execute("PRAGMA synchronous=FULL")
        with self._db:
            self._db.execute(_SCHEMA)

    def find(self, key: str) -> JournalEntry | None:
        row = self._db.execute("SELECT * FROM journal WHERE file_key = ?", (key,)).fetchone()
        return JournalEntry(*row) if row else None

    def write(self, *entries: JournalEntry) -> None:
        """Insert or replace the entries (by ``file_key``) in one transaction."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO journal VALUES (?,?,?,?,?,?,?,?)",
                                 [(e.file_key, e.name, e.size_bytes, e.sha256, e.document_id, e.state,
                                   e.updated_at, e.destination) for e in entries])

    def entries(self) -> list[JournalEntry]:
        rows = self._db.execute("SELECT * FROM journal ORDER BY updated_at, file_key").fetchall()
        return [JournalEntry(*row) for row in rows]

    def close(self) -> None:
        self._db.close()
