"""Errors with stable codes.

Every failure Docket reports crosses a process boundary as an event carrying ``code``, so the
codes below are part of the public contract: never rename one, only add. A code is
``STAGE_REASON`` in upper snake case.
"""

from __future__ import annotations


class DocketError(Exception):
    """A failure with a stable machine-readable ``code`` and a readable ``message``.

    ``retryable`` says whether the same input may succeed later (a down ERP) or never will
    (a corrupt PDF). ``details`` holds small, non-sensitive context for the event.
    """

    code: str = "DOCKET_ERROR"
    retryable: bool = False

    def __init__(self, message: str, *, code: str | None = None, retryable: bool | None = None,
                 details: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if retryable is not None:
            self.retryable = retryable
        self.details = dict(details or {})

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class DecodeError(DocketError):
    """A Kafka message could not be decoded (not Confluent wire format, unknown schema id, bad Avro)."""

    code = "DECODE_FAILED"


class SchemaMismatchError(DecodeError):
    """The record decoded but does not fit the event model the consumer expects."""

    code = "SCHEMA_MISMATCH"


class BlobError(DocketError):
    """The blob store refused or could not find content."""

    code = "BLOB_ERROR"


class ConfigError(DocketError):
    """Settings are missing or inconsistent."""

    code = "CONFIG_INVALID"
