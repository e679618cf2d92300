"""Hybrid PDFs: the XML is the invoice, the printed page is held against it."""

from __future__ import annotations

from docket.capture import capture_document
from docket.understanding.hybrid import MISMATCH
from tests.unit.einvoice.builders import DATA, einfach_xml, hybrid_pdf

WITH_BOM = DATA / "zugferd-corpus" / "ZUGFeRDv2" / "correct" / "Mustangproject" / \
    "MustangGnuaccountingBeispielRE-20201121_508_withBOM.pdf"
FACTURX_EINFACH = DATA / "zugferd-corpus" / "XML-Rechnung" / "FX" / "EN16931_Einfach.pdf"


def _mismatches(data: bytes) -> dict[str, str]:
    (document,) = capture_document(data, "hybrid.pdf")
    return {f.fields[0]: f.message for f in document.findings if f.rule_id == MISMATCH}


def test_an_honest_hybrid_has_no_mismatch_and_its_fields_get_the_printed_boxes() -> None:
    (document,) = capture_document(hybrid_pdf(einfach_xml()), "hybrid.pdf")
    fields = {f.name: f for f in document.fields}
    assert document.reading == "structured" and document.page_count == 1
    assert not [f for f in document.findings if f.rule_id == MISMATCH]
    assert fields["total"].value == "529.87" and fields["total"].business_term == "BT-112"
    assert fields["total"].bbox is not None and fields["total"].bbox.page == 1
    assert fields["invoice_number"].bbox is not None


def test_a_doctored_printed_total_is_a_mismatch_with_both_values() -> None:
    found = _mismatches(hybrid_pdf(einfach_xml(), total="259,87"))
    assert set(found) == {"total"}
    assert "259,87" in found["total"] and "529.87" in found["total"] and "BT-112" in found["total"]


def test_a_printed_number_and_vat_id_that_differ_are_mismatches() -> None:
    found = _mismatches(hybrid_pdf(einfach_xml(), number="471199", vat_id="DE811569869"))
    assert set(found) == {"invoice_number", "supplier_vat_id"}
    assert "471199" in found["invoice_number"] and "471102" in found["invoice_number"]


def test_a_public_sample_that_prints_another_invoice_than_its_xml_is_caught() -> None:
    found = _mismatches(WITH_BOM.read_bytes())
    assert "RE-20190610/507" in found["invoice_number"] and "RE-20201121/508" in found["invoice_number"]


def test_a_consistent_public_factur_x_sample_has_no_mismatch() -> None:
    assert _mismatches(FACTURX_EINFACH.read_bytes()) == {}
