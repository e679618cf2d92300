"""What the posting mapping makes of a labelled document, for ``docket regress``: capture →
documents.extracted → enrichment (no master data) → a posting request → the REST field map.

The payload is a snapshot: any change from the stored baseline is reported, and a regression run
fails on it until the change is accepted with ``--update`` (a mapping or extraction change must be
seen before it reaches an ERP). Values that vary per run (ids, times) are not part of a payload.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from connectors.mapping import FieldMap, load_field_map
from docket.capture import CapturedDocument
from docket.enrich import ReferenceData, enrich_document
from docket.model import DocumentExtracted, Envelope
from docket.routing.decide import RoutingDecision
from docket.routing.events import posting_request
from docket.routing.policy import PolicyBook

FIELD_MAP = "rest_invoice.v1"
_NOW = datetime(2026, 1, 1, tzinfo=UTC)  # a fixed clock: the payload must not depend on the day


class PayloadMaker:
    """Turns a captured document into the payload its posting would carry (None: not posted)."""

    def __init__(self, field_map: FieldMap | None = None) -> None:
        self.field_map = field_map or load_field_map(FIELD_MAP)
        self.policies = PolicyBook.load()
        self.reference = ReferenceData()

    def __call__(self, captured: CapturedDocument, name: str, sha256: str) -> dict[str, Any] | None:
        envelope = Envelope.new(document_id=f"regress-{name}", legal_entity="DE01", producer="docket-regress",
                                now=_NOW)
        extracted = DocumentExtracted(
            envelope=envelope, blob_uri=f"regress:{name}", sha256=sha256, document_type=captured.document_type,
            type_confidence=captured.type_confidence, language=captured.language, page_count=captured.page_count,
            page_range=captured.page_range, reading=captured.reading, fields=list(captured.fields),
            missing=list(captured.missing), line_items=list(captured.line_items), template=captured.template,
            findings=list(captured.findings))
        enriched = enrich_document(extracted, self.reference, now=_NOW)
        policy = self.policies.for_document("DE01", enriched.record.document_type)
        posting_type = policy.posting_types.get(enriched.record.document_type)
        if posting_type is None:
            return None
        decision = RoutingDecision(route="post", policy_version=policy.version, posting_type=posting_type,
                                   post_state=policy.post_state)
        request = posting_request(enriched, decision, target="rest", mapping_version=self.field_map.version,
                                  now=_NOW)
        if not self.field_map.handles(request.posting_type):
            return None
        payload: dict[str, Any] = json.loads(json.dumps(self.field_map.apply(request), default=str))
        return payload

