"""Queue filtering and sorting."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from docket.review.errors import ReviewError
from docket.review.queue import QueueFilter, visible_queue
from docket.review.tasks import ADMINISTRATOR, User
from tests.unit.review.builders import T0, anna, otto, rita, task

TASKS = [
    task("a:0", amount=Decimal("50"), due_at=T0 + timedelta(days=5), created_at=T0 + timedelta(hours=1)),
    task("b:0", amount=Decimal("900"), due_at=T0 + timedelta(days=1), created_at=T0 + timedelta(hours=3),
         reasons=("FIRST_INVOICE_FROM_VENDOR",), vendor="Acme Ltd"),
    task("c:0", amount=None, due_at=None, created_at=T0, document_type="credit_note"),
    task("d:0", legal_entity="FR01", amount=Decimal("10"), due_at=T0),
    task("e:0", status="approved", amount=Decimal("1")),
]


def _ids(tasks: list) -> list[str]:  # type: ignore[type-arg]
    return [t.task_id for t in tasks]


def test_sorted_by_due_date_with_undated_tasks_last() -> None:
    assert _ids(visible_queue(TASKS, rita, QueueFilter(sort="due"))) == ["b:0", "a:0", "c:0"]


def test_sorted_by_amount_largest_first_and_by_age_oldest_first() -> None:
    assert _ids(visible_queue(TASKS, anna, QueueFilter(sort="amount"))) == ["b:0", "a:0", "d:0", "c:0"]
    assert _ids(visible_queue(TASKS, anna, QueueFilter(sort="age"))) == ["c:0", "d:0", "a:0", "b:0"]


def test_filters_combine() -> None:
    assert _ids(visible_queue(TASKS, anna, QueueFilter(legal_entity="FR01"))) == ["d:0"]
    assert _ids(visible_queue(TASKS, anna, QueueFilter(document_type="credit_note"))) == ["c:0"]
    assert _ids(visible_queue(TASKS, anna, QueueFilter(reason="FIRST_INVOICE_FROM_VENDOR"))) == ["b:0"]
    assert _ids(visible_queue(TASKS, anna, QueueFilter(text="acme"))) == ["b:0"]
    assert _ids(visible_queue(TASKS, anna, QueueFilter(status="approved"))) == ["e:0"]


def test_each_user_sees_only_their_entities_and_administrators_none() -> None:
    assert "d:0" not in _ids(visible_queue(TASKS, rita, QueueFilter()))
    assert "d:0" in _ids(visible_queue(TASKS, otto, QueueFilter()))
    assert visible_queue(TASKS, User("ada", ADMINISTRATOR, frozenset({"*"})), QueueFilter()) == []


def test_an_unknown_sort_is_refused() -> None:
    with pytest.raises(ReviewError) as caught:
        QueueFilter(sort="colour")
    assert caught.value.code == "REVIEW_QUEUE_SORT_UNKNOWN"
