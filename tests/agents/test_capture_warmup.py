"""A capture process starts warm: it reads two tiny documents before its first real one."""

from __future__ import annotations

import asyncio

import pytest
import structlog

from agents import capture_warmup
from agents.capture_pool import BudgetedPool
from docket.capture import capture_document
from tests.agents import budget_targets


def test_the_warm_up_pdf_is_read_from_its_text_layer_with_its_fields() -> None:
    captured, = capture_document(capture_warmup.text_layer_pdf(), "warm-up.pdf", "application/pdf")

    values = {field.name: field.value for field in captured.fields}
    assert captured.reading == "text_layer"
    assert (values["invoice_number"], values["invoice_date"], values["total"]) == ("1001", "2026-01-05", "10.00")


def test_the_warm_up_image_is_a_png_of_printed_words() -> None:
    image = capture_warmup.printed_image(("TOTAL 10.00",))

    assert image.startswith(b"\x89PNG\r\n\x1a\n") and len(image) > 500


def test_a_failing_warm_up_is_logged_and_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("models missing")

    monkeypatch.setattr(capture_warmup, "capture_document", broken)
    with structlog.testing.capture_logs() as logs:
        capture_warmup.warm_up_capture()

    assert [entry["event"] for entry in logs] == ["capture_warm_up_failed", "capture_warm_up_failed"]
    assert "models missing" in logs[0]["error"]


async def test_every_process_of_a_started_pool_ran_its_warm_up_before_its_first_job() -> None:
    pool = BudgetedPool(2, time_limit_s=60.0, memory_limit_bytes=None, warm_up=budget_targets.mark_warm)
    cold = BudgetedPool(1, time_limit_s=60.0, memory_limit_bytes=None)
    try:
        await pool.start()
        answers = await asyncio.gather(*(pool.run(budget_targets.slow_was_warmed) for _ in range(4)))
        cold_answer = await cold.run(budget_targets.was_warmed)
    finally:
        pool.shutdown()
        cold.shutdown()

    assert len({pid for pid, _ in answers}) == 2  # both processes took jobs
    assert all(warmed for _, warmed in answers)
    assert cold_answer[1] is False
