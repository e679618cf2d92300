"""The customer-mail agent under Faust's test_context: a dispute mail becomes a review task linked to
its open item, a promise to pay is recorded and, once its date has passed with the item still open,
raises a PROMISE_BROKEN task; attachments are left to capture."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from agents import customer_mail, masterdata
from connectors.stores.promises import BROKEN, KEPT, PromiseStore
from connectors.stores.review import ReviewStore
from docket.cashapp.customer_mail import MAIL_BODY_PART, MAIL_PART_KEY, promise_id_of
from docket.model import DocumentReceived, PaymentReceived, ReviewRequested
from streams.app import codecs
from tests import factories
from tests.agents.conftest import Sent


@pytest.fixture
def promises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sent: Sent) -> Iterator[PromiseStore]:
    review = ReviewStore(f"sqlite:///{tmp_path / 'review.db'}")
    store = PromiseStore(review.engine)
    monkeypatch.setattr(customer_mail, "_promises", store)
    monkeypatch.setattr(customer_mail, "OFFLOAD", False)
    monkeypatch.setattr(customer_mail.handler, "ledgers", customer_mail.LedgerCache(masterdata.store))
    masterdata.store.apply("masterdata.customers", None, factories.customer())
    for item_id, amount in (("INV-10023", "1190.00"), ("INV-10024", "500.00")):
        masterdata.store.apply("masterdata.open_items", None, factories.open_item(
            item_id=item_id, invoice_number=item_id, amount_total=Decimal(amount), amount_open=Decimal(amount)))
    yield store
    review.close()


def _body(document_id: str, subject: str, body: str) -> DocumentReceived:
    return factories.received(envelope=factories.envelope(document_id=document_id, versions={}), channel="mail",
                              media_type="text/plain", filename="mail-body.txt",
                              metadata={MAIL_PART_KEY: MAIL_BODY_PART, "mail_from": "ap@beispiel.example",
                                        "mail_subject": subject, "mail_body": body})


async def _feed(events: list[Any]) -> None:
    async with customer_mail.customer_mail_agent.test_context() as agent:
        for event in events:
            await agent.put(key=event.sha256.encode(), value=codecs.for_topic("documents.received").encode(event))


async def test_a_dispute_mail_becomes_a_task_linked_to_its_open_item(promises: PromiseStore, sent: Sent) -> None:
    await _feed([_body("mail-1", "Invoice INV-10023", "We dispute invoice INV-10023: the goods arrived damaged "
                       "and we do not accept the charge.")])
    (task,) = sent.on("reviews.requested")
    assert isinstance(task, ReviewRequested) and sent.keys("reviews.requested") == ["mail-1"]
    assert [(r.code, r.fields) for r in task.reasons] == [("CUSTOMER_DISPUTE", ["INV-10023"])]
    assert task.customer_mail is not None and task.customer_mail.open_item_ids == ["INV-10023"]
    assert "damaged" in task.customer_mail.body and promises.due(datetime(2100, 1, 1).date()) == []


async def test_a_remittance_mail_becomes_a_payment(promises: PromiseStore, sent: Sent) -> None:
    await _feed([_body("mail-2", "Payment advice", "Hello, today we transferred 1,690.00 EUR covering invoices "
                       "INV-10023 and INV-10024. Regards")])
    (payment,) = sent.on("payments.received")
    assert isinstance(payment, PaymentReceived) and payment.source_format == "remittance"
    assert payment.amount == Decimal("1690.00") and sent.on("reviews.requested") == []


async def test_a_promise_is_recorded_and_checked_when_its_date_passes(promises: PromiseStore, sent: Sent) -> None:
    await _feed([_body("mail-3", "INV-10023", "We will pay invoice INV-10023 on 15.12.2026. Sorry for the delay."),
                 _body("mail-4", "INV-10024", "We will pay invoice INV-10024 on 10.12.2026.")])
    assert sent.messages == []
    before = await customer_mail.check_promises(datetime(2026, 12, 10, 8, tzinfo=UTC))
    assert before == [] and len(promises.due(datetime(2026, 12, 16).date())) == 2
    masterdata.store.apply("masterdata.open_items", None, factories.open_item(
        item_id="INV-10024", invoice_number="INV-10024", amount_total=Decimal("500.00"), amount_open=Decimal(0)))
    out = await customer_mail.check_promises(datetime(2026, 12, 16, 8, tzinfo=UTC))
    (message,) = out
    task = message.value
    assert message.key == "mail-3" and [(r.code, r.fields) for r in task.reasons] == [
        ("PROMISE_BROKEN", ["INV-10023"])]
    assert task.task_id == "mail:mail-3:promise"
    assert promises.due(datetime(2100, 1, 1).date()) == []  # both settled: nothing is due again
    assert await customer_mail.check_promises(datetime(2026, 12, 17, 8, tzinfo=UTC)) == []
    assert (promises.status(promise_id_of("mail-3")), promises.status(promise_id_of("mail-4"))) \
        == (BROKEN, KEPT)


async def test_attachments_are_not_customer_mails(promises: PromiseStore, sent: Sent) -> None:
    await _feed([factories.received(channel="mail")])
    assert sent.messages == []
