"""Cash application on the stream: statements and advices → payments → applications and postings.

Two stages:

* **intake** — ``documents.extracted`` of type ``bank_statement`` (the statement file is read
  from the blob store and parsed) or ``remittance_advice`` (its captured fields) →
  ``payments.received``, one event per booked line, keyed by ``payment_id``. A file that does not
  parse becomes ``documents.rejected`` with its ``CASHAPP_*`` code; the blob stays, replayable.
* **repartition** — ``payments.received`` (keyed by payment id) → ``payments.by-match-key``, keyed by
  :func:`docket.cashapp.advice_link.match_key` (legal entity, currency, amount), so a remittance
  advice and the bank line that brings its money reach the same partition whatever order they come in.
* **apply** — ``payments.by-match-key`` → the key's :class:`~docket.cashapp.advice_link.LinkBook`
  (``cashapp-advice-links`` table: advices waiting for money, bank lines seen and how they were
  decided) → :func:`docket.cashapp.application.decide` against the open items of the payment's legal
  entity (the worker's master data, :mod:`agents.masterdata`), with the advice when the line met one
  → ``cash.applications``; ``postings.requested`` (``payment``) when applied, ``reviews.requested``
  when a person must decide, ``masterdata.xrefs`` for payer bank accounts learnt. A bank line is
  never held back for an advice; an advice is decided on its own as before (applied, not posted) and
  waits in the book for its money; a line read again repeats its recorded events.
* **review** — ``reviews.requested`` (payment tasks only, ``cash:<payment_id>``) → the open task
  per task id (``cashapp-open-reviews`` table); ``reviews.completed`` on such a task →
  :func:`docket.cashapp.reviewed.apply_verdict` → ``cash.applications`` and, for an approval,
  ``postings.requested``. Both topics are keyed by the statement's document id, so a task and its
  verdict reach the same partition and worker. A task is acted on once (the verdict's event id is
  recorded, and what it decided): the same verdict delivered again repeats its events, another
  verdict is refused (``CASH_REVIEW_TASK_DECIDED``).

A payment is applied at most once in the ERP: its posting's idempotency key is derived from the
payment id alone, so a replayed or resubmitted statement reaches the posting ledger (and, if the
ledger was lost, the Tryton sink's own look-up of the key) and is answered ``already_posted``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from agents import masterdata
from agents.masterdata import MasterDataGate, MasterDataStore
from agents.runtime import Outgoing, Source, Stage
from connectors.blobstore import BlobStore, LocalBlobStore
from docket.cashapp.advice_link import LinkBook, advice_of, is_advice, match_key
from docket.cashapp.application import PaymentOutcome, decide, is_cash_task, ledger_for
from docket.cashapp.errors import ReviewTaskDecidedError, ReviewTaskUnknownError
from docket.cashapp.intake import STATEMENT, is_cash_document, remittance_payment, statement_payments
from docket.cashapp.ledger import Ledger
from docket.cashapp.matching import MatchPolicy
from docket.cashapp.reviewed import apply_verdict
from docket.cashapp.statements.line import normalise_account
from docket.model import (
    CashApplication,
    CrossReference,
    Customer,
    DocumentExtracted,
    PaymentReceived,
    PostingRequested,
    ReviewCompleted,
    ReviewRequested,
)
from streams import topics
from streams.app import app, codecs, settings, topic


class IntakeHandler:
    """Turns a captured statement or remittance advice into payment events (others are ignored)."""

    def __init__(self, stage: Stage, blobs: BlobStore) -> None:
        self.stage = stage
        self.blobs = blobs

    async def __call__(self, extracted: DocumentExtracted, source: Source) -> Sequence[Outgoing]:
        if not is_cash_document(extracted):
            return []
        now, producer = self.stage.clock(), self.stage.producer
        if extracted.document_type.strip().lower() == STATEMENT:
            data = await asyncio.get_running_loop().run_in_executor(None, self.blobs.get, extracted.blob_uri)
            payments = statement_payments(data, extracted, producer=producer, now=now)
        else:
            payments = [remittance_payment(extracted, producer=producer, now=now)]
        return [Outgoing(topics.PAYMENTS_RECEIVED.name, p.payment_id, p) for p in payments]


class LedgerCache:
    """The ledger of each legal entity, rebuilt only when the master data changed since."""

    def __init__(self, store: MasterDataStore) -> None:
        self.store = store
        self._built: dict[str, tuple[int, Ledger]] = {}

    def ledger(self, payment: PaymentReceived, now: datetime) -> Ledger:
        """The ledger of the payment's legal entity, with the payer's account looked up."""
        ledger = self.of_entity(payment.envelope.legal_entity)
        self._learn_known_account(ledger, payment, now)
        return ledger

    def of_entity(self, legal_entity: str) -> Ledger:
        """The ledger of ``legal_entity`` as the master data stands now."""
        version = sum(self.store.applied.values())
        cached = self._built.get(legal_entity)
        if cached is None or cached[0] != version:
            items = [item for (entity, _), item in self.store.open_items.items() if entity == legal_entity]
            directory = self.store.reference.customers
            customers = [c for cid in sorted({i.customer_id for i in items})
                         if (c := directory.get(legal_entity, cid)) is not None]
            cached = (version, ledger_for(legal_entity, items, customers))
            self._built[legal_entity] = cached
        return cached[1]

    def _learn_known_account(self, ledger: Ledger, payment: PaymentReceived, now: datetime) -> None:
        """Bank-account cross references live in the customer directory: look the payer's up."""
        account = normalise_account(payment.payer_account)
        if not account or account in ledger.accounts:
            return
        owners: list[Customer] = self.store.reference.customers.by_iban(payment.envelope.legal_entity, account)
        if len(owners) == 1:
            xref = CrossReference(legal_entity=payment.envelope.legal_entity, system="bank", external_id=account,
                                  kind="bank_account", party_id=owners[0].party_id, updated_at=now)
            ledger.accounts[account] = xref.party_id


