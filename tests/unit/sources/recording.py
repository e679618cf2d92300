"""A recording stand-in for the Kafka producer behind the real :class:`Intake`.

The intake, the blob store and the Avro codec are the real ones (mock schema registry): each
event is encoded exactly as it would be put on ``documents.received`` and decoded back, so the
recorder holds what a consumer would read. Only the broker is missing; ``fail_flushes`` makes
the next flushes fail as an unreachable broker would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel

from connectors.blobstore import LocalBlobStore
from connectors.sources.intake import Intake
from docket.model import DocumentReceived
from streams.codecs import CodecRegistry, registry_client
from streams.producer import EventProducer, ProduceError


@dataclass
class Published:
    topic: str
    key: str
    event: Any


@dataclass
class RecordingProducer:
    codecs: CodecRegistry = field(default_factory=lambda: CodecRegistry(registry_client(f"mock://{uuid.uuid4()}")))
    pending: list[Published] = field(default_factory=list)
    published: list[Published] = field(default_factory=list)
    fail_flushes: int = 0
    flushes: int = 0

    def send(self, logical_topic: str, key: str, event: BaseModel | None,
             headers: dict[str, str] | None = None) -> None:
        codec = self.codecs.for_topic(logical_topic)
        decoded = None if event is None else codec.decode(codec.encode(event))
        self.pending.append(Published(logical_topic, key, decoded))

    def flush(self, timeout: float = 30.0) -> None:
        self.flushes += 1
        if self.fail_flushes:
            self.fail_flushes -= 1
            self.pending.clear()  # like messages that timed out in the client queue
            raise ProduceError("1 message(s) not delivered within 30.0 s")
        self.published.extend(self.pending)
        self.pending.clear()

    def received(self) -> list[DocumentReceived]:
        return [p.event for p in self.published if p.topic == "documents.received"]


def recording_intake(blob_root: Path, default_legal_entity: str = "DE01") -> tuple[Intake, RecordingProducer]:
    producer = RecordingProducer()
    intake = Intake(LocalBlobStore(blob_root), cast(EventProducer, producer), default_legal_entity=default_legal_entity)
    return intake, producer
