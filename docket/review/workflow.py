"""The task state machine with optimistic locking, and the ``ReviewCompleted`` a decision publishes.

A task is decided once: ``open`` → ``approved`` / ``rejected`` / ``duplicate`` (or ``superseded``
when a newer task of the same document arrives). Every change names the version its author saw;
a different current version raises ``REVIEW_TASK_STALE``, a closed task ``REVIEW_TASK_CLOSED``.
The store repeats the version check in its UPDATE, so the check holds across processes too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from docket.model import BBox, FieldCorrection, InvoiceRecord, ReviewCompleted, ReviewRequested
from docket.review import errors
from docket.review.masking import is_protected, mask, may_unmask
from docket.review.permissions import check_act, check_approve
from docket.review.tasks import STATUS_OF_DECISION, Task, User

PRODUCER = "docket.review/0.1.0"
CORRECTABLE_FIELDS = tuple(name for name, info in InvoiceRecord.model_fields.items()
                           if name != "document_type" and "list" not in str(info.annotation))


def _check_current(task: Task, seen_version: int) -> None:
    if not task.is_open:
        raise errors.closed(task.task_id, task.status)
    if task.version != seen_version:
        raise errors.stale(task.task_id, seen_version, task.version)


def corrected_amount(task: Task, corrections: list[FieldCorrection]) -> Decimal | None:
    """The total the decision approves: a corrected ``total`` if there is one, else the task's."""
    for correction in corrections:
        if correction.field == "total" and correction.new_value:
            try:
                return Decimal(correction.new_value)
            except InvalidOperation as error:
                raise errors.ReviewError(f"total {correction.new_value!r} is not an amount",
                                         code="REVIEW_CORRECTION_INVALID") from error
    return task.amount


def decide(task: Task, *, decision: str, seen_version: int, user: User, now: datetime,
           corrections: list[FieldCorrection] | None = None) -> Task:
    """``task`` closed by ``user``'s ``decision`` (``approve``, ``reject``, ``duplicate``), one version on.

    Raises REVIEW_TASK_CLOSED, REVIEW_TASK_STALE, REVIEW_NOT_PERMITTED, REVIEW_ABOVE_LIMIT (approval
    of an amount above the user's limit) or REVIEW_DECISION_UNKNOWN.
    """
    if decision not in STATUS_OF_DECISION:
        raise errors.ReviewError(f"unknown decision {decision!r}", code="REVIEW_DECISION_UNKNOWN")
    _check_current(task, seen_version)
    if decision == "approve":
        check_approve(user, task, corrected_amount(task, corrections or []))
    else:
        check_act(user, task)
    return replace(task, status=STATUS_OF_DECISION[decision], version=task.version + 1, decided_at=now,
                   decided_by=user.login)


def assign(task: Task, *, assignee: str | None, seen_version: int, user: User) -> Task:
    """``task`` assigned to ``assignee`` (None: nobody), one version on; same errors as :func:`decide`."""
    _check_current(task, seen_version)
    check_act(user, task)
    return replace(task, assignee=assignee or None, version=task.version + 1)


def record_values(record: InvoiceRecord) -> dict[str, str | None]:
    """The correctable fields of ``record`` as the form shows them (ISO dates, plain decimals)."""
    dumped = record.model_dump(mode="json")
    return {name: _shown(getattr(record, name), dumped.get(name)) for name in CORRECTABLE_FIELDS}


