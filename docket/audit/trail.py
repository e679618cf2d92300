"""A document's trail as JSON-ready data: its state, every event in order, every posting attempt.

Shared by the worker's ``GET /trail/{id}/``, ``docket trail`` and the workspace's document page.
"""

from __future__ import annotations

from typing import Any

from docket.audit.records import AuditReader


def trail_data(audit: AuditReader, document_id: str) -> dict[str, Any]:
    """The trail of ``document_id`` in ``audit``; ``state`` is None for a document the store never saw."""
    state = audit.document(document_id)
    return {
        "document_id": document_id,
        "state": None if state is None else {
            "legal_entity": state.legal_entity, "sha256": state.sha256, "blob_uri": state.blob_uri,
            "first_seen": state.first_seen.isoformat(), "current_state": state.current_state,
            "state_at": state.state_at.isoformat()},
        "timeline": [{"stage": e.stage, "subject": e.subject, "event_id": e.event_id,
                      "occurred_at": e.occurred_at.isoformat(), "producer": e.producer,
                      "versions": dict(e.versions), "summary": dict(e.summary), "causation_id": e.causation_id}
                     for e in audit.timeline(document_id)],
        "posting_attempts": [{"idempotency_key": a.idempotency_key, "target": a.target, "attempt": a.attempt,
                              "status": a.status, "occurred_at": a.occurred_at.isoformat(),
                              "erp_reference": a.erp_reference, "error_code": a.error_code,
                              "request": a.request, "response": a.response, "duration_ms": a.duration_ms}
                             for a in audit.posting_attempts(document_id)],
    }
