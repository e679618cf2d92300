"""The posting stage's decisions, against the in-memory sink behind the real posting ledger."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

# tests/agents/conftest.py has imported streams.app against a mock registry.
from agents.post import ATTEMPT_HEADER, NOT_BEFORE_HEADER, Poster
from agents.runtime import Source, Stage
from connectors.ledger import IdempotentSink, PostingLedger
from docket.model import PostingRequested, PostingResult, ReviewRequested
from docket.posting.policy import RetryPolicy
from streams.codecs import CodecRegistry, registry_client
from tests import factories
from tests.fakes.memory_sink import MemorySink


def _source(attempt: int = 1) -> Source:
    return Source("postings.requested", 0, 1, b"k", b"v", {ATTEMPT_HEADER: str(attempt)})


@pytest.fixture
def memory() -> MemorySink:
    return MemorySink("tryton", reject_when=lambda r: "party blocked" if r.party_id == "BLOCKED" else None)


@pytest.fixture
def poster(memory: MemorySink, tmp_path: Path) -> Poster:
    stage = Stage("post", CodecRegistry(registry_client(f"mock://{uuid.uuid4()}")), clock=lambda: factories.NOW)
    sink = IdempotentSink(memory, PostingLedger(tmp_path / "ledger.sqlite"))
    return Poster(stage, {"tryton": sink}, RetryPolicy(max_attempts=3, base_delay_s=1.0))


def _request(**overrides: object) -> PostingRequested:
    return factories.posting_requested(**overrides)


async def test_accepted_posting_yields_a_posted_result(poster: Poster, memory: MemorySink) -> None:
    (out,) = await poster.post_batch([(_request(), _source())])
    assert out.topic == "postings.results" and isinstance(out.value, PostingResult)
    assert out.value.status == "posted" and out.value.erp_reference and memory.calls == 1


async def test_a_repeat_is_answered_from_the_ledger(poster: Poster, memory: MemorySink) -> None:
    await poster.post_batch([(_request(), _source())])
    (out,) = await poster.post_batch([(_request(), _source())])
    assert isinstance(out.value, PostingResult) and out.value.status == "already_posted"
    assert len(memory.records) == 1


async def test_refusal_yields_rejected_result_and_review(poster: Poster) -> None:
    result, review = await poster.post_batch([(_request(party_id="BLOCKED"), _source())])
    assert isinstance(result.value, PostingResult) and result.value.status == "rejected"
    assert "party blocked" in (result.value.error_message or "")
    assert review.topic == "reviews.requested" and isinstance(review.value, ReviewRequested)
    assert review.value.reasons[0].code == "POSTING_REJECTED_BY_TARGET"


async def test_outage_goes_to_the_retry_topic_with_the_next_attempt(poster: Poster, memory: MemorySink) -> None:
    memory.fail_next(1)
    result, retry = await poster.post_batch([(_request(), _source(attempt=1))])
    assert isinstance(result.value, PostingResult) and result.value.status == "retrying"
    assert retry.topic == "postings.retry" and retry.value == _request()
    assert retry.headers[ATTEMPT_HEADER] == "2" and float(retry.headers[NOT_BEFORE_HEADER]) > 0


async def test_exhausted_retries_fail_and_ask_a_person(poster: Poster, memory: MemorySink) -> None:
    memory.fail_next(1)
    result, review = await poster.post_batch([(_request(), _source(attempt=3))])
    assert isinstance(result.value, PostingResult) and result.value.status == "failed"
    assert isinstance(review.value, ReviewRequested)
    assert review.value.reasons[0].code == "POSTING_RETRIES_EXHAUSTED"


async def test_breaker_stops_calling_a_target_that_keeps_failing(poster: Poster, memory: MemorySink) -> None:
    memory.fail_next(100)
    for i in range(5):
        await poster.post_batch([(_request(idempotency_key=f"doc-{i}:0:tryton"), _source())])
    calls = memory.calls
    outs = await poster.post_batch([(_request(idempotency_key="doc-x:0:tryton"), _source())])
    assert memory.calls == calls, "the open breaker must not call the target"
    assert isinstance(outs[0].value, PostingResult) and outs[0].value.error_code == "POSTING_CIRCUIT_OPEN"
    assert outs[1].topic == "postings.retry"


async def test_unknown_target_is_refused(poster: Poster) -> None:
    (result, _review) = await poster.post_batch([(_request(target="sap"), _source())])
    assert isinstance(result.value, PostingResult) and result.value.error_code == "POSTING_UNKNOWN_TARGET"
