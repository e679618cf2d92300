"""Timing one posting sink the way the Tryton benchmarks do: a warm-up, ``count`` requests one by
one, ``count`` more in batches, then one batch again (answered from the sink's own look-up)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from connectors.base import PostingOutcome, PostingSink
from docket.model import PostingRequested


@dataclass(frozen=True)
class SinkTimings:
    one_by_one_s: float
    batched_s: float
    failures: int  # batched requests not answered with an outcome
    repeat_s: float
    repeats: int


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 2) if seconds else 0.0


def time_sink(sink: PostingSink, request_for: Callable[[str], PostingRequested], count: int,
              batch_size: int) -> SinkTimings:
    """Time ``sink`` on requests made by ``request_for(unique name)``."""
    sink.post(request_for(f"warmup-{uuid.uuid4().hex[:8]}"))  # login, caches
    single = [request_for(f"one-{uuid.uuid4().hex[:10]}") for _ in range(count)]
    t0 = time.perf_counter()
    for request in single:
        sink.post(request)
    one_by_one = time.perf_counter() - t0
    batched = [request_for(f"batch-{uuid.uuid4().hex[:10]}") for _ in range(count)]
    failures = 0
    t0 = time.perf_counter()
    for offset in range(0, count, batch_size):
        results = sink.post_batch(batched[offset:offset + batch_size])
        failures += sum(1 for result in results if not isinstance(result, PostingOutcome))
    in_batches = time.perf_counter() - t0
    t0 = time.perf_counter()
    repeats = sink.post_batch(batched[:batch_size])
    return SinkTimings(one_by_one, in_batches, failures, time.perf_counter() - t0, len(repeats))
