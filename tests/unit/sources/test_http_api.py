"""The HTTP upload API against the real intake, blob store and Avro codec (broker recorded)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from connectors.blobstore import LocalBlobStore
from connectors.sources.http_api import ApiConfig, create_app
from connectors.sources.submissions import SubmissionLog
from connectors.sources.tokens import ApiToken, TokenStore, hash_token
from tests.documents import invoice_pdf
from tests.unit.sources.recording import recording_intake

LIMIT = 20_000
SUBMIT, READ, ADMIN, BERLIN = "tok-submit", "tok-read", "tok-admin", "tok-berlin"


def _tokens() -> TokenStore:
    return TokenStore([
        ApiToken("scanner", hash_token(SUBMIT), frozenset({"documents:submit"})),
        ApiToken("auditor", hash_token(READ), frozenset({"documents:read"})),
        ApiToken("ops", hash_token(ADMIN), frozenset({"admin"})),
        ApiToken("berlin", hash_token(BERLIN), frozenset({"documents:submit", "documents:read"}),
                 frozenset({"DE01"})),
    ])


class Api:
    def __init__(self, tmp: Path) -> None:
        self.intake, self.producer = recording_intake(tmp / "blobs", default_legal_entity="HQ")
        self.blobs = LocalBlobStore(tmp / "blobs")
        config = ApiConfig(intake=self.intake, tokens=_tokens(), submissions=SubmissionLog(tmp / "subs.sqlite"),
                           max_upload_bytes=LIMIT, default_legal_entity="HQ")
        self.client = TestClient(create_app(config))

    def upload(self, token: str | None, data: bytes, filename: str = "inv.pdf", **form: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response: httpx.Response = self.client.post("/v1/documents", headers=headers,
                                                    files={"file": (filename, data)}, data=form)
        return response

    def upload_json(self, token: str, body: dict[str, object]) -> httpx.Response:
        response: httpx.Response = self.client.post("/v1/documents", headers={"Authorization": f"Bearer {token}"},
                                                    json=body)
        return response


@pytest.fixture
def api(tmp_path: Path) -> Api:
    return Api(tmp_path)


def _error(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return str(body["error"]["code"])


def test_multipart_upload_is_stored_published_and_acknowledged(api: Api) -> None:
    pdf = invoice_pdf(number="INV-HTTP-1")
    response = api.upload(SUBMIT, pdf, "inv-1.pdf", legal_entity="FR02", external_reference="ERP-77",
                          metadata=json.dumps({"batch": "b-9"}))
    assert response.status_code == 202
    body = response.json()
    (event,) = api.producer.received()
    assert body["document_id"] == event.envelope.document_id
    assert body["sha256"] == hashlib.sha256(pdf).hexdigest() == event.sha256
    assert api.blobs.get(body["blob_uri"]) == pdf
    assert response.headers["Location"] == body["status_url"] == f"/v1/documents/{body['document_id']}"
    assert event.envelope.legal_entity == "FR02" and event.channel == "http"
    assert event.external_reference == "ERP-77" and event.filename == "inv-1.pdf"
    assert event.metadata == {"batch": "b-9", "submitted_by": "scanner"}
    assert event.media_type == "application/pdf" and event.size_bytes == len(pdf)
    assert api.producer.pending == []  # flushed before the 202


def test_json_upload_with_base64_content(api: Api) -> None:
    data = invoice_pdf(number="INV-JSON")
    response = api.upload_json(SUBMIT, {"filename": "scan.pdf", "content_base64": base64.b64encode(data).decode(),
                                        "channel": "portal", "metadata": {"k": "v"}})
    assert response.status_code == 202
    (event,) = api.producer.received()
    assert event.sha256 == hashlib.sha256(data).hexdigest() and event.channel == "portal"
    assert event.envelope.legal_entity == "HQ" and event.metadata["k"] == "v"


def test_reading_needs_the_read_scope(api: Api) -> None:
    document_id = api.upload(SUBMIT, invoice_pdf()).json()["document_id"]
    denied = api.client.get(f"/v1/documents/{document_id}", headers={"Authorization": f"Bearer {SUBMIT}"})
    assert denied.status_code == 403 and _error(denied) == "SOURCE_SCOPE_FORBIDDEN"
    for token in (READ, ADMIN):
        seen = api.client.get(f"/v1/documents/{document_id}", headers={"Authorization": f"Bearer {token}"})
        assert seen.status_code == 200
        assert seen.json()["document_id"] == document_id and seen.json()["submitted_by"] == "scanner"
    cannot_submit = api.upload(READ, invoice_pdf())
    assert cannot_submit.status_code == 403 and _error(cannot_submit) == "SOURCE_SCOPE_FORBIDDEN"
    unknown = api.client.get("/v1/documents/nope", headers={"Authorization": f"Bearer {READ}"})
    assert unknown.status_code == 404 and _error(unknown) == "SOURCE_DOCUMENT_NOT_FOUND"


@pytest.mark.parametrize("token", [None, "not-a-token", SUBMIT + "x"])
def test_missing_or_unknown_tokens_get_401(api: Api, token: str | None) -> None:
    response = api.upload(token, invoice_pdf())
    assert response.status_code == 401 and _error(response) == "SOURCE_UNAUTHENTICATED"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert api.producer.received() == []


def test_entity_scoped_token_submits_and_reads_only_its_entities(api: Api) -> None:
    other = api.upload(BERLIN, invoice_pdf(), legal_entity="FR02")
    assert other.status_code == 403 and _error(other) == "SOURCE_ENTITY_FORBIDDEN"
    own = api.upload(BERLIN, invoice_pdf(number="INV-B"))
    assert own.status_code == 202
    assert [e.envelope.legal_entity for e in api.producer.received()] == ["DE01"]
    foreign_id = api.upload(ADMIN, invoice_pdf(number="INV-F"), legal_entity="FR02").json()["document_id"]
    hidden = api.client.get(f"/v1/documents/{foreign_id}", headers={"Authorization": f"Bearer {BERLIN}"})
    assert hidden.status_code == 404
    mine = api.client.get(f"/v1/documents/{own.json()['document_id']}",
                          headers={"Authorization": f"Bearer {BERLIN}"})
    assert mine.status_code == 200 and mine.json()["legal_entity"] == "DE01"


def test_uploads_over_the_limit_get_413_and_nothing_is_stored(api: Api, tmp_path: Path) -> None:
    big = b"%PDF-1.4\n" + bytes(LIMIT)
    multipart = api.upload(SUBMIT, big)
    assert multipart.status_code == 413 and _error(multipart) == "SOURCE_PAYLOAD_TOO_LARGE"
    as_json = api.upload_json(SUBMIT, {"filename": "big.pdf", "content_base64": base64.b64encode(big).decode()})
    assert as_json.status_code == 413 and _error(as_json) == "SOURCE_PAYLOAD_TOO_LARGE"
    headers = {"Authorization": f"Bearer {SUBMIT}", "Content-Type": "application/json"}
    huge = api.client.post("/v1/documents", headers=headers, content=b"x" * (LIMIT * 2 + 200_000))
    assert huge.status_code == 413
    assert api.producer.received() == []
    assert not any(p.is_file() for p in (tmp_path / "blobs").rglob("*"))


def test_exactly_the_limit_is_accepted(api: Api) -> None:
    data = b"%PDF-1.4\n" + bytes(LIMIT - 9)
    assert len(data) == LIMIT
    assert api.upload(SUBMIT, data).status_code == 202


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"json": {"filename": "a.pdf", "content_base64": "***not base64***"}}, "SOURCE_INVALID_REQUEST"),
    ({"json": {"filename": "a.pdf"}}, "SOURCE_INVALID_REQUEST"),
    ({"json": {"filename": "a.pdf", "content_base64": "QQ==", "surprise": 1}}, "SOURCE_INVALID_REQUEST"),
    ({"data": {"legal_entity": "DE01"}, "files": {"other": ("a.pdf", b"x")}}, "SOURCE_INVALID_REQUEST"),
    ({"files": {"file": ("a.pdf", b"x")}, "data": {"metadata": "[1, 2]"}}, "SOURCE_INVALID_REQUEST"),
    ({"files": {"file": ("a.pdf", b"")}}, "SOURCE_EMPTY_FILE"),
    ({"content": b"raw bytes", "headers": {"Content-Type": "application/pdf"}}, "SOURCE_INVALID_REQUEST"),
])
def test_malformed_requests_get_400_with_a_stable_code(api: Api, kwargs: dict[str, object], code: str) -> None:
    headers = {"Authorization": f"Bearer {SUBMIT}", **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    response = api.client.post("/v1/documents", headers=headers, **kwargs)
    assert response.status_code == 400 and _error(response) == code
    assert api.producer.received() == []


def test_unacknowledged_publish_answers_503_and_is_not_recorded(api: Api) -> None:
    api.producer.fail_flushes = 1
    response = api.upload(SUBMIT, invoice_pdf())
    assert response.status_code == 503 and _error(response) == "SOURCE_PUBLISH_FAILED"
    assert api.producer.received() == []
    retry = api.upload(SUBMIT, invoice_pdf())
    assert retry.status_code == 202 and len(api.producer.received()) == 1


def test_openapi_documents_the_upload_endpoint(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    post = spec["paths"]["/v1/documents"]["post"]
    assert post["summary"] and {"202", "400", "401", "403", "413", "503"} <= set(post["responses"])
    assert {"multipart/form-data", "application/json"} <= set(post["requestBody"]["content"])
    assert post["responses"]["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/Accepted")
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    get = spec["paths"]["/v1/documents/{document_id}"]["get"]
    assert get["summary"] and "404" in get["responses"]
    assert api.client.get("/v1/health").json() == {"status": "ok"}


@pytest.mark.parametrize("metadata", [{"capture_pass": "2"}, {"reextract_fields": "total"},
                                      {"batch": "b-1", "capture_pass": "9"}])
def test_internal_metadata_keys_cannot_be_set_by_a_client(api: Api, metadata: dict[str, str]) -> None:
    multipart = api.upload(SUBMIT, invoice_pdf(), metadata=json.dumps(metadata))
    content = base64.b64encode(invoice_pdf()).decode()
    as_json = api.upload_json(SUBMIT, {"filename": "scan.pdf", "content_base64": content, "metadata": metadata})
    for response in (multipart, as_json):
        assert response.status_code == 400 and _error(response) == "SOURCE_INVALID_REQUEST"
        assert "reserved" in response.json()["error"]["message"]
    assert api.producer.received() == []


def test_the_internal_reextract_channel_cannot_be_claimed_by_a_client(api: Api) -> None:
    response = api.upload(SUBMIT, invoice_pdf(), channel="reextract")
    assert response.status_code == 400 and _error(response) == "SOURCE_INVALID_REQUEST"
    assert api.producer.received() == []


def test_an_unexpected_failure_answers_500_with_a_code(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def submit(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug in the intake")

    monkeypatch.setattr(api.intake, "submit", submit)
    api.client = TestClient(api.client.app, raise_server_exceptions=False)
    response = api.upload(SUBMIT, invoice_pdf())
    assert response.status_code == 500 and _error(response) == "SOURCE_INTERNAL_ERROR"
    assert "a bug in the intake" not in response.text  # internals stay in the log
