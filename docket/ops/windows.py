"""Dashboard windows written the way people type them: ``90m``, ``24h``, ``7d``, ``4w``."""

from __future__ import annotations

import re
from datetime import timedelta

from docket.ops.dashboard import OpsInputError

_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_PATTERN = re.compile(r"^\s*(\d{1,4})\s*([mhdw])\s*$", re.IGNORECASE)
MAX_WINDOW = timedelta(days=366)


def parse_window(text: str) -> timedelta:
    """``<number><m|h|d|w>`` as a timedelta (at most :data:`MAX_WINDOW`); raises
    :class:`~docket.ops.dashboard.OpsInputError` for anything else."""
    match = _PATTERN.match(text or "")
    if match is None:
        raise OpsInputError(f"window {text!r} is not <number><m|h|d|w>, e.g. 24h or 7d")
    value = int(match.group(1)) * _UNITS[match.group(2).lower()]
    if value <= timedelta(0) or value > MAX_WINDOW:
        raise OpsInputError(f"window {text!r} must be between 1 minute and {MAX_WINDOW.days} days")
    return value


def default_bucket(window: timedelta) -> timedelta:
    """A bucket size giving 12 to 48 buckets for common windows: 5 min up to 2 h, hourly up to
    2 days, 6-hourly up to 10 days, daily up to 60 days, weekly beyond."""
    for limit, size in ((timedelta(hours=2), timedelta(minutes=5)), (timedelta(days=2), timedelta(hours=1)),
                        (timedelta(days=10), timedelta(hours=6)), (timedelta(days=60), timedelta(days=1))):
        if window <= limit:
            return size
    return timedelta(weeks=1)
