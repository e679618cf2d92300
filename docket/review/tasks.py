"""Review tasks and users as the workspace holds them, and the task built from a ``ReviewRequested``.

A task's ``version`` starts at 1 and grows by one with every change (assignment, decision):
a person acts on the version they saw, so two people can never both decide the same task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from docket.model import ReviewRequested

OPEN = "open"
APPROVED = "approved"
REJECTED = "rejected"
DUPLICATE = "duplicate"
SUPERSEDED = "superseded"
STATUSES = (OPEN, APPROVED, REJECTED, DUPLICATE, SUPERSEDED)
STATUS_OF_DECISION = {"approve": APPROVED, "reject": REJECTED, "duplicate": DUPLICATE}

REVIEWER = "reviewer"
APPROVER = "approver"
ADMINISTRATOR = "administrator"
AUDITOR = "auditor"
ROLES = (REVIEWER, APPROVER, ADMINISTRATOR, AUDITOR)


@dataclass(frozen=True)
class User:
    """A person who logs in. ``entities`` are the legal entities they work for (``*``: all);
    ``approval_limit`` the largest amount they may approve (None: no limit)."""

    login: str
    role: str
    entities: frozenset[str] = frozenset()
    approval_limit: Decimal | None = None
    display_name: str = ""

    def serves(self, legal_entity: str) -> bool:
        """Whether this user works for ``legal_entity``."""
        return "*" in self.entities or legal_entity in self.entities


@dataclass(frozen=True)
class Task:
    """One review task: what the queue lists and the task page decides.

    ``reasons`` are the route reason codes; ``amount`` is the document total (None when the
    document has none). ``opened_at`` is when a person first opened it (touch time starts there).
    """

    task_id: str
    document_id: str
    legal_entity: str
    document_type: str
    created_at: datetime
    status: str = OPEN
    version: int = 1
    vendor: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    due_at: datetime | None = None
    reasons: tuple[str, ...] = ()
    assignee: str | None = None
    opened_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    request_event_id: str = ""

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


def task_from_request(request: ReviewRequested) -> Task:
    """The open task a ``ReviewRequested`` describes (vendor: the resolved name, else the printed one)."""
    document = request.document
    record = document.record
    vendor = (document.vendor.name if document.vendor and document.vendor.name else None) or record.supplier_name
    return Task(task_id=request.task_id, document_id=request.envelope.document_id,
                legal_entity=request.envelope.legal_entity, document_type=record.document_type,
                created_at=request.envelope.occurred_at, vendor=vendor, amount=record.total,
                currency=record.currency, due_at=request.due_at,
                reasons=tuple(reason.code for reason in request.reasons),
                request_event_id=request.envelope.event_id)
