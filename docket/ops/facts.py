"""From audit rows to one record of facts per document, the input of every figure.

The audit store keeps each event with its stage and a small ``summary`` (docket/audit/stages.py);
:func:`document_facts` folds one document's events, in any order, into :class:`DocumentFacts`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

POSTED_STATUSES = frozenset({"posted", "already_posted"})
_TOUCH_STAGES = frozenset({"review_requested", "reviewed"})
_TERMINAL_ROUTES = frozenset({"reject", "duplicate"})


@dataclass(frozen=True)
class DocumentRow:
    """The audit store's document row, as far as the figures need it."""

    document_id: str
    legal_entity: str
    first_seen: datetime
    current_state: str


@dataclass(frozen=True)
class EventRow:
    """One recorded event: its document, stage, instant (timezone-aware) and summary."""

    document_id: str
    stage: str
    occurred_at: datetime
    summary: Mapping[str, Any]


@dataclass(frozen=True)
class Review:
    """A completed review: when, how many fields the reviewer was shown (None if the request is
    unknown), how many distinct fields they corrected, and opened → decided in seconds."""

    at: datetime
    decision: str
    fields_shown: int | None
    corrected: int
    touch_seconds: float | None


@dataclass(frozen=True)
class PostingAnswer:
    """One posting result: target, idempotency key, status, error code, instant."""

    at: datetime
    target: str
    idempotency_key: str
    status: str
    error_code: str | None


@dataclass
class DocumentFacts:
    """What happened to one document, as the dashboard counts it.

    ``first_route`` is the first routing decision (later ones follow a review). ``posted_at`` is
    the first posting result ``posted`` or ``already_posted``. ``touched`` is True when a person
    was involved (a review was requested or completed). ``outcome`` is where the document ended:
    ``posted``, ``rejected`` or ``duplicate`` (None while in flight), at ``outcome_at``.
    """

    document_id: str
    legal_entity: str
    first_seen: datetime
    document_type: str | None = None
    first_route: tuple[datetime, str] | None = None
    posted_at: datetime | None = None
    touched: bool = False
    reviews: list[Review] = field(default_factory=list)
    duplicate_flagged_at: datetime | None = None
    outcome: str | None = None
    outcome_at: datetime | None = None
    postings_requested: dict[str, datetime] = field(default_factory=dict)
    answers: list[PostingAnswer] = field(default_factory=list)
    cash_applications: list[tuple[datetime, Mapping[str, Any]]] = field(default_factory=list)
    payment_dates: dict[str, date] = field(default_factory=dict)

    @property
    def newly_posted(self) -> bool:
        """True when a target created the ERP document (``posted``, not ``already_posted``)."""
        return any(answer.status == "posted" for answer in self.answers)


def document_facts(documents: Iterable[DocumentRow], events: Iterable[EventRow]) -> list[DocumentFacts]:
    """One :class:`DocumentFacts` per document row, from its events (events of other documents
    are ignored); ordered by ``first_seen`` then id."""
    by_document: dict[str, list[EventRow]] = defaultdict(list)
    for row in events:
        by_document[row.document_id].append(row)
    facts = [_fold(document, sorted(by_document.get(document.document_id, []), key=lambda e: e.occurred_at))
             for document in documents]
    return sorted(facts, key=lambda f: (f.first_seen, f.document_id))


def _fold(document: DocumentRow, events: list[EventRow]) -> DocumentFacts:
    facts = DocumentFacts(document.document_id, document.legal_entity, document.first_seen)
    fields_by_task: dict[str, int] = {
        str(e.summary.get("task_id")): int(e.summary["fields"])
        for e in events if e.stage == "review_requested" and e.summary.get("fields") is not None}
    terminal: list[tuple[datetime, str]] = []
    for event in events:
        summary = event.summary
        facts.document_type = summary.get("document_type") or facts.document_type
        facts.touched = facts.touched or event.stage in _TOUCH_STAGES
        if event.stage == "received" and summary.get("duplicate_of"):
            _flag_duplicate(facts, event.occurred_at)
        elif event.stage == "routed":
            _routed(facts, event, terminal)
        elif event.stage == "reviewed":
            _reviewed(facts, event, fields_by_task.get(str(summary.get("task_id"))), terminal)
        elif event.stage == "posting_requested" and summary.get("idempotency_key"):
            facts.postings_requested.setdefault(str(summary["idempotency_key"]), event.occurred_at)
        elif event.stage == "posted" or (event.stage.startswith("posting_") and "status" in summary):
            _answer(facts, event, terminal)
        elif event.stage == "rejected":
            terminal.append((event.occurred_at, "rejected"))
        elif event.stage == "payment_received" and summary.get("value_date"):
            facts.payment_dates[str(summary["payment_id"])] = date.fromisoformat(str(summary["value_date"]))
        elif event.stage == "cash_applied":
            facts.cash_applications.append((event.occurred_at, summary))
    if facts.posted_at is not None:
        facts.outcome, facts.outcome_at = "posted", facts.posted_at
    elif terminal:
        facts.outcome_at, facts.outcome = min(terminal)
    return facts


def _flag_duplicate(facts: DocumentFacts, at: datetime) -> None:
    if facts.duplicate_flagged_at is None or at < facts.duplicate_flagged_at:
        facts.duplicate_flagged_at = at


def _routed(facts: DocumentFacts, event: EventRow, terminal: list[tuple[datetime, str]]) -> None:
    route = str(event.summary.get("route"))
    if facts.first_route is None:
        facts.first_route = (event.occurred_at, route)
    if route == "duplicate":
        _flag_duplicate(facts, event.occurred_at)
    if route in _TERMINAL_ROUTES:
        terminal.append((event.occurred_at, "duplicate" if route == "duplicate" else "rejected"))


def _reviewed(facts: DocumentFacts, event: EventRow, fields_shown: int | None,
              terminal: list[tuple[datetime, str]]) -> None:
    summary = event.summary
    decision = str(summary.get("decision"))
    opened, decided = summary.get("opened_at"), summary.get("decided_at")
    touch = None
    if opened and decided:
        touch = (datetime.fromisoformat(str(decided)) - datetime.fromisoformat(str(opened))).total_seconds()
    corrected = len(set(summary.get("corrected") or []))
    facts.reviews.append(Review(at=event.occurred_at, decision=decision, fields_shown=fields_shown,
                                corrected=corrected, touch_seconds=touch))
    if decision == "duplicate":
        _flag_duplicate(facts, event.occurred_at)
    if decision in _TERMINAL_ROUTES:
        terminal.append((event.occurred_at, "duplicate" if decision == "duplicate" else "rejected"))


def _answer(facts: DocumentFacts, event: EventRow, terminal: list[tuple[datetime, str]]) -> None:
    summary = event.summary
    status = str(summary.get("status"))
    facts.answers.append(PostingAnswer(at=event.occurred_at, target=str(summary.get("target")),
                                       idempotency_key=str(summary.get("idempotency_key")), status=status,
                                       error_code=summary.get("error_code")))
    if status in POSTED_STATUSES and facts.posted_at is None:
        facts.posted_at = event.occurred_at
    elif status in ("failed", "rejected"):
        terminal.append((event.occurred_at, "rejected"))
