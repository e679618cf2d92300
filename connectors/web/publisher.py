"""Publishing reviewers' verdicts to ``reviews.completed`` (Avro through the schema registry).

Keyed by document id, like ``reviews.requested``, so the route agent sees the task and its
verdict on the same partition. ``publish`` returns only once Kafka acknowledged the event: the
workspace commits a decision after that, never before.
"""

from __future__ import annotations

import threading
from typing import Protocol

from docket.errors import DocketError
from docket.model import ReviewCompleted, VendorFieldPositions
from docket.review.positions import positions_key
from streams import topics
from streams.producer import EventProducer, ProduceError
from streams.settings import Settings


class VerdictPublisher(Protocol):
    def publish(self, verdict: ReviewCompleted) -> None:
        """Deliver ``verdict``; raises DocketError ``REVIEW_PUBLISH_FAILED`` when it was not acknowledged."""

    def publish_positions(self, records: list[VendorFieldPositions]) -> None:
        """Deliver learned field positions to ``vendors.field-positions`` (same error)."""


class KafkaVerdictPublisher:
    """The real publisher: one idempotent producer per process, made on first use."""

    def __init__(self, settings: Settings, producer: EventProducer | None = None) -> None:
        self._settings = settings
        self._producer = producer
        self._lock = threading.Lock()

    def _ready(self) -> EventProducer:
        if self._producer is None:
            from streams.codecs import CodecRegistry, registry_client

            codecs = CodecRegistry(registry_client(self._settings.schema_registry_url),
                                   prefix=self._settings.topic_prefix)
            self._producer = EventProducer(self._settings, codecs)
        return self._producer

    def publish(self, verdict: ReviewCompleted) -> None:
        with self._lock:
            producer = self._ready()
            try:
                producer.send(topics.REVIEWS_COMPLETED.name, verdict.envelope.document_id, verdict)
                producer.flush(timeout=15.0)
            except (ProduceError, DocketError) as error:
                raise DocketError(f"the verdict could not be published: {error}", code="REVIEW_PUBLISH_FAILED",
                                  retryable=True) from error

    def publish_positions(self, records: list[VendorFieldPositions]) -> None:
        """Keyed ``legal_entity:vendor_id:document_type`` on the compacted topic: the newest record per
        vendor and type is what every worker's capture stage keeps."""
        with self._lock:
            producer = self._ready()
            try:
                for record in records:
                    key = positions_key(record.legal_entity, record.vendor_id, record.document_type)
                    producer.send(topics.VENDOR_FIELD_POSITIONS.name, key, record)
                producer.flush(timeout=15.0)
            except (ProduceError, DocketError) as error:
                raise DocketError(f"learned field positions could not be published: {error}",
                                  code="REVIEW_PUBLISH_FAILED", retryable=True) from error
