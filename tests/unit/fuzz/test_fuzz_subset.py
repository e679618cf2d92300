"""A fixed-seed subset of the hostile-input benchmark (``bench/fuzz.py``): every case a document or a code.

The same seed generates the same cases on every run. OCR'd pages use an engine that finds no
words (RapidOCR's models would make this run minutes long; the benchmark uses them).
"""

from __future__ import annotations

from tests.unit.fuzz.cases import KINDS
from tests.unit.fuzz.harness import run

CASES = 300


async def test_hostile_inputs_end_as_documents_or_coded_errors() -> None:
    report = await run(CASES, seed=20261204, ocr="blank", processes=1, time_limit_s=30.0,
                       memory_limit_bytes=4 * 1024 ** 3)
    assert report.cases == CASES and set(report.kinds) == set(KINDS)
    assert report.crashes == [], report.crashes[:5]
    assert report.over_budget == [], report.over_budget[:5]
    assert set(report.statuses) <= {"document", "coded"}
    assert report.statuses["document"] > 0 and report.statuses["coded"] > 0
    assert report.workers_replaced == 0
