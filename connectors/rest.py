"""A generic REST/JSON posting target: one HTTP call per posting, mapped by a versioned field map.

How answers are read:

* 2xx: ``posted``; the ERP reference (and internal id) are read from the JSON body by configured
  dotted paths. With ``replayed_header`` set (Stripe-style ``Idempotent-Replayed: true``), a 2xx
  the target marks as a replay is ``already_posted``.
* 409, or any 4xx whose body matches ``already_exists_pattern``: ``already_posted`` (the target's
  own idempotency check found the first record; its reference is read from the body if there).
* 401 (after one token refresh): ``TargetUnavailable`` with code ``POSTING_AUTH_FAILED``: a
  credentials problem is fixed by an operator, so the document is retried, not rejected.
* other 4xx: :class:`PostingRejected` carrying the body.
* 5xx, 408, 425, 429, timeouts, refused connections: :class:`TargetUnavailable` (retryable). A timeout may hide
  a record the target did create; the retry sends the same ``Idempotency-Key`` and finds it.

Every request carries ``Idempotency-Key: <request.idempotency_key>``; the sink also remembers the
outcomes it has seen in this process (the last ``seen_capacity``), so a replay does not even
reach the target.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from cachetools import LRUCache

from connectors.base import (
    PostingOutcome,
    PostingRejected,
    SinkBase,
    TargetUnavailable,
    redact,
    refuse_unapproved_bank_change,
)
from connectors.mapping import FieldMap, select_field_map
from docket.model import PostingRequested

_MAX_BODY_CHARS = 4000
_TRANSIENT_4XX = frozenset({408, 425, 429})  # request timeout, too early, rate limited: retry later


@dataclass(frozen=True)
class BearerToken:
    """A static bearer token (an API key or a user application key)."""

    token: str


@dataclass(frozen=True)
class OAuth2ClientCredentials:
    """OAuth 2.0 client-credentials grant (RFC 6749 §4.4), client authenticated by HTTP Basic."""

    token_url: str
    client_id: str
    client_secret: str
    scope: str | None = None
    expiry_margin_seconds: float = 30.0


Auth = BearerToken | OAuth2ClientCredentials


class _TokenCache:
    """Fetches a client-credentials token and keeps it until shortly before it expires."""

    def __init__(self, credentials: OAuth2ClientCredentials, clock: Callable[[], float]) -> None:
        self._credentials = credentials
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0

    def token(self, client: httpx.Client) -> str:
        if self._token is None or self._clock() >= self._expires_at:
            self._token, lifetime = self._fetch(client)
            self._expires_at = self._clock() + max(lifetime - self._credentials.expiry_margin_seconds, 0.0)
        return self._token

    def invalidate(self) -> None:
        self._token = None

    def _fetch(self, client: httpx.Client) -> tuple[str, float]:
        credentials = self._credentials
        form = {"grant_type": "client_credentials"}
        if credentials.scope:
            form["scope"] = credentials.scope
        try:
            response = client.post(credentials.token_url, data=form,
                                   auth=(credentials.client_id, credentials.client_secret))
        except httpx.HTTPError as error:
            raise TargetUnavailable(f"token endpoint unreachable: {type(error).__name__}") from error
        if response.status_code != 200:
            # Bad credentials are the operator's problem, not the document's: keep it retryable so
            # fixing the secret lets the postings through instead of rejecting every document.
            raise TargetUnavailable(f"token endpoint answered {response.status_code}",
                                    code="POSTING_AUTH_FAILED",
                                    details={"status": str(response.status_code)})
        try:
            body = response.json()
            return str(body["access_token"]), float(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError) as error:
            raise TargetUnavailable("token endpoint answered without an access_token",
                                    code="POSTING_AUTH_FAILED") from error


class RestSink(SinkBase):
    """Posts to one REST endpoint. See the module docstring for how answers map to outcomes.

    ``maps`` are tried in order for the request's posting type. ``reference_path`` and
    ``id_path`` are dotted paths into the JSON answer (``data.number``), or several tried in turn
    (``("number", "existing.number")`` where a 409 nests the first record). ``client`` may be given
    (transport settings, proxies); otherwise one is created with ``timeout`` seconds.
    """

    def __init__(self, *, url: str, maps: FieldMap | Sequence[FieldMap], target: str = "rest",
                 method: str = "POST", auth: Auth | None = None,
                 reference_path: str | Sequence[str] = "number", id_path: str | Sequence[str] = "id",
                 already_exists_statuses: Sequence[int] = (409,),
                 already_exists_pattern: str | None = None, replayed_header: str | None = None,
                 headers: Mapping[str, str] | None = None, timeout: float = 10.0,
                 client: httpx.Client | None = None, clock: Callable[[], float] = time.monotonic,
                 seen_capacity: int = 10_000) -> None:
        super().__init__()
        self.target = target
        self._url = url
        self._method = method.upper()
        self._maps = [maps] if isinstance(maps, FieldMap) else list(maps)
        self._reference_paths = (reference_path,) if isinstance(reference_path, str) else tuple(reference_path)
        self._id_paths = (id_path,) if isinstance(id_path, str) else tuple(id_path)
        self._exists_statuses = frozenset(already_exists_statuses)
        self._exists_pattern = re.compile(already_exists_pattern) if already_exists_pattern else None
        self._replayed_header = replayed_header
        self._headers = dict(headers or {})
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=httpx.Timeout(timeout))
        self._static_token = auth.token if isinstance(auth, BearerToken) else None
        self._tokens = _TokenCache(auth, clock) if isinstance(auth, OAuth2ClientCredentials) else None
        # Bounded: the target's Idempotency-Key check is the durable guard; this one saves calls.
        self._seen: LRUCache[str, PostingOutcome] = LRUCache(maxsize=seen_capacity)

    def post(self, request: PostingRequested) -> PostingOutcome:
        self._ensure_open()
        seen = self._seen.get(request.idempotency_key)
        if seen is not None:
            return _as_repeat(seen)
        field_map = select_field_map(self._maps, request)
        refuse_unapproved_bank_change(request)
        body = _to_json(field_map.apply(request))
        response = self._send(request.idempotency_key, body)
        if response.status_code == 401 and self._tokens is not None:
            # The cached token may have been revoked before its stated expiry: fetch once more.
            self._tokens.invalidate()
            response = self._send(request.idempotency_key, body)
        outcome = self._read(request, field_map, body, response)
        self._seen[request.idempotency_key] = outcome
        return outcome

    def close(self) -> None:
        if not self._closed and self._owns_client:
            self._client.close()
        super().close()

    def _send(self, key: str, body: str) -> httpx.Response:
        headers = {**self._headers, "Content-Type": "application/json", "Accept": "application/json",
                   "Idempotency-Key": key}
        token = self._tokens.token(self._client) if self._tokens is not None else self._static_token
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            return self._client.request(self._method, self._url, content=body.encode("utf-8"),
                                        headers=headers)
        except httpx.TimeoutException as error:
            raise TargetUnavailable(f"{self.target}: timed out", details={"reason": "timeout"}) from error
        except httpx.HTTPError as error:
            raise TargetUnavailable(f"{self.target}: {type(error).__name__}: {error}") from error

    def _read(self, request: PostingRequested, field_map: FieldMap, body: str,
              response: httpx.Response) -> PostingOutcome:
        status = response.status_code
        text = str(redact(response.text[:_MAX_BODY_CHARS]))  # messages travel in events and logs
        if status >= 500 or status in _TRANSIENT_4XX:
            details = {"status": str(status)}
            if "Retry-After" in response.headers:  # for the retry scheduler
                details["retry_after"] = response.headers["Retry-After"]
            raise TargetUnavailable(f"{self.target} answered {status}: {text}", details=details)
        if status == 401:
            raise TargetUnavailable(f"{self.target} refused the credentials", code="POSTING_AUTH_FAILED",
                                    details={"status": "401"})
        answer = _json_or_text(response)
        if 200 <= status < 300:
            replayed = bool(self._replayed_header and
                            response.headers.get(self._replayed_header, "").lower() == "true")
            return self._outcome(request, field_map, body, response, answer,
                                 "already_posted" if replayed else "posted")
        if status in self._exists_statuses or (
                400 <= status < 500 and self._exists_pattern and self._exists_pattern.search(text)):
            return self._outcome(request, field_map, body, response, answer, "already_posted")
        raise PostingRejected(f"{self.target} answered {status}: {text}",
                              details={"status": str(status), "body": text})

    def _outcome(self, request: PostingRequested, field_map: FieldMap, body: str,
                 response: httpx.Response, answer: Any, status: str) -> PostingOutcome:
        reference = _first_found(answer, self._reference_paths)
        erp_id = _first_found(answer, self._id_paths)
        return PostingOutcome(
            idempotency_key=request.idempotency_key, target=self.target, status=status,
            erp_reference=None if reference is None else str(reference),
            erp_id=None if erp_id is None else str(erp_id),
            request=redact({"method": self._method, "url": self._url,
                            "mapping_version": field_map.version,
                            "headers": {"Idempotency-Key": request.idempotency_key},
                            "body": json.loads(body)}),
            response=redact({"status": response.status_code, "body": answer}))


def _as_repeat(outcome: PostingOutcome) -> PostingOutcome:
    return PostingOutcome(idempotency_key=outcome.idempotency_key, target=outcome.target,
                          status="already_posted", erp_reference=outcome.erp_reference,
                          erp_id=outcome.erp_id, request=outcome.request, response=outcome.response)


def _to_json(payload: Mapping[str, Any]) -> str:
    # Decimals travel as strings: a JSON number would pass through a binary float somewhere.
    def encode(value: Any) -> Any:
        if isinstance(value, Decimal):
            return format(value, "f")
        if hasattr(value, "isoformat"):
            return value.isoformat()
        raise TypeError(f"cannot encode {type(value).__name__}")
    return json.dumps(payload, default=encode, ensure_ascii=False)


def _json_or_text(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:_MAX_BODY_CHARS]


def _first_found(answer: Any, paths: Sequence[str]) -> Any:
    return next((found for found in (_dig(answer, path) for path in paths) if found is not None), None)


def _dig(answer: Any, path: str) -> Any:
    value = answer
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value
