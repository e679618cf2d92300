"""What follows from a customer's mail: a remittance to apply, a task for a person, a promise to keep.

A mail body arrives as a ``documents.received`` of channel ``mail`` marked ``mail_part=body``
(its subject and text ride in the metadata the mail source writes). :func:`handle_mail` classifies
it (:func:`~docket.cashapp.mail_intent.classify_mail`), links it to the open items it names, and
says what follows:

* ``remittance`` → a ``payments.received`` (``source_format`` ``remittance``) the matcher applies
  like a remittance advice, with the invoice numbers and amounts the mail states;
* ``dispute`` / ``deduction_claim`` → a review task (``CUSTOMER_DISPUTE`` / ``DEDUCTION_CLAIM``)
  carrying the mail and the open items it names;
* ``promise_to_pay`` with a date, naming open items → a :class:`Promise` to record; :func:`broken_promises` finds the
  promises whose date has passed while an item is still open, :func:`promise_broken_review` the
  task (``PROMISE_BROKEN``) for each;
* anything else, or a mail that names no open item where one is needed, → a review task
  (``CUSTOMER_MAIL``) so no customer's mail is dropped unread.

Pure: the ledger, the clock and the producer name are passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from docket.cashapp.ledger import Ledger
from docket.cashapp.mail_intent import MailIntent, classify_mail, open_items_named
from docket.cashapp.remittance import ADVICE_PAYMENT_PREFIX
from docket.cashapp.statements.line import StatementLine, clean_text
from docket.model import (
    CustomerMail,
    DocumentEnriched,
    DocumentReceived,
    Finding,
    InvoiceRecord,
    OpenItem,
    PartyMatch,
    PaymentReceived,
    ReviewRequested,
    RouteReason,
)
from docket.model.common import Envelope

MAIL_CHANNEL = "mail"
MAIL_PART_KEY = "mail_part"
MAIL_BODY_PART = "body"
MAIL_BODY_MEDIA_TYPE = "text/plain"
MAIL_TASK_PREFIX = "mail:"
REASON_CODES = {"dispute": "CUSTOMER_DISPUTE", "deduction_claim": "DEDUCTION_CLAIM"}
PROMISE_BROKEN = "PROMISE_BROKEN"
UNREAD = "CUSTOMER_MAIL"


def is_mail_body(received: DocumentReceived) -> bool:
    """Whether ``received`` is the body of a mail (the customer's own words), not an attachment."""
    return received.channel == MAIL_CHANNEL and received.metadata.get(MAIL_PART_KEY) == MAIL_BODY_PART


def is_mail_task(task_id: str) -> bool:
    """Whether ``task_id`` names a task made from a customer's mail."""
    return task_id.startswith(MAIL_TASK_PREFIX)


@dataclass(frozen=True)
class Promise:
    """A customer's promise to pay ``open_item_ids`` by ``promised_date`` (``amount`` when stated)."""

    promise_id: str
    legal_entity: str
    document_id: str
    customer_id: str | None
    open_item_ids: tuple[str, ...]
    promised_date: date
    amount: Decimal | None
    currency: str | None
    recorded_at: datetime
    sender: str | None = None
    subject: str = ""
    body: str = ""


@dataclass(frozen=True)
class MailOutcome:
    """What one mail produced: its reading, and at most one of a payment, a review task, a promise."""

    mail: CustomerMail
    payment: PaymentReceived | None = None
    review: ReviewRequested | None = None
    promise: Promise | None = None


def handle_mail(received: DocumentReceived, ledger: Ledger, *, producer: str, now: datetime) -> MailOutcome:
    """Classify the mail body ``received`` against ``ledger`` and say what follows (see the module)."""
    subject = received.metadata.get("mail_subject", "")
    body = received.metadata.get("mail_body", "")
    reading = classify_mail(subject, body, today=now.date())
    items = [ledger.items[i] for i in open_items_named(reading, ledger)]
    mail = _customer_mail(received, reading, items)
    envelope = received.envelope
    if reading.intent == "remittance" and items and reading.amounts:
        return MailOutcome(mail, payment=_payment(received, reading, items, ledger, producer=producer, now=now))
    if reading.intent in REASON_CODES and items:
        code = REASON_CODES[reading.intent]
        message = (f"customer {'disputes' if code == 'CUSTOMER_DISPUTE' else 'claims a deduction on'} "
                   f"{', '.join(i.invoice_number for i in items)}")
        return MailOutcome(mail, review=mail_review(envelope, mail, items, RouteReason(
            code=code, message=message, fields=[i.item_id for i in items]), producer=producer, now=now))
    if reading.intent == "promise_to_pay" and mail.promised_date is not None and items:
        return MailOutcome(mail, promise=Promise(
            promise_id=promise_id_of(envelope.document_id), legal_entity=envelope.legal_entity,
            document_id=envelope.document_id,
            customer_id=items[0].customer_id if items else None, open_item_ids=tuple(i.item_id for i in items),
            promised_date=mail.promised_date, amount=max(reading.amounts) if reading.amounts else None,
            currency=items[0].currency if items else None, recorded_at=now, sender=mail.sender,
            subject=subject, body=body))
    reason = RouteReason(code=UNREAD, message=f"customer mail read as {reading.intent} "
                         f"({reading.probability:.2f}) names no open item or no date to act on",
                         fields=[i.item_id for i in items])
    return MailOutcome(mail, review=mail_review(envelope, mail, items, reason, producer=producer, now=now))


def promise_id_of(document_id: str) -> str:
    """The id of the promise read from the mail ``document_id`` (the same mail read again, the same id)."""
    return f"promise:{hashlib.sha256(document_id.encode()).hexdigest()[:16]}"


def _customer_mail(received: DocumentReceived, reading: MailIntent, items: list[OpenItem]) -> CustomerMail:
    later = sorted(d for d in reading.dates if d >= received.envelope.occurred_at.date())
    return CustomerMail(sender=received.metadata.get("mail_from"), subject=received.metadata.get("mail_subject", ""),
                        body=received.metadata.get("mail_body", ""), intent=reading.intent,
                        probability=min(1.0, max(0.0, reading.probability)),
                        open_item_ids=[i.item_id for i in items], invoice_numbers=list(reading.invoice_numbers),
                        amounts=[str(a) for a in reading.amounts],
                        promised_date=(later[0] if later else None) if reading.intent == "promise_to_pay" else None)


def _payment(received: DocumentReceived, reading: MailIntent, items: list[OpenItem], ledger: Ledger, *,
             producer: str, now: datetime) -> PaymentReceived:
    """The payment the mail announces: its amounts (one per named invoice when they pair up, else the
    largest as the total) with the invoice numbers in the remittance text, as an advice would."""
    if len(reading.amounts) == len(items):
        total = sum(reading.amounts, Decimal(0))
        text = clean_text([f"{i.invoice_number} {a}" for i, a in zip(items, reading.amounts, strict=True)])
    else:
        total = max(reading.amounts)
        text = clean_text([i.invoice_number for i in items])
    customer = ledger.customers.get(items[0].customer_id)
    digest = hashlib.sha256(received.envelope.document_id.encode()).hexdigest()[:16]
    line = StatementLine(payment_id=f"{ADVICE_PAYMENT_PREFIX}{digest}", statement_id=received.envelope.document_id,
                         amount=total, currency=items[0].currency, value_date=received.envelope.occurred_at.date(),
                         booking_date=received.envelope.occurred_at.date(),
                         payer_name=customer.name if customer else received.metadata.get("mail_from"),
                         remittance_text=text, source_format="remittance")
    return line.to_event(received.envelope.follow(producer=producer, now=now, part=f"payment:{line.payment_id}"))


def mail_review(envelope: Envelope, mail: CustomerMail, items: list[OpenItem], reason: RouteReason, *,
                producer: str, now: datetime, part: str = "review") -> ReviewRequested:
    """A review task for a customer's mail: the mail rides in ``customer_mail``, the first named item
    as the record, and each named item as a ``MAIL_OPEN_ITEM`` finding."""
    first = items[0] if items else None
    record = InvoiceRecord(document_type="customer_mail", number=first.invoice_number if first else None,
                           issue_date=first.invoice_date if first else None, due_date=first.due_date if first else None,
                           currency=first.currency if first else None,
                           total=sum((i.amount_open for i in items), Decimal(0)) if items else None)
    findings = [Finding(rule_id="MAIL_OPEN_ITEM", severity="info", fields=[i.item_id],
                        message=f"{i.invoice_number} of {i.customer_id}: {i.amount_open:.2f} {i.currency} open"
                                f"{f', due {i.due_date}' if i.due_date else ''}") for i in items]
    customer = (PartyMatch(role="customer", party_id=first.customer_id, method="customer_mail", score=1.0)
                if first else None)
    document = DocumentEnriched(envelope=envelope, blob_uri="", sha256="", record=record, findings=findings,
                                customer=customer)
    return ReviewRequested(envelope=envelope.follow(producer=producer, now=now, part=part),
                           task_id=f"{MAIL_TASK_PREFIX}{envelope.document_id}{'' if part == 'review' else ':' + part}",
                           reasons=[reason], document=document, customer_mail=mail)


def broken_promises(promises: Iterable[Promise], open_item: Callable[[str, str], OpenItem | None],
                    today: date) -> list[Promise]:
    """The promises whose date is before ``today`` while one of their items is still open
    (``open_item(legal_entity, item_id)`` is the item as the master data holds it, None when gone)."""
    broken = []
    for promise in promises:
        if promise.promised_date >= today:
            continue
        if any((item := open_item(promise.legal_entity, item_id)) is not None and item.amount_open > 0
               for item_id in promise.open_item_ids):
            broken.append(promise)
    return broken


def promise_broken_review(promise: Promise, items: list[OpenItem], envelope: Envelope, *, producer: str,
                          now: datetime) -> ReviewRequested:
    """The ``PROMISE_BROKEN`` task for ``promise``, its still open ``items`` linked; ``envelope`` is
    the promise's own (document id of the mail, legal entity of the promise)."""
    mail = CustomerMail(sender=promise.sender, subject=promise.subject, body=promise.body, intent="promise_to_pay",
                        probability=1.0, open_item_ids=list(promise.open_item_ids),
                        amounts=[str(promise.amount)] if promise.amount is not None else [],
                        promised_date=promise.promised_date)
    reason = RouteReason(code=PROMISE_BROKEN, message=f"payment promised for {promise.promised_date} has not "
                         f"arrived: {', '.join(i.invoice_number for i in items)} still open",
                         fields=[i.item_id for i in items])
    return mail_review(envelope, mail, items, reason, producer=producer, now=now, part="promise")


__all__ = ["MailOutcome", "Promise", "broken_promises", "handle_mail", "is_mail_body", "is_mail_task",
           "mail_review", "promise_broken_review", "promise_id_of"]
