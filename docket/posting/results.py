"""The ``postings.results`` event for each way a posting attempt can end (pure)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from docket.errors import DocketError
from docket.model import DocumentEnriched, PartyMatch, PostingRequested, PostingResult, ReviewRequested, RouteReason


def _json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, default=str, sort_keys=True)


def posted(request: PostingRequested, *, status: str, erp_reference: str | None, erp_id: str | None,
           request_body: Mapping[str, Any], response_body: Mapping[str, Any], attempt: int, duration_ms: int,
           producer: str, now: datetime) -> PostingResult:
    """The result of a posting the target accepted (``posted``) or had already (``already_posted``).

    ``request_body`` and ``response_body`` must already be redacted (sinks return them so).
    """
    return PostingResult(
        envelope=request.envelope.follow(producer=producer, now=now, part=f"result:{attempt}"),
        idempotency_key=request.idempotency_key, target=request.target, status=status,
        erp_reference=erp_reference, erp_id=erp_id, attempt=attempt, request=_json(request_body),
        response=_json(response_body), duration_ms=duration_ms,
    )


def failed(request: PostingRequested, error: DocketError, *, status: str, attempt: int, duration_ms: int | None,
           producer: str, now: datetime) -> PostingResult:
    """The result of an attempt that did not post: ``rejected``, ``retrying`` or ``failed``."""
    response = error.details.get("response")
    return PostingResult(
        envelope=request.envelope.follow(producer=producer, now=now, part=f"result:{attempt}:{status}"),
        idempotency_key=request.idempotency_key, target=request.target, status=status,
        error_code=error.code, error_message=error.message[:2000], attempt=attempt,
        response=response, duration_ms=duration_ms,
    )


def review_for(request: PostingRequested, result: PostingResult, *, producer: str, now: datetime) -> ReviewRequested:
    """A review task for a posting the target refused, or one that never got through."""
    if request.record is None:
        raise DocketError(f"posting {request.idempotency_key} has no record to review", code="POSTING_NO_RECORD")
    document = DocumentEnriched(
        envelope=request.envelope, blob_uri=request.blob_uri or "", sha256=request.sha256 or "",
        record=request.record, gl_account=request.gl_account, tax_code=request.tax_code,
        cost_center=request.cost_center, revision=request.revision,
        vendor=PartyMatch(role="vendor", party_id=request.party_id, method="posting", score=1.0)
        if request.party_id else None,
    )
    code = "POSTING_REJECTED_BY_TARGET" if result.status == "rejected" else "POSTING_RETRIES_EXHAUSTED"
    return ReviewRequested(
        envelope=request.envelope.follow(producer=producer, now=now, part=f"review:{result.attempt}"),
        task_id=f"posting:{request.idempotency_key}",
        reasons=[RouteReason(code=code, message=f"{request.target}: {result.error_message or result.status}")],
        document=document,
    )
