"""The enrich stage entry: normalization steered by master data, validation, parties, PO match."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from docket.enrich import ReferenceData, enrich_document
from docket.model import Customer, PurchaseOrder, PurchaseOrderLine, Vendor
from tests.unit.records.records_builders import NOW, extracted, line


def reference() -> ReferenceData:
    data = ReferenceData()
    data.vendors.upsert(Vendor(party_id="V-US", legal_entity="LE1", name="Acme Tools Inc.", country="US",
                               address="1 Main St, Springfield", currency="USD", payment_terms="Net 45",
                               default_gl_account="5000", updated_at=NOW))
    data.vendors.upsert(Vendor(party_id="V-FR", legal_entity="LE1", name="Outils Dupont SARL", country="FR",
                               updated_at=NOW))
    data.customers.upsert(Customer(party_id="C-1", legal_entity="LE1", name="Bauhaus Nord GmbH",
                                   vat_id="DE136695976", updated_at=NOW))
    data.purchase_orders.upsert(PurchaseOrder(
        po_number="4500012", legal_entity="LE1", vendor_id="V-US", currency="USD", updated_at=NOW,
        lines=[PurchaseOrderLine(line_no=1, description="Hammer", quantity=Decimal(10), unit_price=Decimal("12.00"),
                                 received_quantity=Decimal(10))]))
    return data


def test_vendor_country_from_master_data_decides_an_ambiguous_date() -> None:
    fields = {"supplier_name": "ACME TOOLS INC", "invoice_number": "77", "invoice_date": "03/04/2025",
              "total": "120.00", "currency": "$"}
    us = enrich_document(extracted(fields), reference(), now=NOW)
    assert (us.vendor and us.vendor.party_id) == "V-US"
    assert us.record.issue_date == date(2025, 3, 4)
    assert us.record.currency == "USD"
    fr = enrich_document(extracted({**fields, "supplier_name": "Outils Dupont"}), reference(), now=NOW)
    assert fr.record.issue_date == date(2025, 4, 3)


def test_vendor_defaults_and_po_match() -> None:
    fields = {"supplier_name": "Acme Tools Inc", "invoice_number": "78", "invoice_date": "2025-04-01",
              "po_number": "45000 12", "net_total": "120.00", "total": "120.00"}
    lines = [line(0, description="Hammer", quantity="10 pcs", unit_price="12.00", amount="120.00")]
    doc = enrich_document(extracted(fields, lines=lines), reference(), now=NOW)
    assert (doc.gl_account, doc.record.payment_terms, doc.record.due_date) == ("5000", "Net 45", date(2025, 5, 16))
    assert doc.record.currency == "USD"
    assert doc.po_match is not None and (doc.po_match.status, doc.po_match.kind) == ("matched", "three_way")
    assert doc.envelope.versions["rules"] == reference().rules.version


def test_validation_findings_reach_the_enriched_document() -> None:
    fields = {"supplier_name": "Acme Tools Inc", "invoice_number": "79", "invoice_date": "2025-04-01",
              "net_total": "100.00", "tax_total": "10.00", "total": "120.00", "currency": "USD"}
    doc = enrich_document(extracted(fields), reference(), now=NOW)
    assert [f.rule_id for f in doc.findings] == ["TOTALS_MISMATCH"]


def test_customer_order_resolves_the_customer_not_a_vendor() -> None:
    fields = {"buyer_name": "Bauhaus Nord", "buyer_vat_id": "DE 136 695 976", "order_number": "B-1",
              "order_date": "01.04.2025", "total": "50,00", "currency": "EUR"}
    doc = enrich_document(extracted(fields, document_type="customer_order"), reference(), now=NOW)
    assert doc.vendor is None
    assert doc.customer is not None and (doc.customer.party_id, doc.customer.method) == ("C-1", "vat_id")
