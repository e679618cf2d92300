"""The dashboard figures of a hand-checked day of documents (see scenario.py), read back from a
real audit store on SQLite."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from connectors.stores.audit import AuditStore
from connectors.stores.ops_queries import load_activity
from docket.ops import Dashboard, OpsInputError, build_dashboard
from docket.ops.figures import percentile
from tests.unit.ops.scenario import NOW, OPEN_ITEMS, WINDOW, day_of_documents


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> AuditStore:
    audit = AuditStore(f"sqlite:///{tmp_path_factory.mktemp('ops') / 'audit.db'}")
    audit.record_many(day_of_documents())
    return audit


def dashboard(store: AuditStore, **options: object) -> Dashboard:
    entities = options.get("entities")
    documents, events = load_activity(store.engine, since=NOW - WINDOW, until=NOW,
                                      entities=entities)  # type: ignore[arg-type]
    return build_dashboard(documents, events, now=NOW, window=WINDOW,
                           bucket=options.pop("bucket", timedelta(hours=6)),  # type: ignore[arg-type]
                           open_items=OPEN_ITEMS, **options)  # type: ignore[arg-type]


def test_stp_and_exception_rates_count_each_documents_first_routing_decision(store: AuditStore) -> None:
    figures = dashboard(store).figures
    # a, e, h post; b review; c reject; d duplicate. b's second decision (post) does not count.
    assert (figures.documents_routed, figures.straight_through, figures.exceptions) == (6, 3, 2)
    assert figures.stp_rate == pytest.approx(3 / 6)
    assert figures.exception_rate == pytest.approx(2 / 6)
    assert figures.documents_received == 7  # a b c d e h stmt-1; g arrived before the window


def test_posting_latency_runs_from_receipt_to_first_posted_answer(store: AuditStore) -> None:
    figures = dashboard(store).figures
    # a 300 s, h 300 s, b 1,800 s, g 90,000 s (received before the window, posted inside it)
    assert figures.documents_posted == 4
    assert figures.posting_latency_p50_seconds == 300
    assert figures.posting_latency_p95_seconds == 90_000


def test_field_accuracy_and_manual_touch_come_from_reviews(store: AuditStore) -> None:
    figures = dashboard(store).figures
    assert (figures.reviewed_fields, figures.corrected_fields) == (4, 2)
    assert figures.field_accuracy == pytest.approx(0.5)
    assert figures.reviews_completed == 1
    assert figures.manual_touch_p50_seconds == 600
    assert figures.manual_touch_mean_seconds == 600


def test_duplicates_posted_anyway_lower_the_prevention_rate(store: AuditStore) -> None:
    figures = dashboard(store).figures
    assert (figures.duplicates_flagged, figures.duplicates_prevented) == (2, 1)  # d held, h posted
    assert figures.duplicate_prevention_rate == pytest.approx(0.5)


def test_automation_coverage_is_posted_without_a_person_over_finished_documents(store: AuditStore) -> None:
    figures = dashboard(store).figures
    # finished: a g h (posted, untouched), b (posted after review), c e (rejected), d (duplicate)
    assert (figures.documents_finished, figures.finished_without_person) == (7, 3)
    assert figures.automation_coverage == pytest.approx(3 / 7)


def test_data_sync_errors_and_retries(store: AuditStore) -> None:
    figures = dashboard(store).figures
    # requested in the window: a b e h; confirmed: a b h (g was requested the day before)
    assert (figures.postings_requested, figures.postings_confirmed) == (4, 3)
    assert figures.data_sync_accuracy == pytest.approx(0.75)
    assert figures.posting_retries == 1
    assert {(e.target, e.error_code, e.count) for e in figures.posting_errors} == {
        ("tryton", "POSTING_TARGET_UNAVAILABLE", 1), ("tryton", "POSTING_REJECTED", 1)}


def test_order_to_cash_figures(store: AuditStore) -> None:
    cash = dashboard(store).cash
    assert (cash.payments, cash.auto_applied) == (2, 1)
    assert cash.auto_match_rate_count == pytest.approx(0.5)
    assert cash.auto_match_rate_amount == pytest.approx(1190 / 1500)
    assert cash.unapplied_cash == {"EUR": Decimal("310.0000")}
    assert cash.invoice_to_cash_days == pytest.approx(32)  # 2026-10-20 → 2026-11-21


def test_series_puts_each_fact_in_its_bucket(store: AuditStore) -> None:
    series = dashboard(store).series
    assert [bucket.start.hour for bucket in series] == [12, 18, 0, 6]
    assert [bucket.documents_received for bucket in series] == [0, 0, 0, 7]
    assert [bucket.documents_posted for bucket in series] == [0, 0, 0, 4]
    assert series[-1].posting_errors == 2
    hourly = dashboard(store, bucket=timedelta(hours=1)).series
    assert len(hourly) == 24
    assert hourly[-5].start.hour == 7 and hourly[-5].documents_posted == 1  # g at 07:00
    assert hourly[-2].start.hour == 10 and hourly[-2].documents_received == 2  # c 10:00, d 10:30


def test_breakdowns_by_entity_and_document_type(store: AuditStore) -> None:
    board = dashboard(store)
    by_entity = {b.key: b.figures for b in board.by_entity}
    assert set(by_entity) == {"DE01", "FR01"}
    assert by_entity["FR01"].documents_routed == 1 and by_entity["FR01"].exception_rate == 1.0
    assert by_entity["DE01"].stp_rate == pytest.approx(3 / 5)
    by_type = {b.key: b.figures for b in board.by_document_type}
    assert by_type["credit_note"].documents_received == 1
    assert by_type["invoice"].documents_posted == 4
    assert by_type["unknown"].documents_received == 1  # the statement


def test_filters_restrict_every_figure(store: AuditStore) -> None:
    french = dashboard(store, entities=["FR01"])
    assert french.figures.documents_received == 1 and french.figures.documents_posted == 0
    assert [b.key for b in french.by_entity] == ["FR01"]
    assert french.cash.payments == 0 and french.cash.auto_match_rate_count is None
    notes = dashboard(store, document_type="credit_note")
    assert notes.figures.documents_routed == 1 and notes.figures.stp_rate == 0.0


def test_an_empty_window_has_no_rates_rather_than_zero(store: AuditStore) -> None:
    documents, events = load_activity(store.engine, since=NOW, until=NOW + WINDOW)
    board = build_dashboard(documents, events, now=NOW + WINDOW, window=WINDOW, bucket=timedelta(hours=1))
    assert board.figures.documents_received == 0
    assert board.figures.stp_rate is None and board.figures.posting_latency_p95_seconds is None


def test_window_and_bucket_must_make_sense() -> None:
    with pytest.raises(OpsInputError) as error:
        build_dashboard([], [], now=NOW, window=timedelta(0), bucket=timedelta(hours=1))
    assert error.value.code == "OPS_WINDOW_INVALID"
    with pytest.raises(OpsInputError):
        build_dashboard([], [], now=NOW, window=timedelta(days=365), bucket=timedelta(minutes=1))


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.95) == 5.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.0
    assert percentile([float(n) for n in range(1, 21)], 0.95) == 19.0
