"""Jobs for the capture budget tests: importable by name, as a spawned worker process needs."""

from __future__ import annotations

import os
from typing import Any

from docket.capture import CapturedDocument, capture_document


def spin() -> None:
    """Burns CPU forever: what a backtracking pattern or a decompression loop does."""
    while True:
        pass


def allocate(megabytes: int) -> int:
    """Holds ``megabytes`` of memory (touched, so the pages are real)."""
    block = bytearray(megabytes * 1024 * 1024)
    block[::4096] = b"\x01" * len(block[::4096])
    return len(block)


def die() -> None:
    """The worker process ends without a word, as when the kernel's OOM killer picks it."""
    os._exit(9)


def worker_pid() -> int:
    return os.getpid()


def capture_or_spin(data: bytes, filename: str, media_type: str | None = None,
                    **options: Any) -> list[CapturedDocument]:
    """The real capture, except for bytes starting ``SPIN``, which never finish."""
    if data.startswith(b"SPIN"):
        spin()
    return capture_document(data, filename, media_type, **options)


_WARMED = False


def mark_warm() -> None:
    """A pool's warm-up: remembers in this process that it ran."""
    global _WARMED
    _WARMED = True


def was_warmed() -> tuple[int, bool]:
    """This process's pid and whether its warm-up ran before this job."""
    return os.getpid(), _WARMED


def slow_was_warmed() -> tuple[int, bool]:
    """:func:`was_warmed`, holding its process a moment so concurrent jobs go to other processes."""
    import time

    time.sleep(0.5)
    return was_warmed()
