"""Every captured document runs under a time and memory budget; the worker goes on after one over it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents import capture
from agents.capture_pool import BudgetedPool
from agents.runtime import Source, handle
from connectors.blobstore import LocalBlobStore
from docket.errors import DocketError
from docket.model import DocumentRejected
from streams import topics
from tests import factories
from tests.agents import budget_targets
from tests.documents import invoice_pdf


@pytest.fixture
def pool() -> Iterator[BudgetedPool]:
    budgeted = BudgetedPool(1, time_limit_s=3.0, memory_limit_bytes=1024 * 1024 * 1024)
    yield budgeted
    budgeted.shutdown()


async def _code_of(pool: BudgetedPool, call: object, *args: object) -> str:
    with pytest.raises(DocketError) as caught:
        await pool.run(call, *args)  # type: ignore[arg-type]
    return caught.value.code


async def test_a_job_over_its_time_is_rejected_and_its_worker_replaced(pool: BudgetedPool) -> None:
    first = await pool.run(budget_targets.worker_pid)
    assert await _code_of(pool, budget_targets.spin) == "CAPTURE_BUDGET_EXCEEDED"
    second = await pool.run(budget_targets.worker_pid)
    assert pool.replaced == 1 and second != first  # the spinning process is gone, a fresh one works


async def test_a_job_over_its_memory_is_rejected_and_the_worker_goes_on(pool: BudgetedPool) -> None:
    assert await _code_of(pool, budget_targets.allocate, 3 * 1024) == "CAPTURE_BUDGET_EXCEEDED"
    assert await pool.run(budget_targets.allocate, 64) == 64 * 1024 * 1024


async def test_a_job_that_kills_its_worker_twice_is_rejected_and_the_next_runs(pool: BudgetedPool) -> None:
    assert await _code_of(pool, budget_targets.die) == "CAPTURE_BUDGET_EXCEEDED"
    assert pool.replaced == 2 and await pool.run(budget_targets.allocate, 1) == 1024 * 1024


async def test_the_capture_agent_rejects_a_runaway_document_and_captures_the_next(
        pool: BudgetedPool, tmp_path: Path) -> None:
    blobs = LocalBlobStore(tmp_path)
    handler = capture.CaptureHandler(capture.stage, blobs, pool, {}, capture=budget_targets.capture_or_spin)
    outcomes = []
    for number, data in enumerate([b"SPIN" + bytes(100), invoice_pdf(number="INV-AFTER")]):
        stored = blobs.put(data)
        received = factories.received(envelope=factories.envelope(document_id=f"doc-{number}"),
                                      blob_uri=stored.uri, sha256=hashlib.sha256(data).hexdigest())
        source = Source(topics.DOCUMENTS_RECEIVED.name, 0, number, None, capture.stage.encode(
            capture.Outgoing(topics.DOCUMENTS_RECEIVED.name, "k", received))[1])
        outcomes.append(await handle(capture.stage, source, handler))
    (rejected,), (extracted,) = outcomes
    assert rejected.topic == topics.DOCUMENTS_REJECTED.name and isinstance(rejected.value, DocumentRejected)
    assert rejected.value.error_code == "CAPTURE_BUDGET_EXCEEDED" and rejected.value.details["budget"] == "time"
    assert extracted.topic == topics.DOCUMENTS_EXTRACTED.name and extracted.key == "doc-1"