def _shown(value: object, dumped: object) -> str | None:
    """Amounts with their meaningful places only (``119.00``, not the wire's ``119.0000``)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        cents = value.quantize(Decimal("0.01"))
        return f"{cents}" if cents == value else f"{value.normalize():f}"
    return str(dumped)


def _same(old: str | None, new: str | None) -> bool:
    if (old or "") == (new or ""):
        return True
    try:  # 120 and 120.00 are the same amount
        return old is not None and new is not None and Decimal(old) == Decimal(new)
    except InvalidOperation:
        return False


def corrections_from_form(current: Mapping[str, str | None], form: Mapping[str, str], user: User,
                          boxes: Mapping[str, BBox] | None = None) -> list[FieldCorrection]:
    """What the reviewer changed: one correction per correctable field whose submitted value differs.

    A protected field is taken only from a user who may unmask and only when they submitted a
    clear value (a masked value sent back unchanged is not a correction). ``boxes`` holds the
    box a field was filled from, when the reviewer clicked one.
    """
    found: list[FieldCorrection] = []
    for name in CORRECTABLE_FIELDS:
        if name not in form:
            continue
        old, new = current.get(name), form[name].strip()
        if is_protected(name) and (not may_unmask(user) or (old is not None and new == mask(old))):
            continue
        if _same(old, new):
            continue
        found.append(FieldCorrection(field=name, old_value=old, new_value=new or None,
                                     bbox=(boxes or {}).get(name)))
    return found


def completion(task: Task, request: ReviewRequested, *, decision: str, user: User, seen_version: int,
               now: datetime, corrections: list[FieldCorrection] | None = None, reason: str | None = None,
               duplicate_of: str | None = None, vendor_id: str | None = None) -> ReviewCompleted:
    """The ``reviews.completed`` event of a decision on ``task``.

    Its event id derives from the request, the task and the version decided on: a decision sent
    twice (a double click, a retried publish) is the same event, so downstream effects stay single.
    """
    if decision == "reject" and not (reason or "").strip():
        raise errors.ReviewError("a rejection needs a reason", code="REVIEW_REASON_REQUIRED")
    if decision == "duplicate" and not (duplicate_of or "").strip():
        raise errors.ReviewError("name the document this one duplicates", code="REVIEW_DUPLICATE_OF_REQUIRED")
    envelope = request.envelope.follow(producer=PRODUCER, now=now, part=f"decision:{task.task_id}:{seen_version}")
    return ReviewCompleted(envelope=envelope, task_id=task.task_id, task_version=seen_version, reviewer=user.login,
                           decision=decision, reason=reason or None, duplicate_of=duplicate_of or None,
                           vendor_id=vendor_id or None, corrections=list(corrections or []),
                           opened_at=task.opened_at, decided_at=now)


def check_corrections(record: InvoiceRecord, corrections: list[FieldCorrection]) -> None:
    """Raises REVIEW_CORRECTION_INVALID when the corrected record would not validate (a date that is
    no date, an amount that is no amount, a currency that is no ISO code) — before anything is sent."""
    updates = {c.field: c.new_value for c in corrections}
    try:
        InvoiceRecord.model_validate({**record.model_dump(), **updates})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise errors.ReviewError(f"{where}: {first['msg']}", code="REVIEW_CORRECTION_INVALID",
                                 details={"field": where}) from error


PAYMENT_FIELDS = ("open_item_ids", "customer_id")


def payment_corrections(request: ReviewRequested, form: Mapping[str, str]) -> list[FieldCorrection]:
    """What a reviewer chose on a payment task: the open items to settle (a candidate picked or ids
    typed) and the paying customer, each only when it differs from the proposal.

    ``open_item_ids_other`` (ids typed by hand) wins over ``open_item_ids`` (a candidate picked).
    Payment tasks (``request.cash_application`` set) take only these two corrections; the cash
    application stage refuses any other.
    """
    application = request.cash_application
    proposed_items = ", ".join(application.candidates[0].open_item_ids) if application and application.candidates \
        else ""
    proposed = {"open_item_ids": proposed_items, "customer_id": (application.customer_id if application else None)}
    found = []
    for name in PAYMENT_FIELDS:
        typed = form.get(f"{name}_other", "").strip()  # typed ids win over a picked candidate
        value = " ".join((typed or form.get(name, "")).replace(",", " ").split())
        old = proposed[name] or None
        if value and value.replace(" ", "") != (old or "").replace(",", "").replace(" ", ""):
            found.append(FieldCorrection(field=name, old_value=old, new_value=value.replace(" ", ", ")
                                         if name == "open_item_ids" else value))
    return found
