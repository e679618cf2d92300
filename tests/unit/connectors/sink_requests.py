"""Requests shared by the connector tests: realistic postings built from the shared models."""


from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from docket.model import Envelope, InvoiceLine, InvoiceRecord, PostingRequested, TaxLine, idempotency_key

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def make_record(**changes: Any) -> InvoiceRecord:
    """A two-line German supplier invoice: 100.00 + 23.45 net, 19 % VAT."""
    base: dict[str, Any] = dict(
        document_type="invoice", number="RE-2026-0042", issue_date=date(2026, 11, 3),
        due_date=date(2026, 12, 3), payment_terms="30 days net", currency="EUR",
        net_total=Decimal("123.45"), tax_total=Decimal("23.46"), total=Decimal("146.91"),
        supplier_name="Muster Bürobedarf GmbH", supplier_vat_id="DE136695976",
        supplier_iban="DE89370400440532013000", supplier_bic="COBADEFFXXX", supplier_country="DE",
        supplier_address="Hauptstr. 1, 10115 Berlin", buyer_name="Docket Demo AG",
        buyer_vat_id="DE811907980", po_number="PO-7781",
        tax_lines=[TaxLine(rate=Decimal("19"), base=Decimal("123.45"), amount=Decimal("23.46"))],
        lines=[
            InvoiceLine(index=0, description="Paper A4, 80 g", quantity=Decimal("10"), unit="PK",
                        unit_price=Decimal("10.00"), amount=Decimal("100.00"), tax_rate=Decimal("19"),
                        sku="PA4-80"),
            InvoiceLine(index=1, description="Toner black", quantity=Decimal("1"), unit="EA",
                        unit_price=Decimal("23.45"), amount=Decimal("23.45"), tax_rate=Decimal("19")),
        ])
    base.update(changes)
    return InvoiceRecord(**base)


def make_request(document_id: str = "doc-1", *, target: str = "rest", revision: int = 0,
                 posting_type: str = "supplier_invoice", **record_changes: Any) -> PostingRequested:
    envelope = Envelope.new(document_id=document_id, legal_entity="acme-de", producer="route", now=NOW)
    return PostingRequested(
        envelope=envelope, idempotency_key=idempotency_key(document_id, revision, target), target=target,
        posting_type=posting_type, mapping_version="requested/1", revision=revision,
        sha256="ab" * 32, party_id="V-100", gl_account="6815", tax_code="VSt19", cost_center="CC-10",
        record=make_record(**record_changes))
