"""Replay: re-consume a range of a topic into the pipeline.

The records of the range are produced again — same key, value and headers, plus a
``docket-replay-of`` header naming the original — at the head of the topic (or of ``into``), so
the running workers process them as they would any new message. Dead letters are re-driven to
the topic they came from, with their original bytes. The range ends at the topic's end *as it was
when the replay started*, so a replay into the same topic never chases its own copies.

Replays are safe to repeat: event ids downstream are derived from the event they were made from,
and postings carry idempotency keys, so a second replay of the same range changes nothing.
With ``group``, the replay commits its progress under that consumer group and a replay
interrupted half-way resumes where it stopped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from confluent_kafka import OFFSET_END, Consumer, TopicPartition

from docket.model import DeadLetter
from streams.codecs import CodecRegistry
from streams.producer import EventProducer
from streams.settings import Settings

REPLAY_HEADER = "docket-replay-of"


@dataclass(frozen=True)
class Position:
    """A start or end of a range: an offset (per partition) or a point in time."""

    offset: int | None = None
    timestamp: datetime | None = None

    @classmethod
    def parse(cls, text: str) -> Position:
        """``"120"`` is an offset; ``"2026-11-22T10:00:00+00:00"`` (ISO 8601) a time."""
        if text.strip().lstrip("-").isdigit():
            return cls(offset=int(text))
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError("a replay time needs a timezone, e.g. 2026-11-22T10:00:00+00:00")
        return cls(timestamp=moment)


@dataclass
class ReplayReport:
    """How many records each partition replayed, and where they went."""

    topic: str
    into: str
    replayed: dict[int, int] = field(default_factory=dict)
    redriven_dead_letters: int = 0

    @property
    def total(self) -> int:
        return sum(self.replayed.values())


def replay(settings: Settings, codecs: CodecRegistry, logical_topic: str, start: Position,
           end: Position | None = None, *, group: str | None = None, into: str | None = None,
           partitions: list[int] | None = None, timeout: float = 30.0) -> ReplayReport:
    """Replay ``[start, end)`` of ``logical_topic`` (see module doc); returns what was replayed."""
    physical = settings.topic(logical_topic)
    target = settings.topic(into) if into else physical
    consumer = Consumer({
        "bootstrap.servers": settings.bootstrap_servers,
        "group.id": group or f"docket-replay-{uuid.uuid4()}",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
    })
    producer = EventProducer(settings, codecs)
    report = ReplayReport(topic=physical, into=target)
    try:
        ranges = _ranges(consumer, physical, start, end, partitions, timeout, resume=group is not None)
        for partition, (first, stop) in ranges.items():
            report.replayed[partition] = 0
            if first >= stop:
                continue
            consumer.assign([TopicPartition(physical, partition, first)])
            position = first
            while position < stop:
                message = consumer.poll(timeout)
                if message is None:
                    raise TimeoutError(f"{physical}[{partition}] gave nothing at offset {position} within {timeout} s")
                if message.error():
                    raise RuntimeError(f"{physical}[{partition}]: {message.error()}")
                offset = message.offset() or 0
                position = offset + 1
                if offset >= stop:
                    break
                if logical_topic == "docket.deadletter" and into is None:
                    _redrive(producer, codecs, settings, message.value())
                    report.redriven_dead_letters += 1
                else:
                    headers = [*(message.headers() or []),
                               (REPLAY_HEADER, f"{physical}/{partition}/{offset}".encode())]
                    producer.send_raw(target, message.key(), message.value(), headers)
                report.replayed[partition] += 1
            producer.flush()
            if group is not None:
                consumer.commit(offsets=[TopicPartition(physical, partition, position)], asynchronous=False)
        producer.flush()
    finally:
        consumer.close()
    return report


def _redrive(producer: EventProducer, codecs: CodecRegistry, settings: Settings, value: bytes | None) -> None:
    if value is None:
        return
    letter = codecs.for_topic("docket.deadletter").decode(value)
    assert isinstance(letter, DeadLetter)
    producer.send_raw(settings.topic(letter.source_topic), letter.key, letter.value,
                      [(REPLAY_HEADER, f"deadletter/{letter.source_partition}/{letter.source_offset}".encode())])


def _ranges(consumer: Consumer, topic: str, start: Position, end: Position | None, only: list[int] | None,
            timeout: float, *, resume: bool) -> dict[int, tuple[int, int]]:
    metadata = consumer.list_topics(topic, timeout=timeout)
    if topic not in metadata.topics or metadata.topics[topic].error is not None:
        raise ValueError(f"topic {topic} does not exist")
    partitions = sorted(metadata.topics[topic].partitions)
    if only is not None:
        partitions = [p for p in partitions if p in only]
    ranges = {}
    committed = {}
    if resume:
        for tp in consumer.committed([TopicPartition(topic, p) for p in partitions], timeout=timeout):
            if tp.offset >= 0:
                committed[tp.partition] = tp.offset
    for partition in partitions:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=timeout)
        # A time after the last record resolves to the end: nothing to replay.
        first = max(low, _resolve(consumer, topic, partition, start, timeout, default=high))
        stop = high if end is None else min(high, _resolve(consumer, topic, partition, end, timeout, default=high))
        if partition in committed:
            first = max(first, committed[partition])
        ranges[partition] = (first, stop)
    return ranges


def _resolve(consumer: Consumer, topic: str, partition: int, position: Position, timeout: float,
             *, default: int) -> int:
    if position.offset is not None:
        return position.offset
    assert position.timestamp is not None
    millis = int(position.timestamp.timestamp() * 1000)
    (found,) = consumer.offsets_for_times([TopicPartition(topic, partition, millis)], timeout=timeout)
    return default if found.offset in (-1, OFFSET_END) else int(found.offset)