async def repartition(payment: PaymentReceived, source: Source) -> Sequence[Outgoing]:
    """Sends every payment on to ``payments.by-match-key`` under its match key."""
    return [Outgoing(topics.PAYMENTS_BY_MATCH_KEY.name, match_key(payment), payment)]


class ApplyHandler:
    """Applies one payment of ``payments.by-match-key`` once the worker's master data is loaded.

    ``books`` maps the match key (bytes) to a :class:`~docket.cashapp.advice_link.LinkBook` as JSON
    bytes: a Faust table in the worker, a dict in tests. A bank line that meets an advice waiting
    under its key is applied with it; an advice that meets a line not applied yet re-decides that
    line (same payment id, same idempotency key: posted at most once).
    """

    def __init__(self, stage: Stage, books: Any, store: MasterDataStore, loaded: MasterDataGate, *, target: str,
                 policy: MatchPolicy | None = None) -> None:
        self.stage = stage
        self.books = books
        self.ledgers = LedgerCache(store)
        self.loaded = loaded
        self.target = target
        self.policy = policy or MatchPolicy()

    async def __call__(self, payment: PaymentReceived, source: Source) -> Sequence[Outgoing]:
        await self.loaded.wait()
        # no await from here on: the book is read, decided and written in one step
        now = self.stage.clock()
        key = match_key(payment).encode()
        book = LinkBook.from_json(self.books.get(key))
        book.prune(now.date())
        new_advice = is_advice(payment) and payment.payment_id not in book.advices
        step = book.read(payment)
        out: list[Outgoing] = []
        if new_advice:  # what the advice alone says (applied, not posted), as before it met any money
            out += outgoing_for(payment, self._decide(payment, None, now))
        if step.repeat is not None and step.repeat.application is not None:
            out += outgoing_for(step.repeat.payment, PaymentOutcome(step.repeat.application,
                                                                    posting=step.repeat.posting))
        if step.decide is not None:
            outcome = self._decide(step.decide, step.advice, now)
            book.decided(step.decide.payment_id, outcome.application, outcome.posting)
            out += outgoing_for(step.decide, outcome)
        self.books[key] = book.to_json()
        return out

    def _decide(self, payment: PaymentReceived, advice: PaymentReceived | None, now: datetime) -> PaymentOutcome:
        ledger = self.ledgers.ledger(payment, now)
        return decide(payment, ledger, producer=self.stage.producer, now=now, target=self.target,
                      policy=self.policy, advice=advice_of(advice) if advice else None)


def outgoing_for(payment: PaymentReceived, outcome: PaymentOutcome) -> list[Outgoing]:
    """The messages of one decision, keyed by payment id (reviews by the statement's document id,
    learnt accounts by their xref key)."""
    out = [Outgoing(topics.CASH_APPLICATIONS.name, payment.payment_id, outcome.application)]
    if outcome.posting is not None:
        out.append(Outgoing(topics.POSTINGS_REQUESTED.name, payment.payment_id, outcome.posting))
    if outcome.review is not None:
        out.append(Outgoing(topics.REVIEWS_REQUESTED.name, payment.envelope.document_id, outcome.review))
    out += [Outgoing(topics.MASTERDATA_XREFS.name, f"{x.legal_entity}:{x.system}:{x.external_id}", x)
            for x in outcome.learned]
    return out


class OpenPaymentTask(BaseModel):
    """A payment's review task, and once decided the verdict's event id and what it decided."""

    task: ReviewRequested
    decided_by: str | None = None
    application: CashApplication | None = None
    posting: PostingRequested | None = None

    def outgoing(self) -> list[Outgoing]:
        """The decision's messages, keyed by payment id like the matcher's."""
        if self.application is None:
            return []
        payment_id = self.application.payment_id
        out = [Outgoing(topics.CASH_APPLICATIONS.name, payment_id, self.application)]
        if self.posting is not None:
            out.append(Outgoing(topics.POSTINGS_REQUESTED.name, payment_id, self.posting))
        return out


