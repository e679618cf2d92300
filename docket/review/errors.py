"""The review workspace's failures, each with a stable code (part of the public contract: only add)."""

from __future__ import annotations

from docket.errors import DocketError


class ReviewError(DocketError):
    """A review action was refused or could not be carried out."""

    code = "REVIEW_FAILED"


def stale(task_id: str, seen: int, current: int) -> ReviewError:
    return ReviewError(f"task {task_id} changed since it was opened (version {seen}, now {current})",
                       code="REVIEW_TASK_STALE", details={"task_id": task_id, "seen": str(seen),
                                                          "current": str(current)})


def closed(task_id: str, status: str) -> ReviewError:
    return ReviewError(f"task {task_id} is already {status}", code="REVIEW_TASK_CLOSED",
                       details={"task_id": task_id, "status": status})


def not_permitted(login: str, action: str) -> ReviewError:
    return ReviewError(f"{login} may not {action}", code="REVIEW_NOT_PERMITTED",
                       details={"login": login, "action": action})


def above_limit(login: str, amount: str, limit: str) -> ReviewError:
    return ReviewError(f"{login} may approve up to {limit}; this task is {amount}: an approver must decide",
                       code="REVIEW_ABOVE_LIMIT", details={"login": login, "amount": amount, "limit": limit})


def not_found(task_id: str) -> ReviewError:
    return ReviewError(f"no review task {task_id}", code="REVIEW_TASK_NOT_FOUND", details={"task_id": task_id})
