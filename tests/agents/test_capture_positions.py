"""Per-vendor learning in the capture agent (Faust test_context): positions a reviewer taught arrive on
``vendors.field-positions``, and the vendor's next document is read there, with the measured confidence
of such reads (``bench/position_reads.py``), then enriched and routed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agents import capture, enrich, masterdata, route
from connectors.blobstore import LocalBlobStore
from docket.dedup.index import history_key
from docket.model import BBox, DocumentExtracted, DocumentRouted
from docket.review.positions import learned_position, positions_key, positions_record
from docket.routing.policy import PolicyBook
from docket.understanding.extract.positions import measured_confidence
from streams import topics
from streams.app import codecs
from tests import factories
from tests.agents.conftest import Sent
from tests.documents import vendor_layout_invoice, vendor_layout_number_box

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class OnTheLoop:
    """Runs capture calls right on the event loop, so a message is fully handled when ``put`` returns."""

    async def run(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return call(*args, **kwargs)


@pytest.fixture
def blobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sent: Sent) -> LocalBlobStore:
    """The capture agent on a temporary blob store, without its process pool; the vendor in master data."""
    store = LocalBlobStore(tmp_path)
    monkeypatch.setattr(capture.handler, "blobs", store)
    monkeypatch.setattr(capture.handler, "runner", OnTheLoop())
    capture.content_first_seen.data.clear()
    masterdata.store.apply(topics.MASTERDATA_VENDORS.name, None,
                           factories.vendor(name="Kaltenbrunner Feinmechanik GmbH", aliases=[]))
    return store


async def _capture(blobs: LocalBlobStore, sent: Sent, number: str, quantity: int) -> DocumentExtracted:
    data = vendor_layout_invoice(number, quantity=quantity)
    stored = blobs.put(data)
    received = factories.received(envelope=factories.envelope(document_id=number, versions={}),
                                  blob_uri=stored.uri, sha256=hashlib.sha256(data).hexdigest(),
                                  size_bytes=len(data))
    async with capture.capture_agent.test_context() as agent:
        await agent.put(key=received.sha256.encode(),
                        value=codecs.for_topic(topics.DOCUMENTS_RECEIVED.name).encode(received))
    extracted = sent.on(topics.DOCUMENTS_EXTRACTED.name)[-1]
    assert isinstance(extracted, DocumentExtracted) and extracted.envelope.document_id == number
    return extracted


def _teach(now: datetime = T0) -> None:
    """What the review workspace publishes after a clicked correction of the number, decoded as the
    worker's reader decodes it."""
    box = BBox.model_validate(vendor_layout_number_box())
    position = learned_position(None, legal_entity="DE01", vendor_id="V-1001", document_type="invoice",
                                field="number", box=box, now=now)
    record = positions_record([position], legal_entity="DE01", vendor_id="V-1001", document_type="invoice", now=now)
    codec = codecs.for_topic(topics.VENDOR_FIELD_POSITIONS.name)
    masterdata.store.apply(topics.VENDOR_FIELD_POSITIONS.name, positions_key("DE01", "V-1001", "invoice"),
                           codec.decode(codec.encode(record)))


async def _route(extracted: DocumentExtracted, sent: Sent) -> DocumentRouted:
    async with enrich.enrich_agent.test_context() as agent:
        await agent.put(key=b"k", value=codecs.for_topic(topics.DOCUMENTS_EXTRACTED.name).encode(extracted))
    document = sent.on(topics.DOCUMENTS_BY_VENDOR.name)[-1]
    async with route.route_agent.test_context() as agent:
        await agent.put(key=history_key(document).encode(),
                        value=codecs.for_topic(topics.DOCUMENTS_BY_VENDOR.name).encode(document))
    routed = sent.on(topics.DOCUMENTS_ROUTED.name)[-1]
    assert isinstance(routed, DocumentRouted) and routed.envelope.document_id == extracted.envelope.document_id
    return routed


def _fields(extracted: DocumentExtracted) -> dict[str, Any]:
    return {f.name: f for f in extracted.fields}


async def test_a_taught_position_reads_the_vendors_next_document_at_the_measured_confidence(
        blobs: LocalBlobStore, sent: Sent) -> None:
    first = await _capture(blobs, sent, "VG-2025-0417", 10)
    assert "invoice_number" not in _fields(first)
    assert capture.POSITIONS_VERSION_KEY not in first.envelope.versions
    routed = await _route(first, sent)
    assert routed.route == "review"
    assert any("invoice_number" in reason.fields for reason in routed.reasons)

    _teach()
    second = await _capture(blobs, sent, "VG-2025-0522", 25)
    number = _fields(second)["invoice_number"]
    assert (number.value, number.method) == ("VG-2025-0522", "position")
    assert second.envelope.versions[capture.POSITIONS_VERSION_KEY] == "V-1001"
    assert number.confidence == measured_confidence("invoice_number", 1)
    routed = await _route(second, sent)
    # The number is read, and right, but a position read after one correction is right less often than the
    # routing threshold asks (measured, see bench/position_reads.py): the reviewer confirms it, nothing else.
    assert number.confidence < PolicyBook.load().for_document("DE01", "invoice").threshold("invoice_number")
    assert routed.route == "review"
    assert [(r.code, r.fields) for r in routed.reasons] == [("LOW_CONFIDENCE", ["invoice_number"])]


async def test_a_tombstone_forgets_the_positions_and_another_vendor_never_uses_them(
        blobs: LocalBlobStore, sent: Sent) -> None:
    _teach()
    masterdata.store.apply(topics.VENDOR_FIELD_POSITIONS.name, positions_key("DE01", "V-1001", "invoice"), None)
    assert "invoice_number" not in _fields(await _capture(blobs, sent, "VG-2025-0601", 12))
    # Positions of the same layout taught for another vendor are not this vendor's.
    masterdata.store.apply(topics.VENDOR_FIELD_POSITIONS.name, None, positions_record(
        [learned_position(None, legal_entity="DE01", vendor_id="V-2002", document_type="invoice", field="number",
                          box=BBox.model_validate(vendor_layout_number_box()), now=T0)],
        legal_entity="DE01", vendor_id="V-2002", document_type="invoice", now=T0))
    assert "invoice_number" not in _fields(await _capture(blobs, sent, "VG-2025-0602", 13))


def test_a_positions_tombstone_must_name_vendor_and_type(sent: Sent) -> None:
    with pytest.raises(masterdata.MasterDataKeyError):
        masterdata.store.apply(topics.VENDOR_FIELD_POSITIONS.name, b"DE01:V-1001", None)
    # Vendor ids may hold colons; the document type is the last part.
    _teach()
    masterdata.store.positions.put(positions_record(
        [learned_position(None, legal_entity="DE01", vendor_id="V:1", document_type="invoice", field="total",
                          box=BBox(page=1, x0=0.1, y0=0.1, x1=0.2, y1=0.2), now=T0)],
        legal_entity="DE01", vendor_id="V:1", document_type="invoice", now=T0))
    masterdata.store.apply(topics.VENDOR_FIELD_POSITIONS.name, positions_key("DE01", "V:1", "invoice"), None)
    assert masterdata.store.positions.get("DE01", "V:1", "invoice") == ()
    assert masterdata.store.positions.get("DE01", "V-1001", "invoice") != ()
