"""The IMAP poller against an in-memory mailbox that speaks imaplib's return conventions."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.sources.errors import ImapError
from connectors.sources.imap import ImapPoller, ImapReport
from connectors.sources.intake import Intake
from connectors.sources.mailbox import ingest_mail
from tests.documents import invoice_pdf
from tests.unit.sources.mails import attach, mail
from tests.unit.sources.recording import RecordingProducer


class FakeMailbox:
    """UID → message bytes and flags; answers like imaplib.IMAP4 (status, data) tuples."""

    def __init__(self, messages: dict[int, bytes]) -> None:
        self.messages = messages
        self.flags: dict[int, set[str]] = {uid: set() for uid in messages}
        self.logged_out = 0
        self.selected: str | None = None
        self.fail_select = False
        self.fetched: list[int] = []
        self.folders: dict[str, list[bytes]] = {}

    def select(self, mailbox: str = "INBOX", readonly: bool = False) -> tuple[str, list[Any]]:
        if self.fail_select:
            return "NO", [b"mailbox does not exist"]
        self.selected = mailbox
        return "OK", [str(len(self.messages)).encode()]

    def uid(self, command: str, *args: Any) -> tuple[str, list[Any]]:
        if command == "SEARCH":
            assert args[-1] == "UNSEEN"
            unseen = [str(u) for u in sorted(self.messages) if "\\Seen" not in self.flags[u]]
            return "OK", [" ".join(unseen).encode()]
        if command == "FETCH" and args[1] == "(RFC822.SIZE)":
            uid = int(args[0])
            return "OK", [f"{uid} (UID {uid} RFC822.SIZE {len(self.messages[uid])})".encode()]
        if command == "MOVE":
            uid = int(args[0])
            self.folders.setdefault(args[1], []).append(self.messages.pop(uid))
            del self.flags[uid]
            return "OK", [b""]
        if command == "FETCH":
            uid = int(args[0])
            assert args[1] == "(BODY.PEEK[])"  # peeking never sets \Seen on its own
            self.fetched.append(uid)
            return "OK", [(f"{uid} (UID {uid} BODY[] {{{len(self.messages[uid])}}}".encode(), self.messages[uid]),
                          b")"]
        if command == "STORE":
            uid, _, flags = int(args[0]), args[1], args[2]
            self.flags[uid] |= set(flags.strip("()").split())
            return "OK", [b""]
        raise AssertionError(f"unexpected command {command}")

    def create(self, mailbox: str) -> tuple[str, list[Any]]:
        if mailbox in self.folders:
            return "NO", [b"[ALREADYEXISTS] Mailbox already exists"]
        self.folders[mailbox] = []
        return "OK", [b""]

    def logout(self) -> tuple[str, list[Any]]:
        self.logged_out += 1
        return "BYE", [b""]


def _with_pdf(message_id: str) -> bytes:
    message = mail(message_id=message_id)
    attach(message, invoice_pdf(number=message_id.strip("<>")), "application", "pdf", "inv.pdf")
    return message.as_bytes()


def test_unseen_mails_are_ingested_and_flagged(recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    box = FakeMailbox({7: _with_pdf("<a@x>"), 9: mail(message_id="<b@x>").as_bytes(), 12: _with_pdf("<c@x>")})
    poller = ImapPoller(lambda: box, lambda raw: ingest_mail(raw, intake))
    report = poller.poll_once()
    assert report.handled == ["7", "12"] and report.rejected == {"9": "SOURCE_MAIL_NO_ATTACHMENT"}
    assert box.flags == {7: {"\\Seen"}, 9: {"\\Seen", "$DocketRejected"}, 12: {"\\Seen"}}
    assert [e.external_reference for e in producer.received()] == ["<a@x>", "<c@x>"]
    assert box.logged_out == 1
    assert poller.poll_once().handled == [] and len(producer.received()) == 2


def test_a_retryable_failure_leaves_the_mail_unseen(recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    box = FakeMailbox({1: _with_pdf("<a@x>")})
    producer.fail_flushes = 1
    poller = ImapPoller(lambda: box, lambda raw: ingest_mail(raw, intake))
    assert poller.poll_once().retry == {"1": "SOURCE_PUBLISH_FAILED"}
    assert box.flags[1] == set() and producer.received() == []
    assert poller.poll_once().handled == ["1"] and len(producer.received()) == 1


def test_a_refused_command_is_an_imap_error_and_logs_out() -> None:
    box = FakeMailbox({})
    box.fail_select = True
    with pytest.raises(ImapError) as caught:
        ImapPoller(lambda: box, lambda raw: None, mailbox="Invoices").poll_once()
    assert caught.value.code == "SOURCE_IMAP_FAILED" and box.logged_out == 1


def test_a_poison_mail_is_moved_aside_and_the_next_mails_flow(recorded: tuple[Intake, RecordingProducer]) -> None:
    from tests.unit.sources.hostile_mails import COMMENT_ONLY_HTML, XHTML_WITH_DECLARATION, deeply_nested, with_pdf

    intake, producer = recorded
    box = FakeMailbox({1: deeply_nested(1200), 2: with_pdf("<x@x>", html=XHTML_WITH_DECLARATION),
                       3: with_pdf("<c@x>", html=COMMENT_ONLY_HTML), 4: _with_pdf("<d@x>")})
    poller = ImapPoller(lambda: box, lambda raw: ingest_mail(raw, intake), quarantine="Docket/Quarantine")
    report = poller.poll_once()
    assert report.rejected == {"1": "SOURCE_MAIL_UNREADABLE"} and report.handled == ["2", "3", "4"]
    assert box.folders == {"Docket/Quarantine": [deeply_nested(1200)]} and 1 not in box.messages
    assert [e.external_reference for e in producer.received()] == ["<x@x>", "<c@x>", "<d@x>"]
    assert poller.poll_once() == ImapReport()


def test_any_exception_of_the_handler_rejects_that_mail_only(recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, _ = recorded
    box = FakeMailbox({1: _with_pdf("<a@x>"), 2: _with_pdf("<b@x>")})

    def handle(raw: bytes) -> object:
        if b"<a@x>" in raw:
            raise RuntimeError("a bug that only this mail triggers")
        return ingest_mail(raw, intake)

    report = ImapPoller(lambda: box, handle).poll_once()
    assert report.rejected == {"1": "SOURCE_INTERNAL_ERROR"} and report.handled == ["2"]
    assert box.flags[1] == {"\\Seen", "$DocketRejected"}


def test_a_mail_over_the_size_limit_is_rejected_before_its_body_is_fetched(
        recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    small = _with_pdf("<small@x>")
    padded = mail(body="long text\n" * 2000, message_id="<big@x>")
    attach(padded, invoice_pdf(number="BIG"), "application", "pdf", "inv.pdf")
    big = padded.as_bytes()
    assert len(big) > len(small)
    box = FakeMailbox({1: big, 2: small})
    poller = ImapPoller(lambda: box, lambda raw: ingest_mail(raw, intake), max_mail_bytes=len(big) - 1,
                        quarantine="Quarantine")
    report = poller.poll_once()
    assert report.rejected == {"1": "SOURCE_MAIL_TOO_LARGE"} and report.handled == ["2"]
    assert box.fetched == [2] and box.folders == {"Quarantine": [big]}
    assert [e.external_reference for e in producer.received()] == ["<small@x>"]
