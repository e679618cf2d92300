"""The IMAP poller against an in-memory mailbox that speaks imaplib's return conventions."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.sources.errors import ImapError
from connectors.sources.imap import ImapPoller
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
        if command == "FETCH":
            uid = int(args[0])
            assert args[1] == "(BODY.PEEK[])"  # peeking never sets \Seen on its own
            return "OK", [(f"{uid} (UID {uid} BODY[] {{{len(self.messages[uid])}}}".encode(), self.messages[uid]),
                          b")"]
        if command == "STORE":
            uid, _, flags = int(args[0]), args[1], args[2]
            self.flags[uid] |= set(flags.strip("()").split())
            return "OK", [b""]
        raise AssertionError(f"unexpected command {command}")

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
