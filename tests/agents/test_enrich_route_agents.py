"""The enrich and route agents under Faust's test_context: master data in, routing decisions out."""

from __future__ import annotations

from typing import Any

from agents import enrich, masterdata, route
from agents.runtime import Stage
from docket.dedup.index import history_key
from docket.model import (
    DocumentEnriched,
    DocumentRejected,
    DocumentRouted,
    PostingRequested,
    ReviewRequested,
)
from streams.app import codecs
from tests import factories
from tests.agents.builders import invoice
from tests.agents.conftest import Sent


def _encode(topic: str, event: Any) -> bytes:
    return codecs.for_topic(topic).encode(event)


def _load_vendor(**overrides: Any) -> None:
    masterdata.store.apply("masterdata.vendors", None, factories.vendor(**overrides))


async def _enrich(extracted: Any, sent: Sent) -> DocumentEnriched:
    before = len(sent.on("documents.by-vendor"))
    async with enrich.enrich_agent.test_context() as agent:
        await agent.put(key=extracted.envelope.document_id.encode(),
                        value=_encode("documents.extracted", extracted))
    (document,) = sent.on("documents.by-vendor")[before:]
    assert isinstance(document, DocumentEnriched)
    return document


async def _route(document: DocumentEnriched, sent: Sent) -> DocumentRouted:
    before = len(sent.on("documents.routed"))
    async with route.route_agent.test_context() as agent:
        await agent.put(key=history_key(document).encode(), value=_encode("documents.by-vendor", document))
    (decision,) = sent.on("documents.routed")[before:]
    assert isinstance(decision, DocumentRouted)
    return decision


async def test_enrich_resolves_the_vendor_from_master_data_and_repartitions_by_vendor(sent: Sent) -> None:
    _load_vendor()
    document = await _enrich(invoice("1", "RE-1"), sent)
    assert document.vendor is not None and document.vendor.party_id == "V-1001"
    assert document.vendor.method in ("vat_id", "iban") and document.gl_account == "6815"
    (enriched,) = sent.on("documents.enriched")
    assert enriched == document
    assert sent.keys("documents.enriched") == ["1"]
    assert sent.keys("documents.by-vendor") == ["DE01:V-1001"]


async def test_a_vendor_tombstone_unresolves_it(sent: Sent) -> None:
    _load_vendor()
    masterdata.store.apply("masterdata.vendors", b"DE01:V-1001", None)
    document = await _enrich(invoice("1", "RE-1"), sent)
    assert document.vendor is not None and document.vendor.party_id is None
    assert sent.keys("documents.by-vendor") == [history_key(document)]
    assert history_key(document).startswith("DE01:") and "V-1001" not in history_key(document)


async def test_first_invoice_goes_to_review_and_the_second_posts(sent: Sent) -> None:
    _load_vendor()
    first = await _route(await _enrich(invoice("1", "RE-1"), sent), sent)
    second = await _route(await _enrich(invoice("2", "RE-2", net="250.00"), sent), sent)
    assert first.route == "review" and [r.code for r in first.reasons] == ["FIRST_INVOICE_FROM_VENDOR"]
    assert second.route == "post", second.reasons
    (posting,) = sent.on("postings.requested")
    assert isinstance(posting, PostingRequested)
    assert posting.envelope.document_id == "2" and posting.target == "tryton" and posting.party_id == "V-1001"
    (task,) = sent.on("reviews.requested")
    assert isinstance(task, ReviewRequested) and task.envelope.document_id == "1"


async def test_same_number_again_is_a_duplicate_and_a_replay_is_not(sent: Sent) -> None:
    _load_vendor()
    original = await _enrich(invoice("1", "RE-1"), sent)
    await _route(original, sent)
    copy = await _route(await _enrich(invoice("2", "RE-1"), sent), sent)
    assert copy.route == "duplicate" and "1" in copy.reasons[0].message
    replay = await _route(original, sent)
    assert replay.route == "review"  # decided against what preceded it: the same decision as the first time
    assert replay.envelope.event_id == sent.on("documents.routed")[0].envelope.event_id


async def test_a_changed_iban_goes_to_review(sent: Sent) -> None:
    _load_vendor()
    await _route(await _enrich(invoice("1", "RE-1"), sent), sent)
    changed = invoice("2", "RE-2", net="250.00", iban="DE02120300000000202051")
    decision = await _route(await _enrich(changed, sent), sent)
    assert decision.route == "review"
    assert [r.code for r in decision.reasons] == ["BANK_DETAILS_CHANGED"]


async def test_an_unsupported_document_type_is_rejected(sent: Sent) -> None:
    _load_vendor()
    decision = await _route(await _enrich(invoice("1", "R-1", document_type="receipt"), sent), sent)
    assert decision.route == "reject"
    (rejected,) = sent.on("documents.rejected")
    assert isinstance(rejected, DocumentRejected) and rejected.error_code == "ROUTE_UNSUPPORTED_DOCUMENT_TYPE"


async def test_undecodable_extraction_is_dead_lettered_and_the_agent_continues(sent: Sent) -> None:
    _load_vendor()
    async with enrich.enrich_agent.test_context() as agent:
        await agent.put(key=b"bad", value=b"not avro")
        await agent.put(key=b"1", value=_encode("documents.extracted", invoice("1", "RE-1")))
    assert [m.topic for m in sent.messages] == ["docket.deadletter", "documents.enriched", "documents.by-vendor"]


def test_stage_names_the_producer() -> None:
    assert isinstance(route.stage, Stage) and route.stage.producer.startswith("docket.route/")
