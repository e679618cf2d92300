"""Logins, sessions and CSRF for the workspace.

The session is server-side (:mod:`connectors.web.sessions`): the cookie is an opaque random id, the
login and CSRF token stay in the review store, and logout revokes the id. Every request re-reads the
user from the store, so a deactivated login or a changed role takes effect at once. Every POST must
carry the session's CSRF token in the form field ``csrf_token`` (compared in constant time). Failed
logins are throttled per login and per client address (:mod:`docket.review.throttle`).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request

from connectors.stores.review import ReviewStore
from connectors.web import sessions
from docket.review.passwords import DUMMY_HASH, password_matches
from docket.review.tasks import User

SESSION_LOGIN = "login"
SESSION_CSRF = "csrf"


class LoginRequired(Exception):
    """Raised by :func:`user_dependency` when nobody is logged in; the app answers with a redirect."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def login_redirect_target(next_url: str) -> str:
    return f"/login?next={quote(next_url, safe='/')}"


def authenticate(store: ReviewStore, login: str, password: str) -> User | None:
    """The user whose password this is, or None (unknown logins cost as long as wrong passwords)."""
    found = store.login_record(login)
    if found is None:
        password_matches(DUMMY_HASH, password)
        return None
    user, stored_hash = found
    return user if password_matches(stored_hash, password) else None


def start_session(request: Request, user: User) -> None:
    """A fresh session for ``user``: a new session id and CSRF token (nothing survives from before the
    login, so a session id planted before it opens nothing after)."""
    request.session.clear()
    request.session[SESSION_LOGIN] = user.login
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)
    sessions.rotate(request)


def end_session(request: Request) -> None:
    """Log out: the session is revoked in the store, so its cookie no longer opens any page."""
    sessions.end(request)


def client_address(request: Request) -> str:
    """The connecting address (a proxy in front must pass the client's own; headers are not trusted)."""
    return request.client.host if request.client is not None else "unknown"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (the login form needs one before any login)."""
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Raises 403 unless ``submitted`` is this session's CSRF token."""
    expected = request.session.get(SESSION_CSRF)
    if not isinstance(expected, str) or not submitted or not hmac.compare_digest(expected, submitted):
        raise HTTPException(status_code=403, detail="CSRF token missing or wrong: reload the page and try again")


def user_dependency(store: ReviewStore) -> Callable[[Request], Any]:
    """A FastAPI dependency returning the logged-in :class:`User`, or redirecting to the login page."""

    def require_user(request: Request) -> User:
        login = request.session.get(SESSION_LOGIN)
        found = store.login_record(login) if isinstance(login, str) else None
        if found is None:
            request.session.pop(SESSION_LOGIN, None)
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(target)
        return found[0]

    return require_user
