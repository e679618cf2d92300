"""Duplicates (exact, OCR-fuzzy, same amount, same bytes) and amendments against a vendor's history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from docket.dedup.index import DuplicateIndex, VendorHistory, find_duplicates, history_key, prior_document
from docket.dedup.keys import number_key, ocr_key
from docket.model import DocumentEnriched, Envelope, InvoiceRecord, PartyMatch

NOW = datetime(2025, 5, 1, tzinfo=UTC)


def doc(document_id: str, number: str | None, *, total: str = "119.00", issued: date = date(2025, 4, 3),
        document_type: str = "invoice", amends: str | None = None, vendor: str | None = "V1",
        sha: str | None = None, legal_entity: str = "LE1") -> DocumentEnriched:
    match = PartyMatch(role="vendor", party_id=vendor, method="vat_id", score=1.0) if vendor else None
    return DocumentEnriched(
        envelope=Envelope.new(document_id=document_id, legal_entity=legal_entity, producer="t", now=NOW),
        blob_uri="file:///x", sha256=sha or document_id.encode().hex().ljust(64, "0")[:64],
        record=InvoiceRecord(document_type=document_type, number=number, total=Decimal(total), currency="EUR",
                             issue_date=issued, amends_number=amends, supplier_name="Müller GmbH"),
        vendor=match)


@pytest.mark.parametrize(("a", "b"), [("INV-2024/001", "inv 2024 001"), ("R.100", "R100")])
def test_number_key_ignores_case_and_separators(a: str, b: str) -> None:
    assert number_key(a) == number_key(b)


@pytest.mark.parametrize(("a", "b"), [("INV-0O12", "INV-12"), ("1S-B8", "15-88"), ("lnv-I01", "INV-101"),
                                      ("000123", "123"), ("RE 2025/07", "RE-2025-7")])
def test_ocr_key_folds_confusions_and_leading_zeros(a: str, b: str) -> None:
    assert ocr_key(a) == ocr_key(b)


def test_ocr_key_keeps_real_differences() -> None:
    assert ocr_key("INV-124") != ocr_key("INV-123")
    assert ocr_key("INV-2024-1") != ocr_key("INV-2024-10")


def index_with(*docs: DocumentEnriched) -> DuplicateIndex:
    index = DuplicateIndex(window_days=14)
    for d in docs:
        index.add(d, now=NOW)
    return index


def kinds(index: DuplicateIndex, d: DocumentEnriched) -> list[tuple[str, str]]:
    return [(c.kind, c.document_id) for c in index.find(d, now=NOW)]


def test_exact_duplicate_same_vendor_same_number() -> None:
    index = index_with(doc("d1", "RE-1001"))
    assert kinds(index, doc("d2", "re 1001", total="120.00", issued=date(2025, 1, 1))) == [("exact", "d1")]


def test_same_number_from_another_vendor_or_entity_is_not_a_duplicate() -> None:
    index = index_with(doc("d1", "RE-1001"))
    assert kinds(index, doc("d2", "RE-1001", vendor="V2")) == []
    assert kinds(index, doc("d3", "RE-1001", legal_entity="LE2")) == []


def test_ocr_confused_number_is_a_fuzzy_duplicate() -> None:
    index = index_with(doc("d1", "RE-1001"))
    found = index.find(doc("d2", "RE-1OO1", total="1.00", issued=date(2024, 1, 1)), now=NOW)
    assert [(c.kind, c.score) for c in found] == [("fuzzy", 0.9)]


def test_same_total_within_window_is_a_fuzzy_duplicate_beyond_it_not() -> None:
    index = index_with(doc("d1", "RE-1001"))
    assert kinds(index, doc("d2", "RE-2002", issued=date(2025, 4, 17))) == [("fuzzy", "d1")]
    assert kinds(index, doc("d3", "RE-2003", issued=date(2025, 4, 18))) == []
    assert kinds(index, doc("d4", "RE-2004", total="119.01")) == []


def test_same_bytes_are_found_across_vendors() -> None:
    index = index_with(doc("d1", "RE-1001", sha="c" * 64))
    assert kinds(index, doc("d2", "X-9", vendor="V9", total="5", sha="c" * 64)) == [("content", "d1")]


def test_credit_note_is_linked_to_the_invoice_it_amends_not_flagged() -> None:
    index = index_with(doc("d1", "RE-1001"))
    credit = doc("d2", "GS-1", document_type="credit_note", amends="RE 1001")
    found = index.find(credit, now=NOW)
    assert [(c.kind, c.document_id) for c in found] == [("amends", "d1")]


def test_credit_note_with_same_amount_as_invoice_is_not_a_duplicate() -> None:
    index = index_with(doc("d1", "RE-1001"))
    assert kinds(index, doc("d2", "GS-1", document_type="credit_note")) == []


def test_corrected_invoice_amends_its_predecessor_even_with_same_number() -> None:
    index = index_with(doc("d1", "RE-1001"))
    corrected = doc("d2", "RE-1001", amends="RE-1001", total="118.00")
    assert kinds(index, corrected) == [("amends", "d1")]


def test_a_document_is_never_its_own_duplicate_and_adding_twice_is_idempotent() -> None:
    first = doc("d1", "RE-1001")
    index = index_with(first, first)
    assert kinds(index, first) == []
    assert len(index.history(history_key(first)).documents) == 1


def test_unmatched_vendor_history_is_keyed_by_printed_name() -> None:
    unmatched = doc("d1", "RE-1001", vendor=None)
    assert history_key(unmatched) == "LE1:name:mueller"
    index = index_with(unmatched)
    assert kinds(index, doc("d2", "RE-1001", vendor=None)) == [("exact", "d1")]


def test_history_value_round_trips_for_table_storage() -> None:
    history = VendorHistory().with_document(prior_document(doc("d1", "RE-1001"), now=NOW))
    restored = VendorHistory.model_validate_json(history.model_dump_json())
    assert restored == history
    assert len(restored.earlier_than("d2")) == 1 and restored.earlier_than("d1") == []
    probe = prior_document(doc("d2", "RE-1001"), now=NOW)
    assert [c.kind for c in find_duplicates(probe, restored.earlier_than("d2"))] == ["exact"]


def test_a_replayed_document_is_checked_only_against_what_preceded_it() -> None:
    index = index_with(doc("d1", "RE-1001"), doc("d2", "RE-1OO1"))
    assert kinds(index, doc("d1", "RE-1001")) == []
    assert kinds(index, doc("d2", "RE-1OO1")) == [("fuzzy", "d1")]
    revised = doc("d1", "RE-1001", total="5.00")
    index.add(revised, now=NOW)
    assert [d.document_id for d in index.history(history_key(revised)).documents] == ["d1", "d2"]


def test_pruning_drops_documents_seen_before_the_retention_limit() -> None:
    old = prior_document(doc("d1", "RE-1"), now=datetime(2023, 1, 1, tzinfo=UTC))
    recent = prior_document(doc("d2", "RE-2"), now=NOW)
    history = VendorHistory().with_document(old).with_document(recent)
    kept = history.pruned(seen_before=datetime(2024, 1, 1, tzinfo=UTC))
    assert [d.document_id for d in kept.documents] == ["d2"]
