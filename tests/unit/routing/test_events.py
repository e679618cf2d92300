"""Events built from routing decisions: stable ids, idempotency keys, codes."""

from __future__ import annotations

import pytest

from docket.enrich import enrich_document
from docket.model import RouteReason
from docket.routing.decide import RoutingDecision
from docket.routing.events import NotPostableError, posting_request, rejection, review_request, routed_event
from tests.unit.routing.routing_builders import NOW, extracted, invoice_fields, reference

DOCUMENT = enrich_document(extracted("d1", invoice_fields("RE-1")), reference(), now=NOW)
POST = RoutingDecision(route="post", policy_version="p1", posting_type="supplier_invoice", post_state="posted")
REVIEW = RoutingDecision(route="review", policy_version="p1",
                         reasons=[RouteReason(code="BANK_DETAILS_CHANGED", message="new IBAN")])


def test_routed_event_carries_route_total_and_policy() -> None:
    event = routed_event(DOCUMENT, POST, now=NOW)
    assert (event.route, event.total, event.currency, event.policy_version) == ("post", "1190.0000", "EUR", "p1")
    assert event.envelope.causation_id == DOCUMENT.envelope.event_id
    assert event.envelope.versions["policy"] == "p1"
    assert routed_event(DOCUMENT, POST, now=NOW).envelope.event_id == event.envelope.event_id


def test_posting_request_per_target_with_idempotency_key() -> None:
    erp = posting_request(DOCUMENT, POST, target="tryton", mapping_version="m3", now=NOW)
    files = posting_request(DOCUMENT, POST, target="files", mapping_version="m3", now=NOW)
    assert erp.idempotency_key == "d1:0:tryton"
    assert (erp.party_id, erp.gl_account, erp.posting_type) == ("V-MUELLER", "6815", "supplier_invoice")
    assert erp.envelope.event_id != files.envelope.event_id
    with pytest.raises(NotPostableError) as caught:
        posting_request(DOCUMENT, REVIEW, target="tryton", mapping_version="m3", now=NOW)
    assert caught.value.code == "ROUTING_NOT_POSTABLE"


def test_review_and_rejection_events() -> None:
    task = review_request(DOCUMENT, REVIEW, now=NOW)
    assert (task.task_id, [r.code for r in task.reasons]) == ("d1:0", ["BANK_DETAILS_CHANGED"])
    reject = RoutingDecision(route="reject", policy_version="p1",
                             reasons=[RouteReason(code="NO_AMOUNT", message="no total")])
    rejected = rejection(DOCUMENT, reject, now=NOW)
    assert (rejected.error_code, rejected.stage, rejected.retryable) == ("ROUTE_NO_AMOUNT", "route", False)
