"""The cash-application agents under Faust's test_context: statements in, payments, applications,
postings, reviews and learnt bank accounts out."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from agents import cashapp, enrich, masterdata, route
from connectors.blobstore import LocalBlobStore
from docket.cashapp.application import payment_key
from docket.cashapp.statements.camt_write import CamtEntry, render_camt053
from docket.model import (
    CashApplication,
    CrossReference,
    DocumentExtracted,
    DocumentRejected,
    FieldCorrection,
    LineItem,
    PaymentReceived,
    PostingRequested,
    ReviewCompleted,
    ReviewRequested,
)
from streams.app import codecs
from tests import factories
from tests.agents.conftest import Sent

NOW = datetime(2026, 11, 20, tzinfo=UTC)
GLOBEX_ACCOUNT = "DE75512108001245126199"
UNKNOWN_ACCOUNT = "DE89370400440532013000"


@pytest.fixture
def blobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalBlobStore:
    store = LocalBlobStore(tmp_path / "blobs")
    monkeypatch.setattr(cashapp.intake_handler, "blobs", store)
    monkeypatch.setattr(cashapp.apply_handler, "ledgers", cashapp.LedgerCache(masterdata.store))
    return store


def _encode(topic: str, event: Any) -> bytes:
    return codecs.for_topic(topic).encode(event)


def _load_ledger() -> None:
    for party_id, name, iban in (("C-2001", "Globex Retail AG", GLOBEX_ACCOUNT),
                                 ("C-2002", "Initech Services BV", "NL91ABNA0417164300")):
        masterdata.store.apply("masterdata.customers", None,
                               factories.customer(party_id=party_id, name=name, ibans=[iban], legal_entity="DE01"))
    for item_id, customer_id, amount, reference in (
            ("INV-2026-00001", "C-2001", "119.00", "RF16INV20260001"),
            ("INV-2026-00002", "C-2001", "238.00", None),
            ("INV-2026-00003", "C-2002", "59.50", None)):
        masterdata.store.apply("masterdata.open_items", None, factories.open_item(
            item_id=item_id, invoice_number=item_id, customer_id=customer_id, legal_entity="DE01",
            currency="EUR", amount_total=Decimal(amount), amount_open=Decimal(amount),
            structured_reference=reference))


def _statement_document(blobs: LocalBlobStore, data: bytes, document_id: str = "stmt-doc-1") -> DocumentExtracted:
    stored = blobs.put(data)
    envelope = factories.envelope(document_id=document_id, correlation_id=document_id)
    return factories.extracted(envelope=envelope, blob_uri=stored.uri, sha256=stored.sha256,
                               document_type="bank_statement", reading="structured", page_count=0, fields=[],
                               line_items=[], missing=[])


async def _handled(sent: Sent, topics: tuple[str, ...], count: int) -> None:
    """Wait until ``count`` messages went to ``topics``: ``put`` returns when the agent *took* the
    event, and the intake handler reads the blob on an executor thread before it emits."""
    for _ in range(500):
        if sum(len(sent.on(topic)) for topic in topics) >= count:
            return
        await asyncio.sleep(0.01)


async def _intake(extracted: DocumentExtracted, sent: Sent, *, expect: int = 1) -> None:
    before = len(sent.on("payments.received")) + len(sent.on("documents.rejected"))
    async with cashapp.cash_intake_agent.test_context() as agent:
        await agent.put(key=extracted.envelope.document_id.encode(), value=_encode("documents.extracted", extracted))
        await _handled(sent, ("payments.received", "documents.rejected"), before + expect)


async def _apply(payments: list[PaymentReceived], sent: Sent) -> None:
    """Through both hops: repartitioned by match key, then applied."""
    before = len(sent.on("payments.by-match-key"))
    async with cashapp.cash_repartition_agent.test_context() as agent:
        for payment in payments:
            await agent.put(key=payment.payment_id.encode(), value=_encode("payments.received", payment))
        await _handled(sent, ("payments.by-match-key",), before + len(payments))
    keyed = [m for m in sent.messages if m.topic == "payments.by-match-key"][before:]
    assert [m.value.payment_id for m in keyed] == [p.payment_id for p in payments]
    applications = len(sent.on("cash.applications"))
    async with cashapp.cash_apply_agent.test_context() as agent:
        for message in keyed:
            await agent.put(key=message.key.encode(), value=_encode("payments.by-match-key", message.value))
        await _handled(sent, ("cash.applications",), applications + len(payments))


def _camt(*entries: CamtEntry) -> bytes:
    return render_camt053("STMT-2026-11-20", "DE44500105175407324931", "EUR", list(entries), created=NOW)


async def test_a_statement_becomes_payments_applications_postings_and_reviews(sent: Sent,
                                                                              blobs: LocalBlobStore) -> None:
    _load_ledger()
    data = _camt(
        CamtEntry(Decimal("119.00"), date(2026, 11, 20), "Globex Retail AG", GLOBEX_ACCOUNT,
                  reference="RF16INV20260001"),
        CamtEntry(Decimal("59.50"), date(2026, 11, 20), "Initech Services B.V.", UNKNOWN_ACCOUNT,
                  text="Payment INV-2026-00003"),
        CamtEntry(Decimal("999.99"), date(2026, 11, 20), "Stranger Ltd", text="thanks"),
        CamtEntry(Decimal("-12.00"), date(2026, 11, 20), "Bank", text="fees"))
    await _intake(_statement_document(blobs, data), sent, expect=4)
    payments = sent.on("payments.received")
    assert len(payments) == 4 and all(isinstance(p, PaymentReceived) for p in payments)
    assert sent.keys("payments.received") == [p.payment_id for p in payments]
    assert all(p.envelope.document_id == "stmt-doc-1" for p in payments)

    await _apply(payments, sent)
    applications: list[CashApplication] = sent.on("cash.applications")
    assert [a.payment_id for a in applications] == [p.payment_id for p in payments]
    statuses = [a.status for a in applications]
    assert statuses[:2] == ["applied", "applied"] and statuses[3] == "unapplied"
    assert statuses[2] in ("unapplied", "review")
    postings: list[PostingRequested] = sent.on("postings.requested")
    assert [p.cash_application.payment_id for p in postings if p.cash_application] == [
        payments[0].payment_id, payments[1].payment_id]
    assert {p.posting_type for p in postings} == {"payment"}
    assert postings[0].cash_application is not None
    assert postings[0].cash_application.applications[0].invoice_number == "INV-2026-00001"
    reviews: list[ReviewRequested] = sent.on("reviews.requested")
    assert [r.task_id for r in reviews] == [f"cash:{payments[2].payment_id}"]
    # Initech paid from an account nobody knew: learnt for next time, keyed as the xref topic wants
    (learned,) = sent.on("masterdata.xrefs")
    assert isinstance(learned, CrossReference)
    assert (learned.party_id, learned.external_id, learned.kind) == ("C-2002", UNKNOWN_ACCOUNT, "bank_account")
    assert sent.keys("masterdata.xrefs") == [f"DE01:bank:{UNKNOWN_ACCOUNT}"]


async def test_a_learnt_account_identifies_the_payer_next_time(sent: Sent, blobs: LocalBlobStore) -> None:
    _load_ledger()
    masterdata.store.apply("masterdata.xrefs", None, CrossReference(
        legal_entity="DE01", system="bank", external_id=UNKNOWN_ACCOUNT, kind="bank_account", party_id="C-2002",
        updated_at=NOW))
    payment = factories.payment(payment_id="p-learnt", amount=Decimal("59.50"), payer_name="IS BV",
                                payer_account=UNKNOWN_ACCOUNT, remittance_structured=None, remittance_text=None)
    await _apply([payment], sent)
    (application,) = sent.on("cash.applications")
    assert application.customer_id == "C-2002" and "payer_account" in application.evidence
    assert application.status == "applied"
    assert sent.on("masterdata.xrefs") == []


async def test_a_statement_that_does_not_parse_is_rejected_with_its_code(sent: Sent, blobs: LocalBlobStore) -> None:
    broken = _camt(CamtEntry(Decimal("1.00"), date(2026, 11, 20), "X"))[:-120]
    extracted = _statement_document(blobs, broken, "stmt-broken")
    await _intake(extracted, sent)
    (rejection,) = sent.on("documents.rejected")
    assert isinstance(rejection, DocumentRejected)
    assert rejection.error_code == "CASHAPP_STATEMENT_MALFORMED"
    assert rejection.blob_uri == extracted.blob_uri and rejection.stage == "cashapp-intake"
    assert sent.on("payments.received") == []


async def test_invoices_are_ignored_by_intake_and_statements_by_enrich(sent: Sent, blobs: LocalBlobStore) -> None:
    statement = _statement_document(blobs, _camt(CamtEntry(Decimal("1.00"), date(2026, 11, 20), "X")))
    async with cashapp.cash_intake_agent.test_context() as agent:
        # in order on one partition: once the statement's payment is out, the invoice was handled
        await agent.put(key=b"invoice", value=_encode("documents.extracted", factories.extracted()))
        await agent.put(key=b"statement", value=_encode("documents.extracted", statement))
        await _handled(sent, ("payments.received",), 1)
    (payment,) = sent.on("payments.received")
    assert payment.envelope.document_id == "stmt-doc-1" and sent.on("documents.rejected") == []
    async with enrich.enrich_agent.test_context() as agent:
        await agent.put(key=b"stmt-doc-1", value=_encode("documents.extracted", statement))
    assert sent.on("documents.enriched") == [] and sent.on("documents.by-vendor") == []


# --- payment reviews: a person decides what a payment pays, the stream applies it ---------------

TWIN_ITEM = "INV-2026-00004"  # a second Globex invoice of 238.00: an amount alone cannot tell which


def _load_twin_ledger() -> None:
    _load_ledger()
    masterdata.store.apply("masterdata.open_items", None, factories.open_item(
        item_id=TWIN_ITEM, invoice_number=TWIN_ITEM, customer_id="C-2001", legal_entity="DE01", currency="EUR",
        amount_total=Decimal("238.00"), amount_open=Decimal("238.00"), structured_reference=None))


async def _payment_task(sent: Sent, payment_id: str = "camt.053:ACC:STMT-R:1") -> ReviewRequested:
    """Globex pays 238.00 quoting nothing: the matcher asks a person; the task reaches the table."""
    payment = factories.payment(
        envelope=factories.envelope(document_id="stmt-doc-r", correlation_id="stmt-doc-r", legal_entity="DE01"),
        payment_id=payment_id, amount=Decimal("238.00"), payer_name="Globex Retail AG", payer_account=GLOBEX_ACCOUNT,
        remittance_structured=None, remittance_text="thank you")
    await _apply([payment], sent)
    (task,) = [t for t in sent.on("reviews.requested") if t.task_id == f"cash:{payment_id}"]
    assert sent.keys("reviews.requested")[-1] == "stmt-doc-r"
    assert sent.on("postings.requested") == []
    await _open(task)
    return task


async def _open(task: ReviewRequested) -> None:
    async with cashapp.cash_review_task_agent.test_context() as agent:
        await agent.put(key=task.envelope.document_id.encode(), value=_encode("reviews.requested", task))
    for _ in range(500):
        if cashapp.open_payment_reviews.get(task.task_id.encode()):
            return
        await asyncio.sleep(0.01)


def _payment_verdict(task: ReviewRequested, decision: str = "approve", *, items: str | None = None,
                     event_id: str = "00000000-0000-4000-a000-000000000001", **overrides: Any) -> ReviewCompleted:
    values: dict[str, Any] = {
        "envelope": factories.envelope(event_id=event_id, document_id=task.envelope.document_id,
                                       correlation_id=task.envelope.document_id, legal_entity="DE01"),
        "task_id": task.task_id, "task_version": 1, "reviewer": "paula", "decision": decision, "vendor_id": None,
        "corrections": [] if items is None else [FieldCorrection(field="open_item_ids", new_value=items)],
        "decided_at": NOW}
    values.update(overrides)
    return ReviewCompleted(**values)


async def _decide(review: ReviewCompleted, sent: Sent) -> None:
    before = sum(len(sent.on(t)) for t in ("cash.applications", "documents.rejected"))
    async with cashapp.cash_review_verdict_agent.test_context() as agent:
        await agent.put(key=review.envelope.document_id.encode(), value=_encode("reviews.completed", review))
        await _handled(sent, ("cash.applications", "documents.rejected"), before + 1)


async def test_an_approved_payment_review_applies_and_posts_the_chosen_invoice_once(sent: Sent) -> None:
    _load_twin_ledger()
    task = await _payment_task(sent)
    assert task.cash_application is not None and task.cash_application.status == "review"
    verdict = _payment_verdict(task, items=TWIN_ITEM)
    await _decide(verdict, sent)
    application = sent.on("cash.applications")[-1]
    assert isinstance(application, CashApplication) and application.status == "applied"
    assert [(a.invoice_number, a.amount_applied) for a in application.applications] == [(TWIN_ITEM, Decimal("238.00"))]
    assert application.evidence == ["reviewed_by:paula"] and application.customer_id == "C-2001"
    (posting,) = sent.on("postings.requested")
    assert isinstance(posting, PostingRequested) and posting.cash_application == application
    assert posting.idempotency_key == payment_key(task.cash_application.payment_id, "tryton")
    assert sent.keys("postings.requested") == [task.cash_application.payment_id]
    assert sent.on("documents.rejected") == []

    # delivered again: the same events, same ids and key (the posting ledger answers already_posted)
    await _decide(verdict, sent)
    repeated = sent.on("postings.requested")
    assert len(repeated) == 2 and repeated[1].envelope.event_id == posting.envelope.event_id
    assert sent.on("cash.applications")[-1] == application
    # another verdict on the decided task is refused, nothing posts
    await _decide(_payment_verdict(task, items="INV-2026-00002", event_id="00000000-0000-4000-a000-000000000002"),
                  sent)
    (refused,) = sent.on("documents.rejected")
    assert isinstance(refused, DocumentRejected) and refused.error_code == "CASH_REVIEW_TASK_DECIDED"
    assert refused.stage == "cashapp-review" and len(sent.on("postings.requested")) == 2


async def test_a_replayed_payment_does_not_reopen_its_decided_task(sent: Sent) -> None:
    _load_twin_ledger()
    task = await _payment_task(sent)
    await _decide(_payment_verdict(task, "reject", reason="refund requested"), sent)
    rejected = sent.on("cash.applications")[-1]
    assert rejected.status == "unapplied" and rejected.evidence[0] == "review_rejected"
    assert sent.on("postings.requested") == []
    await _open(task)  # the payment replayed raises the same task again
    await _decide(_payment_verdict(task, items=TWIN_ITEM, event_id="00000000-0000-4000-a000-000000000003"), sent)
    assert [r.error_code for r in sent.on("documents.rejected")] == ["CASH_REVIEW_TASK_DECIDED"]
    assert sent.on("postings.requested") == []


async def test_a_verdict_the_stage_cannot_act_on_is_rejected_with_its_code(sent: Sent) -> None:
    _load_twin_ledger()
    orphan = _payment_verdict(factories.review_requested(task_id="cash:camt.053:ACC:STMT-R:9"), items=TWIN_ITEM)
    await _decide(orphan, sent)
    task = await _payment_task(sent)
    await _decide(_payment_verdict(task, items="INV-2026-00001,INV-2026-00003",
                                   event_id="00000000-0000-4000-a000-000000000004"), sent)
    codes = [(r.error_code, r.retryable) for r in sent.on("documents.rejected")]
    assert codes == [("CASH_REVIEW_TASK_UNKNOWN", True), ("CASH_REVIEW_MIXED_CUSTOMERS", False)]
    assert sent.on("postings.requested") == []
    # a refused verdict decides nothing: a valid one is still acted on
    await _decide(_payment_verdict(task, items=TWIN_ITEM, event_id="00000000-0000-4000-a000-000000000005"), sent)
    assert len(sent.on("postings.requested")) == 1


async def test_document_reviews_are_left_to_the_route_stage_and_payment_reviews_to_this_one(sent: Sent) -> None:
    _load_twin_ledger()
    document_task = factories.review_requested(task_id="task-doc-1")
    await _open(document_task)
    assert cashapp.open_payment_reviews.get(b"task-doc-1") is None
    async with cashapp.cash_review_verdict_agent.test_context() as agent:
        await agent.put(key=b"doc-1", value=_encode("reviews.completed", factories.review_completed()))
    task = await _payment_task(sent)
    async with route.review_task_agent.test_context() as agent:
        await agent.put(key=task.envelope.document_id.encode(), value=_encode("reviews.requested", task))
    assert route.open_reviews.get(task.envelope.document_id.encode()) is None
    assert sent.on("documents.rejected") == [] and sent.on("cash.applications")[-1].status == "review"


def _advice_document(document_id: str = "advice-doc-1") -> DocumentExtracted:
    field = factories.field
    envelope = factories.envelope(document_id=document_id, correlation_id=document_id)
    lines = [LineItem(index=i, fields=[field("invoice_number", number), field("amount_paid", amount)])
             for i, (number, amount) in enumerate((("INV-2026-00001", "119.00"), ("INV-2026-00002", "238.00")))]
    return factories.extracted(envelope=envelope, document_type="remittance_advice", reading="structured",
                               page_count=1, missing=[], line_items=lines,
                               fields=[field("payer_name", "Globex Retail AG"), field("currency", "EUR"),
                                       field("payment_date", "2026-11-18"), field("total", "357.00")])


async def test_an_advice_waits_for_its_money_and_the_bank_line_is_posted_line_by_line_once(
        sent: Sent, blobs: LocalBlobStore) -> None:
    _load_ledger()
    await _intake(_advice_document(), sent)
    (advice,) = sent.on("payments.received")
    assert advice.source_format == "remittance" and len(advice.remittance_lines) == 2
    await _apply([advice], sent)
    assert sent.on("postings.requested") == []  # an advice announces money; it does not post
    (waiting,) = cashapp.advice_links.data.values()
    assert b'"met_by": null' in waiting

    data = _camt(CamtEntry(Decimal("357.00"), date(2026, 11, 20), "Globex Retail AG", GLOBEX_ACCOUNT,
                           text="PAYMENT ADVICE 4711"))
    await _intake(_statement_document(blobs, data), sent)
    line = sent.on("payments.received")[-1]
    await _apply([line], sent)
    (posting,) = sent.on("postings.requested")
    application = posting.cash_application
    assert application is not None and application.payment_id == line.payment_id
    assert "remittance_advice" in application.evidence
    assert {(a.invoice_number, a.amount_applied) for a in application.applications} == {
        ("INV-2026-00001", Decimal("119.00")), ("INV-2026-00002", Decimal("238.00"))}
    assert posting.idempotency_key == payment_key(line.payment_id, "tryton")
    # the statement replayed: the same events again, under the same key
    await _apply([line], sent)
    postings = sent.on("postings.requested")
    assert len(postings) == 2 and postings[1] == posting
