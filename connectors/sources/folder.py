"""Folder drop (the SFTP landing directory pattern): poll a directory, ingest each new file once.

A file is taken once it is *settled*: its size and mtime are the same on two consecutive polls
and its name is not a temporary one (dotfiles, ``*.part``, ``*.tmp``, ``*~``, ``~$*``, ...).
It is then published through the intake and moved to ``processed/YYYY-MM-DD/`` (UTC date of
the move), or to ``failed/`` next to a ``<name>.error.txt`` holding the error code and message.

Restart safety comes from :class:`~connectors.sources.folder_journal.FolderJournal`, written
before each step: a crash between publish and move never publishes twice, a crash before the
publish is acknowledged publishes again under the same document id, so no file is lost. A
transient failure (Kafka down) leaves the file in place to be retried on the next poll.
A file with the same name, size and content as one ingested before is moved to ``processed/``
without being published again. Only the top level of ``root`` is watched; ``processed/`` and
``failed/`` live inside it.

Only regular files the drop folder holds itself are read: a symbolic link (wherever it points)
or a file with a second hard link is moved to ``failed/`` with ``SOURCE_LINK_REFUSED``, never
followed; files are opened with ``O_NOFOLLOW`` and checked to be the entry that was listed. A
file over ``max_bytes`` fails by its size, before a byte of it is read.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from connectors.sources.errors import (
    EmptyUploadError,
    LinkRefusedError,
    PayloadTooLargeError,
    PublishFailedError,
    SourceError,
)
from connectors.sources.folder_journal import (
    DONE,
    FAILED,
    PUBLISHED,
    PUBLISHING,
    FolderJournal,
    JournalEntry,
    file_key,
)
from connectors.sources.ports import IntakePort
from docket.errors import DocketError
from streams.producer import ProduceError

log = logging.getLogger(__name__)

PROCESSED_DIR = "processed"
FAILED_DIR = "failed"
TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".filepart", ".swp", ".lock", "~")
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)

Signature = tuple[int, int, int, int]
"""What a settled entry must keep between polls and up to the read: size, mtime, device, inode."""


def is_temporary_name(name: str) -> bool:
    """True for names that upload tools and editors use while a file is still being written."""
    lowered = name.lower()
    return name.startswith((".", "~$")) or lowered.endswith(TEMPORARY_SUFFIXES)


@dataclass
class PollReport:
    """What one poll did: files ingested (name → document id), failed (name → code), still settling,
    moved without publishing (already published before a restart), and left for a retry."""

    ingested: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    settling: list[str] = field(default_factory=list)
    recovered: dict[str, str] = field(default_factory=dict)
    retry: dict[str, str] = field(default_factory=dict)


class FolderWatcher:
    """Watches ``root``; progress is journaled in the SQLite file ``state_path``."""

    def __init__(self, root: Path, intake: IntakePort, state_path: Path, *, legal_entity: str | None = None,
                 channel: str = "folder", max_bytes: int = 50 * 1024 * 1024, batch_size: int = 100,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.root = Path(root)
        self.intake = intake
        self.journal = FolderJournal(state_path)
        self.legal_entity = legal_entity
        self.channel = channel
        self.max_bytes = max_bytes
        self.batch_size = batch_size
        self.clock = clock
        self._last_seen: dict[str, Signature] = {}

    def close(self) -> None:
        """Close the journal (the watcher cannot poll afterwards)."""
        self.journal.close()

    def run(self, interval: float, stop: threading.Event) -> None:
        """Poll every ``interval`` seconds until ``stop`` is set; a poll that fails is logged, the next one follows."""
        while not stop.is_set():
            try:
                report = self.poll()
            except Exception:
                log.exception("folder poll failed")
                stop.wait(interval)
                continue
            for name, document_id in report.ingested.items():
                log.info("folder file ingested", extra={"file": name, "document_id": document_id})
            for name, code in {**report.failed, **report.retry}.items():
                log.warning("folder file not ingested", extra={"file": name, "code": code})
            stop.wait(interval)

    def poll(self) -> PollReport:
        """One scan: take every settled file, note the others for the next scan.

        Settled files are submitted in batches of ``batch_size`` with one flush each (one broker
        round trip per batch instead of per file); a failed flush leaves the whole batch for a retry.
        """
        report = PollReport()
        snapshot = self._snapshot()
        batch: list[tuple[Path, JournalEntry]] = []
        for name, signature in sorted(snapshot.items()):
            if self._last_seen.get(name) != signature:
                report.settling.append(name)
                continue
            staged = self._stage_guarded(self.root / name, signature, report)
            if staged is not None:
                batch.append(staged)
            if len(batch) >= self.batch_size:
                self._confirm(batch, report)
                batch = []
        self._confirm(batch, report)
        self._last_seen = {name: sig for name, sig in snapshot.items() if name in report.settling
                           or name in report.retry}
        return report

    def _snapshot(self) -> dict[str, Signature]:
        """The entries to consider, by name: regular files and links (links fail when settled)."""
        self.root.mkdir(parents=True, exist_ok=True)
        signatures: dict[str, Signature] = {}
        with os.scandir(self.root) as entries:
            for entry in entries:
                if is_temporary_name(entry.name):
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode):
                    signatures[entry.name] = (info.st_size, info.st_mtime_ns, info.st_dev, info.st_ino)
        return signatures

    def _stage_guarded(self, path: Path, signature: Signature,
                       report: PollReport) -> tuple[Path, JournalEntry] | None:
        """:meth:`_stage`, with any unexpected exception failing that file only (SOURCE_INTERNAL_ERROR)."""
        try:
            return self._stage(path, signature, report)
        except Exception as error:
            log.exception("folder file failed", extra={"file": path.name})
            internal = SourceError(f"unexpected {type(error).__name__} while taking the file in",
                                   code="SOURCE_INTERNAL_ERROR")
            try:
                self._fail(path, signature[0], "", internal, report)
            except OSError:
                report.retry[path.name] = internal.code  # cannot even move it: try again next poll
            return None

    def _stage(self, path: Path, signature: Signature, report: PollReport) -> tuple[Path, JournalEntry] | None:
        """Journal and submit one settled file; None when it needs no flush (moved, failed, waiting)."""
        try:
            data = self._read(path, signature)
        except FileNotFoundError:
            return None
        except DocketError as error:
            if error.retryable:
                report.retry[path.name] = error.code
            else:
                self._fail(path, signature[0], "", error, report)
            return None
        if data is None:
            report.settling.append(path.name)
            return None
        entry = self._entry_for(path.name, data)
        if entry.state in (PUBLISHED, DONE):
            report.recovered[path.name] = entry.document_id
            self._finish(path, entry)
            return None
        try:
            self._submit(path, data, entry)
        except DocketError as error:
            if error.retryable:
                report.retry[path.name] = error.code
            else:
                self._fail(path, len(data), hashlib.sha256(data).hexdigest(), error, report)
            return None
        return path, entry

    def _read(self, path: Path, signature: Signature) -> bytes | None:
        """The bytes of the listed regular file, read with a bound; None when it changed since the listing.

        LinkRefusedError for a link, PayloadTooLargeError by the size, EmptyUploadError for no bytes.
        """
        size = signature[0]
        if stat.S_ISLNK(path.lstat().st_mode):
            raise LinkRefusedError(f"{path.name} is a symbolic link: only files dropped as such are read")
        if size > self.max_bytes:
            raise PayloadTooLargeError(f"{size} bytes exceed the limit of {self.max_bytes}")
        try:
            descriptor = os.open(path, _OPEN_FLAGS)
        except FileNotFoundError:
            raise
        except OSError as error:
            if error.errno == errno.ELOOP:  # O_NOFOLLOW met a link that replaced the file
                raise LinkRefusedError(f"{path.name} became a symbolic link") from error
            raise SourceError(f"{path.name} cannot be opened: {error.strerror}", code="SOURCE_FILE_UNREADABLE",
                              retryable=True) from error
        with os.fdopen(descriptor, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if not stat.S_ISREG(opened.st_mode):
                raise LinkRefusedError(f"{path.name} is not a regular file")
            if opened.st_nlink > 1:
                raise LinkRefusedError(f"{path.name} has {opened.st_nlink} hard links: it may be a file from elsewhere")
            if (opened.st_dev, opened.st_ino) != signature[2:]:
                return None  # replaced since the listing: let it settle again
            data = handle.read(self.max_bytes + 1)
        if len(data) != size:
            return None
        if not data:
            raise EmptyUploadError("the file is empty")
        return data

    def _confirm(self, batch: list[tuple[Path, JournalEntry]], report: PollReport) -> None:
        """Flush the batch; then journal each file as published and move it away."""
        if not batch:
            return
        try:
            self.intake.flush()
        except ProduceError as error:
            failure = PublishFailedError(f"Kafka did not acknowledge {len(batch)} file(s): {error}")
            report.retry.update({path.name: failure.code for path, _ in batch})
            return
        now = self._now()
        self.journal.write(*(_with(entry, PUBLISHED, now) for _, entry in batch))
        moved = []
        for path, entry in batch:
            report.ingested[path.name] = entry.document_id
            moved.append(_with(entry, DONE, now, destination=self._move_processed(path, entry)))
        # A crash before this write leaves moved files journaled as published: nothing is redone.
        self.journal.write(*moved)

    def _entry_for(self, name: str, data: bytes) -> JournalEntry:
        digest = hashlib.sha256(data).hexdigest()
        key = file_key(name, len(data), digest)
        entry = self.journal.find(key)
        if entry is None or entry.state == FAILED:
            entry = JournalEntry(key, name, len(data), digest, str(uuid.uuid4()), PUBLISHING, self._now(), None)
            self.journal.write(entry)
        return entry

    def _submit(self, path: Path, data: bytes, entry: JournalEntry) -> None:
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat()
        try:
            self.intake.submit(data, path.name, channel=self.channel, legal_entity=self.legal_entity,
                               metadata={"folder_file": path.name, "folder_modified_at": modified},
                               document_id=entry.document_id)
        except OSError as error:
            # The blob store's disk may come back: leave the file for the next poll.
            raise PublishFailedError(f"{path.name} could not be stored: {error}") from error

    def _finish(self, path: Path, entry: JournalEntry) -> None:
        """Move a file already published (before a restart, or an identical earlier drop)."""
        destination = self._move_processed(path, entry)
        self.journal.write(_with(entry, DONE, self._now(), destination=destination))

    def _move_processed(self, path: Path, entry: JournalEntry) -> str:
        target = _free_name(self.root / PROCESSED_DIR / self.clock().date().isoformat(), path.name,
                            entry.document_id)
        path.rename(target)
        return str(target.relative_to(self.root))

    def _fail(self, path: Path, size: int, digest: str, error: DocketError, report: PollReport) -> None:
        target = _free_name(self.root / FAILED_DIR, path.name, uuid.uuid4().hex)
        path.rename(target)
        target.with_name(target.name + ".error.txt").write_text(
            f"code: {error.code}\nmessage: {error.message}\nfile: {path.name}\nat: {self._now()}\n",
            encoding="utf-8")
        self.journal.write(JournalEntry(file_key(path.name, size, digest), path.name, size, digest, "",
                                        FAILED, self._now(), str(target.relative_to(self.root))))
        report.failed[path.name] = error.code

    def _now(self) -> str:
        return self.clock().isoformat()


def _with(entry: JournalEntry, state: str, now: str, destination: str | None = None) -> JournalEntry:
    return JournalEntry(entry.file_key, entry.name, entry.size_bytes, entry.sha256, entry.document_id, state, now,
                        destination if destination is not None else entry.destination)


def _free_name(directory: Path, name: str, tag: str) -> Path:
    """``directory/name``, or ``stem.<tag>.ext`` when a file of that name was moved there before."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    counter = 0
    while target.exists():
        counter += 1
        stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
        extra = f"{tag[:8]}" if counter == 1 else f"{tag[:8]}-{counter}"
        target = directory / (f"{stem}.{extra}{dot}{suffix}" if dot else f"{name}.{extra}")
    return target
