"""A small JSON-RPC client for one Tryton database, with a session login.

Tryton's JSON-RPC speaks plain JSON plus tagged objects for Decimal, date, datetime and bytes
(``{"__class__": "Decimal", "decimal": "1.23"}``); :func:`encode` and :func:`decode` translate
them. Failures map onto the sink contract:

* connection refused, timeouts, HTTP 5xx / 429, SQLite lock or concurrency errors
  → :class:`~connectors.base.TargetUnavailable` (retry later);
* a Tryton ``UserError`` or ``UserWarning`` (validation, domain, access) → :class:`TrytonUserError`,
  a :class:`~connectors.base.PostingRejected` carrying Tryton's own message;
* an expired session (HTTP 401) → one transparent re-login inside the same call.

Only the reconnect and re-login are retried here (tenacity, a few hundred milliseconds); a
request that may have reached the server is never resent, so nothing is created twice.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from connectors.base import PostingRejected, TargetUnavailable

JSON = Any


class TrytonUserError(PostingRejected):
    """Tryton refused the call (validation, domain, access rule, warning); ``message`` is Tryton's."""


class TrytonLoginFailed(TargetUnavailable):
    """Tryton refused the configured credentials; postings wait until the configuration is fixed."""

    code = "POSTING_TARGET_LOGIN_FAILED"


class _SessionExpired(Exception):
    """HTTP 401 on a call: log in again and repeat it (the server did nothing)."""


class _NotConnected(Exception):
    """The request never reached the server (connection refused / connect timeout)."""


