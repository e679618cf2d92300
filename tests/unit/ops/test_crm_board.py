"""The dashboard's CRM lists from what the worker records: contract dates in the next 90 days, deals won
from order forms, change forms waiting for review (audit and review stores on SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.stores.audit import AuditStore
from connectors.stores.ops_queries import load_change_reviews, load_crm_postings
from connectors.stores.review import ReviewStore
from docket.model import ReviewCompleted
from docket.ops.crm import crm_board
from docket.ops.model import CrmBoard
from tests import factories
from tests.unit.ops.crm_scenario import NOW, TODAY, change_tasks, crm_events


def recorded(audit: AuditStore) -> AuditStore:
    """``audit`` holding the scenario: its postings and change-form tasks (chg-3 approved)."""
    audit.record_many(crm_events())
    reviews = ReviewStore(audit)
    for task in change_tasks():
        assert reviews.add_request(task)
    approval = ReviewCompleted(
        envelope=factories.envelope(event_id="crm-approval", document_id="chg-3", correlation_id="chg-3"),
        task_id="chg-3:0", task_version=1, reviewer="rita", decision="approve", decided_at=NOW)
    assert reviews.apply_completion(approval, NOW)
    return audit


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AuditStore]:
    audit = recorded(AuditStore(f"sqlite:///{tmp_path / 'audit.db'}"))
    yield audit
    audit.close()


def board_of(store: AuditStore, entities: list[str] | None = None) -> CrmBoard:
    return crm_board(load_crm_postings(store.engine, entities=entities),
                     load_change_reviews(store.engine, entities=entities),
                     today=TODAY, won_since=NOW - timedelta(days=1), entities=entities)


def test_contracts_renewing_ending_or_due_for_notice_in_the_next_90_days(store: AuditStore) -> None:
    board = board_of(store)

    listed = [(d.date, d.kind, d.contract_number, d.legal_entity) for d in board.contract_dates]
    assert listed == [
        (date(2026, 12, 30), "notice", "K-2", "DE01"),   # the amendment's 60 days, not the first 30
        (date(2027, 1, 1), "renewal", "K-1", "DE01"),
        (date(2027, 1, 10), "renewal", "K-6", "FR01"),
        (date(2027, 1, 15), "end", "K-3", "DE01"),
        (date(2027, 2, 1), "renewal", "K-7", "DE01"),   # answered before its request was recorded
    ]
    first = board.contract_dates[1]
    assert (first.days_left, first.erp_reference, first.value, first.customer) == (
        40, "SUB-con-1", Decimal("400.0000"), "Globex Retail AG")


def test_a_shorter_horizon_and_an_entity_narrow_the_contracts(store: AuditStore) -> None:
    german = board_of(store, ["DE01"])
    assert "K-6" not in [d.contract_number for d in german.contract_dates]
    soon = crm_board(load_crm_postings(store.engine), [], today=TODAY, horizon_days=40)
    assert [(d.contract_number, d.kind) for d in soon.contract_dates] == [("K-2", "notice"), ("K-1", "renewal")]
    later = crm_board(load_crm_postings(store.engine), [], today=date(2027, 1, 2), horizon_days=30)
    assert [(d.contract_number, d.kind) for d in later.contract_dates] == [
        ("K-6", "renewal"), ("K-3", "end"), ("K-7", "renewal")]  # the horizon's last day counts


def test_opportunities_won_in_the_window_from_posted_order_forms(store: AuditStore) -> None:
    board = board_of(store)

    won, = board.opportunities_won
    assert (won.document_id, won.quote_reference, won.order_number, won.erp_reference) == (
        "of-1", "Q-1", "OF-1", "OPP-1")
    assert (won.amount, won.currency, won.won_at) == (Decimal("4800.0000"), "EUR", NOW - timedelta(hours=1))
    everything = crm_board(load_crm_postings(store.engine), [], today=TODAY)
    assert [o.document_id for o in everything.opportunities_won] == ["of-1", "of-2"]  # of-3 is still retrying


def test_change_forms_waiting_for_review_bank_changes_first(store: AuditStore) -> None:
    board = board_of(store)

    assert [(c.document_id, c.bank_change, c.customer) for c in board.changes_waiting] == [
        ("chg-1", True, "Globex Retail AG"), ("chg-2", False, "Globex Retail AG")]
    assert board.changes_waiting[0].reasons == ["BANK_DETAILS_CHANGE_REQUESTED"]
    assert board_of(store, ["FR01"]).changes_waiting == []


def test_recording_the_same_events_again_changes_nothing(store: AuditStore) -> None:
    before = board_of(store)
    store.record_many(crm_events())
    assert board_of(store) == before
