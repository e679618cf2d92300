"""The posting-sink contract (``connectors/base.py``), run against every sink kind in ``conftest.py``."""

from __future__ import annotations

import json

import pytest

from connectors.base import PostingOutcome, PostingRejected, SinkClosed, TargetUnavailable
from docket.errors import DocketError
from docket.model import Envelope
from tests.contract.harness import SUPPLIER_IBAN, SinkHarness


def test_posts_once_per_key_and_repeats_answer_the_first_outcome(harness: SinkHarness) -> None:
    request = harness.accepted(harness.unique())

    first = harness.sink.post(request)
    again = harness.sink.post(request)

    assert first.status == "posted"
    assert again.status == "already_posted"
    assert (again.idempotency_key, again.erp_id, again.erp_reference) == (
        first.idempotency_key, first.erp_id, first.erp_reference)
    assert first.target == harness.sink.target
    assert harness.count_records(request) == 1


def test_a_redelivered_event_with_the_same_key_does_not_post_again(harness: SinkHarness) -> None:
    request = harness.accepted(harness.unique())
    first = harness.sink.post(request)
    envelope = Envelope.new(document_id=request.envelope.document_id, legal_entity="demo",
                            producer="redelivery", now=request.envelope.occurred_at)
    redelivered = request.model_copy(update={"envelope": envelope})

    again = harness.sink.post(redelivered)

    assert again.status == "already_posted"
    assert again.erp_id == first.erp_id
    assert harness.count_records(request) == 1


def test_a_refusal_carries_the_targets_error_and_creates_nothing(harness: SinkHarness) -> None:
    request = harness.refused(harness.unique())

    with pytest.raises(PostingRejected) as refused:
        harness.sink.post(request)

    assert harness.refusal_text in refused.value.message
    assert refused.value.retryable is False
    assert refused.value.code == "POSTING_REJECTED"
    assert harness.count_records(request) == 0


def test_a_target_that_is_down_raises_a_retryable_error(harness: SinkHarness) -> None:
    down = harness.unreachable()
    request = harness.accepted(harness.unique())

    with pytest.raises(TargetUnavailable) as unavailable:
        down.post(request)

    assert unavailable.value.retryable is True
    assert unavailable.value.code == "POSTING_TARGET_UNAVAILABLE"
    assert harness.count_records(request) == 0
    down.close()


def test_a_batch_answers_in_order_with_per_item_errors(harness: SinkHarness) -> None:
    label = harness.unique()
    first, refused, second = (harness.accepted(f"{label}-a"), harness.refused(f"{label}-x"),
                              harness.accepted(f"{label}-b"))

    results = harness.sink.post_batch([first, refused, second, first])

    assert len(results) == 4
    assert isinstance(results[0], PostingOutcome) and results[0].status == "posted"
    assert isinstance(results[1], PostingRejected) and harness.refusal_text in results[1].message
    assert isinstance(results[2], PostingOutcome) and results[2].status == "posted"
    assert isinstance(results[3], PostingOutcome) and results[3].status == "already_posted"
    assert [r.idempotency_key for r in results if isinstance(r, PostingOutcome)] == [
        first.idempotency_key, second.idempotency_key, first.idempotency_key]
    assert results[0].erp_id != results[2].erp_id
    assert results[3].erp_id == results[0].erp_id
    assert [harness.count_records(r) for r in (first, refused, second)] == [1, 0, 1]


def test_a_batch_after_posting_answers_repeats_and_posts_the_rest(harness: SinkHarness) -> None:
    label = harness.unique()
    known = harness.accepted(f"{label}-known")
    earlier = harness.sink.post(known)
    new = harness.accepted(f"{label}-new")

    results = harness.sink.post_batch([new, known])

    assert isinstance(results[0], PostingOutcome) and results[0].status == "posted"
    assert isinstance(results[1], PostingOutcome) and results[1].status == "already_posted"
    assert results[1].erp_id == earlier.erp_id
    assert harness.count_records(known) == 1


def test_a_batch_against_a_target_that_is_down_fails_every_item_retryably(harness: SinkHarness) -> None:
    down = harness.unreachable()
    label = harness.unique()

    results = down.post_batch([harness.accepted(f"{label}-1"), harness.accepted(f"{label}-2")])

    assert len(results) == 2
    assert all(isinstance(result, TargetUnavailable) and result.retryable for result in results)
    down.close()


def test_an_empty_batch_answers_nothing(harness: SinkHarness) -> None:
    assert harness.sink.post_batch([]) == []


def test_outcomes_hold_no_bank_details_or_secrets(harness: SinkHarness) -> None:
    outcome = harness.sink.post(harness.accepted(harness.unique()))

    stored = json.dumps({"request": outcome.request, "response": outcome.response}, default=str)

    assert SUPPLIER_IBAN not in stored


def test_a_connected_sink_posts_and_connecting_again_is_harmless(harness: SinkHarness) -> None:
    harness.sink.connect()
    harness.sink.connect()
    request = harness.accepted(harness.unique())

    posted = harness.sink.post(request)

    assert posted.status == "posted"
    assert harness.count_records(request) == 1


def test_flush_then_close_then_every_use_raises_sink_closed(harness: SinkHarness) -> None:
    posted = harness.sink.post(harness.accepted(harness.unique()))
    harness.sink.flush()
    harness.sink.close()
    harness.sink.close()  # closing twice is harmless

    with pytest.raises(SinkClosed):
        harness.sink.post(harness.accepted(harness.unique()))
    with pytest.raises(SinkClosed):
        harness.sink.post_batch([])
    with pytest.raises(SinkClosed):
        harness.sink.flush()
    with pytest.raises(SinkClosed):
        harness.sink.connect()
    assert posted.status == "posted"


def test_errors_are_docket_errors_with_stable_codes(harness: SinkHarness) -> None:
    results = harness.sink.post_batch([harness.refused(harness.unique())])

    assert isinstance(results[0], DocketError)
    assert results[0].code.isupper() and " " not in results[0].code
