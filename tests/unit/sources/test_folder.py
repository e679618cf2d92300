"""The landing-folder watcher: settle, ingest once, move, and survive restarts mid-way."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.sources.folder import FolderWatcher, PollReport, is_temporary_name
from connectors.sources.folder_journal import DONE, PUBLISHED, PUBLISHING, FolderJournal, JournalEntry
from connectors.sources.intake import Intake
from tests.documents import invoice_pdf
from tests.unit.sources.recording import RecordingProducer

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def _watcher(root: Path, intake: Intake, state: Path, **kwargs: object) -> FolderWatcher:
    return FolderWatcher(root, intake, state, clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]


def _settle(watcher: FolderWatcher) -> PollReport:
    """Two polls: the first sees files, the second takes the ones that did not change."""
    watcher.poll()
    return watcher.poll()


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    root.mkdir()
    return root


def test_a_settled_file_is_ingested_once_and_moved(inbox: Path, tmp_path: Path,
                                                   recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    pdf = invoice_pdf(number="INV-F1")
    (inbox / "inv-f1.pdf").write_bytes(pdf)
    watcher = _watcher(inbox, intake, tmp_path / "journal.sqlite", legal_entity="NL03")
    first = watcher.poll()
    assert first.settling == ["inv-f1.pdf"] and producer.received() == []
    second = watcher.poll()
    (event,) = producer.received()
    assert second.ingested == {"inv-f1.pdf": event.envelope.document_id}
    assert event.channel == "folder" and event.filename == "inv-f1.pdf" and event.envelope.legal_entity == "NL03"
    assert event.metadata["folder_file"] == "inv-f1.pdf"
    moved = inbox / "processed" / "2026-11-22" / "inv-f1.pdf"
    assert moved.read_bytes() == pdf and not (inbox / "inv-f1.pdf").exists()
    assert watcher.poll() == PollReport() and len(producer.received()) == 1
    (entry,) = FolderJournal(tmp_path / "journal.sqlite").entries()
    assert entry.state == DONE and entry.document_id == event.envelope.document_id


@pytest.mark.parametrize("name", ["upload.pdf.part", "inv.pdf~", "x.tmp", ".hidden.pdf", "~$lock.pdf",
                                  "a.pdf.filepart", "b.PDF.TMP"])
def test_temporary_names_are_left_alone(inbox: Path, tmp_path: Path, name: str,
                                        recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    assert is_temporary_name(name)
    (inbox / name).write_bytes(invoice_pdf())
    watcher = _watcher(inbox, intake, tmp_path / "j.sqlite")
    for _ in range(3):
        watcher.poll()
    assert producer.received() == [] and (inbox / name).exists()
    (inbox / name).rename(inbox / "final.pdf")  # the uploader's last step
    assert _settle(watcher).ingested.keys() == {"final.pdf"}


def test_a_growing_file_waits_until_it_stops_changing(inbox: Path, tmp_path: Path,
                                                      recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    pdf = invoice_pdf()
    target = inbox / "slow.pdf"
    target.write_bytes(pdf[:500])
    watcher = _watcher(inbox, intake, tmp_path / "j.sqlite")
    watcher.poll()
    with target.open("ab") as handle:
        handle.write(pdf[500:])
    assert watcher.poll().settling == ["slow.pdf"] and producer.received() == []
    assert watcher.poll().ingested.keys() == {"slow.pdf"}
    assert producer.received()[0].size_bytes == len(pdf)


def test_same_size_rewrite_with_new_mtime_is_not_settled(inbox: Path, tmp_path: Path,
                                                         recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    target = inbox / "a.pdf"
    target.write_bytes(b"%PDF-1.4 aaaa")
    watcher = _watcher(inbox, intake, tmp_path / "j.sqlite")
    watcher.poll()
    target.write_bytes(b"%PDF-1.4 bbbb")
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert watcher.poll().settling == ["a.pdf"]
    watcher.poll()
    assert [e.sha256 for e in producer.received()] == [hashlib.sha256(b"%PDF-1.4 bbbb").hexdigest()]


class PowerCut(BaseException):
    """The process dies here: no handler runs (an ordinary exception would fail the one file)."""


class CrashBeforeMove(FolderWatcher):
    def _move_processed(self, path: Path, entry: JournalEntry) -> str:
        raise PowerCut("power cut after the publish, before the move")


class CrashBeforePublish(FolderWatcher):
    def _submit(self, path: Path, data: bytes, entry: JournalEntry) -> None:
        raise PowerCut("power cut after the journal entry, before the publish")


def test_crash_between_publish_and_move_does_not_publish_twice(inbox: Path, tmp_path: Path,
                                                               recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    (inbox / "a.pdf").write_bytes(invoice_pdf(number="INV-C1"))
    state = tmp_path / "j.sqlite"
    crashing = CrashBeforeMove(inbox, intake, state, clock=lambda: NOW)
    crashing.poll()
    with pytest.raises(PowerCut):
        crashing.poll()
    assert len(producer.received()) == 1 and (inbox / "a.pdf").exists()
    assert FolderJournal(state).entries()[0].state == PUBLISHED

    restarted = _watcher(inbox, intake, state)
    report = _settle(restarted)
    assert report.recovered == {"a.pdf": producer.received()[0].envelope.document_id} and report.ingested == {}
    assert len(producer.received()) == 1
    assert (inbox / "processed" / "2026-11-22" / "a.pdf").exists()


def test_crash_before_publish_loses_nothing_and_keeps_the_document_id(
        inbox: Path, tmp_path: Path, recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    (inbox / "a.pdf").write_bytes(invoice_pdf(number="INV-C2"))
    state = tmp_path / "j.sqlite"
    crashing = CrashBeforePublish(inbox, intake, state, clock=lambda: NOW)
    crashing.poll()
    with pytest.raises(PowerCut):
        crashing.poll()
    (entry,) = FolderJournal(state).entries()
    assert entry.state == PUBLISHING and producer.received() == []

    report = _settle(_watcher(inbox, intake, state))
    (event,) = producer.received()
    assert report.ingested == {"a.pdf": entry.document_id} == {"a.pdf": event.envelope.document_id}


def test_unacknowledged_publish_leaves_the_file_for_the_next_poll(
        inbox: Path, tmp_path: Path, recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    (inbox / "a.pdf").write_bytes(invoice_pdf())
    producer.fail_flushes = 1
    watcher = _watcher(inbox, intake, tmp_path / "j.sqlite")
    report = _settle(watcher)
    assert report.retry == {"a.pdf": "SOURCE_PUBLISH_FAILED"} and (inbox / "a.pdf").exists()
    assert producer.received() == []
    assert watcher.poll().ingested.keys() == {"a.pdf"}  # no second settling round needed
    assert len(producer.received()) == 1


@pytest.mark.parametrize(("content", "code"), [(b"", "SOURCE_EMPTY_FILE"),
                                               (b"%PDF-1.4" + bytes(5000), "SOURCE_PAYLOAD_TOO_LARGE")])
def test_unusable_files_go_to_failed_with_the_reason(inbox: Path, tmp_path: Path, content: bytes, code: str,
                                                     recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    (inbox / "bad.pdf").write_bytes(content)
    report = _settle(_watcher(inbox, intake, tmp_path / "j.sqlite", max_bytes=4096))
    assert report.failed == {"bad.pdf": code} and producer.received() == []
    assert (inbox / "failed" / "bad.pdf").read_bytes() == content
    assert f"code: {code}" in (inbox / "failed" / "bad.pdf.error.txt").read_text()


def test_a_new_version_under_the_same_name_is_ingested_and_kept_apart(
        inbox: Path, tmp_path: Path, recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    watcher = _watcher(inbox, intake, tmp_path / "j.sqlite")
    (inbox / "inv.pdf").write_bytes(invoice_pdf(total="119.00"))
    _settle(watcher)
    (inbox / "inv.pdf").write_bytes(invoice_pdf(total="120.00"))
    _settle(watcher)
    assert len({e.sha256 for e in producer.received()}) == 2
    assert len(list((inbox / "processed" / "2026-11-22").iterdir())) == 2


def test_an_identical_redrop_is_moved_but_not_published_again(
        inbox: Path, tmp_path: Path, recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    watcher = _watcher(inbox, intake, tmp_path / "j.sqlite")
    pdf = invoice_pdf()
    (inbox / "inv.pdf").write_bytes(pdf)
    _settle(watcher)
    (inbox / "inv.pdf").write_bytes(pdf)
    report = _settle(watcher)
    assert report.recovered.keys() == {"inv.pdf"} and len(producer.received()) == 1
    assert not (inbox / "inv.pdf").exists()


def test_subdirectories_are_not_ingested(inbox: Path, tmp_path: Path,
                                         recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    (inbox / "archive").mkdir()
    (inbox / "archive" / "old.pdf").write_bytes(invoice_pdf())
    _settle(_watcher(inbox, intake, tmp_path / "j.sqlite"))
    assert producer.received() == []


def test_settled_files_are_confirmed_in_batches(inbox: Path, tmp_path: Path,
                                                recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    for i in range(5):
        (inbox / f"f{i}.pdf").write_bytes(invoice_pdf(number=f"INV-B{i}"))
    watcher = _watcher(inbox, intake, tmp_path / "j.sqlite", batch_size=2)
    watcher.poll()
    flushes_before = producer.flushes
    report = watcher.poll()
    assert producer.flushes - flushes_before == 3  # 2 + 2 + 1
    assert sorted(report.ingested) == [f"f{i}.pdf" for i in range(5)]
    assert {e.envelope.document_id for e in producer.received()} == set(report.ingested.values())


def test_a_failed_batch_flush_retries_every_file_under_its_journaled_id(
        inbox: Path, tmp_path: Path, recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    for i in range(3):
        (inbox / f"f{i}.pdf").write_bytes(invoice_pdf(number=f"INV-R{i}"))
    watcher = _watcher(inbox, intake, tmp_path / "j.sqlite")
    producer.fail_flushes = 1
    failed = _settle(watcher)
    assert set(failed.retry) == {"f0.pdf", "f1.pdf", "f2.pdf"} and producer.received() == []
    assert len(list(inbox.glob("*.pdf"))) == 3
    journaled = {e.name: e.document_id for e in FolderJournal(tmp_path / "j.sqlite").entries()}
    retried = watcher.poll()
    assert retried.ingested == journaled
    assert len(producer.received()) == 3 and not list(inbox.glob("*.pdf"))


def test_a_symlink_to_a_file_outside_is_never_ingested(inbox: Path, tmp_path: Path,
                                                       recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    secret = tmp_path / "outside" / "token-file.pdf"
    secret.parent.mkdir()
    content = invoice_pdf(number="SECRET")
    secret.write_bytes(content)
    (inbox / "passwd.pdf").symlink_to(secret)
    (inbox / "loop.pdf").symlink_to(inbox / "loop.pdf")
    (inbox / "good.pdf").write_bytes(invoice_pdf(number="GOOD"))
    report = _settle(_watcher(inbox, intake, tmp_path / "j.sqlite"))
    assert [e.filename for e in producer.received()] == ["good.pdf"]
    assert report.failed == {"passwd.pdf": "SOURCE_LINK_REFUSED", "loop.pdf": "SOURCE_LINK_REFUSED"}
    moved = inbox / "failed" / "passwd.pdf"
    assert moved.is_symlink() and secret.read_bytes() == content  # the target is untouched
    assert "SOURCE_LINK_REFUSED" in (inbox / "failed" / "passwd.pdf.error.txt").read_text()


def test_a_symlink_to_a_file_inside_and_a_hard_link_are_refused(inbox: Path, tmp_path: Path,
                                                                 recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(invoice_pdf(number="HARD"))
    os.link(outside, inbox / "hard.pdf")
    (inbox / "sub").mkdir()
    (inbox / "sub" / "inner.pdf").write_bytes(invoice_pdf(number="INNER"))
    (inbox / "inner.pdf").symlink_to(inbox / "sub" / "inner.pdf")
    report = _settle(_watcher(inbox, intake, tmp_path / "j.sqlite"))
    assert producer.received() == []
    assert report.failed == {"hard.pdf": "SOURCE_LINK_REFUSED", "inner.pdf": "SOURCE_LINK_REFUSED"}


def _poll_a_huge_file(inbox: Path, state: Path) -> dict[str, str]:
    from tests.unit.sources.recording import recording_intake

    intake, _ = recording_intake(state.parent / "blobs")
    watcher = _watcher(inbox, intake, state)
    return _settle(watcher).failed


def test_a_file_over_the_limit_is_refused_by_its_size_without_being_read(inbox: Path, tmp_path: Path) -> None:
    from tests.budget import within_cpu_budget

    with open(inbox / "huge.pdf", "wb") as handle:  # sparse: 3 GiB on paper, nothing on disk
        handle.truncate(3 * 1024 ** 3)
    failed = within_cpu_budget(_poll_a_huge_file, inbox, tmp_path / "j.sqlite", cpu_seconds=20,
                               memory_bytes=2 * 1024 ** 3)
    assert failed == {"huge.pdf": "SOURCE_PAYLOAD_TOO_LARGE"}
    assert (inbox / "failed" / "huge.pdf").stat().st_size == 3 * 1024 ** 3


def test_an_unexpected_failure_on_one_file_fails_that_file_only(inbox: Path, tmp_path: Path,
                                                               recorded: tuple[Intake, RecordingProducer],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    intake, producer = recorded
    real_submit = intake.submit

    def submit(data: bytes, filename: str, **kwargs: object) -> object:
        if filename == "bug.pdf":
            raise RuntimeError("a bug only this file triggers")
        return real_submit(data, filename, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(intake, "submit", submit)
    (inbox / "bug.pdf").write_bytes(invoice_pdf(number="BUG"))
    (inbox / "good.pdf").write_bytes(invoice_pdf(number="GOOD"))
    report = _settle(_watcher(inbox, intake, tmp_path / "j.sqlite"))
    assert report.failed == {"bug.pdf": "SOURCE_INTERNAL_ERROR"} and list(report.ingested) == ["good.pdf"]
    assert "SOURCE_INTERNAL_ERROR" in (inbox / "failed" / "bug.pdf.error.txt").read_text()
    assert [e.filename for e in producer.received()] == ["good.pdf"]


def test_the_watch_loop_survives_a_failing_poll(inbox: Path, tmp_path: Path,
                                                recorded: tuple[Intake, RecordingProducer]) -> None:
    import threading

    intake, _ = recorded
    stop, polls = threading.Event(), []

    class Flaky(FolderWatcher):
        def poll(self) -> PollReport:
            polls.append(1)
            if len(polls) == 1:
                raise OSError("the share went away")
            stop.set()
            return PollReport()

    Flaky(inbox, intake, tmp_path / "j.sqlite").run(0.01, stop)
    assert len(polls) == 2
