"""Glue between a Faust stream and :func:`agents.runtime.handle_with_retry`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog

from agents.runtime import Handler, Outgoing, Source, Stage, handle_with_retry
from streams.app import settings, topic

log = structlog.get_logger(__name__)


def source_of(logical_topic: str, message: Any) -> Source:
    """A :class:`Source` from a Faust message (``event.message``)."""
    headers = {}
    for key, value in message.headers or []:
        headers[str(key)] = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return Source(topic=logical_topic, partition=message.partition, offset=message.offset,
                  key=message.key, value=message.value, headers=headers)


async def emit(stage: Stage, messages: Sequence[Outgoing]) -> None:
    """Produce ``messages`` through the Faust producer, encoded by the stage's codecs."""
    for message in messages:
        key, value = stage.encode(message)
        headers = [(name, text.encode()) for name, text in message.headers.items()] or None
        await topic(message.topic).send(key=key, value=value, headers=headers)


def logical_name(physical_topic: str, prefix: str) -> str:
    """The logical topic of a physical one (the settings' prefix removed)."""
    return physical_topic[len(prefix):] if prefix and physical_topic.startswith(prefix) else physical_topic


async def drive(stage: Stage, logical_topic: str | None, stream: Any, handler: Handler) -> None:
    """Consume ``stream`` forever: every message is handled and its outcome emitted.

    ``logical_topic`` None: the stream reads several topics, each message's own topic is used.
    Nothing raised by the handler or the codecs stops the loop; a failure to *emit* (the broker
    is gone) is logged and retried by Faust's producer, and the offset is not committed before
    this coroutine moves on, so the message is seen again after a restart.
    """
    async for event in stream.events():
        name = logical_topic or logical_name(event.message.topic, settings.topic_prefix)
        source = source_of(name, event.message)
        outgoing = await handle_with_retry(stage, source, handler)
        await emit(stage, outgoing)
        log.debug("handled", topic=logical_topic, offset=source.offset, emitted=len(outgoing))
