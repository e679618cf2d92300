"""The workspace's sessions and login throttling through FastAPI's TestClient, with a clock the tests move."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from connectors.stores import review_tables
from connectors.stores.review import ReviewStore
from connectors.web.app import create_app
from connectors.web.config import WebConfig
from docket.review.passwords import hash_password
from docket.review.throttle import ThrottleRules
from streams.settings import Settings
from tests.unit.review.builders import T0, anna, rita

PASSWORD = "unit-test-password"
HASH = hash_password(PASSWORD)
RULES = ThrottleRules(login_limit=3, address_limit=6, window=timedelta(minutes=15))


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ReviewStore]:
    opened = ReviewStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    for user in (rita, anna):
        opened.add_user(user, HASH, T0)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _app(tmp_path: Path, store: ReviewStore, clock: Clock, **config: object) -> TestClient:
    settings = Settings(state_dir=tmp_path, blob_dir=tmp_path / "blobs")
    web = WebConfig(session_secret="unit", session_hours=1.0, throttle=RULES, **config)  # type: ignore[arg-type]
    return TestClient(create_app(settings, store=store, config=web, clock=clock))


@pytest.fixture
def client(tmp_path: Path, store: ReviewStore, clock: Clock) -> TestClient:
    return _app(tmp_path, store, clock, secure_cookies=False)  # the test client speaks plain http


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _attempt(client: TestClient, login: str, password: str) -> Response:
    page = client.get("/login")
    return client.post("/login", data={"login": login, "password": password, "csrf_token": _token(page.text)},
                       follow_redirects=False)


def _log_in(client: TestClient, login: str) -> str:
    answer = _attempt(client, login, PASSWORD)
    assert answer.status_code == 303
    return _token(client.get("/reviews").text)


def test_the_cookie_is_secure_httponly_and_strict_by_default(tmp_path: Path, store: ReviewStore,
                                                             clock: Clock) -> None:
    header = _app(tmp_path, store, clock).get("/login").headers["set-cookie"]
    assert header.startswith("docket_session=")
    assert {"Secure", "HttpOnly", "SameSite=Strict", "Path=/"} <= {part.strip() for part in header.split(";")}
    assert WebConfig().secure_cookies and Settings().review_secure_cookies
    assert not WebConfig.from_settings(Settings(review_secure_cookies=False)).secure_cookies


def test_the_cookie_is_an_opaque_id_and_the_store_keeps_only_its_keyed_hash(client: TestClient,
                                                                            store: ReviewStore) -> None:
    _log_in(client, "rita")
    cookie = client.cookies["docket_session"]
    padded = cookie + "=" * (-len(cookie) % 4)
    decoded = base64.urlsafe_b64decode(padded)
    assert b"rita" not in decoded and b"csrf" not in decoded and "rita" not in cookie
    with store.engine.connect() as connection:
        rows = connection.execute(select(review_tables.sessions)).mappings().all()
    assert [row["login"] for row in rows if row["revoked_at"] is None] == ["rita"]
    assert all(row["id_hash"] != cookie for row in rows)


def test_after_logout_the_old_cookie_opens_nothing(tmp_path: Path, client: TestClient, store: ReviewStore,
                                                   clock: Clock) -> None:
    token = _log_in(client, "rita")
    stolen = client.cookies["docket_session"]
    assert client.get("/reviews", follow_redirects=False).status_code == 200
    answer = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert answer.status_code == 303 and "Max-Age=0" in answer.headers["set-cookie"]
    replay = _app(tmp_path, store, clock, secure_cookies=False)
    replay.cookies.set("docket_session", stolen)
    refused = replay.get("/reviews", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")


def test_a_login_gets_a_new_session_id(tmp_path: Path, client: TestClient, store: ReviewStore,
                                       clock: Clock) -> None:
    client.get("/login")
    planted = client.cookies["docket_session"]
    _log_in(client, "rita")
    assert client.cookies["docket_session"] != planted
    with store.engine.connect() as connection:  # the pre-login session was revoked, not carried on
        live = connection.execute(select(review_tables.sessions.c.login).where(
            review_tables.sessions.c.revoked_at.is_(None))).scalars().all()
    assert live == ["rita"]
    replay = _app(tmp_path, store, clock, secure_cookies=False)
    replay.cookies.set("docket_session", planted)
    assert replay.get("/reviews", follow_redirects=False).status_code == 303


def test_an_idle_session_expires(client: TestClient, clock: Clock) -> None:
    _log_in(client, "rita")
    clock.now += timedelta(minutes=50)
    assert client.get("/reviews", follow_redirects=False).status_code == 200  # seen: the idle hour restarts
    clock.now += timedelta(minutes=50)
    assert client.get("/reviews", follow_redirects=False).status_code == 200
    clock.now += timedelta(hours=1, seconds=1)
    assert client.get("/reviews", follow_redirects=False).status_code == 303


def test_failed_logins_lock_the_login_even_for_the_right_password_until_they_age_out(client: TestClient,
                                                                                      clock: Clock) -> None:
    for _ in range(3):
        assert _attempt(client, "rita", "wrong-password").status_code == 401
    locked = _attempt(client, "rita", PASSWORD)
    assert locked.status_code == 429
    assert "REVIEW_LOGIN_THROTTLED" in locked.text and "try again in 15 minutes" in locked.text
    assert locked.headers["retry-after"] == str(15 * 60)
    assert client.get("/reviews", follow_redirects=False).status_code == 303
    clock.now += timedelta(minutes=15)
    assert _attempt(client, "rita", PASSWORD).status_code == 303


def test_failures_from_one_address_lock_it_for_every_login(client: TestClient, clock: Clock) -> None:
    for login in ("rita", "rita", "anna", "anna", "nobody", "nobody"):
        assert _attempt(client, login, "wrong-password").status_code == 401
    assert _attempt(client, "otto", PASSWORD).status_code == 429
    clock.now += timedelta(minutes=16)
    assert _attempt(client, "anna", PASSWORD).status_code == 303
