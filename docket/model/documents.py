"""Document arrival, rejection and dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import ConfigDict, Field

from docket.model.common import Event, Model


class DocumentReceived(Event):
    """A document stored in the blob store and announced (``documents.received``).

    The public contract for upstream producers: the bytes live at ``blob_uri`` (content-addressed
    by ``sha256``), never on Kafka. ``channel`` is how it arrived (``http``, ``folder``, ``mail``,
    ``kafka``, ``cli``); ``duplicate_of`` is set when the same bytes were received before.
    """

    SUBJECT: ClassVar[str] = "documents.received"
    blob_uri: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    filename: str
    media_type: str
    size_bytes: int = Field(ge=0)
    channel: str
    external_reference: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    duplicate_of: str | None = None


class DocumentRejected(Event):
    """A document that a stage could not process (``documents.rejected``).

    ``error_code`` is stable (see :mod:`docket.errors`); the original stays at ``blob_uri`` and the
    event that failed can be replayed once the cause is fixed.
    """

    SUBJECT: ClassVar[str] = "documents.rejected"
    stage: str
    error_code: str
    message: str
    retryable: bool = False
    blob_uri: str | None = None
    details: dict[str, str] = Field(default_factory=dict)


class DeadLetter(Model):
    """A message no consumer could even decode (``docket.deadletter``), kept byte for byte.

    It has no envelope: a poison message may carry no document id. Replaying means producing
    ``value`` back to ``source_topic`` once the consumer can read it.
    """

    SUBJECT: ClassVar[str] = "docket.deadletter"
    # The original bytes are arbitrary: JSON forms (samples, logs, the web) carry them as base64.
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")
    source_topic: str
    source_partition: int
    source_offset: int
    key: bytes | None = None
    value: bytes | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    error_code: str
    message: str
    consumer: str
    occurred_at: datetime
