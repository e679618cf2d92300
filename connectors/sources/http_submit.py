"""The blocking half of an upload: authorise the tenant, submit, flush, record (runs in a thread)."""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.sources.errors import PublishFailedError
from connectors.sources.ports import IntakePort
from connectors.sources.submissions import SubmissionLog
from connectors.sources.tokens import ApiToken
from streams.producer import ProduceError


@dataclass(frozen=True)
class Upload:
    """A decoded upload, before the tenant is settled."""

    data: bytes
    filename: str
    media_type: str | None
    legal_entity: str | None
    channel: str
    external_reference: str | None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AcceptedUpload:
    document_id: str
    sha256: str
    blob_uri: str
    filename: str
    media_type: str
    size_bytes: int
    legal_entity: str
    channel: str


def settle_legal_entity(requested: str | None, token: ApiToken, default: str) -> str:
    """The tenant of an upload: as requested, else the token's only entity, else ``default``.

    EntityForbiddenError when the token may not act for the result.
    """
    entity = requested or (next(iter(token.legal_entities)) if len(token.legal_entities) == 1 else default)
    token.require_entity(entity)
    return entity


def submit_upload(intake: IntakePort, submissions: SubmissionLog, upload: Upload, token: ApiToken,
                  default_legal_entity: str) -> AcceptedUpload:
    """Store and publish ``upload``; returns once Kafka acknowledged (PublishFailedError otherwise).

    The token's name is kept in the event metadata (``submitted_by``), never the token itself.
    """
    entity = settle_legal_entity(upload.legal_entity, token, default_legal_entity)
    event = intake.submit(upload.data, upload.filename, channel=upload.channel, legal_entity=entity,
                          external_reference=upload.external_reference,
                          metadata={**upload.metadata, "submitted_by": token.name}, media_type=upload.media_type)
    try:
        intake.flush()
    except ProduceError as error:
        raise PublishFailedError(f"Kafka did not acknowledge the document: {error}") from error
    submissions.record(event, submitted_by=token.name)
    return AcceptedUpload(document_id=event.envelope.document_id, sha256=event.sha256, blob_uri=event.blob_uri,
                          filename=event.filename, media_type=event.media_type, size_bytes=event.size_bytes,
                          legal_entity=entity, channel=event.channel)