class PaymentTaskHandler:
    """Keeps each open payment review task by task id; document tasks are the route stage's.

    ``tasks`` maps the task id (bytes) to an :class:`OpenPaymentTask` as JSON bytes: a Faust table
    in the worker, a dict in tests. A task already decided stays decided when it is raised again
    (a replayed payment): its verdict stands.
    """

    def __init__(self, tasks: Any) -> None:
        self.tasks = tasks

    async def __call__(self, task: ReviewRequested, source: Source) -> Sequence[Outgoing]:
        if not is_cash_task(task.task_id):
            return []
        key = task.task_id.encode()
        stored = self.tasks.get(key)
        if stored and OpenPaymentTask.model_validate_json(stored).decided_by is not None:
            return []
        self.tasks[key] = OpenPaymentTask(task=task).model_dump_json().encode()
        return []


class PaymentVerdictHandler:
    """Acts once on a reviewer's verdict on a payment task.

    Raises ``CASH_REVIEW_TASK_UNKNOWN`` (retryable: the task may still be on its way) when no task
    is open under the verdict's task id, ``CASH_REVIEW_TASK_DECIDED`` when another verdict decided
    it, and whatever :func:`~docket.cashapp.reviewed.apply_verdict` refuses (``CASH_REVIEW_*``);
    each becomes ``documents.rejected``. The verdict that decided a task, delivered again, repeats
    the events it produced (same ids and idempotency key), whatever the ledger says by then.
    """

    def __init__(self, stage: Stage, tasks: Any, store: MasterDataStore, loaded: MasterDataGate, *,
                 target: str) -> None:
        self.stage = stage
        self.tasks = tasks
        self.ledgers = LedgerCache(store)
        self.loaded = loaded
        self.target = target

    async def __call__(self, review: ReviewCompleted, source: Source) -> Sequence[Outgoing]:
        if not is_cash_task(review.task_id):
            return []
        await self.loaded.wait()
        # no await from here on: the table entry is read, decided and written in one step
        key = review.task_id.encode()
        stored = self.tasks.get(key)
        if not stored:
            raise ReviewTaskUnknownError(f"no open payment review task {review.task_id}",
                                         details={"task_id": review.task_id})
        open_task = OpenPaymentTask.model_validate_json(stored)
        if open_task.decided_by == review.envelope.event_id:
            return open_task.outgoing()
        if open_task.decided_by is not None:
            raise ReviewTaskDecidedError(f"task {review.task_id} was already decided by verdict "
                                         f"{open_task.decided_by}",
                                         details={"task_id": review.task_id, "decided_by": open_task.decided_by})
        task = open_task.task
        outcome = apply_verdict(task, review, self.ledgers.of_entity(task.envelope.legal_entity),
                                producer=self.stage.producer, now=self.stage.clock(), target=self.target)
        decided = OpenPaymentTask(task=task, decided_by=review.envelope.event_id, application=outcome.application,
                                  posting=outcome.posting)
        self.tasks[key] = decided.model_dump_json().encode()
        return decided.outgoing()


def payment_target() -> str:
    """Where applied payments are posted: Tryton when it is a configured target, else the first one."""
    targets = [part.strip() for part in settings.posting_targets.split(",") if part.strip()]
    return "tryton" if "tryton" in targets or not targets else targets[0]


intake_stage = Stage("cashapp-intake", codecs)
repartition_stage = Stage("cashapp-repartition", codecs)
apply_stage = Stage("cashapp", codecs)
intake_handler = IntakeHandler(intake_stage, LocalBlobStore(settings.blob_root))
advice_links = app.Table("cashapp-advice-links", key_type=bytes, value_type=bytes, partitions=settings.partitions)
apply_handler = ApplyHandler(apply_stage, advice_links, masterdata.store, masterdata.reader,
                             target=payment_target())
review_stage = Stage("cashapp-review", codecs)
open_payment_reviews = app.Table("cashapp-open-reviews", key_type=bytes, value_type=bytes,
                                 partitions=settings.partitions)
payment_task_handler = PaymentTaskHandler(open_payment_reviews)
payment_verdict_handler = PaymentVerdictHandler(review_stage, open_payment_reviews, masterdata.store,
                                                masterdata.reader, target=payment_target())


@app.agent(topic(topics.DOCUMENTS_EXTRACTED.name))
async def cash_intake_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(intake_stage, topics.DOCUMENTS_EXTRACTED.name, stream, intake_handler)


@app.agent(topic(topics.PAYMENTS_RECEIVED.name))
async def cash_repartition_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(repartition_stage, topics.PAYMENTS_RECEIVED.name, stream, repartition)


@app.agent(topic(topics.PAYMENTS_BY_MATCH_KEY.name))
async def cash_apply_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(apply_stage, topics.PAYMENTS_BY_MATCH_KEY.name, stream, apply_handler)


@app.agent(topic(topics.REVIEWS_REQUESTED.name))
async def cash_review_task_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(review_stage, topics.REVIEWS_REQUESTED.name, stream, payment_task_handler)


@app.agent(topic(topics.REVIEWS_COMPLETED.name))
async def cash_review_verdict_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(review_stage, topics.REVIEWS_COMPLETED.name, stream, payment_verdict_handler)
