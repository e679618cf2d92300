"""Review tasks made by the real pure pipeline (capture → enrich → route), without Kafka.

The role tests need realistic tasks (boxes, confidences, findings, bank details) but not the
broker; the pipeline test feeds Kafka instead. Vendors come from the sample master data.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from connectors.blobstore import LocalBlobStore
from connectors.stores.review import ReviewStore
from docket.capture import capture_document
from docket.dedup.index import VendorHistory
from docket.enrich import ReferenceData, enrich_document
from docket.masterdata_csv import parse_masterdata_csv
from docket.model import DocumentExtracted, DocumentReceived, Envelope, ReviewRequested, Vendor
from docket.review.passwords import hash_password
from docket.review.tasks import User
from docket.routing.events import review_request
from docket.routing.policy import PolicyBook
from docket.routing.stage import route_document

REPO = Path(__file__).resolve().parents[2]
VENDORS_CSV = REPO / "samples" / "masterdata" / "vendors.csv"
PASSWORD = "browser-test-password"


def sample_vendors() -> list[Vendor]:
    records = parse_masterdata_csv("vendors", VENDORS_CSV.read_text(encoding="utf-8"), now=datetime.now(UTC))
    return [record for record in records if isinstance(record, Vendor)]


def received(blobs: LocalBlobStore, data: bytes, legal_entity: str, now: datetime) -> DocumentReceived:
    stored = blobs.put(data)
    envelope = Envelope.new(document_id=f"doc-{uuid.uuid4().hex[:10]}", legal_entity=legal_entity,
                            producer="tests.browser", now=now)
    return DocumentReceived(envelope=envelope, blob_uri=stored.uri, sha256=stored.sha256, filename="invoice.pdf",
                            media_type="application/pdf", size_bytes=len(data), channel="http")


def task_for(store: ReviewStore, blobs: LocalBlobStore, data: bytes, legal_entity: str, *,
             minutes_ago: int = 0) -> ReviewRequested:
    """Run ``data`` through capture, enrich and route; store the review task and the extraction
    (the audit trail holds it, and the task page reads its boxes from there)."""
    now = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    arrival = received(blobs, data, legal_entity, now)
    (captured,) = capture_document(data, arrival.filename)
    extracted = DocumentExtracted(
        envelope=arrival.envelope.follow(producer="tests.browser", now=now, versions={"extraction": "capture-1"}),
        blob_uri=arrival.blob_uri, sha256=arrival.sha256, document_type=captured.document_type,
        type_confidence=captured.type_confidence, language=captured.language, page_count=captured.page_count,
        reading=captured.reading, fields=list(captured.fields), missing=list(captured.missing),
        line_items=list(captured.line_items))
    reference = ReferenceData()
    for vendor in sample_vendors():
        reference.vendors.upsert(vendor)
    enriched = enrich_document(extracted, reference, now=now)
    routed = route_document(enriched, VendorHistory(), PolicyBook.load(), now=now)
    assert routed.decision.route == "review", routed.decision
    request = review_request(routed.document, routed.decision, now=now, due_at=now + timedelta(days=2))
    store.audit.record(arrival)
    store.audit.record(extracted)
    store.add_request(request)
    return request


def add_users(store: ReviewStore) -> dict[str, User]:
    """rita and ben review DE01 (limit 1000), paul reviews FR01, anna approves both, otto audits,
    ada administers."""
    users = {
        "rita": User("rita", "reviewer", frozenset({"DE01"}), Decimal("1000"), "Rita Reviewer"),
        "ben": User("ben", "reviewer", frozenset({"DE01"}), Decimal("1000"), "Ben Reviewer"),
        "paul": User("paul", "reviewer", frozenset({"FR01"}), Decimal("1000"), "Paul Reviewer"),
        "anna": User("anna", "approver", frozenset({"DE01", "FR01"}), None, "Anna Approver"),
        "otto": User("otto", "auditor", frozenset({"*"}), None, "Otto Auditor"),
        "ada": User("ada", "administrator", frozenset({"*"}), None, "Ada Admin"),
    }
    digest = hash_password(PASSWORD)
    for user in users.values():
        store.add_user(user, digest, datetime.now(UTC))
    return users
