"""Login throttling: too many failed logins for one login, or from one client address, lock further
attempts for a while.

A key (``login:<name>`` or ``address:<ip>``) is locked once it has ``limit`` failures within
``window``; it unlocks when the oldest of them leaves the window. While locked, an attempt is refused
before the password is checked (a right password does not get through either), and refused attempts
do not count. A successful login forgets its login's failures, not its address's (one known account
must not reset the counter of an address that guesses others). Time comes from the caller (``now``),
so the rules are tested without waiting. State is kept in memory, per server process, and bounded:
keys whose failures all left the window are dropped. One lock guards it (the web server calls from
several threads).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from docket.review.errors import ReviewError

MAX_KEYS = 100_000
"""Keys kept at most; beyond, the stalest are dropped (an attacker spraying logins cannot grow memory)."""


@dataclass(frozen=True)
class ThrottleRules:
    """``login_limit`` failures of one login, or ``address_limit`` failures from one address, within
    ``window`` lock that login or address until the oldest failure is ``window`` old."""

    login_limit: int = 5
    address_limit: int = 20
    window: timedelta = timedelta(minutes=15)


def throttled(retry_after: timedelta) -> ReviewError:
    """REVIEW_LOGIN_THROTTLED, saying in whole minutes when to try again."""
    minutes = max(1, -(-int(retry_after.total_seconds()) // 60))
    return ReviewError(f"too many failed logins for this account or from this address: try again in {minutes} "
                       f"minute{'s' if minutes != 1 else ''}", code="REVIEW_LOGIN_THROTTLED",
                       details={"retry_after_seconds": str(max(1, int(retry_after.total_seconds())))})


@dataclass
class LoginThrottle:
    """Failed-login counters per login and per client address (see the module docstring)."""

    rules: ThrottleRules = field(default_factory=ThrottleRules)
    _failures: dict[str, deque[datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, login: str, address: str, now: datetime) -> None:
        """Raises REVIEW_LOGIN_THROTTLED while the login or the address is locked."""
        with self._lock:
            waits = [wait for key, limit in self._keys(login, address)
                     if (wait := self._locked_for(key, limit, now)) is not None]
        if waits:
            raise throttled(max(waits))

    def failed(self, login: str, address: str, now: datetime) -> None:
        """Count a failed attempt against the login and the address."""
        with self._lock:
            for key, _ in self._keys(login, address):
                self._failures.setdefault(key, deque()).append(now)
            if len(self._failures) > MAX_KEYS:
                self._prune(now)

    def succeeded(self, login: str) -> None:
        """Forget the login's failures (its address keeps its count)."""
        with self._lock:
            self._failures.pop(_login_key(login), None)

    def _keys(self, login: str, address: str) -> list[tuple[str, int]]:
        return [(_login_key(login), self.rules.login_limit), (f"address:{address}", self.rules.address_limit)]

    def _locked_for(self, key: str, limit: int, now: datetime) -> timedelta | None:
        failures = self._failures.get(key)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.rules.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return None
        if len(failures) < limit:
            return None
        return failures[-limit] + self.rules.window - now

    def _prune(self, now: datetime) -> None:
        for key in [k for k, f in self._failures.items() if not f or f[-1] <= now - self.rules.window]:
            del self._failures[key]
        while len(self._failures) > MAX_KEYS:
            stalest = min(self._failures, key=lambda k: self._failures[k][-1])
            del self._failures[stalest]


def _login_key(login: str) -> str:
    return f"login:{login.strip().casefold()}"
