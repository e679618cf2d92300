"""The HTTP API's request and response bodies (they make up its OpenAPI document)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class JsonSubmission(BaseModel):
    """A document sent as JSON: the bytes base64-encoded, plus optional routing metadata."""

    model_config = ConfigDict(extra="forbid")
    filename: str = Field(min_length=1, max_length=255, examples=["invoice-1001.pdf"])
    content_base64: str = Field(min_length=1, description="the file's bytes, standard base64")
    media_type: str | None = Field(default=None, description="advisory; capture sniffs the bytes")
    legal_entity: str | None = Field(default=None, description="tenant; default: the token's only entity "
                                                                "or the service default")
    channel: str = Field(default="http", min_length=1, max_length=40)
    external_reference: str | None = Field(default=None, max_length=200,
                                           description="the upstream system's reference")
    metadata: dict[str, str] = Field(default_factory=dict, description="free string pairs kept with the document")


class Accepted(BaseModel):
    """The document is stored and its ``documents.received`` event is acknowledged by Kafka."""

    document_id: str
    sha256: str
    blob_uri: str
    filename: str
    media_type: str
    size_bytes: int
    legal_entity: str
    channel: str
    status_url: str


class DocumentStatus(BaseModel):
    """What the API accepted for a document id."""

    document_id: str
    legal_entity: str
    sha256: str
    blob_uri: str
    filename: str
    media_type: str
    size_bytes: int
    channel: str
    external_reference: str | None
    metadata: dict[str, str]
    received_at: str = Field(description="ISO 8601 with offset")
    submitted_by: str = Field(description="name of the API token that submitted it")


class ErrorDetail(BaseModel):
    code: str = Field(description="stable upper-snake code, e.g. SOURCE_PAYLOAD_TOO_LARGE")
    message: str


class ErrorBody(BaseModel):
    """Every error answer: ``{"error": {"code", "message"}}``."""

    error: ErrorDetail


class Health(BaseModel):
    status: str
