"""Server-side sessions for the workspace: the cookie holds a random id only, the data stays in
the review store (:class:`connectors.stores.review_sessions.SessionStore`).

``request.session`` is a plain dict as with Starlette's cookie sessions. The stored key is an
HMAC of the id with the session secret, so neither the database nor the cookie alone opens a
session. A route asks for a new id (:func:`rotate`, at login: no session fixation) or for the end of
the session (:func:`end`, at logout: the id is revoked server-side, so a copy of the old cookie opens
nothing). Sessions expire after ``idle`` without a request; the cookie is ``HttpOnly``,
``SameSite=Strict`` and ``Secure`` unless configured off for plain-http development. Time comes from
the app's clock.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors.stores.review_sessions import SessionStore

COOKIE = "docket_session"
_ACTION = "docket.session_action"
_TOUCH_EVERY = timedelta(seconds=60)
_PURGE_EVERY = timedelta(minutes=10)


def rotate(request: Request) -> None:
    """Give this session a new id at the end of the request (the old one is revoked)."""
    request.scope[_ACTION] = "rotate"


def end(request: Request) -> None:
    """End this session at the end of the request: its id is revoked, the cookie removed."""
    request.session.clear()
    request.scope[_ACTION] = "end"


class ServerSessionMiddleware:
    """ASGI middleware putting the stored session of the request's cookie into ``scope["session"]``."""

    def __init__(self, app: ASGIApp, *, store: SessionStore, secret: str, idle: timedelta, secure: bool,
                 clock: Callable[[], datetime]) -> None:
        self.app = app
        self.store = store
        self.secret = secret.encode()
        self.idle = idle
        self.secure = secure
        self.clock = clock
        self._purged: datetime | None = None

    def _hash(self, session_id: str) -> str:
        return hmac.new(self.secret, session_id.encode(), hashlib.sha256).hexdigest()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        presented = HTTPConnection(scope).cookies.get(COOKIE)
        id_hash = self._hash(presented) if presented else None
        loaded = await run_in_threadpool(self.store.load, id_hash, self.clock(), self.idle) if id_hash else None
        data, last_seen = loaded if loaded is not None else ({}, None)
        scope["session"] = dict(data)

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await run_in_threadpool(self._settle, scope, presented if loaded is not None else None,
                                                 data, last_seen)
                if cookie is not None:
                    MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_session)

    def _settle(self, scope: Scope, live_id: str | None, before: dict[str, Any],
                last_seen: datetime | None) -> str | None:
        """Store what the request did to its session (``live_id``: the cookie's id if it opened a live
        session); the Set-Cookie header value, if any."""
        now = self.clock()
        presented = HTTPConnection(scope).cookies.get(COOKIE)
        id_hash = self._hash(presented) if presented else None
        live = live_id is not None
        session: dict[str, Any] = scope["session"]
        action = scope.get(_ACTION)
        self._purge(now)
        if action == "end" or (action == "rotate" and live):
            if id_hash is not None:
                self.store.revoke(id_hash, now)
            if action == "end":
                return self._cookie("", max_age=0)
            live = False
        if not live:
            if not session:
                return self._cookie("", max_age=0) if id_hash is not None else None
            session_id = secrets.token_urlsafe(32)
            self.store.create(self._hash(session_id), session, now)
            return self._cookie(session_id, max_age=int(self.idle.total_seconds()))
        assert live_id is not None and id_hash is not None
        if session != before:
            self.store.save(id_hash, session, now)
        elif last_seen is None or now - last_seen >= _TOUCH_EVERY:
            self.store.touch(id_hash, now)
        else:
            return None
        return self._cookie(live_id, max_age=int(self.idle.total_seconds()))  # the idle limit slides

    def _purge(self, now: datetime) -> None:
        if self._purged is None or now - self._purged >= _PURGE_EVERY:
            self._purged = now
            self.store.purge(now - self.idle)

    def _cookie(self, value: str, *, max_age: int) -> str:
        parts = [f"{COOKIE}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Strict"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)
