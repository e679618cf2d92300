"""Capture under a budget: a process pool whose every job is bounded in wall time and memory.

Each document gets at most ``time_limit_s`` seconds (counted from submission to a warm pool) and
``memory_limit_bytes`` of address space (``RLIMIT_AS``, set in each worker process by the pool's
initializer). A job over its time is answered with ``CAPTURE_BUDGET_EXCEEDED`` at once; its worker
processes are killed and a fresh pool takes the next jobs, so a runaway document never keeps a
core. A job that runs out of memory raises ``MemoryError`` in its worker (the same code), or kills
the worker outright; a job whose pool broke under it is run once more on the fresh pool (it may
have been another job that broke it), and rejected when it breaks that one too.

A pool may be given a ``warm_up`` call that each worker process runs once when it starts, after
its memory cap and before its first job (the worker's imports and models, see
:mod:`agents.capture_warmup`); :meth:`BudgetedPool.start` starts every process of the pool so
none of them is cold when documents arrive. Warm-up time is start time, not a job's time.
"""

from __future__ import annotations

import asyncio
import resource
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any, TypeVar

import structlog

from docket.reading.errors import CaptureBudgetExceededError

log = structlog.get_logger(__name__)
Result = TypeVar("Result")
WARM_UP_TIMEOUT_S = 120.0


def limit_memory(limit_bytes: int | None) -> None:
    """Cap this worker process's address space (None: no cap)."""
    if limit_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def start_worker_process(limit_bytes: int | None, warm_up: Callable[[], None] | None) -> None:
    """Pool initializer: the memory cap, then the warm-up (which must not raise: an initializer
    that raises breaks the whole pool)."""
    limit_memory(limit_bytes)
    if warm_up is not None:
        warm_up()


def _ready() -> bool:
    return True


class BudgetedPool:
    """``processes`` spawn-based workers; :meth:`run` is a job under the budget (see the module doc)."""

    def __init__(self, processes: int, *, time_limit_s: float, memory_limit_bytes: int | None,
                 warm_up: Callable[[], None] | None = None) -> None:
        self.processes = max(1, processes)
        self.time_limit_s = time_limit_s
        self.memory_limit_bytes = memory_limit_bytes
        self.warm_up = warm_up
        self._executor: ProcessPoolExecutor | None = None
        self._warm: list[Future[bool]] = []
        self.replaced = 0  # pools killed and replaced so far (for metrics and tests)

    async def run(self, call: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
        """``call(*args, **kwargs)`` in a worker; CaptureBudgetExceededError over time or memory."""
        for attempt in (1, 2):
            executor = await self._warm_executor()
            future = asyncio.wrap_future(executor.submit(call, *args, **kwargs))
            try:
                return await asyncio.wait_for(future, self.time_limit_s)
            except TimeoutError:
                self._replace(executor, reason="time")
                raise CaptureBudgetExceededError(
                    f"capture took longer than its budget of {self.time_limit_s:g} s",
                    details={"budget": "time", "limit_s": f"{self.time_limit_s:g}"}) from None
            except MemoryError:
                raise CaptureBudgetExceededError(
                    "capture needed more memory than its budget",
                    details={"budget": "memory", "limit_bytes": str(self.memory_limit_bytes)}) from None
            except BrokenProcessPool:
                self._replace(executor, reason="broken")
                if attempt == 2:
                    raise CaptureBudgetExceededError(
                        "the capture process died twice on this document (out of memory or a crash)",
                        details={"budget": "memory", "limit_bytes": str(self.memory_limit_bytes)}) from None
        raise AssertionError("unreachable")

    async def start(self) -> None:
        """Start the pool's processes and wait until each has warmed up (a worker calls this at start)."""
        await self._warm_executor()

    def shutdown(self, *, wait: bool = False) -> None:
        """Stop the workers (``wait``: until they exited, so their CPU time is accounted to this process)."""
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None

    async def _warm_executor(self) -> ProcessPoolExecutor:
        """The current pool, once its workers have started (spawning is not the job's time)."""
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=self.processes, mp_context=get_context("spawn"),
                                                 initializer=start_worker_process,
                                                 initargs=(self.memory_limit_bytes, self.warm_up))
            # One trivial job per process: processes are spawned as jobs wait, so all of them start now.
            self._warm = [self._executor.submit(_ready) for _ in range(self.processes)]
        executor, warm = self._executor, self._warm
        try:
            await asyncio.wait_for(asyncio.shield(asyncio.gather(*map(asyncio.wrap_future, warm))),
                                   WARM_UP_TIMEOUT_S)
        except BrokenProcessPool:
            self._replace(executor, reason="broken at start")
            raise
        return executor

    def _replace(self, executor: ProcessPoolExecutor, *, reason: str) -> None:
        """Kill ``executor``'s workers (if it is still the current pool) so the next job gets a fresh one."""
        if executor is not self._executor:
            return  # another job replaced it already
        log.warning("capture_pool_replaced", reason=reason)
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        self._executor, self._warm = None, []
        self.replaced += 1


class InlineRunner:
    """The same interface on one thread (``capture_processes = 0``: tests, debugging). The time
    budget is reported but cannot stop the thread; memory is not bounded."""

    def __init__(self, executor: Executor, *, time_limit_s: float, warm_up: Callable[[], None] | None = None) -> None:
        self.executor = executor
        self.time_limit_s = time_limit_s
        self.warm_up = warm_up

    async def start(self) -> None:
        """Run the warm-up on the capture thread (nothing without one)."""
        if self.warm_up is not None:
            await asyncio.get_running_loop().run_in_executor(self.executor, self.warm_up)

    async def run(self, call: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, lambda: call(*args, **kwargs))
        try:
            return await asyncio.wait_for(future, self.time_limit_s)
        except TimeoutError:
            raise CaptureBudgetExceededError(
                f"capture took longer than its budget of {self.time_limit_s:g} s",
                details={"budget": "time", "limit_s": f"{self.time_limit_s:g}"}) from None
        except MemoryError:
            raise CaptureBudgetExceededError("capture needed more memory than the process has",
                                             details={"budget": "memory"}) from None

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False)
