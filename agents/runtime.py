"""The shared consume → handle → emit loop of every agent, and its failure routing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import structlog
from pydantic import BaseModel

from docket.errors import DecodeError, DocketError
from docket.model import DeadLetter, DocumentRejected, Event
from streams import topics
from streams.codecs import CodecRegistry
from streams.logging import bind_document

log = structlog.get_logger(__name__)
Result = TypeVar("Result")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Source:
    """A raw message as it came off a topic (``topic`` is the logical name)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outgoing:
    """A message a handler wants produced: ``value`` None is a tombstone (compacted topics)."""

    topic: str
    key: str
    value: BaseModel | None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Any, Source], Awaitable[Sequence[Outgoing]]]


@dataclass
class Stage:
    """What an agent needs besides its handler: codecs, a clock, and its own name.

    ``rejects_documents`` False sends a stage's failures to the dead-letter topic instead of
    ``documents.rejected`` — for stages that consume ``documents.rejected`` themselves (audit).
    """

    name: str
    codecs: CodecRegistry
    clock: Clock = utc_now
    version: str = "0.1.0"
    rejects_documents: bool = True

    @property
    def producer(self) -> str:
        return f"docket.{self.name}/{self.version}"

    def decode(self, source: Source) -> Any:
        """The event in ``source`` (DecodeError with a stable code when it is not one)."""
        if source.value is None:
            raise DecodeError("message has no value", code="DECODE_EMPTY_VALUE")
        return self.codecs.for_topic(source.topic).decode(source.value)

    def encode(self, message: Outgoing) -> tuple[bytes, bytes | None]:
        value = None if message.value is None else self.codecs.for_topic(message.topic).encode(message.value)
        return message.key.encode(), value

    def dead_letter(self, source: Source, error: DocketError) -> Outgoing:
        letter = DeadLetter(
            source_topic=source.topic, source_partition=source.partition, source_offset=source.offset,
            key=source.key, value=source.value, headers=source.headers, error_code=error.code,
            message=error.message[:2000], consumer=self.producer, occurred_at=self.clock(),
        )
        return Outgoing(topics.DEADLETTER.name, f"{source.topic}:{source.partition}:{source.offset}", letter)

    def rejected(self, event: Event, error: DocketError, source: Source) -> Outgoing:
        blob_uri = getattr(event, "blob_uri", None)
        details = {**error.details, "source": f"{source.topic}:{source.partition}:{source.offset}"}
        rejection = DocumentRejected(
            envelope=event.envelope.follow(producer=self.producer, now=self.clock(), part=f"rejected:{error.code}"),
            stage=self.name, error_code=error.code, message=error.message[:2000], retryable=error.retryable,
            blob_uri=blob_uri if isinstance(blob_uri, str) else None, details=details,
        )
        return Outgoing(topics.DOCUMENTS_REJECTED.name, event.envelope.document_id, rejection)


async def handle(stage: Stage, source: Source, handler: Handler) -> list[Outgoing]:
    """Decode ``source``, run ``handler``, and return what to produce — never raises for bad input.

    * bytes that do not decode → one dead letter with the original bytes;
    * a DocketError from the handler → ``documents.rejected`` (or a dead letter when the message
      has no envelope, e.g. master data);
    * any other exception → the same, with code ``INTERNAL_ERROR``, logged with its traceback.

    A *retryable* decode error (the registry is down) is raised: the caller retries the message,
    because dead-lettering it would lose a valid event.
    """
    try:
        event = stage.decode(source)
    except DecodeError as error:
        if error.retryable:
            raise
        log.warning("dead_letter", topic=source.topic, partition=source.partition, offset=source.offset,
                    code=error.code, reason=error.message)
        return [stage.dead_letter(source, error)]
    document_id = event.envelope.document_id if isinstance(event, Event) else "-"
    with bind_document(document_id, stage=stage.name):
        try:
            return list(await handler(event, source))
        except DocketError as error:
            log.warning("stage_failed", code=error.code, reason=error.message, retryable=error.retryable)
            return [_failure(stage, event, source, error)]
        except Exception as error:
            log.exception("stage_crashed")
            internal = DocketError(f"{type(error).__name__}: {error}", code="INTERNAL_ERROR")
            return [_failure(stage, event, source, internal)]


def _failure(stage: Stage, event: Any, source: Source, error: DocketError) -> Outgoing:
    if isinstance(event, Event) and stage.rejects_documents:
        return stage.rejected(event, error, source)
    return stage.dead_letter(source, error)


async def handle_with_retry(stage: Stage, source: Source, handler: Handler, *,
                            max_delay: float = 30.0) -> list[Outgoing]:
    """:func:`handle`, retrying while the failure is retryable infrastructure (registry down).

    Waiting blocks this partition only, which is what at-least-once needs: the message is
    valid and must not be skipped.
    """
    delay = 0.5
    while True:
        try:
            return await handle(stage, source, handler)
        except DecodeError as error:
            log.warning("retrying", code=error.code, reason=error.message, delay=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)


async def patiently(call: Callable[[], Result], *, offload: bool = True, max_delay: float = 30.0) -> Result:
    """``call`` (blocking, e.g. a database write) in a thread, waiting out retryable failures such as
    a store that is down: the event being handled must not be skipped. Other failures propagate.
    ``offload=False`` runs it inline (agent tests, where ``put`` must return after the write)."""
    delay = 0.5
    while True:
        try:
            if not offload:
                return call()
            return await asyncio.get_running_loop().run_in_executor(None, call)
        except DocketError as error:
            if not error.retryable:
                raise
            log.warning("store_unavailable_retrying", code=error.code, delay_s=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)
