"""The task state machine: optimistic locking, limits, corrections, the published verdict."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from docket.model import BBox, ReviewRequested
from docket.review.errors import ReviewError
from docket.review.masking import mask
from docket.review.workflow import (
    assign,
    completion,
    corrections_from_form,
    decide,
    payment_corrections,
    record_values,
)
from tests.unit.review.builders import T0, anna, otto, request, rita, task


def _code(call: object) -> str:
    assert callable(call)
    with pytest.raises(ReviewError) as caught:
        call()
    return caught.value.code


def test_approval_closes_the_task_one_version_on() -> None:
    approved = decide(task(), decision="approve", seen_version=1, user=rita, now=T0)
    assert (approved.status, approved.version, approved.decided_by) == ("approved", 2, "rita")


def test_a_second_decision_on_the_same_version_is_refused() -> None:
    first = decide(task(), decision="approve", seen_version=1, user=rita, now=T0)
    assert _code(lambda: decide(first, decision="approve", seen_version=1, user=anna, now=T0)) == "REVIEW_TASK_CLOSED"


def test_a_decision_on_an_older_version_is_stale() -> None:
    reassigned = assign(task(), assignee="anna", seen_version=1, user=rita)
    assert reassigned.version == 2 and reassigned.assignee == "anna"
    assert _code(lambda: decide(reassigned, decision="reject", seen_version=1, user=rita, now=T0)) \
        == "REVIEW_TASK_STALE"


def test_a_reviewer_cannot_approve_above_their_limit_but_an_approver_can() -> None:
    big = task(amount=Decimal("5000.00"))
    assert _code(lambda: decide(big, decision="approve", seen_version=1, user=rita, now=T0)) == "REVIEW_ABOVE_LIMIT"
    assert decide(big, decision="approve", seen_version=1, user=anna, now=T0).status == "approved"


def test_a_corrected_total_is_what_the_limit_applies_to() -> None:
    corrections = corrections_from_form({"total": "119.00"}, {"total": "1190.00"}, rita)
    assert _code(lambda: decide(task(), decision="approve", seen_version=1, user=rita, now=T0,
                                corrections=corrections)) == "REVIEW_ABOVE_LIMIT"


def test_an_auditor_decides_nothing() -> None:
    for decision in ("approve", "reject", "duplicate"):
        assert _code(lambda d=decision: decide(task(), decision=d, seen_version=1, user=otto, now=T0)) \
            == "REVIEW_NOT_PERMITTED"


def test_an_unknown_decision_has_its_code() -> None:
    assert _code(lambda: decide(task(), decision="maybe", seen_version=1, user=rita, now=T0)) \
        == "REVIEW_DECISION_UNKNOWN"


def test_corrections_are_only_the_changed_fields_with_their_boxes() -> None:
    current = record_values(request().document.record)
    box = BBox(page=1, x0=0.6, y0=0.7, x1=0.8, y1=0.72)
    form = {"total": "120.00", "net_total": "100", "number": current["number"] or "", "supplier_name": "Muster AG"}
    found = corrections_from_form(current, form, rita, {"total": box})
    assert [(c.field, c.old_value, c.new_value) for c in found] == [
        ("total", current["total"], "120.00"), ("supplier_name", current["supplier_name"], "Muster AG")]
    assert found[0].bbox == box and found[1].bbox is None


def test_a_masked_bank_account_sent_back_is_no_correction() -> None:
    current = record_values(request().document.record)
    iban = current["supplier_iban"]
    assert iban is not None
    assert corrections_from_form(current, {"supplier_iban": mask(iban)}, anna) == []
    # A reviewer may not change bank details at all, whatever they send.
    assert corrections_from_form(current, {"supplier_iban": "DE02120300000000202051"}, rita) == []
    (changed,) = corrections_from_form(current, {"supplier_iban": "DE02120300000000202051"}, anna)
    assert changed.new_value == "DE02120300000000202051"


def test_the_verdict_event_is_the_same_for_the_same_task_version() -> None:
    opened = task(opened_at=T0)
    first = completion(opened, request(), decision="approve", user=rita, seen_version=1, now=T0 + timedelta(minutes=2))
    again = completion(opened, request(), decision="approve", user=rita, seen_version=1, now=T0 + timedelta(minutes=3))
    later = completion(opened, request(), decision="approve", user=rita, seen_version=2, now=T0)
    assert first.envelope.event_id == again.envelope.event_id != later.envelope.event_id
    assert (first.opened_at, first.decided_at) == (T0, T0 + timedelta(minutes=2))
    assert first.task_version == 1 and first.envelope.document_id == "doc-1"


def test_rejection_needs_a_reason_and_duplicate_a_target() -> None:
    assert _code(lambda: completion(task(), request(), decision="reject", user=rita, seen_version=1, now=T0)) \
        == "REVIEW_REASON_REQUIRED"
    assert _code(lambda: completion(task(), request(), decision="duplicate", user=rita, seen_version=1, now=T0)) \
        == "REVIEW_DUPLICATE_OF_REQUIRED"


def _payment_request() -> ReviewRequested:
    from docket.model import CashCandidate
    from tests import factories

    application = factories.cash_application(status="review", customer_id="C-1", candidates=[
        CashCandidate(customer_id="C-1", open_item_ids=["OI-1", "OI-2"], score=0.7, evidence=["amount"]),
        CashCandidate(customer_id="C-1", open_item_ids=["OI-3"], score=0.5, evidence=["reference"])])
    return request().model_copy(update={"cash_application": application})


def test_a_payment_approval_names_the_chosen_items_only_when_they_differ_from_the_proposal() -> None:
    payment = _payment_request()
    assert payment_corrections(payment, {"open_item_ids": "OI-1, OI-2", "customer_id": "C-1"}) == []
    (picked,) = payment_corrections(payment, {"open_item_ids": "OI-3", "customer_id": "C-1"})
    assert (picked.field, picked.old_value, picked.new_value) == ("open_item_ids", "OI-1, OI-2", "OI-3")
    typed = payment_corrections(payment, {"open_item_ids": "OI-3", "open_item_ids_other": "OI-7 OI-8",
                                          "customer_id": "C-9"})
    assert [(c.field, c.new_value) for c in typed] == [("open_item_ids", "OI-7, OI-8"), ("customer_id", "C-9")]
