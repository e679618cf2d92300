"""One payment event in, everything cash application says about it out (pure).

:func:`decide` runs the matcher on a ``payments.received`` event against a ledger and returns
the ``cash.applications`` event, and, as the decision requires, the ``postings.requested`` that
records it in the ERP, the ``reviews.requested`` task for a person, and the bank accounts learnt.
Event ids follow the payment's envelope, so replaying a payment yields the same events and the
same idempotency key (one per payment and target: a payment is never applied twice).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from docket.cashapp.fx import FxRates
from docket.cashapp.learning import learned_bank_accounts
from docket.cashapp.ledger import Ledger
from docket.cashapp.matching import ApplicationDraft, MatchPolicy, apply_payment
from docket.cashapp.remittance import RemittanceAdvice
from docket.cashapp.statements.line import StatementLine
from docket.model import (
    CashApplication,
    CrossReference,
    Customer,
    DocumentEnriched,
    Finding,
    InvoiceRecord,
    OpenItem,
    PartyMatch,
    PaymentReceived,
    PostingRequested,
    ReviewRequested,
    RouteReason,
    idempotency_key,
)

MAPPING_VERSION = "cashapp-statement/1"
POSTED_STATUSES = frozenset({"applied", "partial"})
# An advice announces money that has not arrived: the bank line that brings it is what gets posted.
NOT_POSTED_FORMATS = frozenset({"remittance"})


@dataclass(frozen=True)
class PaymentOutcome:
    """What one payment produced: always an application; a posting, a review and learnt
    cross references when the decision calls for them."""

    application: CashApplication
    posting: PostingRequested | None = None
    review: ReviewRequested | None = None
    learned: tuple[CrossReference, ...] = field(default_factory=tuple)


CASH_TASK_PREFIX = "cash:"


def is_cash_task(task_id: str) -> bool:
    """Whether ``task_id`` names a payment review (made by :func:`decide`), not a document review."""
    return task_id.startswith(CASH_TASK_PREFIX)


def line_of(payment: PaymentReceived) -> StatementLine:
    """The matcher's view of a payment event."""
    return StatementLine(
        payment_id=payment.payment_id, amount=payment.amount, currency=payment.currency,
        source_format=payment.source_format, statement_id=payment.statement_id, value_date=payment.value_date,
        booking_date=payment.booking_date, payer_name=payment.payer_name, payer_account=payment.payer_account,
        payer_bic=payment.payer_bic, remittance_structured=payment.remittance_structured,
        remittance_text=payment.remittance_text, bank_reference=payment.bank_reference,
        end_to_end_id=payment.end_to_end_id, account_servicer_reference=payment.account_servicer_reference)


def ledger_for(legal_entity: str, open_items: Iterable[OpenItem], customers: Iterable[Customer],
               xrefs: Iterable[CrossReference] = ()) -> Ledger:
    """The ledger of one legal entity (records of other entities are ignored)."""
    return Ledger.build([i for i in open_items if i.legal_entity == legal_entity],
                        [c for c in customers if c.legal_entity == legal_entity],
                        [x for x in xrefs if x.legal_entity == legal_entity])


def payment_key(payment_id: str, target: str) -> str:
    """The idempotency key of a payment's posting to ``target``: one per payment, whatever the
    statement file or replay it arrived in."""
    return idempotency_key(payment_id, 0, target)


def decide(payment: PaymentReceived, ledger: Ledger, *, producer: str, now: datetime, target: str = "tryton",
           policy: MatchPolicy | None = None, fx: FxRates | None = None,
           advice: RemittanceAdvice | None = None) -> PaymentOutcome:
    """Apply ``payment`` to ``ledger`` and say what follows.

    * ``applied``/``partial`` (confidence at or above the policy threshold) → a ``payment``
      posting to ``target`` keyed by :func:`payment_key`, and the payer's bank account learnt
      when the ledger did not know it; a remittance advice is applied but not posted;
    * ``review``, or a receipt nothing matched (``unapplied``) → a review task with the ranked
      candidates as findings;
    * a debit line → the application only (``unapplied``, ``not_a_receipt``).

    ``advice``: the remittance advice the bank line was linked with (:mod:`docket.cashapp.advice_link`);
    its invoices are evidence (``remittance_advice``) and its lines the split, deductions as stated.
    """
    line = line_of(payment)
    draft = apply_payment(line, ledger, fx=fx, policy=policy, advice=advice)
    envelope = payment.envelope.follow(producer=producer, now=now, part=f"application:{payment.payment_id}")
    application = draft.to_event(envelope, value_date=payment.value_date or payment.booking_date, line=line)
    if draft.status in POSTED_STATUSES:
        learned = learned_bank_accounts([(line, draft)], ledger, legal_entity=payment.envelope.legal_entity,
                                        now=now)
        posting = None if payment.source_format in NOT_POSTED_FORMATS else _posting(
            application, target=target, producer=producer, now=now)
        return PaymentOutcome(application, posting=posting, learned=tuple(learned))
    if draft.status == "review" or payment.amount > 0:
        return PaymentOutcome(application, review=_review(payment, draft, application, producer=producer, now=now))
    return PaymentOutcome(application)


def _posting(application: CashApplication, *, target: str, producer: str, now: datetime) -> PostingRequested:
    return PostingRequested(
        envelope=application.envelope.follow(producer=producer, now=now, part=f"posting:{target}"),
        idempotency_key=payment_key(application.payment_id, target), target=target, posting_type="payment",
        mapping_version=MAPPING_VERSION, party_id=application.customer_id, cash_application=application)


def _review(payment: PaymentReceived, draft: ApplicationDraft, application: CashApplication, *,
            producer: str, now: datetime) -> ReviewRequested:
    """A review task carrying the proposed application and its ranked candidates; the payment also
    rides as the record (``document_type`` ``payment``, number = payment id) and each candidate as a
    ``CASH_CANDIDATE`` finding naming its items, for readers that show only the document."""
    record = InvoiceRecord(document_type="payment", number=payment.payment_id,
                           issue_date=payment.value_date or payment.booking_date, currency=payment.currency,
                           total=payment.amount, buyer_name=payment.payer_name)
    findings = [Finding(rule_id="CASH_CANDIDATE", severity="info", fields=list(c.open_item_ids),
                        message=f"{rank}. {', '.join(c.open_item_ids)} of {c.customer_id or '?'} "
                                f"score {c.score:.3f} [{', '.join(c.evidence)}]")
                for rank, c in enumerate(draft.candidates, start=1)]
    customer = PartyMatch(role="customer", party_id=draft.customer_id, method="cash_application",
                          score=draft.confidence) if draft.customer_id else None
    document = DocumentEnriched(envelope=application.envelope, blob_uri="", sha256="", record=record,
                                findings=findings, customer=customer)
    reason = (RouteReason(code="CASH_LOW_CONFIDENCE", message=f"best match {draft.confidence:.3f} is below the "
                          "auto-apply threshold", fields=["applications"]) if draft.status == "review" else
              RouteReason(code="CASH_UNMATCHED", message="no open item matches this payment", fields=["payer"]))
    return ReviewRequested(envelope=application.envelope.follow(producer=producer, now=now, part="review"),
                           task_id=f"{CASH_TASK_PREFIX}{payment.payment_id}", reasons=[reason], document=document,
                           cash_application=application)
