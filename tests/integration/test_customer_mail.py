"""Customer mails on real Kafka + registry through a running worker: a dispute mail's text becomes a
review task linked to the open item it names (in the workspace's store too); a promise to pay is
recorded with its date; capture leaves the mail bodies alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

from connectors.blobstore import LocalBlobStore
from connectors.sources.intake import Intake
from connectors.sources.mailbox import MailOptions, ingest_mail
from connectors.stores.audit import AuditStore
from connectors.stores.promises import PromiseStore
from connectors.stores.review import ReviewStore
from docket.cashapp.customer_mail import promise_id_of
from docket.model import ReviewRequested
from streams.inspect import read_raw
from streams.producer import EventProducer
from streams.settings import Settings
from tests import factories
from tests.integration.harness import Worker, codecs_for, collect, wait_for


def _mail(message_id: str, subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = "Beispiel AP <ap@beispiel.example>", "ar@docket.example"
    message["Subject"], message["Message-ID"] = subject, message_id
    message.set_content(body)
    return message.as_bytes()


def test_a_dispute_mail_becomes_a_linked_task_and_a_promise_is_recorded(run: Settings, tmp_path: Path) -> None:
    producer = EventProducer(run, codecs_for(run))
    now = datetime.now(UTC)
    producer.send("masterdata.customers", "DE01:C-2001", factories.customer(updated_at=now))
    item = factories.open_item(item_id="OI-77001", invoice_number="INV-77001", amount_total=Decimal("1190.00"),
                               amount_open=Decimal("1190.00"), updated_at=now)
    producer.send("masterdata.open_items", "DE01:OI-77001", item)
    producer.flush()
    # The worker starts with the open item on the topic: it reads its master data before any mail.
    worker = Worker(run, tmp_path / "worker.log")
    worker.start()
    try:
        _mails_through(run, producer, now)
    finally:
        worker.stop()


def _mails_through(run: Settings, producer: EventProducer, now: datetime) -> None:
    intake = Intake(LocalBlobStore(run.blob_root), producer, default_legal_entity="DE01")
    options = MailOptions(body_document=True)
    (dispute,) = ingest_mail(_mail("<dispute-77001@beispiel.example>", "Invoice INV-77001",
                                   "We dispute invoice INV-77001: the goods arrived damaged and we do not accept "
                                   "the charge. Please issue a credit note."), intake, options=options)
    promised = (now + timedelta(days=10)).date()
    (promise,) = ingest_mail(_mail("<promise-77001@beispiel.example>", "INV-77001",
                                   f"We will pay invoice INV-77001 on {promised:%d.%m.%Y}. Sorry for the delay."),
                             intake, options=options)

    def mail_tasks(records: list[tuple[object, object]]) -> list[ReviewRequested]:
        return [e for _, e in records if isinstance(e, ReviewRequested) and e.task_id.startswith("mail:")]

    (task,) = mail_tasks(collect(run, "reviews.requested", until=lambda r: bool(mail_tasks(r)), timeout=240))
    assert task.envelope.document_id == dispute.envelope.document_id
    assert [(r.code, r.fields) for r in task.reasons] == [("CUSTOMER_DISPUTE", ["OI-77001"])]
    assert task.customer_mail is not None and "damaged" in task.customer_mail.body

    audit = AuditStore(run.audit_database_url)
    reviews, promises = ReviewStore(audit), PromiseStore(audit.engine)
    stored = wait_for(lambda: next((t for t in reviews.tasks() if t.task_id == task.task_id), None), timeout=120,
                      what="the dispute task in the workspace")
    assert stored.reasons == ("CUSTOMER_DISPUTE",)
    wait_for(lambda: promises.status(promise_id_of(promise.envelope.document_id)), timeout=120,
             what="the recorded promise")
    (due,) = promises.due(promised + timedelta(days=1))
    assert due.promised_date == promised and due.open_item_ids == ("OI-77001",)
    rejected = {m.key() for m in read_raw(run, "documents.rejected", idle_timeout=2.0)}
    mails = {dispute.envelope.document_id.encode(), promise.envelope.document_id.encode()}
    assert not rejected & mails  # capture did not try to read a mail's text as a document
    audit.close()
