"""Run a call in a forked child under a CPU-time limit, so a test of "this finishes" cannot hang.

The kernel enforces the limit (``RLIMIT_CPU``: SIGXCPU, then SIGKILL), so no wall-clock
assertion is needed and a loaded machine does not make the test flaky: only CPU the call
itself burns counts.
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


class BudgetExceeded(AssertionError):
    """The call was killed because it used more CPU time than its budget."""


def _child(conn: Connection, cpu_seconds: int, memory_bytes: int | None, call: Callable[..., Any],
           args: tuple[Any, ...]) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    if memory_bytes is not None:
        # On top of what the forked child already maps (a test process that loaded OCR models maps
        # gigabytes): the call itself may map ``memory_bytes`` more, whatever ran before it.
        limit = _mapped_bytes() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        conn.send(("ok", call(*args)))
    except BaseException as error:  # handed back to the parent, which raises it
        conn.send(("raised", error))
    finally:
        conn.close()


def _mapped_bytes() -> int:
    """This process's address space now (the first field of /proc/self/statm, in pages)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def within_cpu_budget(call: Callable[..., Any], *args: Any, cpu_seconds: int = 20,
                      memory_bytes: int | None = None) -> Any:
    """``call(*args)`` run in a forked child limited to ``cpu_seconds`` of CPU (and ``memory_bytes`` of
    address space beyond what the child maps when it starts, if given): its result, or what it raised
    (re-raised here); BudgetExceeded when the kernel stopped it."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, cpu_seconds, memory_bytes, call, args))
    process.start()
    child.close()
    try:
        outcome, value = parent.recv()
    except EOFError:
        process.join()
        raise BudgetExceeded(f"{getattr(call, '__name__', call)} used more than {cpu_seconds} CPU-s "
                             f"(exit code {process.exitcode})") from None
    process.join()
    if outcome == "raised":
        raise value
    return value
