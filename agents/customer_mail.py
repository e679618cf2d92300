"""Customer mails on the stream: ``documents.received`` (a mail's body) → a remittance payment, a
review task, or a recorded promise to pay; promises checked when their date passes.

* **read** — a mail body (:func:`~docket.cashapp.customer_mail.is_mail_body`; capture leaves it
  alone) → :func:`~docket.cashapp.customer_mail.handle_mail` against the open items of its legal
  entity (the worker's master data) → ``payments.received`` for a remittance (applied by the cash
  application stage like an advice), ``reviews.requested`` for a dispute, a deduction claim or a mail
  nothing could be done with, or a promise in the ``customer_promises`` table.
* **check** — every ``promise_check_interval_s`` on the leader: the open promises whose date has
  passed are settled ``kept`` (no item left open) or ``broken``; a broken promise raises a
  ``PROMISE_BROKEN`` task. Settling is conditional, so a promise raises its task once.

Mail tasks (``mail:``) are decided in the review workspace; the route and cash stages leave them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import structlog

from agents import masterdata
from agents.cashapp import LedgerCache
from agents.masterdata import MasterDataGate, MasterDataStore
from agents.runtime import Outgoing, Source, Stage, patiently
from agents.stores import audit_store
from connectors.stores.promises import BROKEN, KEPT, PromiseStore
from docket.cashapp.customer_mail import broken_promises, handle_mail, is_mail_body, promise_broken_review
from docket.errors import DocketError
from docket.model import DocumentReceived, Envelope, OpenItem
from streams import topics
from streams.app import app, codecs, settings, topic

log = structlog.get_logger(__name__)

stage = Stage("customer-mail", codecs)
_promises: PromiseStore | None = None
# Store calls run in a thread (a slow database must not stall the loop); agent tests turn it off.
OFFLOAD = True


def promises() -> PromiseStore:
    """The promise store in the audit database (migrated when first opened)."""
    global _promises
    if _promises is None:
        _promises = PromiseStore(audit_store().engine)
    return _promises


class MailHandler:
    """Reads one mail body once the worker's master data is loaded; other documents are ignored."""

    def __init__(self, stage: Stage, store: MasterDataStore, loaded: MasterDataGate) -> None:
        self.stage = stage
        self.ledgers = LedgerCache(store)
        self.loaded = loaded

    async def __call__(self, received: DocumentReceived, source: Source) -> Sequence[Outgoing]:
        if not is_mail_body(received):
            return []
        await self.loaded.wait()
        ledger = self.ledgers.of_entity(received.envelope.legal_entity)
        outcome = handle_mail(received, ledger, producer=self.stage.producer, now=self.stage.clock())
        if outcome.promise is not None:
            promise = outcome.promise
            await patiently(lambda: promises().record(promise), offload=OFFLOAD)
        out: list[Outgoing] = []
        if outcome.payment is not None:
            out.append(Outgoing(topics.PAYMENTS_RECEIVED.name, outcome.payment.payment_id, outcome.payment))
        if outcome.review is not None:
            out.append(Outgoing(topics.REVIEWS_REQUESTED.name, received.envelope.document_id, outcome.review))
        return out


async def check_promises(now: datetime, store: MasterDataStore | None = None) -> list[Outgoing]:
    """Settle the promises due before ``now``'s day; the ``PROMISE_BROKEN`` tasks to send."""
    data = store or masterdata.store

    def look_up(entity: str, item_id: str) -> OpenItem | None:
        return data.open_items.get((entity, item_id))

    due = await patiently(lambda: promises().due(now.date()), offload=OFFLOAD)
    broken = {p.promise_id for p in broken_promises(due, look_up, now.date())}
    out: list[Outgoing] = []
    for promise in due:
        status = BROKEN if promise.promise_id in broken else KEPT
        settled = await patiently(functools.partial(promises().settle, promise.promise_id, status, now),
                                  offload=OFFLOAD)
        if not settled or status != BROKEN:
            continue
        items = [item for i in promise.open_item_ids if (item := look_up(promise.legal_entity, i)) is not None
                 and item.amount_open > 0]
        envelope = Envelope.new(document_id=promise.document_id, legal_entity=promise.legal_entity,
                                producer=stage.producer, now=now, correlation_id=promise.document_id)
        task = promise_broken_review(promise, items, envelope, producer=stage.producer, now=now)
        out.append(Outgoing(topics.REVIEWS_REQUESTED.name, promise.document_id, task))
    return out


async def promise_tick() -> None:
    """One timer tick: check the promises and send the tasks; failures are logged, never raised."""
    from agents.driver import emit

    if not masterdata.reader.ready.is_set():
        return  # the open items are not loaded yet: every promise would look broken
    try:
        await emit(stage, await check_promises(stage.clock()))
    except DocketError as error:
        log.warning("promise_check_failed", error_code=error.code, error=error.message[:300])
    except Exception:  # a timer that raises stops ticking: keep checking, say what broke
        log.exception("promise_check_crashed", error_code="PROMISE_CHECK_INTERNAL_ERROR")


handler = MailHandler(stage, masterdata.store, masterdata.reader)


@app.agent(topic(topics.DOCUMENTS_RECEIVED.name))
async def customer_mail_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(stage, topics.DOCUMENTS_RECEIVED.name, stream, handler)


if settings.promise_check_interval_s > 0:
    app.timer(settings.promise_check_interval_s, on_leader=True)(promise_tick)
