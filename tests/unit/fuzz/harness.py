"""Generate hostile cases with Hypothesis and run each under the capture budget; tally how they end.

Cases are generated per kind in proportion to :data:`~tests.unit.fuzz.cases.SCHEDULE`, in chunks
(so memory stays flat over a long run), from a fixed seed (the same seed gives the same cases).
Each case runs in a worker of :class:`agents.capture_pool.BudgetedPool`, the pool capture itself
uses: a case over its time or memory is counted as ``over_budget`` and its worker replaced.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from agents.capture_pool import BudgetedPool
from docket.reading.errors import CaptureBudgetExceededError
from tests.unit.fuzz import seeds
from tests.unit.fuzz.cases import SCHEDULE, Case, cases_of
from tests.unit.fuzz.targets import Outcome, run_case

CHUNK = 200


@dataclass
class FuzzReport:
    """What a run saw: outcomes by status, the codes, crashes and cases over budget, peak worker RSS."""

    cases: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    documents: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    routes: Counter[str] = field(default_factory=Counter)
    crashes: list[dict[str, str]] = field(default_factory=list)
    over_budget: list[dict[str, str]] = field(default_factory=list)
    peak_rss_kb: int = 0
    workers_replaced: int = 0
    wall_seconds: float = 0.0

    def add(self, case: Case, outcome: Outcome) -> None:
        self.cases += 1
        self.statuses[outcome.status] += 1
        self.kinds[case.kind] += 1
        self.routes[case.route] += 1
        self.peak_rss_kb = max(self.peak_rss_kb, outcome.max_rss_kb)
        if outcome.status == "coded":
            self.codes[outcome.code] += 1
        elif outcome.status == "document":
            self.documents[outcome.code] += 1
        entry = {"case": case.describe(), "code": outcome.code, "detail": outcome.detail}
        if outcome.status == "crash":
            self.crashes.append(entry)
        elif outcome.status == "over_budget":
            self.over_budget.append(entry)

    def as_dict(self) -> dict[str, object]:
        return {"cases": self.cases, "statuses": dict(self.statuses), "codes": dict(self.codes.most_common()),
                "documents": dict(self.documents.most_common()),
                "kinds": dict(self.kinds), "routes": dict(self.routes), "crashes": self.crashes,
                "over_budget": self.over_budget, "peak_worker_rss_mb": round(self.peak_rss_kb / 1024, 1),
                "workers_replaced": self.workers_replaced, "wall_seconds": round(self.wall_seconds, 1)}


def generate(kind: str, count: int, seed: int) -> list[Case]:
    """``count`` cases of ``kind``, the same ones for the same ``seed``."""
    found: list[Case] = []
    attempt = 0
    while len(found) < count and attempt < 5:
        @hypothesis_seed(seed * 1000 + attempt)
        @settings(max_examples=count - len(found), database=None, phases=[Phase.generate], deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(cases_of(kind))
        def collect(case: Case) -> None:
            found.append(case)

        collect()
        attempt += 1
    return found[:count]


def schedule(total: int) -> list[tuple[str, int]]:
    """(kind, count) per chunk of :data:`CHUNK` cases, until ``total`` cases are planned."""
    weight = sum(SCHEDULE.values())
    plan, planned = [], 0
    while planned < total:
        chunk = min(CHUNK, total - planned)
        counts = {kind: chunk * share // weight for kind, share in SCHEDULE.items()}
        for kind in list(SCHEDULE)[: chunk - sum(counts.values())]:
            counts[kind] += 1
        plan.append([(kind, n) for kind, n in counts.items() if n])
        planned += chunk
    return [item for chunk_plan in plan for item in chunk_plan]


async def _run_one(pool: BudgetedPool, case: Case, ocr: str) -> Outcome:
    try:
        return await pool.run(run_case, case, ocr)
    except CaptureBudgetExceededError as error:
        return Outcome("over_budget", error.details.get("budget", "?"), error.message)


async def run(total: int, *, seed: int = 0, ocr: str = "blank", processes: int = 1, time_limit_s: float = 30.0,
              memory_limit_bytes: int | None = 4 * 1024 ** 3,
              progress: Callable[[FuzzReport], None] | None = None) -> FuzzReport:
    """Generate and run ``total`` cases; the report of how each ended."""
    seeds.documents()  # build the seed files before Hypothesis generates anything
    report = FuzzReport()
    started = time.monotonic()
    pool = BudgetedPool(processes, time_limit_s=time_limit_s, memory_limit_bytes=memory_limit_bytes)
    try:
        for number, (kind, count) in enumerate(schedule(total)):
            batch = generate(kind, count, seed * 100_000 + number)
            outcomes = await _bounded(pool, batch, ocr, processes)
            for case, outcome in zip(batch, outcomes, strict=True):
                report.add(case, outcome)
            if progress is not None:
                progress(report)
    finally:
        report.workers_replaced = pool.replaced
        pool.shutdown(wait=True)
        report.wall_seconds = time.monotonic() - started
    return report


async def _bounded(pool: BudgetedPool, batch: list[Case], ocr: str, parallel: int) -> list[Outcome]:
    gate = asyncio.Semaphore(parallel)

    async def one(case: Case) -> Outcome:
        async with gate:
            return await _run_one(pool, case, ocr)

    return list(await asyncio.gather(*(one(case) for case in batch)))
