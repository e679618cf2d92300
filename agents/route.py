"""Route stage: duplicates and the routing decision, and the review loop closing back into it.

* ``documents.by-vendor`` (keyed ``legal_entity:vendor`` by the enrich agent) → the vendor's
  history in the ``route-vendor-history`` table → :func:`docket.routing.stage.route_document` →
  ``documents.routed`` plus ``postings.requested`` (one per target) / ``reviews.requested`` /
  ``documents.rejected``. ``reextract`` and ``duplicate`` decisions produce only the routed event.
* ``reviews.requested`` → the open task per document id (``route-open-reviews`` table).
* ``reviews.completed`` (keyed by document id, like ``reviews.requested``, so both land on the
  same partition and worker) → an approval posts the corrected document as a new revision and
  teaches the printed vendor name as an alias (``masterdata.xrefs``); a rejection or duplicate
  verdict is recorded and rejected/linked.

Every output envelope derives from its input's, so a redelivered message yields the same event
ids and idempotency keys: at-least-once delivery never double-posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from agents import masterdata
from agents.masterdata import MasterDataStore
from agents.runtime import Outgoing, Source, Stage
from docket.cashapp.application import is_cash_task
from docket.cashapp.customer_mail import is_mail_task
from docket.crm.changes import approve_bank_change
from docket.dedup.index import VendorHistory, history_key
from docket.errors import DocketError
from docket.masterdata_csv import KINDS, record_key
from docket.model import (
    DocumentEnriched,
    DocumentReceived,
    FieldCorrection,
    InvoiceRecord,
    Normalization,
    PartyMatch,
    ReviewCompleted,
    ReviewRequested,
    RouteReason,
    Vendor,
)
from docket.parties.aliases import learned_aliases
from docket.parties.directory import PartyDirectory
from docket.records.normalize import ISSUE_DATE_FIELDS, NUMBER_FIELDS
from docket.routing.decide import RoutingDecision
from docket.routing.events import posting_request, rejection, review_request, routed_event
from docket.routing.policy import PolicyBook
from docket.routing.stage import CAPTURE_PASS_KEY as CAPTURE_PASS
from docket.routing.stage import REEXTRACT_CHANNEL, REEXTRACT_FIELDS_KEY, route_document
from streams import topics
from streams.app import app, codecs, settings, topic

HISTORY_RETENTION = timedelta(days=400)


def posting_targets(spec: str) -> dict[str, str]:
    """``{target: mapping version}`` from ``settings.posting_targets``: comma-separated target names,
    each optionally ``name=mapping_version`` (default ``<name>/1``)."""
    targets: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, version = (p.strip() for p in item.partition("="))
        if not name:
            raise DocketError(f"posting target {item!r} has no name", code="ROUTE_TARGETS_INVALID")
        targets[name] = version or f"{name}/1"
    return targets


# Record fields a reviewer may correct: the scalar ones (lines and tax lines are not edited here).
_CORRECTABLE = {name for name, info in InvoiceRecord.model_fields.items()
                if name != "document_type" and "list" not in str(info.annotation)}


def _record_field(extracted_name: str) -> str:
    """The record field an extracted field name fills (``invoice_number`` → ``number``)."""
    if extracted_name in NUMBER_FIELDS:
        return "number"
    if extracted_name in ISSUE_DATE_FIELDS:
        return "issue_date"
    if extracted_name in _CORRECTABLE:
        return extracted_name
    raise DocketError(f"field {extracted_name!r} cannot be corrected", code="ROUTE_CORRECTION_UNKNOWN_FIELD")


def _corrected_record(record: InvoiceRecord, corrections: list[FieldCorrection]) -> InvoiceRecord:
    updates = {_record_field(c.field): c.new_value or None for c in corrections}
    try:
        return InvoiceRecord.model_validate({**record.model_dump(), **updates})
    except ValidationError as error:
        raise DocketError(f"correction rejected: {error.errors()[0]['msg']}", code="ROUTE_CORRECTION_INVALID",
                          details={"fields": ",".join(sorted(updates))}) from error


def corrected_document(document: DocumentEnriched, review: ReviewCompleted, vendors: PartyDirectory[Vendor], *,
                       now: datetime, producer: str) -> DocumentEnriched:
    """``document`` with the reviewer's corrections as the next revision.

    Corrected fields count as certain (confidence 1.0) and are recorded as ``review_correction``
    normalizations; a reviewer's ``vendor_id`` replaces the resolved vendor (method ``review``)
    and brings that vendor's posting defaults. Raises DocketError ``ROUTE_CORRECTION_UNKNOWN_FIELD``,
    ``ROUTE_CORRECTION_INVALID`` or ``ROUTE_REVIEW_VENDOR_UNKNOWN``.
    """
    updates: dict[str, Any] = {
        "record": _corrected_record(document.record, review.corrections),
        "normalizations": [*document.normalizations, *(
            Normalization(field=c.field, raw=c.old_value or "", value=c.new_value or "", rule="review_correction")
            for c in review.corrections)],
        "field_confidence": {**document.field_confidence, **{c.field: 1.0 for c in review.corrections}},
        "revision": document.revision + 1,
        "envelope": document.envelope.follow(producer=producer, now=now, part=f"review:{review.envelope.event_id}"),
    }
    if review.vendor_id:
        vendor = vendors.get(document.envelope.legal_entity, review.vendor_id)
        if vendor is None:
            raise DocketError(f"vendor {review.vendor_id} is not in master data", code="ROUTE_REVIEW_VENDOR_UNKNOWN")
        known = document.vendor.bank_account_known if document.vendor else None
        updates.update(vendor=PartyMatch(role="vendor", party_id=vendor.party_id, name=vendor.name, method="review",
                                         score=1.0, bank_account_known=known),
                       gl_account=vendor.default_gl_account, tax_code=vendor.tax_code, cost_center=vendor.cost_center)
    return document.model_copy(update=updates)


class Router:
    """Turns a document and its decision into the events to produce, for the given posting targets."""

    def __init__(self, stage: Stage, policies: PolicyBook, targets: dict[str, str]) -> None:
        self.stage = stage
        self.policies = policies
        self.targets = targets

    @staticmethod
    def blob_size(sha256: str) -> int:
        """Size of the stored original (capture reads and checks the blob itself)."""
        from connectors.blobstore import LocalBlobStore

        return LocalBlobStore(settings.blob_root).path_for(sha256).stat().st_size

    def outgoing(self, document: DocumentEnriched, decision: RoutingDecision) -> list[Outgoing]:
        """``documents.routed`` first, then what the route asks for."""
        now, producer, document_id = self.stage.clock(), self.stage.producer, document.envelope.document_id
        out = [Outgoing(topics.DOCUMENTS_ROUTED.name, document_id,
                        routed_event(document, decision, now=now, producer=producer))]
        if decision.route == "post":
            out += [Outgoing(topics.POSTINGS_REQUESTED.name, document_id,
                             posting_request(document, decision, target=target, mapping_version=version,
                                             now=now, producer=producer))
                    for target, version in sorted(self.targets.items())]
        elif decision.route == "review":
            out.append(Outgoing(topics.REVIEWS_REQUESTED.name, document_id,
                                review_request(document, decision, now=now, producer=producer)))
        elif decision.route == "reject":
            out.append(Outgoing(topics.DOCUMENTS_REJECTED.name, document_id,
                                rejection(document, decision, now=now, producer=producer)))
        elif decision.route == "reextract":
            again = recapture_request(document, decision.reextract_fields, now=now, producer=producer,
                                      size_bytes=self.blob_size(document.sha256))
            out.append(Outgoing(topics.DOCUMENTS_RECEIVED.name, document.sha256, again))
        return out


def recapture_request(document: DocumentEnriched, fields: list[str], *, now: datetime, producer: str,
                      size_bytes: int) -> DocumentReceived:
    """The same document sent back to capture for a second pass at a higher resolution.

    It goes to ``documents.received`` keyed by its content hash like any arrival, under its own
    document id (so it is not taken for a resubmission of the same bytes); ``capture_pass`` 2
    tells capture to render finer and routing not to ask a third time.
    """
    return DocumentReceived(
        envelope=document.envelope.follow(producer=producer, now=now, part="reextract"),
        blob_uri=document.blob_uri, sha256=document.sha256, filename=document.envelope.document_id,
        media_type="application/octet-stream", size_bytes=size_bytes, channel=REEXTRACT_CHANNEL,
        metadata={CAPTURE_PASS: "2", REEXTRACT_FIELDS_KEY: ",".join(fields)},
    )


class RouteHandler:
    """Routes one document of ``documents.by-vendor`` against its vendor's history.

    ``histories`` maps ``history_key`` (bytes) to a :class:`VendorHistory` as JSON bytes; it is the
    Faust table in the worker (changelog-backed, so a restarted worker recovers it) and a dict in
    tests. No ``await`` between reading and writing a history: concurrent actors cannot interleave.
    """

    def __init__(self, router: Router, histories: Any) -> None:
        self.router = router
        self.histories = histories

    async def __call__(self, document: DocumentEnriched, source: Source) -> Sequence[Outgoing]:
        now = self.router.stage.clock()
        key = history_key(document).encode()
        stored = self.histories.get(key)
        history = VendorHistory.model_validate_json(stored) if stored else VendorHistory()
        routed = route_document(document, history, self.router.policies, now=now)
        kept = routed.history.pruned(seen_before=now - HISTORY_RETENTION)
        if kept != history:
            self.histories[key] = kept.model_dump_json().encode()
        return self.router.outgoing(routed.document, routed.decision)


class OpenTask(BaseModel):
    """A document's newest review task, and the verdict that decided it once one has."""

    task: ReviewRequested
    decided_by: str | None = None  # event id of the verdict acted on


