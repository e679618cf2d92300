"""Where each event type sits in a document's life, and the few facts its timeline entry shows.

Stages, in pipeline order: ``received``, ``extracted``, ``enriched``, ``routed``,
``review_requested``, ``reviewed``, ``posting_requested``, ``posted`` (a posting result whose
status is ``posted`` or ``already_posted``; other results are ``posting_<status>``), ``rejected``;
and for payments ``payment_received``, ``cash_applied``. An event type not listed is recorded
under its Avro subject.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from docket.model import (
    CashApplication,
    DocumentEnriched,
    DocumentExtracted,
    DocumentReceived,
    DocumentRejected,
    DocumentRouted,
    Event,
    InvoiceRecord,
    PaymentReceived,
    PostingRequested,
    PostingResult,
    ReviewCompleted,
    ReviewRequested,
)

STAGE_ORDER: tuple[str, ...] = (
    "received", "extracted", "enriched", "routed", "review_requested", "reviewed", "posting_requested",
    "posting_retrying", "posting_failed", "posting_rejected", "posted", "rejected",
    "payment_received", "cash_applied",
)
"""Tie-break for events stamped with the same instant: the pipeline order."""

_STAGE_BY_TYPE: dict[type[Event], str] = {
    DocumentReceived: "received",
    DocumentExtracted: "extracted",
    DocumentEnriched: "enriched",
    DocumentRouted: "routed",
    ReviewRequested: "review_requested",
    ReviewCompleted: "reviewed",
    PostingRequested: "posting_requested",
    DocumentRejected: "rejected",
    PaymentReceived: "payment_received",
    CashApplication: "cash_applied",
}


def stage_of(event: Event) -> str:
    """The stage name of ``event`` (see the module docstring)."""
    if isinstance(event, PostingResult):
        return "posted" if event.status in ("posted", "already_posted") else f"posting_{event.status}"
    for event_type, stage in _STAGE_BY_TYPE.items():
        if isinstance(event, event_type):
            return stage
    return event.SUBJECT or type(event).__name__


def stage_rank(stage: str) -> int:
    """Position of ``stage`` in :data:`STAGE_ORDER` (unknown stages sort last)."""
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER)


def _received(event: Any) -> dict[str, Any]:
    return {"filename": event.filename, "media_type": event.media_type, "channel": event.channel,
            "size_bytes": event.size_bytes, "sha256": event.sha256, "duplicate_of": event.duplicate_of}


def _extracted(event: Any) -> dict[str, Any]:
    return {"document_type": event.document_type, "reading": event.reading, "page_count": event.page_count,
            "fields": len(event.fields), "missing": [missing.name for missing in event.missing],
            "template": event.template}


def _enriched(event: Any) -> dict[str, Any]:
    return {"revision": event.revision, "vendor": event.vendor.party_id if event.vendor else None,
            "findings": [f"{finding.rule_id}:{finding.severity}" for finding in event.findings],
            "po_match": event.po_match.status if event.po_match else None,
            "duplicates": len(event.duplicates),
            # Added for the operations dashboard and document search (no bank details, no lines).
            "document_type": event.record.document_type, "number": event.record.number,
            "supplier_name": event.record.supplier_name, "issue_date": _iso(event.record.issue_date),
            "total": _text(event.record.total), "currency": event.record.currency}


def _routed(event: Any) -> dict[str, Any]:
    return {"route": event.route, "reasons": [reason.code for reason in event.reasons],
            "policy_version": event.policy_version,
            "document_type": event.document_type}


def _review_requested(event: Any) -> dict[str, Any]:
    return {"task_id": event.task_id, "reasons": [reason.code for reason in event.reasons],
            # How many fields the reviewer is shown: the denominator of field accuracy.
            "fields": _filled_fields(event.document.record)}


def _reviewed(event: Any) -> dict[str, Any]:
    return {"task_id": event.task_id, "decision": event.decision, "reviewer": event.reviewer,
            "corrected": [correction.field for correction in event.corrections],
            "opened_at": _iso(event.opened_at), "decided_at": _iso(event.decided_at)}


def _posting_requested(event: Any) -> dict[str, Any]:
    return {"target": event.target, "idempotency_key": event.idempotency_key,
            "posting_type": event.posting_type, "mapping_version": event.mapping_version,
            "revision": event.revision}


def _posting_result(event: Any) -> dict[str, Any]:
    return {"target": event.target, "idempotency_key": event.idempotency_key, "status": event.status,
            "attempt": event.attempt, "erp_reference": event.erp_reference, "erp_id": event.erp_id,
            "error_code": event.error_code}


def _rejected(event: Any) -> dict[str, Any]:
    return {"stage": event.stage, "error_code": event.error_code, "retryable": event.retryable}


def _payment(event: Any) -> dict[str, Any]:
    return {"payment_id": event.payment_id, "amount": str(event.amount), "currency": event.currency,
            "source_format": event.source_format, "value_date": _iso(event.value_date)}


def _cash(event: Any) -> dict[str, Any]:
    return {"payment_id": event.payment_id, "status": event.status, "customer_id": event.customer_id,
            "applied": [item.invoice_number for item in event.applications],
            "unapplied_amount": str(event.unapplied_amount),
            "payment_amount": str(event.payment_amount), "currency": event.currency,
            "confidence": event.confidence,
            "applied_items": [{"open_item_id": item.open_item_id, "invoice_number": item.invoice_number,
                               "amount_applied": str(item.amount_applied), "currency": item.currency}
                              for item in event.applications]}


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _filled_fields(record: InvoiceRecord) -> int:
    """Header fields of ``record`` that hold a value (tax lines and line items count as one each)."""
    return sum(1 for value in record.model_dump().values() if value not in (None, [], ""))


_SUMMARIES: dict[type[Event], Callable[[Any], dict[str, Any]]] = {
    DocumentReceived: _received, DocumentExtracted: _extracted, DocumentEnriched: _enriched,
    DocumentRouted: _routed, ReviewRequested: _review_requested, ReviewCompleted: _reviewed,
    PostingRequested: _posting_requested, PostingResult: _posting_result, DocumentRejected: _rejected,
    PaymentReceived: _payment, CashApplication: _cash,
}


def summary_of(event: Event) -> dict[str, Any]:
    """The facts a timeline shows for ``event`` (no document text, no bank details)."""
    for event_type, summarize in _SUMMARIES.items():
        if isinstance(event, event_type):
            return summarize(event)
    return {}
