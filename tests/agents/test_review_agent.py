"""The review workspace feed under Faust's test_context: tasks opened, superseded, closed once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agents import review
from connectors.stores.review import ReviewStore
from streams import topics
from streams.app import codecs
from tests import factories
from tests.agents.conftest import Sent
from tests.unit.review.builders import request


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReviewStore]:
    opened = ReviewStore(f"sqlite:///{tmp_path / 'review.db'}")
    monkeypatch.setattr(review, "_store", opened)
    monkeypatch.setattr(review, "OFFLOAD", False)
    yield opened
    opened.close()


def _encode(topic: str, event: Any) -> bytes:
    return codecs.for_topic(topic).encode(event)


async def _feed(requests: list[Any], verdicts: list[Any] = ()) -> None:  # type: ignore[assignment]
    """Each agent's messages in one test context (a new context restarts at offset 0, which the
    stream would take for an offset already handled)."""
    async with review.review_requested_agent.test_context() as agent:
        for event in requests:
            await agent.put(key=event.envelope.document_id.encode(), value=_encode("reviews.requested", event))
    async with review.review_completed_agent.test_context() as agent:
        for event in verdicts:
            await agent.put(key=event.envelope.document_id.encode(), value=_encode("reviews.completed", event))


async def test_a_request_opens_a_task_and_a_redelivery_changes_nothing(store: ReviewStore, sent: Sent) -> None:
    await _feed([request("doc-7", 0), request("doc-7", 0)])
    (task,) = store.tasks()
    assert (task.task_id, task.status, task.version, task.legal_entity) == ("doc-7:0", "open", 1, "DE01")
    assert sent.messages == []


async def test_a_newer_revision_supersedes_the_open_task(store: ReviewStore, sent: Sent) -> None:
    await _feed([request("doc-7", 0), request("doc-7", 1, minutes=3)])
    assert [t.task_id for t in store.tasks()] == ["doc-7:1"]
    assert store.task("doc-7:0").status == "superseded"


async def test_a_verdict_closes_the_task_once(store: ReviewStore, sent: Sent) -> None:
    verdict = factories.review_completed(task_id="doc-7:0", decision="reject", reason="not ours",
                                         envelope=factories.envelope(event_id="verdict-1", document_id="doc-7"))
    await _feed([request("doc-7", 0)], [verdict, verdict])
    task = store.task("doc-7:0")
    assert (task.status, task.version, task.decided_by) == ("rejected", 2, "rita")
    assert [a["action"] for a in store.actions("doc-7:0")] == ["reject"]


async def test_undecodable_bytes_become_a_dead_letter(store: ReviewStore, sent: Sent) -> None:
    async with review.review_requested_agent.test_context() as agent:
        await agent.put(key=b"x", value=b"not avro")
    assert len(sent.on(topics.DEADLETTER.name)) == 1 and store.tasks() == []