class ReviewTaskHandler:
    """Keeps the newest review task of each document (its document state is what a reviewer corrects)."""

    def __init__(self, tasks: Any) -> None:
        self.tasks = tasks

    async def __call__(self, task: ReviewRequested, source: Source) -> Sequence[Outgoing]:
        if is_cash_task(task.task_id) or is_mail_task(task.task_id):
            return []  # payment reviews close in the cash application stage, mail tasks in the workspace
        self.tasks[task.envelope.document_id.encode()] = OpenTask(task=task).model_dump_json().encode()
        return []


class ReviewCompletedHandler:
    """Acts on a reviewer's verdict. Raises DocketError (→ ``documents.rejected``) with
    ``ROUTE_REVIEW_TASK_UNKNOWN`` when no task is open for the document, ``ROUTE_REVIEW_TASK_STALE``
    when the verdict names another task, ``ROUTE_REVIEW_TASK_DECIDED`` when another verdict already
    decided the task (a task is acted on once: an approval never posts twice), and
    ``ROUTE_REVIEW_DECISION_UNKNOWN`` for an unknown verdict. The same verdict delivered again is
    acted on again: its outgoing events have the same ids and keys, so it changes nothing downstream."""

    def __init__(self, router: Router, tasks: Any, store: MasterDataStore) -> None:
        self.router = router
        self.tasks = tasks
        self.store = store

    async def __call__(self, review: ReviewCompleted, source: Source) -> Sequence[Outgoing]:
        if is_cash_task(review.task_id) or is_mail_task(review.task_id):
            return []
        key = review.envelope.document_id.encode()
        stored = self.tasks.get(key)
        if not stored:
            # Retryable: the task may still be on its way (reviews.requested is another topic).
            raise DocketError(f"no open review task for document {review.envelope.document_id}",
                              code="ROUTE_REVIEW_TASK_UNKNOWN", retryable=True)
        open_task = OpenTask.model_validate_json(stored)
        task = open_task.task
        if task.task_id != review.task_id:
            raise DocketError(f"review of task {review.task_id}, but the open task is {task.task_id}",
                              code="ROUTE_REVIEW_TASK_STALE", details={"open_task": task.task_id})
        if open_task.decided_by not in (None, review.envelope.event_id):
            raise DocketError(f"task {task.task_id} was already decided by verdict {open_task.decided_by}",
                              code="ROUTE_REVIEW_TASK_DECIDED", details={"decided_by": open_task.decided_by})
        if review.decision == "approve":
            outgoing = self._approve(task, review)
        elif review.decision in ("reject", "duplicate"):
            outgoing = self._close(task, review)
        else:
            raise DocketError(f"unknown review decision {review.decision!r}", code="ROUTE_REVIEW_DECISION_UNKNOWN")
        self.tasks[key] = OpenTask(task=task, decided_by=review.envelope.event_id).model_dump_json().encode()
        return outgoing

    def _decision(self, document: DocumentEnriched, route: str, code: str, message: str) -> RoutingDecision:
        policy = self.router.policies.for_document(document.envelope.legal_entity, document.record.document_type)
        posting_type = policy.posting_types.get(document.record.document_type) if route == "post" else None
        if route == "post" and posting_type is None:
            route, code = "reject", "UNSUPPORTED_DOCUMENT_TYPE"
            message = f"{document.record.document_type} documents are not posted"
        return RoutingDecision(route=route, reasons=[RouteReason(code=code, message=message)],
                               policy_version=policy.version, posting_type=posting_type,
                               post_state=policy.post_state if posting_type else None)

    def _approve(self, task: ReviewRequested, review: ReviewCompleted) -> list[Outgoing]:
        stage = self.router.stage
        document = corrected_document(task.document, review, self.store.reference.vendors,
                                      now=stage.clock(), producer=stage.producer)
        # Only a person's approval lets a sink apply a change of bank details.
        document = approve_bank_change(document, review.reviewer)
        decision = self._decision(document, "post", "REVIEW_APPROVED", f"approved by {review.reviewer}")
        aliases = learned_aliases(review, task.document, now=stage.clock())
        return [*self.router.outgoing(document, decision),
                *(Outgoing(topics.MASTERDATA_XREFS.name, record_key(KINDS["xrefs"], xref), xref)
                  for xref in aliases)]

    def _close(self, task: ReviewRequested, review: ReviewCompleted) -> list[Outgoing]:
        stage = self.router.stage
        document = task.document.model_copy(update={"envelope": task.document.envelope.follow(
            producer=stage.producer, now=stage.clock(), part=f"review:{review.envelope.event_id}")})
        if review.decision == "duplicate":
            target = f" of {review.duplicate_of}" if review.duplicate_of else ""
            decision = self._decision(document, "duplicate", "REVIEW_DUPLICATE",
                                      f"{review.reviewer} marked it a duplicate{target}")
        else:
            decision = self._decision(document, "reject", "REVIEW_REJECTED",
                                      f"rejected by {review.reviewer}: {review.reason or 'no reason given'}")
        return self.router.outgoing(document, decision)


stage = Stage("route", codecs)
router = Router(stage, PolicyBook.load(), posting_targets(settings.posting_targets))
vendor_history = app.Table("route-vendor-history", key_type=bytes, value_type=bytes, partitions=settings.partitions)
open_reviews = app.Table("route-open-reviews", key_type=bytes, value_type=bytes, partitions=settings.partitions)
route_handler = RouteHandler(router, vendor_history)
review_task_handler = ReviewTaskHandler(open_reviews)
review_completed_handler = ReviewCompletedHandler(router, open_reviews, masterdata.store)


@app.agent(topic(topics.DOCUMENTS_BY_VENDOR.name))
async def route_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(stage, topics.DOCUMENTS_BY_VENDOR.name, stream, route_handler)


@app.agent(topic(topics.REVIEWS_REQUESTED.name))
async def review_task_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(stage, topics.REVIEWS_REQUESTED.name, stream, review_task_handler)


@app.agent(topic(topics.REVIEWS_COMPLETED.name))
async def review_completed_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(stage, topics.REVIEWS_COMPLETED.name, stream, review_completed_handler)
