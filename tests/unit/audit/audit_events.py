"""One document's life as events, built from the shared models (for the audit store tests)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from docket.model import (
    DocumentEnriched,
    DocumentExtracted,
    DocumentReceived,
    DocumentRouted,
    Envelope,
    Event,
    ExtractedField,
    Finding,
    InvoiceRecord,
    PartyMatch,
    PostingRequested,
    PostingResult,
    ReviewCompleted,
    ReviewRequested,
    RouteReason,
    idempotency_key,
)

START = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
IBAN = "DE89370400440532013000"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.secret-bearer"
SHA = "5d" * 32


def life_of(document_id: str = "doc-42") -> list[Event]:
    """received → extracted → enriched → routed (review) → review requested → reviewed →
    posting requested → posting retrying → posted, one minute apart."""
    at = [START + timedelta(minutes=minute) for minute in range(9)]
    received_env = Envelope.new(document_id=document_id, legal_entity="acme-de", producer="source.http", now=at[0])
    received = DocumentReceived(envelope=received_env, blob_uri=f"file:///blobs/{SHA}", sha256=SHA,
                                filename="invoice.pdf", media_type="application/pdf", size_bytes=48213,
                                channel="http")
    extracted_env = received_env.follow(producer="capture", now=at[1], versions={"extraction": "inv-1.3"})
    extracted = DocumentExtracted(
        envelope=extracted_env, blob_uri=received.blob_uri, sha256=SHA, document_type="invoice",
        type_confidence=0.97, page_count=1, reading="text_layer",
        fields=[ExtractedField(name="iban", value=IBAN, raw_text=f"IBAN: {IBAN}", confidence=0.99,
                               method="pattern", engine="text_layer")])
    record = InvoiceRecord(document_type="invoice", number="RE-77", issue_date=date(2026, 11, 20), currency="EUR",
                           total=Decimal("119.00"), supplier_name="Muster GmbH", supplier_iban=IBAN,
                           supplier_bic="COBADEFFXXX")
    enriched_env = extracted_env.follow(producer="enrich", now=at[2], versions={"rules": "2026.11"})
    enriched = DocumentEnriched(
        envelope=enriched_env, blob_uri=received.blob_uri, sha256=SHA, record=record,
        findings=[Finding(rule_id="BANK_DETAILS_CHANGED", severity="warning",
                          message=f"IBAN {IBAN} is not on file")],
        vendor=PartyMatch(role="vendor", party_id="V-100", method="vat_id", score=1.0, bank_account_known=False))
    reason = RouteReason(code="BANK_DETAILS_CHANGED", message="new bank account")
    routed_env = enriched_env.follow(producer="route", now=at[3], versions={"policy": "p-4"})
    routed = DocumentRouted(envelope=routed_env, route="review", reasons=[reason], policy_version="p-4",
                            document_type="invoice", total="119.00", currency="EUR")
    task_env = routed_env.follow(producer="route", now=at[4], part="task")
    task = ReviewRequested(envelope=task_env, task_id="T-9", reasons=[reason], document=enriched)
    reviewed = ReviewCompleted(envelope=task_env.follow(producer="review-ui", now=at[5]), task_id="T-9",
                               task_version=1, reviewer="maria", decision="approve", decided_at=at[5])
    key = idempotency_key(document_id, 0, "tryton")
    posting_env = reviewed.envelope.follow(producer="route", now=at[6], versions={"mapping": "tryton/2"})
    posting = PostingRequested(envelope=posting_env, idempotency_key=key, target="tryton",
                               posting_type="supplier_invoice", mapping_version="tryton/2", sha256=SHA,
                               record=record)
    retrying = PostingResult(envelope=posting_env.follow(producer="post.tryton", now=at[7], part="1"),
                             idempotency_key=key, target="tryton", status="retrying", attempt=1,
                             error_code="POSTING_TARGET_UNAVAILABLE", error_message="connection refused")
    request = json.dumps({"headers": {"Authorization": f"Bearer {TOKEN}"},
                          "body": {"supplier": "Muster GmbH", "iban": IBAN}})
    posted = PostingResult(envelope=posting_env.follow(producer="post.tryton", now=at[8], part="2"),
                           idempotency_key=key, target="tryton", status="posted", attempt=2,
                           erp_reference="SUPP-2026-0017", erp_id="417", request=request,
                           response=json.dumps({"id": 417, "number": "SUPP-2026-0017"}), duration_ms=512)
    return [received, extracted, enriched, routed, task, reviewed, posting, retrying, posted]
