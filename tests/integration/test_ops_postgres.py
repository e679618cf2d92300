"""The dashboard and search queries on a real PostgreSQL (JSONB summaries), same figures as on SQLite;
the CRM lists (``crm_postings``, review tasks) too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from connectors.stores.audit import AuditStore
from connectors.stores.ops_queries import load_activity, load_change_reviews, load_crm_postings, search_documents
from docket.ops import build_dashboard
from docket.ops.crm import crm_board
from tests.integration.harness import throwaway_postgres
from tests.unit.ops.crm_scenario import NOW as CRM_NOW
from tests.unit.ops.crm_scenario import TODAY as CRM_TODAY
from tests.unit.ops.scenario import NOW, OPEN_ITEMS, WINDOW, day_of_documents
from tests.unit.ops.test_crm_board import recorded

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def store() -> Iterator[AuditStore]:
    with throwaway_postgres("docket_ops") as server:
        audit = AuditStore(server.url)
        audit.record_many(day_of_documents())
        yield audit
        audit.close()


def test_dashboard_figures_on_postgres(store: AuditStore) -> None:
    documents, events = load_activity(store.engine, since=NOW - WINDOW, until=NOW)
    board = build_dashboard(documents, events, now=NOW, window=WINDOW, bucket=timedelta(hours=6),
                            open_items=OPEN_ITEMS)
    figures = board.figures
    assert (figures.documents_routed, figures.straight_through, figures.exceptions) == (6, 3, 2)
    assert figures.posting_latency_p95_seconds == 90_000
    assert (figures.reviewed_fields, figures.corrected_fields) == (4, 2)
    assert figures.data_sync_accuracy == pytest.approx(0.75)
    assert board.cash.invoice_to_cash_days == pytest.approx(32)
    french, _ = load_activity(store.engine, since=NOW - WINDOW, until=NOW, entities=["FR01"])
    assert [d.document_id for d in french] == ["doc-c"]


def test_search_on_postgres(store: AuditStore) -> None:
    def found(**criteria: object) -> list[str]:
        return [hit.document_id for hit in search_documents(store.engine, **criteria)]  # type: ignore[arg-type]

    assert found(text="MUSTER") == ["doc-a"]
    assert found(text="100%") == []
    assert found(amount="50,00") == ["doc-b"]
    assert found(on_date=date(2026, 11, 10)) == ["doc-b"]
    assert found(on_date=date(2026, 11, 21)) == ["doc-g"]
    assert found(entities=["FR01"]) == ["doc-c"]
    assert [hit.document_id for hit in search_documents(store.engine, limit=3)] == ["stmt-1", "doc-h", "doc-e"]


def test_the_crm_lists_on_postgres() -> None:
    with throwaway_postgres("docket_crm") as server:
        crm_store = recorded(AuditStore(server.url))
        try:
            board = crm_board(load_crm_postings(crm_store.engine), load_change_reviews(crm_store.engine),
                              today=CRM_TODAY, won_since=CRM_NOW - timedelta(days=1))
            german = load_crm_postings(crm_store.engine, entities=["DE01"])
        finally:
            crm_store.close()
    assert [(d.contract_number, d.kind, d.date) for d in board.contract_dates] == [
        ("K-2", "notice", date(2026, 12, 30)), ("K-1", "renewal", date(2027, 1, 1)),
        ("K-6", "renewal", date(2027, 1, 10)), ("K-3", "end", date(2027, 1, 15)),
        ("K-7", "renewal", date(2027, 2, 1))]
    assert [o.erp_reference for o in board.opportunities_won] == ["OPP-1"]
    assert [(c.document_id, c.bank_change) for c in board.changes_waiting] == [("chg-1", True), ("chg-2", False)]
    assert german and "FR01" not in {row.legal_entity for row in german}
