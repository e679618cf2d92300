"""The events a routing decision turns into, built the same way by every caller.

``DocumentRouted`` for every decision, then by route: ``PostingRequested`` (one per target),
``ReviewRequested`` (review, and possible duplicates a person should confirm), or
``DocumentRejected``. Envelopes follow the enriched document's, with the policy version added,
so a replay yields the same event ids.
"""

from __future__ import annotations

from datetime import datetime

from docket.errors import DocketError
from docket.model import (
    DocumentEnriched,
    DocumentRejected,
    DocumentRouted,
    PostingRequested,
    ReviewRequested,
    idempotency_key,
)
from docket.routing.decide import RoutingDecision

PRODUCER = "docket.route"


class NotPostableError(DocketError):
    """A posting was asked for a decision that is not ``post`` (a caller bug, never retryable)."""

    code = "ROUTING_NOT_POSTABLE"


def _versions(decision: RoutingDecision) -> dict[str, str]:
    return {"policy": decision.policy_version}


def routed_event(document: DocumentEnriched, decision: RoutingDecision, *, now: datetime,
                 producer: str = PRODUCER) -> DocumentRouted:
    """The ``documents.routed`` record of ``decision`` (total as plain decimal text)."""
    record = document.record
    return DocumentRouted(
        envelope=document.envelope.follow(producer=producer, now=now, versions=_versions(decision), part="routed"),
        route=decision.route, reasons=decision.reasons, policy_version=decision.policy_version,
        document_type=record.document_type, total=f"{record.total:f}" if record.total is not None else None,
        currency=record.currency)


def posting_request(document: DocumentEnriched, decision: RoutingDecision, *, target: str, mapping_version: str,
                    now: datetime, producer: str = PRODUCER) -> PostingRequested:
    """The posting of a ``post`` decision to ``target``; the idempotency key is document + revision + target.

    The party is the vendor (else the customer) with its ids in other systems (``party_xrefs``), so a
    target finds the record it knows the party by (the ERP party, the CRM account) without a name."""
    if decision.route != "post" or decision.posting_type is None:
        raise NotPostableError(f"a {decision.route} decision is not posted")
    party = document.vendor or document.customer
    return PostingRequested(
        envelope=document.envelope.follow(producer=producer, now=now, versions={
            **_versions(decision), "mapping": mapping_version}, part=f"posting:{target}"),
        idempotency_key=idempotency_key(document.envelope.document_id, document.revision, target),
        target=target, posting_type=decision.posting_type, post_state=decision.post_state or "posted",
        mapping_version=mapping_version, revision=document.revision, blob_uri=document.blob_uri,
        sha256=document.sha256, party_id=party.party_id if party else None,
        party_xrefs=dict(party.xrefs) if party and party.party_id else {},
        gl_account=document.gl_account, tax_code=document.tax_code, cost_center=document.cost_center,
        record=document.record)


def review_request(document: DocumentEnriched, decision: RoutingDecision, *, now: datetime,
                   due_at: datetime | None = None, producer: str = PRODUCER) -> ReviewRequested:
    """The review task of a ``review`` decision; the task id is stable per document revision."""
    return ReviewRequested(
        envelope=document.envelope.follow(producer=producer, now=now, versions=_versions(decision), part="review"),
        task_id=f"{document.envelope.document_id}:{document.revision}", reasons=decision.reasons,
        due_at=due_at, document=document)


def rejection(document: DocumentEnriched, decision: RoutingDecision, *, now: datetime,
              producer: str = PRODUCER) -> DocumentRejected:
    """The ``documents.rejected`` record of a ``reject`` decision (error code = first reason code)."""
    code = decision.reasons[0].code if decision.reasons else "ROUTE_REJECTED"
    return DocumentRejected(
        envelope=document.envelope.follow(producer=producer, now=now, versions=_versions(decision), part="rejected"),
        stage="route", error_code=f"ROUTE_{code}", message="; ".join(r.message for r in decision.reasons),
        retryable=False, blob_uri=document.blob_uri,
        details={"policy_version": decision.policy_version, "document_type": document.record.document_type})
