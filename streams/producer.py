"""Producing Docket events from outside a Faust worker (CLI, sources, tests, replays)."""

from __future__ import annotations

from typing import Any

from confluent_kafka import KafkaError, Message, Producer
from pydantic import BaseModel

from streams.codecs import CodecRegistry
from streams.settings import Settings


class ProduceError(RuntimeError):
    """The broker did not acknowledge a message."""


class EventProducer:
    """Encodes events with the topic's Avro codec and produces them with acks=all, idempotently."""

    def __init__(self, settings: Settings, codecs: CodecRegistry, **config: Any) -> None:
        self.settings = settings
        self.codecs = codecs
        self._producer = Producer({
            "bootstrap.servers": settings.bootstrap_servers,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            # The Java client's and Faust's (aiokafka) partitioner: the same key lands on the same
            # partition whoever produced it, so tables keyed like the topic stay consistent.
            "partitioner": "murmur2_random",
            **config,
        })
        self._errors: list[str] = []

    def send(self, logical_topic: str, key: str, event: BaseModel | None,
             headers: dict[str, str] | None = None) -> None:
        """Queue ``event`` (None: a tombstone) for ``logical_topic``; :meth:`flush` confirms delivery."""
        value = None if event is None else self.codecs.for_topic(logical_topic).encode(event)
        self.send_raw(self.settings.topic(logical_topic), key.encode(), value, headers)

    def send_raw(self, physical_topic: str, key: bytes | None, value: bytes | None,
                 headers: dict[str, str] | list[tuple[str, bytes]] | None = None) -> None:
        """Queue already-encoded bytes (replays, dead-letter re-drives)."""
        header_list: list[tuple[str, str | bytes | None]] | None = None
        if headers is not None:
            header_list = list(headers.items()) if isinstance(headers, dict) else list(headers)
        while True:
            try:
                self._producer.produce(physical_topic, key=key, value=value, headers=header_list,
                                       on_delivery=self._on_delivery)
                break
            except BufferError:
                self._producer.poll(0.5)
        self._producer.poll(0)

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until every queued message is acknowledged; ProduceError names any failure."""
        remaining = self._producer.flush(timeout)
        if remaining:
            raise ProduceError(f"{remaining} message(s) not delivered within {timeout} s")
        if self._errors:
            errors, self._errors = self._errors, []
            raise ProduceError("; ".join(errors[:5]))

    def _on_delivery(self, error: KafkaError | None, message: Message) -> None:
        if error is not None:
            self._errors.append(f"{message.topic()}: {error.str()}")
