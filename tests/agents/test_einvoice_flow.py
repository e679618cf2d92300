"""E-invoices through enrich and route like any document: XML posts, a doctored print goes to
review with PRINTED_XML_MISMATCH, and the same invoice as XML and as hybrid PDF is a duplicate."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from agents import enrich, masterdata, route
from docket.capture import capture_document
from docket.dedup.index import history_key
from docket.model import DocumentEnriched, DocumentExtracted, DocumentRouted, PostingRequested
from streams.app import codecs
from tests import factories
from tests.agents.conftest import Sent
from tests.unit.einvoice.builders import einfach_xml, hybrid_pdf


def _extracted(document_id: str, data: bytes, name: str) -> DocumentExtracted:
    (captured,) = capture_document(data, name)
    sha = hashlib.sha256(data).hexdigest()
    envelope = factories.envelope(event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, document_id)), document_id=document_id,
                                  correlation_id=document_id, legal_entity="DE01")
    return factories.extracted(envelope=envelope, sha256=sha, blob_uri=f"blob:sha256:{sha}", fields=captured.fields,
                               line_items=captured.line_items, missing=captured.missing, findings=captured.findings,
                               document_type=captured.document_type, reading=captured.reading, language=None,
                               page_count=captured.page_count)


def _encode(topic: str, event: Any) -> bytes:
    return codecs.for_topic(topic).encode(event)


async def _through(extracted: DocumentExtracted, sent: Sent) -> DocumentRouted:
    before, routed = len(sent.on("documents.by-vendor")), len(sent.on("documents.routed"))
    async with enrich.enrich_agent.test_context() as agent:
        await agent.put(key=extracted.envelope.document_id.encode(), value=_encode("documents.extracted", extracted))
    (document,) = sent.on("documents.by-vendor")[before:]
    assert isinstance(document, DocumentEnriched)
    async with route.route_agent.test_context() as agent:
        await agent.put(key=history_key(document).encode(), value=_encode("documents.by-vendor", document))
    (decision,) = sent.on("documents.routed")[routed:]
    assert isinstance(decision, DocumentRouted)
    return decision


def _vendor() -> None:
    masterdata.store.apply("masterdata.vendors", None, factories.vendor(name="Lieferant GmbH", ibans=[]))


async def test_xml_invoices_post_after_the_vendors_first(sent: Sent) -> None:
    _vendor()
    first = await _through(_extracted("x1", einfach_xml(number="471101", issued="20241002"), "a.xml"), sent)
    second = await _through(_extracted("x2", einfach_xml(number="471102"), "b.xml"), sent)
    assert [r.code for r in first.reasons] == ["FIRST_INVOICE_FROM_VENDOR"]
    assert second.route == "post", second.reasons
    (posting,) = sent.on("postings.requested")
    assert isinstance(posting, PostingRequested) and posting.party_id == "V-1001"
    assert posting.record.number == "471102" and str(posting.record.total) == "529.8700"
    assert [str(line.amount) for line in posting.record.lines] == ["198.0000", "275.0000"]


async def test_a_hybrid_with_a_doctored_print_goes_to_review_with_the_mismatch(sent: Sent) -> None:
    _vendor()
    await _through(_extracted("x1", einfach_xml(number="471101", issued="20241002"), "a.xml"), sent)
    decision = await _through(_extracted("h2", hybrid_pdf(einfach_xml(), total="259,87"), "h.pdf"), sent)
    assert decision.route == "review"
    messages = [r.message for r in decision.reasons if r.code == "VALIDATION_FAILED"]
    assert len(messages) == 1 and messages[0].startswith("PRINTED_XML_MISMATCH: total")
    assert "259,87" in messages[0] and "529.87" in messages[0]


async def test_the_same_invoice_as_xml_and_as_hybrid_pdf_is_a_duplicate(sent: Sent) -> None:
    _vendor()
    await _through(_extracted("x1", einfach_xml(number="471101", issued="20241002"), "a.xml"), sent)
    await _through(_extracted("x2", einfach_xml(), "b.xml"), sent)
    again = await _through(_extracted("h3", hybrid_pdf(einfach_xml()), "b.pdf"), sent)
    assert again.route == "duplicate" and "x2" in again.reasons[0].message


def test_the_capture_stage_carries_the_findings_and_provenance_onto_the_event() -> None:
    from agents import capture

    (captured,) = capture_document(hybrid_pdf(einfach_xml(), total="259,87"), "h.pdf")
    event = capture.extracted_event(factories.received(), captured, index=0, total=1, stage=capture.stage)
    assert [f.rule_id for f in event.findings] == ["PRINTED_XML_MISMATCH"]
    assert event.reading == "structured" and event.envelope.versions["engine"] == "cii-d16b+text_layer"
    total = event.field("total")
    assert total is not None and total.business_term == "BT-112" and total.xml_path
    decoded = codecs.for_topic("documents.extracted").decode(_encode("documents.extracted", event))
    assert decoded == event
