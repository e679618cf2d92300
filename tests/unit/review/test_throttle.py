"""Login throttling rules, with time handed in (no waiting)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from docket.errors import DocketError
from docket.review.throttle import LoginThrottle, ThrottleRules

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RULES = ThrottleRules(login_limit=3, address_limit=5, window=timedelta(minutes=10))


def _fail(throttle: LoginThrottle, login: str, address: str, times: int, start: datetime = T0) -> None:
    for n in range(times):
        throttle.failed(login, address, start + timedelta(seconds=n))


def test_a_login_locks_after_its_limit_and_unlocks_when_the_oldest_failure_ages_out() -> None:
    throttle = LoginThrottle(RULES)
    _fail(throttle, "rita", "10.0.0.1", 2)
    throttle.check("rita", "10.0.0.1", T0 + timedelta(seconds=5))  # two failures: still open
    throttle.failed("rita", "10.0.0.1", T0 + timedelta(seconds=2))
    with pytest.raises(DocketError) as caught:
        throttle.check("rita", "10.0.0.2", T0 + timedelta(minutes=1))  # another address: the login is locked
    assert caught.value.code == "REVIEW_LOGIN_THROTTLED"
    assert "try again in 9 minutes" in caught.value.message
    assert caught.value.details["retry_after_seconds"] == str(9 * 60)
    throttle.check("rita", "10.0.0.1", T0 + timedelta(minutes=10, seconds=1))  # the first failure aged out


def test_logins_are_compared_case_and_space_insensitively() -> None:
    throttle = LoginThrottle(RULES)
    _fail(throttle, " Rita", "10.0.0.1", 3)
    with pytest.raises(DocketError):
        throttle.check("rita", "10.0.0.9", T0 + timedelta(seconds=10))


def test_an_address_locks_after_failures_on_many_logins() -> None:
    throttle = LoginThrottle(RULES)
    for n in range(5):
        throttle.failed(f"user{n}", "10.0.0.1", T0 + timedelta(seconds=n))
    with pytest.raises(DocketError) as caught:
        throttle.check("anna", "10.0.0.1", T0 + timedelta(seconds=30))
    assert caught.value.code == "REVIEW_LOGIN_THROTTLED"
    throttle.check("anna", "10.0.0.2", T0 + timedelta(seconds=30))  # the same login elsewhere is not locked


def test_a_success_forgets_the_logins_failures_but_not_the_addresses() -> None:
    throttle = LoginThrottle(RULES)
    _fail(throttle, "rita", "10.0.0.1", 2)
    throttle.succeeded("rita")
    _fail(throttle, "rita", "10.0.0.1", 2, start=T0 + timedelta(seconds=10))
    throttle.check("rita", "10.0.0.3", T0 + timedelta(seconds=20))  # 2 since the success: open
    throttle.failed("otto", "10.0.0.1", T0 + timedelta(seconds=21))
    with pytest.raises(DocketError):  # the address counted all five
        throttle.check("anna", "10.0.0.1", T0 + timedelta(seconds=22))


def test_memory_stays_bounded_when_logins_are_sprayed(monkeypatch: pytest.MonkeyPatch) -> None:
    from docket.review import throttle as module

    monkeypatch.setattr(module, "MAX_KEYS", 10)
    throttle = LoginThrottle(RULES)
    for n in range(40):
        throttle.failed(f"user{n}", f"10.0.{n}.1", T0 + timedelta(seconds=n))
    assert len(throttle._failures) <= 10
    with pytest.raises(DocketError):  # the newest keys are the ones kept
        for _ in range(2):
            throttle.failed("user39", "10.0.39.1", T0 + timedelta(seconds=50))
        throttle.check("user39", "10.9.9.9", T0 + timedelta(seconds=51))
