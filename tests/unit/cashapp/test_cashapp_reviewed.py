"""A reviewer's verdict on a payment review task: what it applies, what it posts, what it refuses."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from docket.cashapp.application import decide, payment_key
from docket.cashapp.errors import PaymentReviewError
from docket.cashapp.fx import FxRates
from docket.cashapp.ledger import Ledger
from docket.cashapp.reviewed import apply_verdict, parse_item_ids
from docket.model import FieldCorrection, PaymentReceived, ReviewCompleted, ReviewRequested
from tests import factories
from tests.unit.cashapp.conftest import NOW

ACME_ACCOUNT = "DE44500105175407324931"
PRODUCER = "docket.cashapp-review/test"


def _payment(payment_id: str = "camt.053:ACC:STMT-9:1", amount: str = "1190.00", **overrides: Any) -> PaymentReceived:
    values: dict[str, Any] = {
        "envelope": factories.envelope(document_id="stmt-9", correlation_id="stmt-9", legal_entity="LE1"),
        "payment_id": payment_id, "amount": Decimal(amount), "payer_name": "Acme Logistics",
        "payer_account": ACME_ACCOUNT, "remittance_structured": None, "remittance_text": "thank you"}
    values.update(overrides)
    return factories.payment(**values)


def _task(ledger: Ledger, payment: PaymentReceived | None = None) -> ReviewRequested:
    """The review task the matcher itself raises for ``payment`` (default: 1190.00 from Acme, who
    has two invoices of exactly that amount and quotes neither)."""
    outcome = decide(payment or _payment(), ledger, producer="docket.cashapp/test", now=NOW)
    assert outcome.review is not None and outcome.posting is None
    return outcome.review


def _verdict(task: ReviewRequested, decision: str = "approve", *, items: str | None = None,
             customer: str | None = None, event_id: str = "11111111-1111-4111-8111-111111111111",
             **overrides: Any) -> ReviewCompleted:
    corrections = []
    if items is not None:
        corrections.append(FieldCorrection(field="open_item_ids", new_value=items))
    if customer is not None:
        corrections.append(FieldCorrection(field="customer_id", new_value=customer))
    values: dict[str, Any] = {
        "envelope": factories.envelope(event_id=event_id, document_id=task.envelope.document_id, legal_entity="LE1"),
        "task_id": task.task_id, "decision": decision, "vendor_id": None, "corrections": corrections}
    values.update(overrides)
    return factories.review_completed(**values)


def _apply(task: ReviewRequested, review: ReviewCompleted, ledger: Ledger, **kwargs: Any) -> Any:
    return apply_verdict(task, review, ledger, producer=PRODUCER, now=NOW, target="tryton", **kwargs)


def test_an_approval_applies_the_chosen_item_and_posts_under_the_payments_own_key(small_ledger: Ledger) -> None:
    task = _task(small_ledger)
    assert task.cash_application is not None
    assert {tuple(c.open_item_ids) for c in task.cash_application.candidates} >= {("A1",), ("A2",)}
    outcome = _apply(task, _verdict(task, items="A2"), small_ledger)
    application = outcome.application
    assert application.status == "applied" and application.customer_id == "CA"
    assert [(a.open_item_id, a.invoice_number, a.amount_applied) for a in application.applications] == [
        ("A2", "INV-2026-004513", Decimal("1190.00"))]
    assert application.unapplied_amount == 0
    assert application.evidence == ["reviewed_by:rita"] and application.confidence == 1.0
    assert application.value_date == task.cash_application.value_date is not None
    assert application.payment_id == task.cash_application.payment_id
    assert application.envelope.document_id == "stmt-9"
    posting = outcome.posting
    assert posting is not None and posting.posting_type == "payment" and posting.target == "tryton"
    assert posting.idempotency_key == payment_key(application.payment_id, "tryton")
    assert posting.cash_application == application and posting.party_id == "CA"
    assert outcome.review is None and outcome.learned == ()


def test_the_reviewed_posting_has_the_key_the_matcher_would_have_used(small_ledger: Ledger) -> None:
    task = _task(small_ledger)
    reviewed = _apply(task, _verdict(task, items="A1"), small_ledger).posting
    # the same payment quoting A1's reference is applied by the matcher alone
    quoted = decide(_payment(remittance_structured="RF32INV2026004512"), small_ledger, producer="x", now=NOW)
    assert quoted.posting is not None and reviewed is not None
    assert reviewed.idempotency_key == quoted.posting.idempotency_key


def test_an_approval_without_items_takes_the_best_candidate(small_ledger: Ledger) -> None:
    task = _task(small_ledger)
    assert task.cash_application is not None
    best = task.cash_application.candidates[0].open_item_ids
    outcome = _apply(task, _verdict(task), small_ledger)
    assert [a.open_item_id for a in outcome.application.applications] == best
    assert outcome.posting is not None


def test_items_are_read_from_commas_semicolons_and_spaces_once_each() -> None:
    assert parse_item_ids(" A3, A4;A3\tA5 ,, ") == ("A3", "A4", "A5")
    assert parse_item_ids("") == () and parse_item_ids(None) == ()


def test_an_overpayment_leaves_the_rest_unapplied_and_a_short_one_is_partial(small_ledger: Ledger) -> None:
    task = _task(small_ledger)
    over = _apply(task, _verdict(task, items="A3 A4", customer="CA"), small_ledger).application
    assert over.status == "applied" and over.customer_id == "CA"
    assert sorted(a.open_item_id for a in over.applications) == ["A3", "A4"]
    assert over.unapplied_amount == Decimal("1190.00") - Decimal("310.55") - Decimal("89.45")

    nordic = _task(small_ledger, _payment("camt.053:ACC:STMT-9:2", "1000.00", payer_account=None,
                                          payer_name="Someone Else"))
    short = _apply(nordic, _verdict(nordic, items="B1"), small_ledger)
    assert short.application.status == "partial" and short.application.customer_id == "CB"
    assert [(a.open_item_id, a.amount_applied) for a in short.application.applications] == [("B1", Decimal("1000.00"))]
    assert short.application.unapplied_amount == 0 and short.posting is not None


def test_a_foreign_currency_item_needs_a_rate(small_ledger: Ledger) -> None:
    task = _task(small_ledger, _payment("camt.053:ACC:STMT-9:3", "680.00", payer_account=None,
                                        payer_name="Unknown Payer"))
    with pytest.raises(PaymentReviewError) as missing:
        _apply(task, _verdict(task, items="B2"), small_ledger)
    assert missing.value.code == "CASH_REVIEW_FX_RATE_MISSING"
    settled = _apply(task, _verdict(task, items="B2"), small_ledger,
                     fx=FxRates({("EUR", "USD"): Decimal("1.0882")})).application
    assert settled.status == "applied" and settled.applications[0].currency == "USD"
    assert settled.applications[0].amount_applied == Decimal("740.00")


@pytest.mark.parametrize(("decision", "marker"), [("reject", "review_rejected"), ("duplicate", "review_duplicate")])
def test_a_rejected_or_duplicate_payment_stays_unapplied_and_posts_nothing(small_ledger: Ledger, decision: str,
                                                                           marker: str) -> None:
    task = _task(small_ledger)
    outcome = _apply(task, _verdict(task, decision, reason="paid twice by the customer", duplicate_of="STMT-8:4"),
                     small_ledger)
    application = outcome.application
    assert outcome.posting is None and outcome.learned == ()
    assert application.status == "unapplied" and application.applications == []
    assert application.unapplied_amount == application.payment_amount == Decimal("1190.00")
    assert application.evidence[0] == marker and "reason:paid twice by the customer" in application.evidence
    assert "reviewed_by:rita" in application.evidence
    assert ("duplicate_of:STMT-8:4" in application.evidence) == (decision == "duplicate")


def test_the_same_verdict_yields_the_same_events_and_another_verdict_the_same_posting_key(
        small_ledger: Ledger) -> None:
    task = _task(small_ledger)
    first = _apply(task, _verdict(task, items="A2"), small_ledger)
    again = _apply(task, _verdict(task, items="A2"), small_ledger)
    assert again.application.envelope.event_id == first.application.envelope.event_id
    assert again.posting.envelope.event_id == first.posting.envelope.event_id
    other = _apply(task, _verdict(task, items="A1", event_id="22222222-2222-4222-8222-222222222222"), small_ledger)
    assert other.application.envelope.event_id != first.application.envelope.event_id
    assert other.posting.idempotency_key == first.posting.idempotency_key


def test_an_approved_remittance_advice_is_applied_but_not_posted(small_ledger: Ledger) -> None:
    task = _task(small_ledger, _payment("remittance:abc123", source_format="remittance"))
    outcome = _apply(task, _verdict(task, items="A1"), small_ledger)
    assert outcome.application.status == "applied" and outcome.posting is None


def _refusal(task: ReviewRequested, review: ReviewCompleted, ledger: Ledger) -> PaymentReviewError:
    with pytest.raises(PaymentReviewError) as caught:
        _apply(task, review, ledger)
    return caught.value


def test_verdicts_that_cannot_be_acted_on_are_refused_with_their_codes(small_ledger: Ledger) -> None:
    task = _task(small_ledger)
    cases = {
        "CASH_REVIEW_ITEM_UNKNOWN": _verdict(task, items="A2 NOPE-1"),
        "CASH_REVIEW_MIXED_CUSTOMERS": _verdict(task, items="A1,B1"),
        "CASH_REVIEW_CUSTOMER_MISMATCH": _verdict(task, items="A1", customer="CB"),
        "CASH_REVIEW_CORRECTION_UNKNOWN_FIELD": _verdict(task, corrections=[FieldCorrection(field="total",
                                                                                            new_value="1.00")]),
        "CASH_REVIEW_NO_ITEMS": _verdict(task, items=" , "),
        "CASH_REVIEW_DECISION_UNKNOWN": _verdict(task, "escalate"),
        "CASH_REVIEW_TASK_STALE": _verdict(task, task_id="cash:another-payment"),
    }
    assert {code: _refusal(task, review, small_ledger).code for code, review in cases.items()} == {
        code: code for code in cases}
    assert _refusal(task, _verdict(task, items="A2 NOPE-1"), small_ledger).details["items"] == "NOPE-1"


def test_an_item_paid_since_the_task_was_raised_is_refused(small_ledger: Ledger) -> None:
    task = _task(small_ledger)
    paid = [i.model_copy(update={"amount_open": Decimal(0)}) if i.item_id == "A2" else i
            for i in small_ledger.items.values()]
    assert _refusal(task, _verdict(task, items="A2"), Ledger.build(paid)).code == "CASH_REVIEW_ITEM_UNKNOWN"


def test_an_unmatched_payment_needs_the_items_named(small_ledger: Ledger) -> None:
    task = _task(small_ledger, _payment("camt.053:ACC:STMT-9:4", "55.00", payer_account=None, payer_name="Nobody"))
    assert task.cash_application is not None and task.cash_application.candidates == []
    assert _refusal(task, _verdict(task), small_ledger).code == "CASH_REVIEW_NO_ITEMS"
    named = _apply(task, _verdict(task, items="A4"), small_ledger).application
    assert named.status == "partial" and named.customer_id == "CA"


def test_a_document_task_or_a_debit_is_not_a_payment_to_approve(small_ledger: Ledger) -> None:
    document_task = factories.review_requested(task_id="doc-task-1")
    assert _refusal(document_task, _verdict(document_task), small_ledger).code == "CASH_REVIEW_NOT_A_PAYMENT_TASK"
    task = _task(small_ledger)
    assert task.cash_application is not None
    debit = task.model_copy(update={"cash_application": task.cash_application.model_copy(
        update={"payment_amount": Decimal("-1190.00")})})
    assert _refusal(debit, _verdict(debit, items="A2"), small_ledger).code == "CASH_REVIEW_NOT_A_RECEIPT"
