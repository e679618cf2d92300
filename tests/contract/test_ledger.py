"""The posting ledger and the idempotent wrapper (fast: SQLite files, the in-memory sink)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from connectors.base import PostingOutcome, PostingRejected, TargetUnavailable
from connectors.ledger import IdempotentSink, PostingLedger
from tests.contract.harness import invoice_request
from tests.fakes.memory_sink import MemorySink


def outcome(key: str, reference: str = "INV-1") -> PostingOutcome:
    return PostingOutcome(idempotency_key=key, target="memory", status="posted", erp_reference=reference,
                          erp_id="7", request={"lines": [{"amount": "1.00"}]}, response={"number": reference})


def test_the_ledger_keeps_the_first_outcome_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    ledger = PostingLedger(path, clock=lambda: datetime(2025, 1, 2, tzinfo=UTC))
    assert ledger.record(outcome("k1", "INV-1")) is True
    assert ledger.record(outcome("k1", "INV-2")) is False
    ledger.close()

    reopened = PostingLedger(str(path))
    found = reopened.get("k1")

    assert found == outcome("k1", "INV-1")
    assert reopened.get("never-seen") is None
    reopened.close()


def test_the_ledger_accepts_a_sqlalchemy_url(tmp_path: Path) -> None:
    ledger = PostingLedger(f"sqlite:///{tmp_path / 'by-url.sqlite'}")
    ledger.record(outcome("k2"))
    assert ledger.get("k2") is not None
    assert (tmp_path / "by-url.sqlite").exists()


def test_repeats_are_answered_from_the_ledger_without_calling_the_target(tmp_path: Path) -> None:
    target = MemorySink()
    sink = IdempotentSink(target, PostingLedger(tmp_path / "l.sqlite"))
    request = invoice_request("ledger-1", target="memory")
    first = sink.post(request)
    calls = target.calls

    again = sink.post(request)

    assert again.status == "already_posted" and again.erp_reference == first.erp_reference
    assert target.calls == calls


def test_a_restarted_process_with_a_fresh_target_still_does_not_post_twice(tmp_path: Path) -> None:
    request = invoice_request("ledger-2", target="memory")
    IdempotentSink(MemorySink(), PostingLedger(tmp_path / "l.sqlite")).post(request)
    after_restart_target = MemorySink()  # a target that forgot everything: only the ledger remembers
    sink = IdempotentSink(after_restart_target, PostingLedger(tmp_path / "l.sqlite"))

    again = sink.post(request)

    assert again.status == "already_posted"
    assert after_restart_target.records == []


def test_failures_are_not_recorded_so_a_retry_posts(tmp_path: Path) -> None:
    target = MemorySink()
    ledger = PostingLedger(tmp_path / "l.sqlite")
    sink = IdempotentSink(target, ledger)
    request = invoice_request("ledger-3", target="memory")
    target.fail_next(1)

    results = sink.post_batch([request])

    assert isinstance(results[0], TargetUnavailable)
    assert ledger.get(request.idempotency_key) is None
    assert sink.post(request).status == "posted"


def test_a_batch_forwards_only_unknown_keys_once(tmp_path: Path) -> None:
    def reject(request: object) -> str | None:
        return "blocked" if getattr(request, "party_id", None) == "X" else None

    target = MemorySink(reject_when=reject)
    sink = IdempotentSink(target, PostingLedger(tmp_path / "l.sqlite"))
    known, new = invoice_request("b-known", target="memory"), invoice_request("b-new", target="memory")
    refused = invoice_request("b-refused", target="memory", party_id="X")
    sink.post(known)

    results = sink.post_batch([new, known, new, refused])

    assert [getattr(result, "status", None) for result in results[:3]] == ["posted", "already_posted",
                                                                           "already_posted"]
    assert isinstance(results[3], PostingRejected)
    assert len(target.records) == 2
