"""Posting stage: ``postings.requested`` / ``postings.retry`` → ERP targets → ``postings.results``.

Each request goes to its target's sink, behind the posting ledger (a repeat of an idempotency
key answers the first outcome without calling the target). Requests are taken in batches so
targets that accept several records per call (Tryton) get them together. The batch adapts to
load: on a quiet stream a request waits only ``posting_batch_window_s`` (a linger of tens of
milliseconds, not a fixed window) before it goes out alone; while a call is running the requests
that arrive queue up in the consumer and go together in the next batch, up to
``posting_batch_size`` — so the batch grows with the arrival rate and the ERP's call time.

The sinks connect when the agent starts (a Tryton session and its reference data), so the first
request after a worker starts does not wait for a login. Sink calls run on one posting thread.

* accepted → ``postings.results`` ``posted`` / ``already_posted``;
* refused by the target → ``rejected`` with the target's text, and a review task;
* target down → ``retrying``, and the request goes to ``postings.retry`` with the next attempt
  number and the time before which it must not be tried; a circuit breaker per target stops
  calling a target that keeps failing. After ``posting_max_attempts`` the result is ``failed``
  and a person gets a review task.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import structlog

from agents.runtime import Outgoing, Source, Stage, handle_with_retry
from connectors.base import PostingOutcome, PostingSink
from connectors.blobstore import LocalBlobStore
from docket.errors import DocketError
from docket.model import PostingRequested
from docket.posting import results
from docket.posting.policy import CircuitBreaker, RetryPolicy
from streams import topics
from streams.app import app, codecs, settings, topic

log = structlog.get_logger(__name__)

ATTEMPT_HEADER = "docket-attempt"
NOT_BEFORE_HEADER = "docket-not-before"
MAX_ATTEMPT = 2**31 - 1  # the results' ``attempt`` is an Avro int


class PostingHeaderError(DocketError):
    """A posting message whose retry headers are not what this stage writes (attempt, not-before)."""

    code = "POSTING_BAD_HEADER"


@dataclass(frozen=True)
class RetryHeaders:
    """The retry headers of a posting message: its attempt number and the epoch time before which
    it must not be tried (0: at once)."""

    attempt: int = 1
    not_before: float = 0.0


def retry_headers(source: Source) -> RetryHeaders:
    """The retry headers of ``source`` (absent ones default); PostingHeaderError for a value that is
    not a positive attempt number or a finite time — every header is read here, once."""
    attempt_text = source.headers.get(ATTEMPT_HEADER, "1")
    not_before_text = source.headers.get(NOT_BEFORE_HEADER, "0")
    try:
        attempt = int(attempt_text)
    except ValueError:
        attempt = 0
    if not 1 <= attempt <= MAX_ATTEMPT:
        raise PostingHeaderError(f"{ATTEMPT_HEADER} header {attempt_text[:40]!r} is not an attempt number")
    try:
        not_before = float(not_before_text)
    except ValueError:
        not_before = math.nan
    if not math.isfinite(not_before):
        raise PostingHeaderError(f"{NOT_BEFORE_HEADER} header {not_before_text[:40]!r} is not a time")
    return RetryHeaders(attempt, not_before)


def _posting_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="posting")


@dataclass
class Poster:
    """Turns posting requests into target calls and their outcomes into events.

    Every sink call runs on the poster's one posting thread, in the order asked: the sinks are not
    thread-safe (a Tryton session, a batch's preloaded parties), and the posting and retry agents
    share them, so a retry batch never runs beside a new one. :meth:`start` puts the sinks'
    ``connect`` first in that line.
    """

    stage: Stage
    sinks: dict[str, PostingSink]
    policy: RetryPolicy
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    thread: ThreadPoolExecutor = field(default_factory=_posting_thread)

    def start(self) -> Future[list[str]]:
        """Connect the sinks on the posting thread (not waited for: the first batch queues behind it)."""
        return self.thread.submit(self.connect)

    def breaker(self, target: str) -> CircuitBreaker:
        return self.breakers.setdefault(target, CircuitBreaker())

    def connect(self) -> list[str]:
        """Connect every sink before the first request (a session, reference data); the targets
        that could not be reached are logged and returned — their postings connect on first use
        and meet the same fault there, as ``retrying`` results."""
        unready: list[str] = []
        for target, sink in self.sinks.items():
            try:
                sink.connect()
            except DocketError as error:
                unready.append(target)
                log.warning("posting_target_not_ready", target=target, code=error.code, reason=error.message)
            except Exception:  # a sink bug must not stop the agent; posting meets it as a crashed batch
                unready.append(target)
                log.exception("posting_target_connect_crashed", target=target)
        return unready

    async def post_batch(self, items: Sequence[tuple[PostingRequested, Source]]) -> list[Outgoing]:
        """Post a batch (all of one target or mixed); one list of events for all of it.

        A message whose retry headers do not parse becomes a dead letter (its original bytes and
        headers kept); the rest of the batch is posted."""
        requests, out = self._with_attempts(items)
        by_target: dict[str, list[tuple[PostingRequested, int]]] = {}
        for request, attempt in requests:
            by_target.setdefault(request.target, []).append((request, attempt))
        for target, of_target in by_target.items():
            out.extend(await self._post_target(target, of_target))
        return out

    def crashed(self, items: Sequence[tuple[PostingRequested, Source]], error: Exception) -> list[Outgoing]:
        """The events for a batch whose posting raised an unexpected exception: each request retried."""
        crash = DocketError(f"{type(error).__name__}: {error}", code="INTERNAL_ERROR", retryable=True)
        requests, out = self._with_attempts(items)
        for request, attempt in requests:
            out.extend(self.transient(request, crash, attempt, None))
        return out

    def _with_attempts(self, items: Sequence[tuple[PostingRequested, Source]]
                       ) -> tuple[list[tuple[PostingRequested, int]], list[Outgoing]]:
        """Each request with its attempt number, and a dead letter for each whose headers are bad."""
        requests: list[tuple[PostingRequested, int]] = []
        letters: list[Outgoing] = []
        for request, source in items:
            try:
                requests.append((request, retry_headers(source).attempt))
            except PostingHeaderError as error:
                letters.append(dead_letter(self.stage, source, error))
        return requests, letters

    async def _post_target(self, target: str, requests: list[tuple[PostingRequested, int]]) -> list[Outgoing]:
        sink = self.sinks.get(target)
        if sink is None:
            error = DocketError(f"no posting target named {target!r}", code="POSTING_UNKNOWN_TARGET")
            return [o for request, attempt in requests for o in self._refused(request, error, attempt, None)]
        breaker = self.breaker(target)
        if not breaker.allow(time.monotonic()):
            down = DocketError(f"{target} circuit open after {breaker.failures} failures",
                               code="POSTING_CIRCUIT_OPEN", retryable=True)
            return [o for request, attempt in requests for o in self.transient(request, down, attempt, None)]
        started = time.monotonic()
        answers = await asyncio.get_running_loop().run_in_executor(
            self.thread, sink.post_batch, [request for request, _ in requests])
        duration_ms = int((time.monotonic() - started) * 1000)
        out: list[Outgoing] = []
        for (request, attempt), answer in zip(requests, answers, strict=True):
            if isinstance(answer, PostingOutcome):
                breaker.record_success()
                out.append(self._accepted(request, answer, attempt, duration_ms))
            elif answer.retryable:
                breaker.record_failure(time.monotonic())
                out.extend(self.transient(request, answer, attempt, duration_ms))
            else:
                breaker.record_success()  # the target answered: it is up
                out.extend(self._refused(request, answer, attempt, duration_ms))
        return out

    def _accepted(self, request: PostingRequested, outcome: PostingOutcome, attempt: int,
                  duration_ms: int) -> Outgoing:
        result = results.posted(request, status=outcome.status, erp_reference=outcome.erp_reference,
                                erp_id=outcome.erp_id, request_body=outcome.request,
                                response_body=outcome.response, attempt=attempt, duration_ms=duration_ms,
                                producer=self.stage.producer, now=self.stage.clock())
        log.info("posted", target=request.target, status=outcome.status, erp_reference=outcome.erp_reference)
        return Outgoing(topics.POSTINGS_RESULTS.name, request.envelope.document_id, result)

    def _refused(self, request: PostingRequested, error: DocketError, attempt: int,
                 duration_ms: int | None, status: str = "rejected") -> list[Outgoing]:
        now = self.stage.clock()
        result = results.failed(request, error, status=status, attempt=attempt, duration_ms=duration_ms,
                                producer=self.stage.producer, now=now)
        log.warning("posting_refused", target=request.target, code=error.code, status=status)
        out = [Outgoing(topics.POSTINGS_RESULTS.name, request.envelope.document_id, result)]
        if request.record is not None:
            review = results.review_for(request, result, producer=self.stage.producer, now=now)
            out.append(Outgoing(topics.REVIEWS_REQUESTED.name, request.envelope.document_id, review))
        return out

    def transient(self, request: PostingRequested, error: DocketError, attempt: int,
                   duration_ms: int | None) -> list[Outgoing]:
        if self.policy.exhausted(attempt):
            return self._refused(request, error, attempt, duration_ms, status="failed")
        now = self.stage.clock()
        result = results.failed(request, error, status="retrying", attempt=attempt, duration_ms=duration_ms,
                                producer=self.stage.producer, now=now)
        not_before = time.time() + self.policy.delay_before(attempt + 1)
        log.info("posting_retry", target=request.target, code=error.code, attempt=attempt)
        return [
            Outgoing(topics.POSTINGS_RESULTS.name, request.envelope.document_id, result),
            Outgoing(topics.POSTINGS_RETRY.name, request.envelope.document_id, request,
                     headers={ATTEMPT_HEADER: str(attempt + 1), NOT_BEFORE_HEADER: f"{not_before:.3f}"}),
        ]


def dead_letter(stage: Stage, source: Source, error: DocketError) -> Outgoing:
    log.warning("dead_letter", topic=source.topic, partition=source.partition, offset=source.offset,
                code=error.code, reason=error.message)
    return stage.dead_letter(source, error)


def _collect_into(decoded: list[tuple[PostingRequested, Source]]) -> Any:
    """A handler that only keeps decoded requests (posting happens for the whole batch)."""

    async def keep(request: PostingRequested, source: Source) -> list[Outgoing]:
        decoded.append((request, source))
        return []

    return keep


async def drive_batches(stage: Stage, logical_topic: str, stream: Any, poster: Poster, *, wait_for_due: bool) -> None:
    """Consume ``stream`` in batches: decode each (poison → dead letter), post the rest together.

    On the retry topic (``wait_for_due``) each message waits until its not-before time; the
    topic is ordered by that time, so waiting on one does not hold back an earlier one. A message
    whose retry headers do not parse is a dead letter; nothing here raises for one message.
    """
    from agents.driver import emit, source_of

    async for batch in stream.take_events(settings.posting_batch_size, within=settings.posting_batch_window_s):
        decoded: list[tuple[PostingRequested, Source]] = []
        for event in batch:
            source = source_of(logical_topic, event.message)
            try:
                due = retry_headers(source)
            except PostingHeaderError as error:
                await emit(stage, [dead_letter(stage, source, error)])
                continue
            if wait_for_due:
                delay = due.not_before - time.time()
                if delay > 0:
                    await asyncio.sleep(min(delay, settings.posting_retry_max_delay_s))
            await emit(stage, await handle_with_retry(stage, source, _collect_into(decoded)))
        if decoded:
            try:
                outgoing = await poster.post_batch(decoded)
            except Exception as error:  # a sink bug must not kill the agent; the requests are retried
                log.exception("posting_batch_crashed")
                outgoing = poster.crashed(decoded, error)
            await emit(stage, outgoing)


stage = Stage("post", codecs)
_poster: Poster | None = None


def poster() -> Poster:
    """The process's poster, its sinks built on first use (after the worker has started)."""
    global _poster
    if _poster is None:
        from connectors.targets import build_sinks

        blobs = LocalBlobStore(settings.blob_root)
        _poster = Poster(stage, build_sinks(settings, blobs.get),
                         RetryPolicy(max_attempts=settings.posting_max_attempts,
                                     max_delay_s=settings.posting_retry_max_delay_s))
    return _poster


@app.agent(topic(topics.POSTINGS_REQUESTED.name))
async def post_agent(stream: Any) -> None:
    poster().start()
    await drive_batches(stage, topics.POSTINGS_REQUESTED.name, stream, poster(), wait_for_due=False)


@app.agent(topic(topics.POSTINGS_RETRY.name))
async def retry_agent(stream: Any) -> None:
    await drive_batches(stage, topics.POSTINGS_RETRY.name, stream, poster(), wait_for_due=True)
