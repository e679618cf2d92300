"""2-way and 3-way matching of invoices against purchase orders."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from docket.model import InvoiceLine, InvoiceRecord, PurchaseOrder, PurchaseOrderLine
from docket.records.po_match import PurchaseOrderBook, match_purchase_order

NOW = datetime(2025, 5, 1, tzinfo=UTC)


def order(received: Decimal | None = None) -> PurchaseOrder:
    return PurchaseOrder(po_number="PO-4711", legal_entity="LE1", vendor_id="V1", currency="EUR",
                         order_date=date(2025, 3, 1), total=Decimal("150"), updated_at=NOW, lines=[
                             PurchaseOrderLine(line_no=1, description="Kopierpapier A4", quantity=Decimal(10),
                                               unit_price=Decimal("10.00"), sku="P-A4", received_quantity=received),
                             PurchaseOrderLine(line_no=2, description="Toner schwarz", quantity=Decimal(1),
                                               unit_price=Decimal("50.00"))])


def invoice(*lines: InvoiceLine, po: str = "po 4711") -> InvoiceRecord:
    return InvoiceRecord(document_type="invoice", po_number=po, currency="EUR", lines=list(lines))


PAPER = InvoiceLine(index=0, description="Papier", sku="p-a4", quantity=Decimal(10), unit_price=Decimal("10.10"))
TONER = InvoiceLine(index=1, description="Toner Schwarz", quantity=Decimal(1), unit_price=Decimal("50.00"))


def test_book_finds_orders_whatever_the_spacing_and_forgets_removed_ones() -> None:
    book = PurchaseOrderBook()
    book.upsert(order())
    assert book.get("LE1", "po-4711") is not None
    assert book.get("LE2", "PO-4711") is None
    book.remove("LE1", "PO 4711")
    assert book.get("LE1", "PO-4711") is None


def test_two_way_match_within_price_tolerance() -> None:
    match = match_purchase_order(invoice(PAPER, TONER), order(), vendor_id="V1")
    assert match is not None
    assert (match.status, match.kind, match.differences) == ("matched", "two_way", [])


def test_price_beyond_tolerance_and_excess_quantity_are_differences() -> None:
    dear = PAPER.model_copy(update={"unit_price": Decimal("10.50"), "quantity": Decimal(12)})
    match = match_purchase_order(invoice(dear), order(), vendor_id="V1")
    assert match is not None and match.status == "mismatch"
    assert match.differences == ["line 0: price 10.50 vs PO 10.00", "line 0: quantity 12.00 vs PO 10.00"]


def test_three_way_match_checks_received_quantity() -> None:
    match = match_purchase_order(invoice(PAPER), order(received=Decimal(8)), vendor_id="V1")
    assert match is not None
    assert (match.status, match.kind) == ("mismatch", "three_way")
    assert match.differences == ["line 0: quantity 10.00 vs received 8.00"]
    full = match_purchase_order(invoice(PAPER), order(received=Decimal(10)), vendor_id="V1")
    assert full is not None and full.status == "matched"


def test_po_of_another_vendor_or_unknown_po() -> None:
    other = match_purchase_order(invoice(PAPER), order(), vendor_id="V2")
    assert other is not None and other.status == "mismatch"
    missing = match_purchase_order(invoice(PAPER), None, vendor_id="V1")
    assert missing is not None and missing.status == "not_found"
    assert match_purchase_order(invoice(PAPER, po=""), order(), vendor_id="V1") is None


def test_invoice_line_not_on_the_po() -> None:
    extra = InvoiceLine(index=2, description="Schreibtischstuhl", quantity=Decimal(1), unit_price=Decimal(300))
    match = match_purchase_order(invoice(PAPER, TONER, extra), order(), vendor_id="V1")
    assert match is not None and match.differences == ["line 2: not on the PO"]
