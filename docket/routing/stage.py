"""The route stage: duplicates against the vendor's history, then the routing decision.

The agent reaches this stage by repartitioning enriched documents on
:func:`docket.dedup.index.history_key`, keeps one :class:`VendorHistory` per key in a table,
and stores the returned history back. Pure: the history and the clock come in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from docket.dedup.index import VendorHistory, find_duplicates, prior_document
from docket.model import DocumentEnriched
from docket.routing.decide import RoutingContext, RoutingDecision, decide_route
from docket.routing.policy import PolicyBook

OCR_VERSION_KEY = "ocr_engine"
CAPTURE_PASS_KEY = "capture_pass"
REEXTRACT_FIELDS_KEY = "reextract_fields"
REEXTRACT_CHANNEL = "reextract"
INTERNAL_METADATA_KEYS = frozenset({CAPTURE_PASS_KEY, REEXTRACT_FIELDS_KEY})
"""Metadata only routing writes (on a ``reextract`` arrival): no source may accept them from outside."""


@dataclass(frozen=True)
class Routed:
    """The document with its duplicates filled in, its decision, and the vendor history to store."""

    document: DocumentEnriched
    decision: RoutingDecision
    history: VendorHistory


def context_from(document: DocumentEnriched, history: VendorHistory) -> RoutingContext:
    """The routing context a document's own envelope and history give.

    OCR reading is recognised by an ``ocr_engine`` entry in the envelope versions, a completed
    re-extraction by ``capture_pass`` above 1 (capture sets both).
    """
    versions = document.envelope.versions
    try:
        capture_pass = int(versions.get(CAPTURE_PASS_KEY, "1"))
    except ValueError:
        capture_pass = 1
    earlier = history.earlier_than(document.envelope.document_id)
    return RoutingContext(prior_documents_from_vendor=len(earlier),
                          read_by_ocr=OCR_VERSION_KEY in versions, reextracted=capture_pass > 1)


def route_document(document: DocumentEnriched, history: VendorHistory, policies: PolicyBook, *, now: datetime,
                   window_days: int = 14, context: RoutingContext | None = None) -> Routed:
    """Find duplicates in ``history``, decide the route, and return the history to keep.

    A document is added to the history unless it was routed ``reextract`` (it comes back) or
    ``duplicate`` (the original stays the reference), so replaying it is idempotent.
    """
    probe = prior_document(document, now=now)
    duplicates = find_duplicates(probe, history.earlier_than(probe.document_id), window_days=window_days)
    checked = document.model_copy(update={"duplicates": duplicates})
    policy = policies.for_document(document.envelope.legal_entity, document.record.document_type)
    decision = decide_route(checked, policy, context or context_from(document, history))
    kept = history if decision.route in ("reextract", "duplicate") else history.with_document(probe)
    return Routed(document=checked, decision=decision, history=kept)
