"""The review loop under Faust's test_context: open tasks, approvals, rejections, learned aliases."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from agents import enrich, masterdata, route
from docket.dedup.index import history_key
from docket.model import (
    CrossReference,
    DocumentEnriched,
    DocumentRejected,
    DocumentRouted,
    FieldCorrection,
    PostingRequested,
    ReviewCompleted,
    ReviewRequested,
)
from streams.app import codecs
from tests import factories
from tests.agents.builders import invoice
from tests.agents.conftest import Sent

DECIDED = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)


def _encode(topic: str, event: Any) -> bytes:
    return codecs.for_topic(topic).encode(event)


async def _to_review(extracted: Any, sent: Sent) -> ReviewRequested:
    """Enrich and route ``extracted``, then feed the review task it produced to the task agent."""
    async with enrich.enrich_agent.test_context() as agent:
        await agent.put(key=b"k", value=_encode("documents.extracted", extracted))
    document = sent.on("documents.by-vendor")[-1]
    async with route.route_agent.test_context() as agent:
        await agent.put(key=history_key(document).encode(), value=_encode("documents.by-vendor", document))
    task = sent.on("reviews.requested")[-1]
    assert isinstance(task, ReviewRequested) and task.envelope.document_id == extracted.envelope.document_id
    async with route.review_task_agent.test_context() as agent:
        await agent.put(key=task.envelope.document_id.encode(), value=_encode("reviews.requested", task))
    return task


def _verdict(task: ReviewRequested, decision: str, **overrides: Any) -> ReviewCompleted:
    values: dict[str, Any] = {
        "envelope": factories.envelope(event_id=f"00000000-0000-4000-9000-{abs(hash(decision)) % 10**12:012d}",
                                       document_id=task.envelope.document_id,
                                       correlation_id=task.envelope.document_id),
        "task_id": task.task_id, "task_version": 1, "reviewer": "rita", "decision": decision, "vendor_id": None,
        "corrections": [], "decided_at": DECIDED,
    }
    values.update(overrides)
    return ReviewCompleted(**values)


async def _complete(review: ReviewCompleted) -> None:
    async with route.review_completed_agent.test_context() as agent:
        await agent.put(key=review.envelope.document_id.encode(), value=_encode("reviews.completed", review))


async def test_approval_posts_the_corrected_document_as_a_new_revision(sent: Sent) -> None:
    masterdata.store.apply("masterdata.vendors", None, factories.vendor())
    task = await _to_review(invoice("1", "RE-1"), sent)  # first invoice from the vendor
    correction = FieldCorrection(field="total", old_value="119.00", new_value="120.00")
    await _complete(_verdict(task, "approve", corrections=[correction]))
    (posting,) = sent.on("postings.requested")
    assert isinstance(posting, PostingRequested)
    assert posting.record is not None and posting.record.total == Decimal("120.00")
    assert posting.revision == task.document.revision + 1
    assert posting.envelope.document_id == "1" and posting.party_id == "V-1001"
    routed = sent.on("documents.routed")[-1]
    assert isinstance(routed, DocumentRouted) and routed.route == "post"
    assert routed.reasons[0].code == "REVIEW_APPROVED"
    assert routed.envelope.event_id != sent.on("documents.routed")[0].envelope.event_id
    # The vendor was resolved by an identifier already: nothing to learn.
    assert sent.on("masterdata.xrefs") == []


async def test_approval_with_a_vendor_teaches_the_printed_name_as_an_alias(sent: Sent) -> None:
    masterdata.store.apply("masterdata.vendors", None, factories.vendor())
    unknown = invoice("7", "X-7", supplier="MBB Berlin Büroservice", vat_id=None, iban=None)
    task = await _to_review(unknown, sent)
    assert task.document.vendor is not None and task.document.vendor.party_id is None
    await _complete(_verdict(task, "approve", vendor_id="V-1001"))
    (posting,) = sent.on("postings.requested")
    assert posting.party_id == "V-1001" and posting.gl_account == "6815"
    (xref,) = sent.on("masterdata.xrefs")
    assert isinstance(xref, CrossReference) and xref.system == "name_alias" and xref.party_id == "V-1001"
    assert sent.keys("masterdata.xrefs") == [f"DE01:name_alias:{xref.external_id}"]
    # Once the xref reaches the master data, the next document with that name resolves by alias.
    masterdata.store.apply("masterdata.xrefs", sent.keys("masterdata.xrefs")[0], xref)
    async with enrich.enrich_agent.test_context() as agent:
        await agent.put(key=b"8", value=_encode("documents.extracted", invoice(
            "8", "X-8", supplier="MBB Berlin Büroservice", vat_id=None, iban=None)))
    document = sent.on("documents.by-vendor")[-1]
    assert isinstance(document, DocumentEnriched)
    assert document.vendor is not None and (document.vendor.party_id, document.vendor.method) == ("V-1001", "alias")


async def test_rejection_by_the_reviewer_is_recorded_and_rejected(sent: Sent) -> None:
    masterdata.store.apply("masterdata.vendors", None, factories.vendor())
    task = await _to_review(invoice("1", "RE-1"), sent)
    await _complete(_verdict(task, "reject", reason="not our order"))
    assert sent.on("postings.requested") == []
    rejected = sent.on("documents.rejected")[-1]
    assert isinstance(rejected, DocumentRejected) and rejected.error_code == "ROUTE_REVIEW_REJECTED"
    assert "not our order" in rejected.message
    assert sent.on("documents.routed")[-1].route == "reject"


async def test_a_verdict_without_an_open_task_is_rejected_with_its_code(sent: Sent) -> None:
    task = factories.review_requested()
    await _complete(_verdict(task, "approve"))
    (rejected,) = sent.on("documents.rejected")
    assert rejected.error_code == "ROUTE_REVIEW_TASK_UNKNOWN"
    assert sent.on("postings.requested") == []


async def test_a_correction_of_an_unknown_field_is_rejected_and_nothing_posts(sent: Sent) -> None:
    masterdata.store.apply("masterdata.vendors", None, factories.vendor())
    task = await _to_review(invoice("1", "RE-1"), sent)
    await _complete(_verdict(task, "approve", corrections=[FieldCorrection(field="colour", new_value="red")]))
    assert sent.on("postings.requested") == []
    assert sent.on("documents.rejected")[-1].error_code == "ROUTE_CORRECTION_UNKNOWN_FIELD"


async def test_an_invalid_corrected_amount_is_rejected(sent: Sent) -> None:
    masterdata.store.apply("masterdata.vendors", None, factories.vendor())
    task = await _to_review(invoice("1", "RE-1"), sent)
    await _complete(_verdict(task, "approve", corrections=[FieldCorrection(field="total", new_value="12O,00")]))
    assert sent.on("postings.requested") == []
    assert sent.on("documents.rejected")[-1].error_code == "ROUTE_CORRECTION_INVALID"


def test_posting_targets_take_names_with_optional_mapping_versions() -> None:
    assert route.posting_targets("tryton") == {"tryton": "tryton/1"}
    assert route.posting_targets(" tryton , sql=sql_invoice/3,") == {"tryton": "tryton/1", "sql": "sql_invoice/3"}
    assert route.posting_targets("") == {}


async def test_a_second_verdict_on_a_decided_task_is_refused_and_posts_nothing(sent: Sent) -> None:
    masterdata.store.apply("masterdata.vendors", None, factories.vendor())
    task = await _to_review(invoice("1", "RE-1"), sent)
    first = _verdict(task, "approve", reviewer="rita")
    await _complete(first)
    assert len(sent.on("postings.requested")) == 1
    second = _verdict(task, "approve", reviewer="otto", envelope=factories.envelope(
        event_id="00000000-0000-4000-9000-000000000002", document_id=task.envelope.document_id,
        correlation_id=task.envelope.document_id))
    await _complete(second)
    assert len(sent.on("postings.requested")) == 1
    rejected = sent.on("documents.rejected")[-1]
    assert isinstance(rejected, DocumentRejected) and rejected.error_code == "ROUTE_REVIEW_TASK_DECIDED"


async def test_the_same_verdict_delivered_again_yields_the_same_posting(sent: Sent) -> None:
    masterdata.store.apply("masterdata.vendors", None, factories.vendor())
    task = await _to_review(invoice("1", "RE-1"), sent)
    verdict = _verdict(task, "approve")
    await _complete(verdict)
    await _complete(verdict)
    first, again = sent.on("postings.requested")
    assert first.idempotency_key == again.idempotency_key
    assert first.envelope.event_id == again.envelope.event_id
    assert sent.on("documents.rejected") == []


async def test_a_verdict_that_fails_leaves_the_task_open_for_a_corrected_one(sent: Sent) -> None:
    masterdata.store.apply("masterdata.vendors", None, factories.vendor())
    task = await _to_review(invoice("1", "RE-1"), sent)
    await _complete(_verdict(task, "approve", corrections=[FieldCorrection(field="total", new_value="12O,00")]))
    fixed = _verdict(task, "approve", corrections=[FieldCorrection(field="total", new_value="120.00")],
                     envelope=factories.envelope(event_id="00000000-0000-4000-9000-000000000003",
                                                 document_id=task.envelope.document_id,
                                                 correlation_id=task.envelope.document_id))
    await _complete(fixed)
    (posting,) = sent.on("postings.requested")
    assert posting.record is not None and posting.record.total == Decimal("120.00")
