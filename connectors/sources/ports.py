"""What a source needs from the intake: submit a file, then flush to confirm delivery."""

from __future__ import annotations

from typing import Protocol

from docket.model import DocumentReceived


class IntakePort(Protocol):
    """The shape of :class:`connectors.sources.intake.Intake` that sources depend on."""

    def submit(self, data: bytes, filename: str, *, channel: str, legal_entity: str | None = None,
               external_reference: str | None = None, metadata: dict[str, str] | None = None,
               media_type: str | None = None, document_id: str | None = None) -> DocumentReceived:
        ...

    def flush(self) -> None:
        ...
