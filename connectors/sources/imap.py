"""IMAP polling: fetch unseen messages with the stdlib ``imaplib`` and hand their bytes on.

The handler is the same function the ``.eml`` path uses (typically :func:`ingest_mail` bound to an
intake). A message is flagged ``\\Seen`` only after its handler returned (its documents are on
Kafka); one the handler rejects for good (e.g. ``SOURCE_MAIL_NO_ATTACHMENT``) is flagged
``\\Seen`` plus a keyword (``$DocketRejected``) so a person can find it, and moved to the
``quarantine`` mailbox when one is configured; a retryable failure leaves it unseen for the next
poll. Any other exception while handling a mail rejects that mail (``SOURCE_INTERNAL_ERROR``)
and the poll goes on with the next: one poison mail never stalls the mailbox. A mail whose
``RFC822.SIZE`` exceeds ``max_mail_bytes`` is rejected (``SOURCE_MAIL_TOO_LARGE``) without
fetching it. Messages are fetched with ``BODY.PEEK[]``, which does not set ``\\Seen`` by
itself, so a crash mid-way loses nothing.
"""

from __future__ import annotations

import imaplib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from connectors.sources.errors import ImapError, MailTooLargeError
from docket.errors import DocketError

log = logging.getLogger(__name__)
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
INTERNAL_ERROR = "SOURCE_INTERNAL_ERROR"


class ImapConnection(Protocol):
    """The part of :class:`imaplib.IMAP4` the poller uses."""

    def select(self, mailbox: str = ..., readonly: bool = ...) -> tuple[str, list[Any]]: ...

    def uid(self, command: str, *args: Any) -> tuple[str, list[Any]]: ...

    def create(self, mailbox: str) -> tuple[str, list[Any]]: ...

    def logout(self) -> tuple[str, list[Any]]: ...


@dataclass(frozen=True)
class ImapAccount:
    """Where to poll; the password is passed in, never logged."""

    host: str
    user: str
    password: str
    port: int = 993
    ssl: bool = True
    mailbox: str = "INBOX"

    def connect(self) -> ImapConnection:
        """A logged-in connection; ImapError when the server is unreachable or refuses the login."""
        try:
            conn = (imaplib.IMAP4_SSL if self.ssl else imaplib.IMAP4)(self.host, self.port, timeout=30)
            conn.login(self.user, self.password)
        except (OSError, imaplib.IMAP4.error) as error:
            raise ImapError(f"cannot log in to {self.host}:{self.port} as {self.user}: {error}") from error
        return conn


@dataclass
class ImapReport:
    """Per UID: handled, rejected for good (→ code), left for a retry (→ code)."""

    handled: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    retry: dict[str, str] = field(default_factory=dict)


class ImapPoller:
    """Polls one mailbox; ``connect`` returns a logged-in connection, ``handle`` takes message bytes."""

    def __init__(self, connect: Callable[[], ImapConnection], handle: Callable[[bytes], object], *,
                 mailbox: str = "INBOX", criteria: str = "UNSEEN", rejected_flag: str = "$DocketRejected",
                 quarantine: str | None = None, max_mail_bytes: int | None = None) -> None:
        self.connect = connect
        self.handle = handle
        self.mailbox = mailbox
        self.criteria = criteria
        self.rejected_flag = rejected_flag
        self.quarantine = quarantine
        self.max_mail_bytes = max_mail_bytes

    def poll_once(self) -> ImapReport:
        """Handle every message matching ``criteria``; ImapError when the server fails a command."""
        report = ImapReport()
        conn = self.connect()
        try:
            _ok(conn.select(self.mailbox), f"SELECT {self.mailbox}")
            found = _ok(conn.uid("SEARCH", self.criteria), "SEARCH")
            if self.quarantine and (found[0] or b"").strip():
                conn.create(self.quarantine)  # "NO" when it exists already: the MOVE will tell if it is missing
            for uid in (found[0] or b"").split():
                self._one(conn, uid.decode(), report)
        finally:
            try:
                conn.logout()
            except (OSError, imaplib.IMAP4.error):
                log.warning("IMAP logout failed")
        return report

    def _one(self, conn: ImapConnection, uid: str, report: ImapReport) -> None:
        too_large = self._too_large(conn, uid)
        if too_large is not None:
            self._reject(conn, uid, too_large.code, report)
            return
        parts = _ok(conn.uid("FETCH", uid, "(BODY.PEEK[])"), f"FETCH {uid}")
        raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) == 2), None)
        if not isinstance(raw, bytes):
            report.retry[uid] = ImapError.code
            return
        try:
            self.handle(raw)
        except DocketError as error:
            if error.retryable:
                report.retry[uid] = error.code
                return
            self._reject(conn, uid, error.code, report)
            return
        except Exception:
            log.exception("IMAP mail handler failed", extra={"uid": uid})
            self._reject(conn, uid, INTERNAL_ERROR, report)
            return
        _ok(conn.uid("STORE", uid, "+FLAGS", "(\\Seen)"), f"STORE {uid}")
        report.handled.append(uid)

    def _too_large(self, conn: ImapConnection, uid: str) -> MailTooLargeError | None:
        """The error for a mail over ``max_mail_bytes``, asked of the server before the body is fetched."""
        if self.max_mail_bytes is None:
            return None
        answer = _ok(conn.uid("FETCH", uid, "(RFC822.SIZE)"), f"FETCH {uid} RFC822.SIZE")
        for item in answer:
            found = _SIZE.search(item[0] if isinstance(item, tuple) else item if isinstance(item, bytes) else b"")
            if found and int(found.group(1)) > self.max_mail_bytes:
                return MailTooLargeError(f"mail {uid} of {int(found.group(1))} bytes exceeds {self.max_mail_bytes}")
        return None

    def _reject(self, conn: ImapConnection, uid: str, code: str, report: ImapReport) -> None:
        """Flag the mail as seen and rejected, then move it to the quarantine mailbox (if any)."""
        _ok(conn.uid("STORE", uid, "+FLAGS", f"(\\Seen {self.rejected_flag})"), f"STORE {uid}")
        if self.quarantine:
            try:
                _ok(conn.uid("MOVE", uid, self.quarantine), f"MOVE {uid}")
            except ImapError as error:  # flagged already: it stays found, the poll goes on
                log.warning("IMAP quarantine move failed", extra={"uid": uid, "reason": error.message})
        report.rejected[uid] = code
        log.warning("IMAP mail rejected", extra={"uid": uid, "code": code})


def _ok(answer: tuple[str, list[Any]], command: str) -> list[Any]:
    status, data = answer
    if status != "OK":
        raise ImapError(f"IMAP {command} answered {status}: {data!r}"[:300])
    return data
