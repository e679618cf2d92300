"""A person's verdict on a payment review task, turned into the application it decides (pure).

:func:`apply_verdict` takes the ``reviews.requested`` task :func:`~docket.cashapp.application.decide`
made for a payment it could not apply with confidence, the reviewer's ``reviews.completed``
verdict and the legal entity's ledger, and returns what follows:

* ``approve`` → the payment settles the items the reviewer chose (correction ``open_item_ids``)
  or, without that correction, the proposal's best candidate: a ``cash.applications`` event
  (``reviewed_by:<reviewer>``, confidence 1.0) and a ``payment`` posting keyed by
  :func:`~docket.cashapp.application.payment_key`, the same key the matcher would have used,
  so a payment is applied at most once whoever decided it;
* ``reject`` / ``duplicate`` → the payment stays unapplied (cash on account), nothing posts.

Corrections a payment review understands (anything else is refused):

* ``open_item_ids`` — the open item ids to settle, separated by commas and/or spaces;
* ``customer_id`` — the paying customer; it must own the chosen items (third-party payers are
  booked by hand).

Event ids derive from the task's proposal and the verdict's event id: the same verdict applied
again yields the same events. Bank accounts are not learnt here: the task does not carry the
payer's account (the next matched payment from that account teaches it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docket.cashapp.application import (
    MAPPING_VERSION,
    NOT_POSTED_FORMATS,
    PaymentOutcome,
    is_cash_task,
    payment_key,
)
from docket.cashapp.errors import (
    NotAPaymentTaskError,
    ReviewCorrectionUnknownError,
    ReviewCustomerMismatchError,
    ReviewDecisionUnknownError,
    ReviewFxRateMissingError,
    ReviewItemUnknownError,
    ReviewMixedCustomersError,
    ReviewNoItemsError,
    ReviewNotAReceiptError,
    ReviewTaskStaleError,
)
from docket.cashapp.fx import FxRates
from docket.cashapp.ledger import Ledger
from docket.cashapp.settlement import Settlement, Tolerances, settle
from docket.model import CashApplication, Envelope, OpenItem, PostingRequested, ReviewCompleted, ReviewRequested

ITEMS_FIELD = "open_item_ids"
CUSTOMER_FIELD = "customer_id"
CORRECTABLE_FIELDS = frozenset({ITEMS_FIELD, CUSTOMER_FIELD})
REVIEWED_CONFIDENCE = 1.0
_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class PaymentVerdict:
    """What an approval asks for: the items to settle (None: the proposal's best candidate) and
    the customer the reviewer named (None: whoever owns the items)."""

    item_ids: tuple[str, ...] | None
    customer_id: str | None


def parse_item_ids(text: str | None) -> tuple[str, ...]:
    """Open item ids from a correction value: commas, semicolons or white space separate them;
    duplicates are dropped, order kept."""
    return tuple(dict.fromkeys(part for part in _SEPARATORS.split(text or "") if part))


def verdict_of(review: ReviewCompleted) -> PaymentVerdict:
    """The reviewer's corrections read as a payment verdict (the last correction of a field wins).
    Raises ``CASH_REVIEW_CORRECTION_UNKNOWN_FIELD`` for a field other than those above."""
    values: dict[str, str | None] = {}
    for correction in review.corrections:
        name = correction.field.strip()
        if name not in CORRECTABLE_FIELDS:
            raise ReviewCorrectionUnknownError(
                f"a payment review cannot correct {correction.field!r} (only {', '.join(sorted(CORRECTABLE_FIELDS))})",
                details={"task_id": review.task_id, "field": correction.field})
        values[name] = correction.new_value
    items = parse_item_ids(values[ITEMS_FIELD]) if ITEMS_FIELD in values else None
    customer = (values.get(CUSTOMER_FIELD) or "").strip() or None
    return PaymentVerdict(item_ids=items, customer_id=customer)


def proposal_of(task: ReviewRequested, review: ReviewCompleted) -> CashApplication:
    """The cash application the task proposed. Raises ``CASH_REVIEW_NOT_A_PAYMENT_TASK`` for a
    document task and ``CASH_REVIEW_TASK_STALE`` when the verdict names another task."""
    if not is_cash_task(task.task_id) or task.cash_application is None:
        raise NotAPaymentTaskError(f"task {task.task_id} is not a payment review", details={"task_id": task.task_id})
    if review.task_id != task.task_id:
        raise ReviewTaskStaleError(f"verdict on task {review.task_id}, but the open task is {task.task_id}",
                                   details={"task_id": review.task_id, "open_task": task.task_id})
    return task.cash_application


def apply_verdict(task: ReviewRequested, review: ReviewCompleted, ledger: Ledger, *, producer: str, now: datetime,
                  target: str, fx: FxRates | None = None, tolerances: Tolerances | None = None) -> PaymentOutcome:
    """The outcome of ``review`` on the payment review ``task`` against ``ledger`` (the open items
    of the task's legal entity).

    Always an application; a posting to ``target`` for an approval (none for a remittance advice,
    which announces money the bank line will bring). Never learns cross references. Raises a
    :class:`~docket.cashapp.errors.PaymentReviewError` (``CASH_REVIEW_*``) when the verdict cannot
    be acted on; nothing is half-applied.
    """
    proposal = proposal_of(task, review)
    if review.decision == "approve":
        return _approve(proposal, review, ledger, producer=producer, now=now, target=target,
                        fx=fx or FxRates(), tolerances=tolerances or Tolerances())
    if review.decision in ("reject", "duplicate"):
        return PaymentOutcome(_left_unapplied(proposal, review, producer=producer, now=now))
    raise ReviewDecisionUnknownError(f"unknown review decision {review.decision!r}",
                                     details={"task_id": review.task_id, "decision": review.decision})


def chosen_items(proposal: CashApplication, verdict: PaymentVerdict, ledger: Ledger) -> tuple[str, list[OpenItem]]:
    """(customer, open items) an approval settles. Raises ``CASH_REVIEW_NO_ITEMS``,
    ``CASH_REVIEW_ITEM_UNKNOWN``, ``CASH_REVIEW_MIXED_CUSTOMERS`` or ``CASH_REVIEW_CUSTOMER_MISMATCH``."""
    item_ids = verdict.item_ids
    if item_ids is None:
        item_ids = tuple(proposal.candidates[0].open_item_ids) if proposal.candidates else ()
    if not item_ids:
        raise ReviewNoItemsError(f"approval of payment {proposal.payment_id} names no open item",
                                 details={"payment_id": proposal.payment_id})
    unknown = [i for i in item_ids if i not in ledger.items]
    if unknown:
        raise ReviewItemUnknownError(f"not open items of this legal entity: {', '.join(unknown)}",
                                     details={"payment_id": proposal.payment_id, "items": ",".join(unknown)})
    items = [ledger.items[i] for i in item_ids]
    owners = sorted({item.customer_id for item in items})
    if len(owners) > 1:
        raise ReviewMixedCustomersError(f"the items belong to customers {', '.join(owners)}",
                                        details={"payment_id": proposal.payment_id, "customers": ",".join(owners)})
    if verdict.customer_id is not None and verdict.customer_id != owners[0]:
        raise ReviewCustomerMismatchError(
            f"the items belong to {owners[0]}, the reviewer named {verdict.customer_id}",
            details={"payment_id": proposal.payment_id, "customer": verdict.customer_id, "owner": owners[0]})
    return owners[0], items


def _approve(proposal: CashApplication, review: ReviewCompleted, ledger: Ledger, *, producer: str, now: datetime,
             target: str, fx: FxRates, tolerances: Tolerances) -> PaymentOutcome:
    if proposal.payment_amount <= 0:
        raise ReviewNotAReceiptError(f"payment {proposal.payment_id} is not a receipt",
                                     details={"payment_id": proposal.payment_id})
    customer, items = chosen_items(proposal, verdict_of(review), ledger)
    settlement = settle(items, proposal.payment_amount, proposal.currency, fx=fx, tolerances=tolerances)
    if settlement.fit == "fx_rate_missing":
        currencies = ",".join(sorted({i.currency for i in items}))
        raise ReviewFxRateMissingError(f"no FX rate between {proposal.currency} and {currencies}",
                                       details={"payment_id": proposal.payment_id, "currencies": currencies})
    application = _settled(proposal, review, customer, settlement, producer=producer, now=now)
    # the task does not carry the payment's source format, but every payment id begins with it
    if proposal.payment_id.partition(":")[0] in NOT_POSTED_FORMATS:
        return PaymentOutcome(application)
    return PaymentOutcome(application, posting=_posting(application, target=target, producer=producer, now=now))


def _settled(proposal: CashApplication, review: ReviewCompleted, customer: str, settlement: Settlement, *,
             producer: str, now: datetime) -> CashApplication:
    return _revised(proposal, {
        "envelope": _envelope(proposal, review, producer=producer, now=now),
        "status": settlement.status, "customer_id": customer, "applications": list(settlement.applications),
        "unapplied_amount": settlement.unapplied, "deduction_amount": settlement.deduction,
        "deduction_reason": settlement.deduction_reason, "evidence": [f"reviewed_by:{review.reviewer}"],
        "confidence": REVIEWED_CONFIDENCE})


def _left_unapplied(proposal: CashApplication, review: ReviewCompleted, *, producer: str,
                    now: datetime) -> CashApplication:
    """The payment on account, unapplied, with the verdict as its evidence: ``review_rejected`` or
    ``review_duplicate`` first, then who decided, what it duplicates and why, when given."""
    evidence = [f"review_{'duplicate' if review.decision == 'duplicate' else 'rejected'}",
                f"reviewed_by:{review.reviewer}"]
    if review.decision == "duplicate" and review.duplicate_of:
        evidence.append(f"duplicate_of:{review.duplicate_of}")
    if review.reason:
        evidence.append(f"reason:{review.reason}")
    return _revised(proposal, {
        "envelope": _envelope(proposal, review, producer=producer, now=now),
        "status": "unapplied", "customer_id": None, "applications": [], "unapplied_amount": proposal.payment_amount,
        "deduction_amount": None, "deduction_reason": None, "evidence": evidence,
        "confidence": REVIEWED_CONFIDENCE})


def _envelope(proposal: CashApplication, review: ReviewCompleted, *, producer: str, now: datetime) -> Envelope:
    return proposal.envelope.follow(producer=producer, now=now, part=f"review:{review.envelope.event_id}")


def _posting(application: CashApplication, *, target: str, producer: str, now: datetime) -> PostingRequested:
    # keyed like the matcher's postings: one key per payment and target, whoever decided
    return PostingRequested(
        envelope=application.envelope.follow(producer=producer, now=now, part=f"posting:{target}"),
        idempotency_key=payment_key(application.payment_id, target), target=target, posting_type="payment",
        mapping_version=MAPPING_VERSION, party_id=application.customer_id, cash_application=application)


def _revised(proposal: CashApplication, updates: dict[str, Any]) -> CashApplication:
    # validated (model_copy would not be): amounts are quantized like every other event's
    return CashApplication.model_validate({**proposal.model_dump(), **updates})
