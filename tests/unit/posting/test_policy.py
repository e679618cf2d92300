"""Retry schedule and circuit breaker."""

from __future__ import annotations

from docket.posting.policy import CircuitBreaker, RetryPolicy


def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(base_delay_s=2.0, max_delay_s=10.0, max_attempts=6)
    assert [policy.delay_before(a) for a in range(2, 7)] == [2.0, 4.0, 8.0, 10.0, 10.0]
    assert not policy.exhausted(5) and policy.exhausted(6)


def test_breaker_opens_after_threshold_and_probes_after_cooldown() -> None:
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=10.0)
    for now in (0.0, 1.0):
        breaker.record_failure(now)
        assert breaker.allow(now)
    breaker.record_failure(2.0)
    assert breaker.state == "open" and not breaker.allow(5.0)
    assert breaker.allow(12.0) and breaker.state == "half_open"
    assert not breaker.allow(12.5), "only one probe while half open"
    breaker.record_failure(13.0)
    assert breaker.state == "open" and not breaker.allow(20.0)
    assert breaker.allow(23.0)
    breaker.record_success()
    assert breaker.state == "closed" and breaker.allow(23.1) and breaker.failures == 0
