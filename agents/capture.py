"""Capture stage: ``documents.received`` → ``documents.extracted`` (or rejected / duplicate).

``documents.received`` is keyed by the content's sha256, so every submission of the same bytes
lands on one partition and the ``content_first_seen`` table can link a repeat to the first
document instead of processing it as new. Reading and extraction are CPU-bound and run in a
process pool, so one slow scan does not stall the agent's other partitions; every document runs
under a time and memory budget (``capture_time_limit_s``, ``capture_memory_limit_mb``) and one
over it is rejected with ``CAPTURE_BUDGET_EXCEEDED`` while the worker goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import structlog

from agents import masterdata
from agents.capture_pool import BudgetedPool, InlineRunner
from agents.capture_warmup import warm_up_capture
from agents.runtime import Outgoing, Source, Stage
from connectors.blobstore import BlobStore, LocalBlobStore
from docket.capture import CapturedDocument, CaptureOptions, capture_document
from docket.cashapp.customer_mail import is_mail_body
from docket.enrich import ReferenceData
from docket.model import DocumentExtracted, DocumentReceived, DocumentRouted, RouteReason
from docket.parties.identify import identify_vendor
from docket.review.positions import PositionBook
from docket.routing.stage import CAPTURE_PASS_KEY as CAPTURE_PASS
from docket.routing.stage import OCR_VERSION_KEY as OCR_ENGINE
from docket.routing.stage import REEXTRACT_CHANNEL
from docket.understanding.extract.positions import reread_at_positions
from streams import topics
from streams.app import app, codecs, settings, topic

log = structlog.get_logger(__name__)
EXTRACTION_VERSION = "capture-1"
POSITIONS_VERSION_KEY = "field_positions"
"""``versions`` key naming the vendor whose learned positions capture read the document with."""


def extracted_event(received: DocumentReceived, captured: CapturedDocument, *, index: int, total: int,
                    stage: Stage, positions_of: str | None = None) -> DocumentExtracted:
    """The ``documents.extracted`` event for one document found in a received file.

    A file holding several documents yields ids ``<document_id>.1``, ``.2`` ...; a single
    document keeps the received id. ``positions_of``: the vendor whose learned positions filled fields.
    """
    document_id = received.envelope.document_id if total == 1 else f"{received.envelope.document_id}.{index + 1}"
    versions = {"extraction": EXTRACTION_VERSION, "engine": captured.engine,
                CAPTURE_PASS: str(capture_pass(received))}
    if positions_of is not None:
        versions[POSITIONS_VERSION_KEY] = positions_of
    if captured.reading == "ocr":
        versions[OCR_ENGINE] = captured.engine  # routing may ask for a second, finer OCR pass
    envelope = received.envelope.follow(
        producer=stage.producer, now=stage.clock(), part=str(index), document_id=document_id, versions=versions,
    )
    return DocumentExtracted(
        envelope=envelope, blob_uri=received.blob_uri, sha256=received.sha256,
        document_type=captured.document_type, type_confidence=captured.type_confidence,
        language=captured.language, page_count=captured.page_count, page_range=captured.page_range,
        reading=captured.reading, fields=list(captured.fields), missing=list(captured.missing),
        line_items=list(captured.line_items), template=captured.template, findings=list(captured.findings),
    )


def capture_pass(received: DocumentReceived) -> int:
    """1 for an arrival, 2 when routing sent the document back for a finer reading.

    Only routing's own ``reextract`` arrivals are trusted (the sources refuse the key and the
    channel from outside); an unreadable pass counts as the first.
    """
    if received.channel != REEXTRACT_CHANNEL:
        return 1
    text = received.metadata.get(CAPTURE_PASS, "1")
    return int(text) if text.isdigit() and len(text) < 3 else 1


def options_for(received: DocumentReceived, *, keep_pages: bool = False) -> CaptureOptions | None:
    """Capture options for this pass: the second pass renders scans at 300 dpi instead of 200;
    ``keep_pages`` when learned positions may be read after the vendor is identified."""
    dpi = 300 if capture_pass(received) > 1 else 200
    if dpi == 200 and not keep_pages:
        return None
    return CaptureOptions(dpi=dpi, keep_pages=keep_pages)


class Learned(Protocol):
    """What the second pass looks up: the vendors (master data) and their learned positions."""

    @property
    def reference(self) -> ReferenceData: ...

    @property
    def positions(self) -> PositionBook: ...


def duplicate_event(received: DocumentReceived, first_document_id: str, stage: Stage) -> DocumentRouted:
    """The routing event that links a repeat submission of the same bytes to the first one."""
    return DocumentRouted(
        envelope=received.envelope.follow(producer=stage.producer, now=stage.clock(), part="duplicate"),
        route="duplicate", policy_version="content-hash",
        reasons=[RouteReason(code="DUPLICATE_CONTENT",
                             message=f"same bytes (sha256 {received.sha256[:12]}…) as document {first_document_id}")],
        document_type="unknown",
    )


class CaptureRunner(Protocol):
    """Runs one capture call under the document budget (:mod:`agents.capture_pool`)."""

    async def start(self) -> None:
        """Get ready for the first document (processes started and warmed up)."""
        ...

    async def run(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...


class CaptureHandler:
    """Handles one received document: dedup by content, read the blob, capture under the budget, emit.

    ``capture`` is :func:`capture_document` (a picklable stand-in in tests of the budget);
    ``learned`` holds the vendors and their learned positions (None: no second pass).
    """

    def __init__(self, stage: Stage, blobs: BlobStore, runner: CaptureRunner, first_seen: Any, *,
                 capture: Callable[..., list[CapturedDocument]] = capture_document,
                 learned: Learned | None = None) -> None:
        self.stage = stage
        self.blobs = blobs
        self.runner = runner
        self.first_seen = first_seen  # sha256 (bytes) -> first document id (bytes)
        self.capture = capture
        self.learned = learned

    async def __call__(self, received: DocumentReceived, source: Source) -> Sequence[Outgoing]:
        if is_mail_body(received):
            return []  # a customer's own words: the customer-mail stage reads them from the metadata
        document_id = received.envelope.document_id
        first = self._claim_content(received.sha256, document_id)
        if first != document_id:
            return [Outgoing(topics.DOCUMENTS_ROUTED.name, document_id, duplicate_event(received, first, self.stage))]
        data = self.blobs.get(received.blob_uri)
        learned = self.learned
        keep_pages = learned is not None and learned.positions.knows_entity(received.envelope.legal_entity)
        captured = await self.runner.run(self.capture, data, received.filename, received.media_type,
                                         options=options_for(received, keep_pages=keep_pages))
        events = [await self._event(received, doc, i, len(captured)) for i, doc in enumerate(captured)]
        return [Outgoing(topics.DOCUMENTS_EXTRACTED.name, event.envelope.document_id, event) for event in events]

    async def _event(self, received: DocumentReceived, captured: CapturedDocument, index: int,
                     total: int) -> DocumentExtracted:
        """The extracted event, read a second time at the vendor's learned positions where there are any."""
        event = extracted_event(received, captured, index=index, total=total, stage=self.stage)
        if self.learned is None or not captured.pages:
            return event
        vendor = identify_vendor(event, self.learned.reference.vendors)
        if vendor is None or vendor.party_id is None:
            return event
        positions = self.learned.positions.get(event.envelope.legal_entity, vendor.party_id, captured.document_type)
        if not positions:
            return event
        reread: CapturedDocument = await self.runner.run(reread_at_positions, captured, positions,
                                                         vendor_identified=True)
        if reread.fields == captured.fields:
            return event
        return extracted_event(received, reread, index=index, total=total, stage=self.stage,
                               positions_of=vendor.party_id)

    def _claim_content(self, sha256: str, document_id: str) -> str:
        # No await between the read and the write: concurrent actors cannot both claim.
        key = sha256.encode()
        first = self.first_seen.get(key)
        if first is None:
            self.first_seen[key] = document_id.encode()
            return document_id
        return bytes(first).decode()


