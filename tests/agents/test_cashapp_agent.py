"""The cash-application agents under Faust's test_context: statements in, payments, applications,
postings, reviews and learnt bank accounts out."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from agents import cashapp, enrich, masterdata
from connectors.blobstore import LocalBlobStore
from docket.cashapp.statements.camt_write import CamtEntry, render_camt053
from docket.model import (
    CashApplication,
    CrossReference,
    DocumentExtracted,
    DocumentRejected,
    PaymentReceived,
    PostingRequested,
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
    async with cashapp.cash_apply_agent.test_context() as agent:
        for payment in payments:
            await agent.put(key=payment.payment_id.encode(), value=_encode("payments.received", payment))
        await _handled(sent, ("cash.applications",), len(payments))


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
