"""Retry schedule and circuit breaker for posting targets (pure: the clock is passed in).

A target that fails transiently is retried with exponential backoff through the retry topic, so
one down ERP does not hold up other partitions. After ``failure_threshold`` consecutive
failures the breaker opens: postings to that target go straight to the retry topic without a
call, until ``cooldown_s`` has passed; then one call is let through (half-open) and its outcome
closes or re-opens the breaker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tenacity


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with a cap; ``max_attempts`` counts calls, the first included."""

    max_attempts: int = 40
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before call number ``attempt`` (2, 3, ...): base * 2^(attempt-2), capped."""
        # tenacity's wait_exponential computes the same schedule its retry decorators use.
        wait = tenacity.wait_exponential(multiplier=self.base_delay_s, max=self.max_delay_s)
        state = tenacity.RetryCallState(retry_object=tenacity.Retrying(), fn=None, args=(), kwargs={})
        state.attempt_number = max(1, attempt - 1)
        return float(wait(state))

    def exhausted(self, attempt: int) -> bool:
        return attempt >= self.max_attempts


@dataclass
class CircuitBreaker:
    """Per-target breaker; ``now`` is seconds on any monotonic clock."""

    failure_threshold: int = 5
    cooldown_s: float = 30.0
    failures: int = 0
    opened_at: float | None = None
    _probing: bool = field(default=False, repr=False)

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if self._probing else "open"

    def allow(self, now: float) -> bool:
        """May a call go to the target now? In the open state one probe passes after the cooldown."""
        if self.opened_at is None:
            return True
        if not self._probing and now - self.opened_at >= self.cooldown_s:
            self._probing = True
            return True
        return False

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self._probing = False

    def record_failure(self, now: float) -> None:
        self.failures += 1
        if self._probing or self.failures >= self.failure_threshold:
            self.opened_at = now
            self._probing = False