def make_runner(processes: int, *, time_limit_s: float, memory_limit_mb: int) -> BudgetedPool | InlineRunner:
    """A spawn-based budgeted process pool (forking a running event loop is unsafe), or one thread
    (``processes`` 0, where the budget cannot stop a runaway document)."""
    if processes <= 0:
        return InlineRunner(ThreadPoolExecutor(max_workers=1, thread_name_prefix="capture"),
                            time_limit_s=time_limit_s, warm_up=warm_up_capture)
    return BudgetedPool(processes, time_limit_s=time_limit_s,
                        memory_limit_bytes=memory_limit_mb * 1024 * 1024 if memory_limit_mb else None,
                        warm_up=warm_up_capture)


async def start_runner(runner: CaptureRunner) -> None:
    """Start the capture processes before the first document; a start that fails is logged and
    left to the first document, which starts a fresh pool (and is rejected if that fails too)."""
    try:
        await runner.start()
    except Exception as error:  # the agent must run on; documents meet the same fault as an event
        log.warning("capture_start_failed", error=f"{type(error).__name__}: {error}")


content_first_seen = app.Table("capture-content-first-seen", key_type=bytes, value_type=bytes,
                               partitions=settings.partitions)
stage = Stage("capture", codecs)
handler = CaptureHandler(stage, LocalBlobStore(settings.blob_root),
                         make_runner(settings.capture_processes, time_limit_s=settings.capture_time_limit_s,
                                     memory_limit_mb=settings.capture_memory_limit_mb),
                         content_first_seen, learned=masterdata.store)


@app.agent(topic(topics.DOCUMENTS_RECEIVED.name), concurrency=max(1, settings.capture_processes))
async def capture_agent(stream: Any) -> None:
    from agents.driver import drive

    await start_runner(handler.runner)
    await drive(stage, topics.DOCUMENTS_RECEIVED.name, stream, handler)
