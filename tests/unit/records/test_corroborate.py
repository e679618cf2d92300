"""Corroborated confidence: arithmetic and checksums raise, never lower."""

from __future__ import annotations

from decimal import Decimal

from docket.model import Finding, Normalization
from docket.records.corroborate import ARITHMETIC_FLOOR, CHECKSUM_FLOOR, corroborated_confidence
from tests import factories

CONFIDENCE = {"net_total": 0.9, "tax_total": 0.9, "total": 0.93, "supplier_iban": 0.9, "supplier_vat_id": 0.7,
              "line[0].amount": 0.8, "invoice_number": 0.9}


def test_consistent_totals_lines_and_valid_checksums_are_raised() -> None:
    normalizations = [Normalization(field="supplier_iban", raw="DE89 ...", value="DE89...", rule="iban"),
                      Normalization(field="supplier_vat_id", raw="DE 136", value="DE136695976", rule="vat_id")]
    raised = corroborated_confidence(factories.record(), [], normalizations, CONFIDENCE)
    assert raised["total"] == raised["net_total"] == raised["tax_total"] == ARITHMETIC_FLOOR
    assert raised["line[0].amount"] == ARITHMETIC_FLOOR
    assert raised["supplier_iban"] == raised["supplier_vat_id"] == CHECKSUM_FLOOR
    assert raised["invoice_number"] == 0.9, "nothing corroborates an invoice number"


def test_a_failed_check_raises_nothing_it_concerns() -> None:
    findings = [Finding(rule_id="TOTALS_MISMATCH", severity="error", message="", fields=["total"])]
    unchecked = [Normalization(field="supplier_vat_id", raw="X", value="X", rule="vat_id_unchecked")]
    raised = corroborated_confidence(factories.record(), findings, unchecked, CONFIDENCE)
    assert raised == CONFIDENCE


def test_missing_amounts_corroborate_only_what_can_still_be_checked() -> None:
    raised = corroborated_confidence(factories.record(tax_total=None), [], [], CONFIDENCE)
    assert raised["total"] == 0.93, "net + tax = total cannot be checked without the tax"
    assert raised["line[0].amount"] == ARITHMETIC_FLOOR, "the lines still add up to the net"
    bare = corroborated_confidence(factories.record(tax_total=None, net_total=None), [], [], CONFIDENCE)
    assert bare["line[0].amount"] == 0.8


def test_never_lowers() -> None:
    high = {**CONFIDENCE, "total": 0.999}
    assert corroborated_confidence(factories.record(total=Decimal("119.00")), [], [], high)["total"] == 0.999


def test_a_strongly_matched_vendor_whose_master_name_reads_the_same_corroborates_the_name() -> None:
    from docket.model import PartyMatch

    confidence = {"supplier_name": 0.85}
    by_vat = PartyMatch(role="vendor", party_id="V-1", name="MUSTER Bürobedarf GmbH", method="vat_id", score=1.0)
    assert corroborated_confidence(factories.record(), [], [], confidence, by_vat)["supplier_name"] == CHECKSUM_FLOOR
    by_name = by_vat.model_copy(update={"method": "name"})
    assert corroborated_confidence(factories.record(), [], [], confidence, by_name)["supplier_name"] == 0.85
    other = by_vat.model_copy(update={"name": "Completely Different AG"})
    assert corroborated_confidence(factories.record(), [], [], confidence, other)["supplier_name"] == 0.85
