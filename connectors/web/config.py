"""The review workspace's settings, taken from :class:`streams.settings.Settings` (``DOCKET_REVIEW_*``).

Without ``DOCKET_REVIEW_SESSION_SECRET`` a random secret is made per process: fine for development,
but every restart logs everyone out. The session cookie is ``Secure`` unless ``secure_cookies`` is
turned off (``DOCKET_REVIEW_SECURE_COOKIES=0``), for plain-http development and tests only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from docket.review.throttle import ThrottleRules
from streams.settings import Settings


@dataclass(frozen=True)
class WebConfig:
    host: str = "127.0.0.1"
    port: int = 8300
    # A random secret unless one is configured: sessions then end when the process does.
    session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    session_hours: float = 8.0
    default_reviewer_limit: Decimal = Decimal("1000")
    secure_cookies: bool = True
    throttle: ThrottleRules = field(default_factory=ThrottleRules)

    @classmethod
    def from_settings(cls, settings: Settings) -> WebConfig:
        """The workspace part of ``settings``."""
        secret = settings.review_session_secret
        return cls(host=settings.review_host, port=settings.review_port,
                   session_secret=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
                   session_hours=settings.review_session_hours,
                   default_reviewer_limit=settings.review_default_limit,
                   secure_cookies=settings.review_secure_cookies,
                   throttle=ThrottleRules(login_limit=settings.review_login_max_failures,
                                          address_limit=settings.review_address_max_failures,
                                          window=timedelta(seconds=settings.review_login_window_s)))
