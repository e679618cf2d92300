"""Routing policies as data, layered per legal entity and document type."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from docket.routing.policy import PolicyBook, PolicyInvalidError

DEFAULT = Path(__file__).parents[3] / "docket/routing/policies/default.yaml"


def book_with_entity(tmp_path: Path, entity_yaml: str) -> PolicyBook:
    (tmp_path / "default.yaml").write_text(DEFAULT.read_text("utf-8"))
    (tmp_path / "ACME-DE.yaml").write_text(entity_yaml)
    return PolicyBook.load(tmp_path)


def test_packaged_default_policy_loads_per_document_type() -> None:
    book = PolicyBook.load()
    invoice = book.for_document("LE1", "invoice")
    assert invoice.posting_types["invoice"] == "supplier_invoice"
    assert invoice.vendor.required and "vat_id" in invoice.vendor.strong_methods
    order = book.for_document("LE1", "customer_order")
    assert not order.vendor.required and order.customer.required
    assert invoice.vendor.required  # the customer-order layer did not leak into invoices


def test_entity_file_overrides_limits_and_merges_nested_settings(tmp_path: Path) -> None:
    book = book_with_entity(tmp_path, """
version: "acme-3"
defaults:
  auto_post_limits: {EUR: "2500.00"}
  confidence: {fields: {total: 0.99}}
document_types:
  credit_note:
    post_state: draft
""")
    acme = book.for_document("ACME-DE", "invoice")
    assert acme.version.endswith("+acme-3")
    assert acme.auto_post_limits["EUR"] == Decimal("2500.00")
    assert acme.auto_post_limits["USD"] == Decimal("10000.00")
    assert acme.threshold("total") == 0.99  # the entity's number, over the measured default
    assert acme.threshold("invoice_number") == acme.measurements["invoice_number"].threshold
    assert acme.threshold("line[3].description") == acme.default_confidence
    assert acme.post_state == "posted"
    assert book.for_document("ACME-DE", "credit_note").post_state == "draft"
    assert book.for_document("OTHER", "invoice").auto_post_limits["EUR"] == Decimal("10000.00")


def test_broken_policies_fail_with_a_stable_code(tmp_path: Path) -> None:
    with pytest.raises(PolicyInvalidError) as caught:
        PolicyBook.load(tmp_path)
    assert caught.value.code == "ROUTING_POLICY_INVALID"
    book = book_with_entity(tmp_path, 'version: "x"\ndefaults:\n  auto_post_limits: {EUR: many}\n')
    with pytest.raises(PolicyInvalidError):
        book.for_document("ACME-DE", "invoice")
    (tmp_path / "ACME-DE.yaml").write_text("- not a mapping\n")
    with pytest.raises(PolicyInvalidError):
        PolicyBook.load(tmp_path)
