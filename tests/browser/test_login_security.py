"""Login throttling and logout in a real browser: failed logins lock the login (even against the right
password) until they age out on the app's clock, and after logout the old session cookie opens nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from connectors.stores.review import ReviewStore
from connectors.web.app import create_app
from connectors.web.config import WebConfig
from docket.review.throttle import ThrottleRules
from streams.settings import Settings
from tests.browser.conftest import log_in, log_out, serving
from tests.browser.seed import PASSWORD, add_users


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Served:
    base: str
    clock: Clock


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    settings = Settings(state_dir=tmp_path / "state", blob_dir=tmp_path / "blobs")
    settings.state_dir.mkdir(parents=True)
    store = ReviewStore(settings.audit_database_url)
    add_users(store)
    clock = Clock()
    rules = ThrottleRules(login_limit=3, address_limit=10, window=timedelta(minutes=15))
    app = create_app(settings, store=store, clock=clock,  # no decisions here: the Kafka publisher stays idle
                     config=WebConfig(session_secret="browser-login", secure_cookies=False, throttle=rules))
    with serving(app) as base:
        yield Served(base, clock)
    store.close()


def test_repeated_failed_logins_lock_the_login_until_they_age_out(page: Page, served: Served) -> None:
    for _ in range(3):
        log_in(page, served.base, "rita", "not-her-password")
        assert "Login or password is wrong." in page.content()
    log_in(page, served.base, "rita", PASSWORD)
    alert = page.locator("p.error[role=alert]").inner_text()
    assert "REVIEW_LOGIN_THROTTLED" in alert and "try again in 15 minutes" in alert
    assert "/login" in page.url
    page.goto(f"{served.base}/reviews")
    assert "/login" in page.url  # not logged in
    served.clock.now += timedelta(minutes=15)
    log_in(page, served.base, "rita", PASSWORD)
    assert page.url.endswith("/reviews")
    assert page.locator("table.tasks").count() == 1


def test_after_logout_the_old_session_cookie_no_longer_opens_a_page(page: Page, browser: Browser,
                                                                    served: Served) -> None:
    log_in(page, served.base, "rita", PASSWORD)
    assert page.url.endswith("/reviews")
    [cookie] = [c for c in page.context.cookies() if c["name"] == "docket_session"]
    assert "rita" not in cookie["value"] and cookie["httpOnly"]
    log_out(page)
    replay = browser.new_context()
    try:
        replay.add_cookies([{"name": "docket_session", "value": cookie["value"], "url": served.base}])
        other = replay.new_page()
        other.goto(f"{served.base}/reviews")
        assert "/login" in other.url
        assert other.locator("input[name=password]").count() == 1
    finally:
        replay.close()
