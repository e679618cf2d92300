"""Purchase orders held for matching, and the 2-/3-way match of an invoice against its PO.

2-way: each invoice line meets a PO line (by SKU, else by description, else by position) with
its unit price within the price tolerance and its quantity not above the ordered one. 3-way,
when the PO carries received quantities: the invoiced quantity is not above what was received.
Without invoice lines the invoice's net total is compared with the PO total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import fuzz

from docket.model import InvoiceLine, InvoiceRecord, PoMatch, PurchaseOrder, PurchaseOrderLine
from docket.records.text import canonical_name


def po_key(po_number: str) -> str:
    """The lookup form of a PO number: upper case, separators and spaces removed."""
    return "".join(ch for ch in po_number.upper() if ch.isalnum())


@dataclass(frozen=True)
class MatchTolerance:
    """Price tolerance as a fraction (``0.02`` = 2 %) plus an absolute amount; quantity as a fraction."""

    price_ratio: Decimal = Decimal("0.02")
    price_absolute: Decimal = Decimal("0.01")
    quantity_ratio: Decimal = Decimal("0")


class PurchaseOrderBook:
    """Purchase orders of all legal entities, updated one record at a time."""

    def __init__(self) -> None:
        self._orders: dict[tuple[str, str], PurchaseOrder] = {}

    def __len__(self) -> int:
        return len(self._orders)

    def upsert(self, order: PurchaseOrder) -> None:
        """Add or replace a purchase order (keyed legal entity + PO number)."""
        self._orders[(order.legal_entity, po_key(order.po_number))] = order

    def remove(self, legal_entity: str, po_number: str) -> None:
        """Forget a purchase order; unknown numbers are ignored."""
        self._orders.pop((legal_entity, po_key(po_number)), None)

    def get(self, legal_entity: str, po_number: str) -> PurchaseOrder | None:
        """The purchase order printed as ``po_number`` (any spacing or case), or None."""
        return self._orders.get((legal_entity, po_key(po_number)))


def _pair(line: InvoiceLine, po_lines: list[PurchaseOrderLine], used: set[int]) -> PurchaseOrderLine | None:
    free = [p for p in po_lines if p.line_no not in used]
    if line.sku:
        by_sku = next((p for p in free if p.sku and p.sku.upper() == line.sku.upper()), None)
        if by_sku:
            return by_sku
    if line.description:
        scored = [(fuzz.token_set_ratio(canonical_name(line.description), canonical_name(p.description)), p)
                  for p in free]
        best = max(scored, key=lambda s: s[0], default=None)
        if best and best[0] >= 80:
            return best[1]
    by_position = next((p for p in free if p.line_no == line.index + 1), None)
    return by_position or (free[0] if len(free) == 1 else None)


def _show(value: Decimal) -> str:
    """Two decimals, or as many as the value needs (unit prices may carry four)."""
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else f"{value.normalize():f}"


def _line_differences(n: int, line: InvoiceLine, po_line: PurchaseOrderLine, tol: MatchTolerance) -> list[str]:
    found: list[str] = []
    if line.unit_price is not None:
        allowed = max(po_line.unit_price * tol.price_ratio, tol.price_absolute)
        if abs(line.unit_price - po_line.unit_price) > allowed:
            found.append(f"line {n}: price {_show(line.unit_price)} vs PO {_show(po_line.unit_price)}")
    if line.quantity is not None:
        if line.quantity > po_line.quantity * (1 + tol.quantity_ratio):
            found.append(f"line {n}: quantity {_show(line.quantity)} vs PO {_show(po_line.quantity)}")
        if po_line.received_quantity is not None and line.quantity > po_line.received_quantity:
            found.append(f"line {n}: quantity {_show(line.quantity)} vs received {_show(po_line.received_quantity)}")
    return found


def match_purchase_order(record: InvoiceRecord, order: PurchaseOrder | None, *, vendor_id: str | None,
                         tolerance: MatchTolerance | None = None) -> PoMatch | None:
    """The match of ``record`` against ``order``; None when the record names no PO.

    ``status`` is ``not_found`` when the PO is unknown, ``mismatch`` with readable differences,
    ``matched`` otherwise; ``kind`` is ``three_way`` when received quantities were compared.
    """
    if not record.po_number:
        return None
    if order is None:
        return PoMatch(po_number=record.po_number, status="not_found", kind="two_way")
    tol = tolerance or MatchTolerance()
    differences: list[str] = []
    if vendor_id is not None and order.vendor_id != vendor_id:
        differences.append(f"PO belongs to vendor {order.vendor_id}, invoice to {vendor_id}")
    if record.currency and record.currency != order.currency:
        differences.append(f"currency {record.currency} vs PO {order.currency}")
    if order.status not in ("open", "partially_received", "received", "confirmed"):
        differences.append(f"PO status is {order.status}")
    three_way = any(p.received_quantity is not None for p in order.lines)
    used: set[int] = set()
    for line in record.lines:
        po_line = _pair(line, order.lines, used)
        if po_line is None:
            differences.append(f"line {line.index}: not on the PO")
            continue
        used.add(po_line.line_no)
        differences.extend(_line_differences(line.index, line, po_line, tol))
    if not record.lines and order.total is not None and record.net_total is not None:
        allowed = max(order.total * tol.price_ratio, tol.price_absolute)
        if record.net_total - order.total > allowed:
            differences.append(f"net total {_show(record.net_total)} vs PO total {_show(order.total)}")
    return PoMatch(po_number=order.po_number, status="mismatch" if differences else "matched",
                   kind="three_way" if three_way else "two_way", differences=differences)
