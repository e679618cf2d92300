"""The posting stage's decisions, against the in-memory sink behind the real posting ledger."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

# tests/agents/conftest.py has imported streams.app against a mock registry.
from agents import post
from agents.post import ATTEMPT_HEADER, NOT_BEFORE_HEADER, Poster
from agents.runtime import Source, Stage
from connectors.base import TargetUnavailable
from connectors.ledger import IdempotentSink, PostingLedger
from docket.model import DeadLetter, PostingRequested, PostingResult, ReviewRequested
from docket.posting.policy import RetryPolicy
from streams.app import codecs, settings
from streams.codecs import CodecRegistry, registry_client
from tests import factories
from tests.agents.conftest import Sent
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


# --- the agents under Faust's test_context: poison headers -------------------------------------


async def _drive(agent_fn: Any, messages: list[tuple[PostingRequested, dict[str, str]]], sent: Sent,
                 expected: int) -> None:
    """Put ``messages`` into ``agent_fn`` and wait until ``expected`` messages have been emitted."""
    async with agent_fn.test_context() as agent:
        for request, headers in messages:
            await agent.put(key=request.envelope.document_id.encode(), value=_encode(request),
                            headers=[(k, v.encode()) for k, v in headers.items()])
        for _ in range(400):  # the batch window elapses, then the batch is posted and emitted
            if len(sent.messages) >= expected or agent._crash_reason is not None:
                break
            await asyncio.sleep(0.01)
        assert agent._crash_reason is None, f"the agent crashed: {agent._crash_reason!r}"


def _encode(request: PostingRequested) -> bytes:
    return codecs.for_topic("postings.requested").encode(request)


@pytest.fixture
def live_poster(memory: MemorySink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Poster:
    """The agents' own stage and codecs, posting into the memory sink."""
    sink = IdempotentSink(memory, PostingLedger(tmp_path / "ledger.sqlite"))
    made = Poster(post.stage, {"tryton": sink}, RetryPolicy(max_attempts=3, base_delay_s=1.0))
    monkeypatch.setattr(post, "_poster", made)
    monkeypatch.setattr(settings, "posting_batch_window_s", 0.05)
    return made


@pytest.mark.parametrize(("header", "value"), [
    (ATTEMPT_HEADER, "two"), (ATTEMPT_HEADER, "0"), (ATTEMPT_HEADER, ""), (NOT_BEFORE_HEADER, "soon"),
    (NOT_BEFORE_HEADER, "nan"),
])
async def test_a_poison_header_dead_letters_its_message_and_the_batch_goes_on(
        live_poster: Poster, memory: MemorySink, sent: Sent, header: str, value: str) -> None:
    poison = _request(idempotency_key="doc-poison:0:tryton")
    good = _request(idempotency_key="doc-good:0:tryton")
    headers = {ATTEMPT_HEADER: "1", NOT_BEFORE_HEADER: "0", header: value}

    await _drive(post.retry_agent, [(poison, headers), (good, {ATTEMPT_HEADER: "1"})], sent, expected=2)

    (letter,) = sent.on("docket.deadletter")
    assert isinstance(letter, DeadLetter) and letter.error_code == "POSTING_BAD_HEADER"
    assert letter.value == _encode(poison) and letter.headers[header] == value  # the original is kept
    (result,) = sent.on("postings.results")
    assert isinstance(result, PostingResult) and result.status == "posted"
    assert result.idempotency_key == "doc-good:0:tryton"
    assert [r["request"]["idempotency_key"] for r in memory.records] == ["doc-good:0:tryton"]


async def test_a_sink_crash_retries_the_batch_even_beside_a_poison_header(
        live_poster: Poster, memory: MemorySink, sent: Sent, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(requests: Any) -> Any:
        raise RuntimeError("sink bug")

    monkeypatch.setattr(memory, "post_batch", crash)
    poison = _request(idempotency_key="doc-poison:0:tryton")
    good = _request(idempotency_key="doc-good:0:tryton")

    await _drive(post.post_agent, [(poison, {ATTEMPT_HEADER: "x"}), (good, {ATTEMPT_HEADER: "2"})], sent,
                 expected=3)

    (letter,) = sent.on("docket.deadletter")
    assert isinstance(letter, DeadLetter) and letter.error_code == "POSTING_BAD_HEADER"
    (retry,) = [m for m in sent.messages if m.topic == "postings.retry"]
    assert retry.value == good and retry.headers[ATTEMPT_HEADER] == "3"


def test_connecting_the_sinks_names_the_targets_not_ready_and_raises_nothing(tmp_path: Path) -> None:
    class Unreachable(MemorySink):
        def connect(self) -> None:
            raise TargetUnavailable("tryton unreachable at http://127.0.0.1:9")

    class Broken(MemorySink):
        def connect(self) -> None:
            raise KeyError("company")

    stage = Stage("post", CodecRegistry(registry_client(f"mock://{uuid.uuid4()}")), clock=lambda: factories.NOW)
    made = Poster(stage, {"tryton": Unreachable("tryton"), "files": MemorySink("files"), "rest": Broken("rest")},
                  RetryPolicy(max_attempts=3, base_delay_s=1.0))

    assert made.connect() == ["tryton", "rest"]


async def test_batches_of_the_posting_and_retry_agents_never_call_a_sink_at_the_same_time(tmp_path: Path) -> None:
    class Watched(MemorySink):
        """Records how many calls were inside the sink at once."""

        inside = 0
        most = 0

        def post_batch(self, requests: Any) -> Any:
            Watched.inside += 1
            Watched.most = max(Watched.most, Watched.inside)
            try:
                time.sleep(0.05)  # a target call: long enough for another thread to come in
                return super().post_batch(requests)
            finally:
                Watched.inside -= 1

    stage = Stage("post", CodecRegistry(registry_client(f"mock://{uuid.uuid4()}")), clock=lambda: factories.NOW)
    made = Poster(stage, {"tryton": Watched("tryton")}, RetryPolicy(max_attempts=3, base_delay_s=1.0))
    made.start()
    batches = [[(_request(idempotency_key=f"k{batch}-{n}"), _source()) for n in range(3)] for batch in range(6)]

    results = await asyncio.gather(*(made.post_batch(batch) for batch in batches))

    assert Watched.most == 1
    assert sum(len(out) for out in results) == 18
