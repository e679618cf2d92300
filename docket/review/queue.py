"""The review queue: open tasks a user may see, filtered and sorted.

Sorts: ``due`` (earliest due first; tasks without a due date last), ``amount`` (largest first;
no amount last), ``age`` (oldest first). Ties fall back to the task id so the order is stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from docket.review import errors
from docket.review.permissions import may_read_tasks
from docket.review.tasks import OPEN, Task, User

SORTS = ("due", "amount", "age")
_FAR_FUTURE = datetime.max.replace(tzinfo=None)


@dataclass(frozen=True)
class QueueFilter:
    """What the queue page asks for; empty strings mean "any"."""

    legal_entity: str = ""
    document_type: str = ""
    reason: str = ""
    assignee: str = ""
    status: str = OPEN
    text: str = ""
    sort: str = "due"

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise errors.ReviewError(f"unknown sort {self.sort!r}; one of {', '.join(SORTS)}",
                                     code="REVIEW_QUEUE_SORT_UNKNOWN")


def _matches(task: Task, wanted: QueueFilter) -> bool:
    text = wanted.text.casefold()
    return ((not wanted.status or task.status == wanted.status)
            and (not wanted.legal_entity or task.legal_entity == wanted.legal_entity)
            and (not wanted.document_type or task.document_type == wanted.document_type)
            and (not wanted.reason or wanted.reason in task.reasons)
            and (not wanted.assignee or task.assignee == wanted.assignee)
            and (not text or text in f"{task.document_id} {task.vendor or ''}".casefold()))


def _sort_key(sort: str, task: Task) -> tuple[object, ...]:
    if sort == "due":
        due = task.due_at.astimezone(UTC).replace(tzinfo=None) if task.due_at else None
        return (due is None, due or _FAR_FUTURE, task.task_id)
    if sort == "amount":
        return (task.amount is None, -(task.amount or Decimal(0)), task.task_id)
    return (task.created_at, task.task_id)


def visible_queue(tasks: Iterable[Task], user: User, wanted: QueueFilter) -> list[Task]:
    """The tasks ``user`` may see that match ``wanted``, in the order it asks for (empty for roles
    that see no tasks)."""
    if not may_read_tasks(user):
        return []
    chosen = [t for t in tasks if user.serves(t.legal_entity) and _matches(t, wanted)]
    return sorted(chosen, key=lambda task: _sort_key(wanted.sort, task))
