"""Who may do what in the review workspace.

* reviewer: sees and decides tasks of their own legal entities, approves up to their limit;
* approver: like a reviewer, and approves above reviewers' limits (up to their own, if set);
* administrator: manages users and tokens; sees no tasks;
* auditor: reads tasks and the trail of every entity they serve; decides nothing.

Every check raises :class:`~docket.review.errors.ReviewError` (``REVIEW_NOT_PERMITTED`` or
``REVIEW_ABOVE_LIMIT``) rather than answering False, so no caller can forget to look.
"""

from __future__ import annotations

from decimal import Decimal

from docket.review import errors
from docket.review.tasks import ADMINISTRATOR, APPROVER, AUDITOR, REVIEWER, Task, User

DECIDERS = frozenset({REVIEWER, APPROVER})
READERS = frozenset({REVIEWER, APPROVER, AUDITOR})


def may_read_tasks(user: User) -> bool:
    return user.role in READERS


def may_decide(user: User) -> bool:
    return user.role in DECIDERS


def may_manage_users(user: User) -> bool:
    return user.role == ADMINISTRATOR


def check_view(user: User, task: Task) -> None:
    """Raises REVIEW_NOT_PERMITTED unless ``user`` may see ``task``."""
    if user.role not in READERS or not user.serves(task.legal_entity):
        raise errors.not_permitted(user.login, f"see task {task.task_id}")


def check_act(user: User, task: Task) -> None:
    """Raises REVIEW_NOT_PERMITTED unless ``user`` may change ``task`` (assign, reject, duplicate)."""
    check_view(user, task)
    if user.role not in DECIDERS:
        raise errors.not_permitted(user.login, f"change task {task.task_id}")


def check_approve(user: User, task: Task, amount: Decimal | None) -> None:
    """Raises unless ``user`` may approve ``task`` for ``amount`` (the total after corrections).

    A reviewer's limit defaults to zero when unset: reviewers without a configured limit only
    approve documents without an amount. An approver's unset limit means no limit.
    """
    check_act(user, task)
    if amount is None:
        return
    limit = user.approval_limit
    if limit is None:
        if user.role == APPROVER:
            return
        limit = Decimal(0)
    if abs(amount) > limit:
        raise errors.above_limit(user.login, f"{amount}", f"{limit}")


def check_manage_users(user: User) -> None:
    if not may_manage_users(user):
        raise errors.not_permitted(user.login, "manage users")


def reviewer_limit(role: str, configured: Decimal | None, default_reviewer_limit: Decimal) -> Decimal | None:
    """The limit a new user gets: the configured one, else the default for reviewers, none for others."""
    if configured is not None:
        return configured
    return default_reviewer_limit if role == REVIEWER else None
