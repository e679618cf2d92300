"""The pure parts of per-vendor learning in the running pipeline: who the vendor is (by identifier),
what positions the book holds for it, and the second reading of a captured document at them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from docket.capture import CaptureOptions, capture_document
from docket.model import BBox, CrossReference, DocumentExtracted
from docket.parties.directory import VendorDirectory
from docket.parties.identify import identify_vendor
from docket.review.positions import (
    FieldPosition,
    PositionBook,
    extracted_name,
    learned_position,
    positions_key,
    positions_of,
    positions_record,
)
from docket.understanding.extract.positions import measured_confidence, reread_at_positions
from tests import factories
from tests.documents import VENDOR_LAYOUT_IBAN, vendor_layout_invoice, vendor_layout_number_box

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _directory(**overrides: object) -> VendorDirectory:
    vendors = VendorDirectory()
    vendors.upsert(factories.vendor(**overrides))
    return vendors


def _extracted(*fields: tuple[str, str]) -> DocumentExtracted:
    return factories.extracted(fields=[factories.field(name, value) for name, value in fields])


def test_the_vendor_is_identified_by_its_vat_id_or_its_iban_never_by_its_name() -> None:
    vendors = _directory()
    by_vat = identify_vendor(_extracted(("supplier_vat_id", "DE 136 695 976")), vendors)
    assert by_vat is not None and (by_vat.party_id, by_vat.method) == ("V-1001", "vat_id")
    by_iban = identify_vendor(_extracted(("supplier_iban", "DE89 3704 0044 0532 0130 00")), vendors)
    assert by_iban is not None and (by_iban.party_id, by_iban.method) == ("V-1001", "iban")
    named = _extracted(("supplier_name", "Muster Bürobedarf GmbH"))
    assert identify_vendor(named, vendors) is None
    # A checksum-invalid VAT ID identifies nobody, and an unknown one nobody either.
    assert identify_vendor(_extracted(("supplier_vat_id", "DE136695977")), vendors) is None
    assert identify_vendor(_extracted(("supplier_vat_id", "DE811569869")), vendors) is None


def test_a_bank_account_cross_reference_identifies_the_vendor() -> None:
    vendors = _directory(ibans=[])
    iban = "DE02120300000000202051"
    assert identify_vendor(_extracted(("supplier_iban", iban)), vendors) is None
    vendors.add_xref(CrossReference(legal_entity="DE01", system="bank", external_id=iban, kind="bank_account",
                                    party_id="V-1001", updated_at=T0))
    found = identify_vendor(_extracted(("supplier_iban", iban)), vendors)
    assert found is not None and found.party_id == "V-1001"


def test_vendors_sharing_an_identifier_are_not_guessed_between() -> None:
    vendors = _directory()
    vendors.upsert(factories.vendor(party_id="V-2002", name="Another branch"))
    assert identify_vendor(_extracted(("supplier_vat_id", "DE136695976")), vendors) is None


def _position(field: str = "number", x0: float = 0.6, vendor_id: str = "V-1001") -> FieldPosition:
    return learned_position(None, legal_entity="DE01", vendor_id=vendor_id, document_type="invoice",
                            field=field, box=BBox(page=1, x0=x0, y0=0.1, x1=0.8, y1=0.12), now=T0)


def test_the_book_holds_the_newest_record_per_vendor_and_type() -> None:
    book = PositionBook()
    assert not book.knows_entity("DE01") and book.get("DE01", "V-1001", "invoice") == ()
    record = positions_record([_position("total"), _position("number"), _position(vendor_id="V-9")],
                              legal_entity="DE01", vendor_id="V-1001", document_type="invoice", now=T0)
    assert [p.field for p in record.positions] == ["number", "total"]  # another vendor's is left out
    book.put(record)
    assert book.knows_entity("DE01") and not book.knows_entity("FR01")
    assert book.get("DE01", "V-1001", "invoice") == positions_of(record)
    assert book.get("DE01", "V-1001", "credit_note") == ()
    moved = positions_record([_position("number", x0=0.5)], legal_entity="DE01", vendor_id="V-1001",
                             document_type="invoice", now=T0)
    book.put(moved)
    assert [(p.field, p.x0) for p in book.get("DE01", "V-1001", "invoice")] == [("number", 0.5)]
    book.remove("DE01", "V-1001", "invoice")
    assert len(book) == 0 and not book.knows_entity("DE01")
    assert positions_key("DE01", "V:1", "invoice") == "DE01:V:1:invoice"


@pytest.mark.parametrize(("field", "document_type", "expected"), [
    ("number", "invoice", "invoice_number"), ("number", "credit_note", "invoice_number"),
    ("number", "receipt", "receipt_number"), ("number", "customer_order", "order_number"),
    ("issue_date", "invoice", "invoice_date"), ("issue_date", "receipt", "receipt_date"),
    ("total", "invoice", "total"), ("invoice_number", "invoice", "invoice_number"),
])
def test_record_field_names_of_the_review_form_become_capture_names(field: str, document_type: str,
                                                                    expected: str) -> None:
    assert extracted_name(field, document_type) == expected


def test_a_kept_document_is_read_again_at_the_vendors_position_without_reading_the_file_again() -> None:
    [first] = capture_document(vendor_layout_invoice("VG-2025-0417"), "first.pdf",
                               options=CaptureOptions(keep_pages=True))
    assert "invoice_number" not in {f.name for f in first.fields} and first.pages
    # What the review form teaches: the record field "number" at the clicked box.
    box = BBox.model_validate(vendor_layout_number_box())
    position = learned_position(None, legal_entity="DE01", vendor_id="V-1001", document_type="invoice",
                                field="number", box=box, now=T0)
    [second] = capture_document(vendor_layout_invoice("VG-2025-0522", quantity=25), "second.pdf",
                                options=CaptureOptions(keep_pages=True))
    reread = reread_at_positions(second, [position], vendor_identified=True)
    number = {f.name: f for f in reread.fields}["invoice_number"]
    assert (number.value, number.method) == ("VG-2025-0522", "position")
    assert number.confidence == measured_confidence("invoice_number", 1)  # the measured rate of such reads
    assert number.bbox is not None and number.bbox.x0 == pytest.approx(box.x0, abs=0.02)
    assert "invoice_number" not in {m.name for m in reread.missing}
    assert [f for f in reread.fields if f.name != "invoice_number"] == second.fields  # nothing else touched
    unidentified = {f.name: f for f in reread_at_positions(second, [position], vendor_identified=False).fields}
    assert unidentified["invoice_number"].confidence <= measured_confidence("invoice_number", 1)


def test_without_kept_pages_or_positions_the_document_stays_as_captured() -> None:
    [plain] = capture_document(vendor_layout_invoice("VG-2025-0522"), "second.pdf")
    assert plain.pages == ()
    box = BBox.model_validate(vendor_layout_number_box())
    position = learned_position(None, legal_entity="DE01", vendor_id="V-1001", document_type="invoice",
                                field="number", box=box, now=T0)
    assert reread_at_positions(plain, [position], vendor_identified=True) is plain
    [kept] = capture_document(vendor_layout_invoice("VG-2025-0522"), "second.pdf",
                              options=CaptureOptions(keep_pages=True))
    assert reread_at_positions(kept, [], vendor_identified=True) is kept
    assert VENDOR_LAYOUT_IBAN in {f.value for f in kept.fields}
