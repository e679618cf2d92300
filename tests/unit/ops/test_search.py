"""Document search over the audit store (SQLite): by id, vendor, number, amount, date, entity."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.stores.audit import AuditStore
from connectors.stores.ops_queries import SearchInputError, search_documents
from tests.unit.ops.scenario import day_of_documents


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> AuditStore:
    audit = AuditStore(f"sqlite:///{tmp_path_factory.mktemp('search') / 'audit.db'}")
    audit.record_many(day_of_documents())
    return audit


def found(store: AuditStore, **criteria: object) -> list[str]:
    return [hit.document_id for hit in search_documents(store.engine, **criteria)]  # type: ignore[arg-type]


def test_text_matches_number_supplier_vendor_and_id_ignoring_case(store: AuditStore) -> None:
    assert found(store, text="re-b") == ["doc-b"]
    assert found(store, text="MUSTER") == ["doc-a"]
    assert found(store, text="doc-c") == ["doc-c"]
    assert set(found(store, text="v-1001")) == {"doc-a", "doc-b"}  # the resolved vendor id
    assert found(store, text="100%") == []  # wildcards are searched for literally


def test_amount_matches_the_total_whatever_its_written_form(store: AuditStore) -> None:
    assert found(store, amount="119") == ["doc-a"]
    assert found(store, amount="50,00") == ["doc-b"]
    with pytest.raises(SearchInputError) as error:
        found(store, amount="fifty")
    assert error.value.code == "OPS_SEARCH_INVALID"


def test_date_matches_issue_date_or_day_received(store: AuditStore) -> None:
    assert found(store, on_date=date(2026, 11, 10)) == ["doc-b"]
    assert found(store, on_date=date(2026, 11, 21)) == ["doc-g"]


def test_criteria_combine_and_entities_restrict(store: AuditStore) -> None:
    assert found(store, text="v-1001", amount="50") == ["doc-b"]
    assert found(store, entities=["FR01"]) == ["doc-c"]
    assert found(store, text="doc-c", entities=["DE01"]) == []


def test_newest_first_with_the_facts_it_was_found_by(store: AuditStore) -> None:
    hits = search_documents(store.engine, limit=3)
    assert [hit.document_id for hit in hits] == ["stmt-1", "doc-h", "doc-e"]
    (doc_b,) = search_documents(store.engine, text="RE-B-7")
    assert (doc_b.number, doc_b.supplier_name, doc_b.total, doc_b.currency) == (
        "RE-B-7", "Beispiel Handels AG", "50.0000", "EUR")
    assert doc_b.current_state == "posted" and doc_b.legal_entity == "DE01"
