"""Routing decisions and the human review loop."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import Field

from docket.model.common import BBox, Event, Model
from docket.model.enrichment import DocumentEnriched
from docket.model.payments import CashApplication


class RouteReason(Model):
    """Why a document went where it went: ``code`` is stable (``LOW_CONFIDENCE``,
    ``FIRST_INVOICE_FROM_VENDOR``, ``BANK_DETAILS_CHANGED``, ``DUPLICATE`` ...)."""

    code: str
    message: str
    fields: list[str] = Field(default_factory=list)


class DocumentRouted(Event):
    """Every routing decision (``documents.routed``): ``route`` is ``post``, ``review``,
    ``reject`` or ``duplicate``. STP and exception rates are computed from this topic."""

    SUBJECT: ClassVar[str] = "documents.routed"
    route: str
    reasons: list[RouteReason] = Field(default_factory=list)
    policy_version: str
    document_type: str
    total: str | None = None
    currency: str | None = None


class CustomerMail(Model):
    """A customer's mail a review task was made from: who wrote, what, what it was read as
    (``intent`` ``dispute``, ``deduction_claim``, ``promise_to_pay`` ...), and the open items it names."""

    sender: str | None = None
    subject: str = ""
    body: str = ""
    intent: str
    probability: float = Field(ge=0.0, le=1.0)
    open_item_ids: list[str] = Field(default_factory=list)
    invoice_numbers: list[str] = Field(default_factory=list)
    amounts: list[str] = Field(default_factory=list)
    promised_date: date | None = None


class ReviewRequested(Event):
    """A task for a person (``reviews.requested``), with the document state it was made from.

    For a payment the cash application stage could not apply with confidence, ``cash_application``
    holds its proposal and ranked candidates (``document`` then describes the payment itself); for a
    customer's mail (a dispute, a deduction claim, a broken promise) ``customer_mail`` holds the mail."""

    SUBJECT: ClassVar[str] = "reviews.requested"
    task_id: str
    reasons: list[RouteReason]
    due_at: datetime | None = None
    document: DocumentEnriched
    cash_application: CashApplication | None = None
    customer_mail: CustomerMail | None = None


class FieldCorrection(Model):
    """A value a reviewer changed, and the box it was taken from when they clicked one."""

    field: str
    old_value: str | None = None
    new_value: str | None = None
    bbox: BBox | None = None


class ReviewCompleted(Event):
    """A reviewer's decision (``reviews.completed``): ``decision`` is ``approve``, ``reject``
    or ``duplicate``. ``task_version`` is the version the reviewer saw (optimistic locking)."""

    SUBJECT: ClassVar[str] = "reviews.completed"
    task_id: str
    task_version: int = Field(ge=0)
    reviewer: str
    decision: str
    reason: str | None = None
    duplicate_of: str | None = None
    vendor_id: str | None = None
    corrections: list[FieldCorrection] = Field(default_factory=list)
    opened_at: datetime | None = None
    decided_at: datetime
