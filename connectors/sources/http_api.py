"""The HTTP upload API: ``POST /v1/documents`` stores a file and publishes ``documents.received``.

:func:`create_app` builds the FastAPI application from its collaborators (intake, tokens,
submission log, byte limit), so tests run it against a recording intake or the real Kafka one.
A 202 means the blob is stored and Kafka acknowledged the event: the producer is flushed in a
worker thread before the answer. Every error is ``{"error": {"code", "message"}}`` with a stable
code from :mod:`connectors.sources.errors` and the status in :data:`STATUS_BY_CODE` (400 otherwise).
"""

# No ``from __future__ import annotations`` here: FastAPI resolves the endpoints' annotations at
# runtime, and they name the dependency functions local to create_app.
import base64
import binascii
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from connectors.sources.errors import (
    DocumentNotFoundError,
    EmptyUploadError,
    InvalidRequestError,
    PayloadTooLargeError,
)
from connectors.sources.http_models import Accepted, DocumentStatus, ErrorBody, Health, JsonSubmission
from connectors.sources.http_submit import Upload, submit_upload
from connectors.sources.ports import IntakePort
from connectors.sources.submissions import SubmissionLog
from connectors.sources.tokens import SCOPE_READ, SCOPE_SUBMIT, ApiToken, TokenStore
from docket.errors import DocketError

log = logging.getLogger(__name__)

STATUS_BY_CODE = {
    "SOURCE_UNAUTHENTICATED": 401,
    "SOURCE_SCOPE_FORBIDDEN": 403,
    "SOURCE_ENTITY_FORBIDDEN": 403,
    "SOURCE_DOCUMENT_NOT_FOUND": 404,
    "SOURCE_PAYLOAD_TOO_LARGE": 413,
    "SOURCE_PUBLISH_FAILED": 503,
}
# Multipart boundaries and JSON field names around the file; base64 adds a third on top.
_ENVELOPE_ALLOWANCE = 64 * 1024

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in [
        (400, "malformed request (SOURCE_INVALID_REQUEST, SOURCE_EMPTY_FILE)"),
        (401, "no or unknown API token (SOURCE_UNAUTHENTICATED)"),
        (403, "token lacks the scope or the legal entity (SOURCE_SCOPE_FORBIDDEN, SOURCE_ENTITY_FORBIDDEN)"),
    ]
}
_UPLOAD_BODY = {
    "requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"},
            "legal_entity": {"type": "string"}, "channel": {"type": "string", "default": "http"},
            "external_reference": {"type": "string"}, "media_type": {"type": "string"},
            "metadata": {"type": "string", "description": "a JSON object of string values"}}}},
        "application/json": {"schema": JsonSubmission.model_json_schema(ref_template="#/components/schemas/{model}")},
    }},
}


@dataclass(frozen=True)
class ApiConfig:
    """What the API needs: where documents go, who may send them, and how big they may be."""

    intake: IntakePort
    tokens: TokenStore
    submissions: SubmissionLog
    max_upload_bytes: int
    default_legal_entity: str