def encode(value: Any) -> JSON:
    """``value`` as Tryton's JSON: Decimal, date, datetime and bytes become tagged objects."""
    if isinstance(value, Decimal):
        return {"__class__": "Decimal", "decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"__class__": "datetime", "year": value.year, "month": value.month, "day": value.day,
                "hour": value.hour, "minute": value.minute, "second": value.second,
                "microsecond": value.microsecond}
    if isinstance(value, dt.date):
        return {"__class__": "date", "year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, bytes | bytearray):
        return {"__class__": "bytes", "base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Mapping):
        return {str(key): encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    return value


def decode(value: JSON) -> Any:
    """Tryton's JSON back to Python: tagged objects become Decimal, date, datetime, bytes."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get("__class__")
    if kind == "Decimal":
        return Decimal(value["decimal"])
    if kind == "date":
        return dt.date(value["year"], value["month"], value["day"])
    if kind == "datetime":
        return dt.datetime(value["year"], value["month"], value["day"], value["hour"], value["minute"],
                           value["second"], value.get("microsecond", 0))
    if kind == "bytes":
        return base64.b64decode(value["base64"])
    return {key: decode(item) for key, item in value.items()}


def error_from_response(error: JSON) -> Exception:
    """The Docket exception for the ``error`` member of a JSON-RPC answer.

    Tryton sends ``[name, args]`` for its own exceptions and ``[text, traceback]`` otherwise.
    """
    name = error[0] if isinstance(error, list) and error else str(error)
    args = error[1] if isinstance(error, list) and len(error) > 1 else None
    if name == "UserError" and isinstance(args, list):
        text = " ".join(part for part in args[:2] if isinstance(part, str) and part)
        if "that don't exist" in text:
            # Records another transaction deleted under us (two workers racing on one posting,
            # the loser cleaning up its copy): a concurrency conflict, settled by retrying.
            return TargetUnavailable(f"Tryton records changed concurrently: {text[:300]}")
        return TrytonUserError(text, details={"tryton_error": "UserError"})
    if name == "UserWarning" and isinstance(args, list) and len(args) > 1:
        return TrytonUserError(str(args[1]), details={"tryton_error": "UserWarning", "warning": str(args[0])})
    if name == "ConcurrencyException":
        return TargetUnavailable(f"Tryton concurrency conflict: {args}")
    if name == "LoginException":
        return TrytonLoginFailed(f"Tryton asks for more login parameters: {args}")
    text = str(name)
    if "locked" in text.lower() or "OperationalError" in text:
        return TargetUnavailable(f"Tryton database busy: {text[:300]}")
    return TrytonUserError(f"Tryton server error: {text[:500]}", details={"tryton_error": "server"})


class TrytonClient:
    """JSON-RPC calls into one Tryton database as one user.

    ``url`` is the server root (``http://127.0.0.1:8000``). Logs in lazily on the first call,
    then sends ``Authorization: Session ...``. ``context`` holds the user's preferences
    (company, language), merged into every model call. Not thread-safe: one client per worker.
    """

    def __init__(self, url: str, database: str, login: str, password: str, *, timeout: float = 30.0,
                 connect_timeout: float = 3.0, language: str = "en",
                 transport: httpx.BaseTransport | None = None) -> None:
        self.database = database
        self._login_name = login
        self._password = password
        self._language = language
        self._http = httpx.Client(base_url=url.rstrip("/"), transport=transport,
                                  timeout=httpx.Timeout(timeout, connect=connect_timeout))
        self._ids = itertools.count(1)
        self._auth: str | None = None
        self.context: dict[str, Any] = {}

    @property
    def rpc_path(self) -> str:
        return f"/{self.database}/rpc/"

    def login(self) -> None:
        """Open a session and load the user's context; raises :class:`TrytonLoginFailed` on refusal
        and :class:`~connectors.base.TargetUnavailable` when the server cannot be reached."""
        try:
            self._login()
        except _NotConnected as error:
            raise self._unreachable(error) from error

    def _unreachable(self, error: _NotConnected) -> TargetUnavailable:
        return TargetUnavailable(f"Tryton unreachable at {self._http.base_url}: {error}")

    def _login(self) -> None:
        answer = self._send("common.db.login", [self._login_name, {"password": self._password},
                                                self._language], authenticated=False)
        user_id, session = answer[0], answer[1]
        token = base64.b64encode(f"{self._login_name}:{user_id}:{session}".encode()).decode("ascii")
        self._auth = f"Session {token}"
        preferences = self._send("model.res.user.get_preferences", [True, {}])
        self.context = {key: preferences[key] for key in ("company", "language", "companies")
                        if key in preferences}

    @retry(retry=retry_if_exception_type((_SessionExpired, _NotConnected)), stop=stop_after_attempt(3),
           wait=wait_exponential(multiplier=0.1, max=1.0), reraise=True)
    def _call_with_reconnect(self, method: str, params: Sequence[Any]) -> Any:
        if self._auth is None:
            self._login()
        return self._send(method, params)

    def call(self, method: str, *params: Any) -> Any:
        """Call ``method`` (``model.account.invoice.create``...) and return its decoded result."""
        try:
            return self._call_with_reconnect(method, params)
        except _NotConnected as error:
            raise self._unreachable(error) from error
        except _SessionExpired as error:
            raise TrytonLoginFailed("Tryton keeps refusing the session after re-login") from error

    def model(self, model: str, method: str, *args: Any, context: Mapping[str, Any] | None = None) -> Any:
        """Call a model method with the user's context (plus ``context``) appended."""
        return self.call(f"model.{model}.{method}", *args, {**self.context, **(context or {})})

    def search_read(self, model: str, domain: list[Any], fields: Sequence[str], *, limit: int | None = None,
                    order: list[list[str]] | None = None) -> list[dict[str, Any]]:
        """Records matching ``domain`` with ``fields`` (and ``id``)."""
        result: list[dict[str, Any]] = self.model(model, "search_read", domain, 0, limit, order, list(fields))
        return result

    def close(self) -> None:
        """End the session (best effort) and release the connection pool."""
        if self._auth is not None:
            # Best effort: the server forgets idle sessions by itself.
            with contextlib.suppress(TargetUnavailable, TrytonUserError, _SessionExpired, _NotConnected):
                self._send("common.db.logout", [])
            self._auth = None
        self._http.close()

    def _send(self, method: str, params: Sequence[Any], *, authenticated: bool = True) -> Any:
        headers = {"Authorization": self._auth} if authenticated and self._auth else {}
        body = {"id": next(self._ids), "method": method, "params": encode(list(params))}
        try:
            response = self._http.post(self.rpc_path, json=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise _NotConnected(str(error) or type(error).__name__) from error
        except httpx.TimeoutException as error:
            raise TargetUnavailable(f"Tryton timed out on {method}") from error
        except httpx.TransportError as error:
            raise TargetUnavailable(f"Tryton transport failure on {method}: {error}") from error
        return self._result(method, response, authenticated)

    def _result(self, method: str, response: httpx.Response, authenticated: bool) -> Any:
        status = response.status_code
        if status == 401 and authenticated:
            self._auth = None
            raise _SessionExpired(method)
        if status in (401, 403) and not authenticated:
            raise TrytonLoginFailed(f"Tryton refused the login of {self._login_name!r} ({status})")
        if status == 429 or status >= 500:
            raise TargetUnavailable(f"Tryton answered HTTP {status} on {method}")
        if status >= 400:
            raise TrytonUserError(f"Tryton answered HTTP {status} on {method}: {response.text[:300]}")
        payload = response.json()
        if payload.get("error") is not None:
            raise error_from_response(payload["error"])
        return decode(payload.get("result"))
