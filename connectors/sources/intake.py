"""What every source does with a file: store it once, announce it on ``documents.received``.

``documents.received`` is keyed by the content's sha256 so that repeats of the same bytes meet
on one partition, where the capture stage links them to the first submission.
"""

from __future__ import annotations

import mimetypes
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from connectors.blobstore import BlobStore
from connectors.sources.errors import InvalidRequestError
from docket.model import DocumentReceived, Envelope
from docket.routing.stage import INTERNAL_METADATA_KEYS, REEXTRACT_CHANNEL
from streams import topics
from streams.producer import EventProducer

PRODUCER = "docket.intake/0.1.0"


def guess_media_type(filename: str) -> str:
    """A media type from the file name; capture sniffs the content again and trusts that."""
    media_type, _ = mimetypes.guess_type(filename)
    return media_type or "application/octet-stream"


class Intake:
    """Stores documents and publishes their arrival; shared by every source."""

    def __init__(self, blobs: BlobStore, producer: EventProducer, *, default_legal_entity: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.blobs = blobs
        self.producer = producer
        self.default_legal_entity = default_legal_entity
        self.clock = clock

    def submit(self, data: bytes, filename: str, *, channel: str, legal_entity: str | None = None,
               external_reference: str | None = None, metadata: dict[str, str] | None = None,
               media_type: str | None = None, document_id: str | None = None) -> DocumentReceived:
        """Store ``data`` and queue its ``documents.received`` event (call :meth:`flush` to confirm).

        InvalidRequestError for metadata keys or a channel that only the pipeline itself sets
        (``capture_pass`` would force a second, finer capture pass).
        """
        reserved = sorted(INTERNAL_METADATA_KEYS & set(metadata or {}))
        if reserved:
            raise InvalidRequestError(f"metadata key(s) {', '.join(reserved)} are reserved for the pipeline")
        if channel == REEXTRACT_CHANNEL:
            raise InvalidRequestError(f"channel {channel!r} is reserved for the pipeline")
        stored = self.blobs.put(data)
        document_id = document_id or str(uuid.uuid4())
        event = DocumentReceived(
            envelope=Envelope.new(document_id=document_id, legal_entity=legal_entity or self.default_legal_entity,
                                  producer=PRODUCER, now=self.clock()),
            blob_uri=stored.uri, sha256=stored.sha256, filename=filename,
            media_type=media_type or guess_media_type(filename), size_bytes=stored.size_bytes,
            channel=channel, external_reference=external_reference, metadata=dict(metadata or {}),
        )
        self.producer.send(topics.DOCUMENTS_RECEIVED.name, stored.sha256, event)
        return event

    def flush(self) -> None:
        self.producer.flush()