def error_response(error: DocketError) -> JSONResponse:
    status = STATUS_BY_CODE.get(error.code, 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = ErrorBody.model_validate({"error": {"code": error.code, "message": error.message}})
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def create_app(config: ApiConfig) -> FastAPI:
    """The FastAPI application (OpenAPI at ``/openapi.json``, docs at ``/docs``)."""
    app = FastAPI(title="Docket intake API", version="1.0.0",
                  description="Submit business documents to Docket. Every call but /v1/health needs "
                              "`Authorization: Bearer <token>`; tokens carry scopes (documents:submit, "
                              "documents:read, admin) and may be limited to legal entities.")
    bearer = HTTPBearer(auto_error=False, description="an API token from the token file")

    async def _docket_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DocketError)
        return error_response(error)

    async def _validation_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return error_response(InvalidRequestError(_describe(error.errors())))

    async def _internal_error(_: Request, error: Exception) -> JSONResponse:
        log.error("upload failed", exc_info=error)
        body = ErrorBody.model_validate({"error": {"code": "SOURCE_INTERNAL_ERROR",
                                                   "message": "the document could not be taken in; retry later"}})
        return JSONResponse(body.model_dump(), status_code=500)

    app.add_exception_handler(DocketError, _docket_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal_error)

    def authenticated(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> ApiToken:
        return config.tokens.authenticate(credentials.credentials if credentials else None)

    @app.get("/v1/health", summary="Liveness", response_model=Health, tags=["service"])
    def health() -> Health:
        return Health(status="ok")

    @app.post("/v1/documents", status_code=202, response_model=Accepted, tags=["documents"],
              summary="Submit a document (multipart file or JSON with base64 content)",
              responses={**_ERRORS,
                         413: {"model": ErrorBody, "description": "larger than the upload limit"},
                         503: {"model": ErrorBody, "description": "Kafka did not confirm: retry"}},
              openapi_extra=_UPLOAD_BODY)
    async def submit_document(request: Request, token: Annotated[ApiToken, Depends(authenticated)]) -> JSONResponse:
        token.require_scope(SCOPE_SUBMIT)
        upload = await _read_upload(request, config.max_upload_bytes)
        accepted = await run_in_threadpool(submit_upload, config.intake, config.submissions, upload, token,
                                           config.default_legal_entity)
        status_url = str(request.url_for("get_document", document_id=accepted.document_id).path)
        body = Accepted(**{**accepted.__dict__, "status_url": status_url})
        return JSONResponse(body.model_dump(), status_code=202, headers={"Location": status_url})

    @app.get("/v1/documents/{document_id}", response_model=DocumentStatus, tags=["documents"],
             summary="What was accepted for a document id (needs documents:read)",
             responses={**_ERRORS, 404: {"model": ErrorBody, "description": "unknown, or not visible to the token"}})
    def get_document(document_id: str, token: Annotated[ApiToken, Depends(authenticated)]) -> DocumentStatus:
        token.require_scope(SCOPE_READ)
        found = config.submissions.find(document_id)
        # A document of another tenant answers like an unknown one: its existence is not disclosed.
        if found is None or not token.may_act_for(found.legal_entity):
            raise DocumentNotFoundError(f"no document {document_id}")
        return found

    return app


async def _read_upload(request: Request, limit: int) -> Upload:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        body = await _read_body(request, limit * 4 // 3 + 4 + _ENVELOPE_ALLOWANCE)
        return _json_upload(body, limit)
    if content_type == "multipart/form-data":
        body = await _read_body(request, limit + _ENVELOPE_ALLOWANCE)
        return await _multipart_upload(request, body, limit)
    raise InvalidRequestError("send multipart/form-data with a 'file' part, or application/json")


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it exceeds ``limit`` (never read in full)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"the request body of {declared} bytes exceeds the limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError("the request body exceeds the limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _json_upload(body: bytes, limit: int) -> Upload:
    try:
        parsed = JsonSubmission.model_validate_json(body)
    except ValidationError as error:
        raise InvalidRequestError(_first_problem(error)) from error
    try:
        data = base64.b64decode(parsed.content_base64, validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidRequestError("content_base64 is not valid base64") from error
    _check_size(data, limit)
    return Upload(data=data, filename=parsed.filename, media_type=parsed.media_type,
                  legal_entity=parsed.legal_entity, channel=parsed.channel,
                  external_reference=parsed.external_reference, metadata=parsed.metadata)


async def _multipart_upload(request: Request, body: bytes, limit: int) -> Upload:
    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form()
    except Exception as error:  # python-multipart raises several unrelated types
        raise InvalidRequestError("the multipart body cannot be parsed") from error
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        raise InvalidRequestError("the multipart body needs a 'file' part with a filename")
    data = await file.read()
    _check_size(data, limit)
    fields = {name: value for name, value in form.items() if isinstance(value, str)}
    return Upload(data=data, filename=file.filename, media_type=fields.get("media_type") or None,
                  legal_entity=fields.get("legal_entity") or None, channel=fields.get("channel") or "http",
                  external_reference=fields.get("external_reference") or None,
                  metadata=_metadata_field(fields.get("metadata")))


def _metadata_field(raw: str | None) -> dict[str, str]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise InvalidRequestError("metadata must be a JSON object of strings") from error
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise InvalidRequestError("metadata must be a JSON object of strings")
    return value


def _check_size(data: bytes, limit: int) -> None:
    if len(data) > limit:
        raise PayloadTooLargeError(f"the file of {len(data)} bytes exceeds the limit of {limit} bytes")
    if not data:
        raise EmptyUploadError("the file is empty")


def _first_problem(error: ValidationError) -> str:
    return _describe(error.errors())


def _describe(problems: Sequence[Any]) -> str:
    if not problems:
        return "invalid request"
    where = ".".join(str(p) for p in problems[0].get("loc", ())) or "body"
    return f"{where}: {problems[0].get('msg', 'invalid')}"

