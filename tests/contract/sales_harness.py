"""The Tryton sales-order sink (``connectors/tryton/sales.py``) under the sink contract.

Tryton's own refusal: an order line naming ``P-900``, a product the demo ERP buys but does not
sell (the sale line's product domain fails). Records are counted by the idempotency marker.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from connectors.base import PostingSink
from connectors.tryton import TrytonClient
from connectors.tryton.invoices import like_pattern, marker
from connectors.tryton.sales import TrytonSalesOrderSink
from docket.model import Envelope, InvoiceLine, InvoiceRecord, PostingRequested, TaxLine
from tests.contract.harness import SinkHarness
from tests.contract.tryton_server import TrytonServer, free_port

NOT_FOR_SALE = "P-900"


def order_request(label: str, *, party_id: str = "C-2001", post_state: str = "posted", target: str = "tryton",
                  lines: list[tuple[str, str, str, str | None, str | None]] | None = None,
                  total: Decimal | None = None, number: str | None = None) -> PostingRequested:
    """A ``sales_order`` posting; ``lines`` are (description, quantity, unit price, tax %, sku)."""
    specs = lines or [("Blue widgets", "12", "3.50", "19", None), ("Installation", "2", "45.00", "19", None)]
    items = [InvoiceLine(index=i, description=d, quantity=Decimal(q), unit_price=Decimal(p),
                         amount=(Decimal(q) * Decimal(p)).quantize(Decimal("0.01")),
                         tax_rate=Decimal(r) if r is not None else None, sku=sku)
             for i, (d, q, p, r, sku) in enumerate(specs)]
    by_rate: dict[Decimal, Decimal] = {}
    for item in items:
        if item.tax_rate is not None and item.amount is not None:
            by_rate[item.tax_rate] = by_rate.get(item.tax_rate, Decimal(0)) + item.amount
    taxes = [TaxLine(rate=rate, base=base, amount=(base * rate / 100).quantize(Decimal("0.01")))
             for rate, base in by_rate.items()]
    net = sum((item.amount or Decimal(0) for item in items), Decimal(0))
    tax = sum((line.amount for line in taxes), Decimal(0))
    record = InvoiceRecord(document_type="customer_order", number=number or f"CO-{label}",
                           issue_date=date(2026, 3, 2), currency="EUR", net_total=net, tax_total=tax,
                           total=total if total is not None else net + tax, buyer_name="Globex Retail AG",
                           lines=items, tax_lines=taxes)
    document_id = f"order-{label}"
    envelope = Envelope.new(document_id=document_id, legal_entity="demo", producer="sales-test", now=datetime.now(UTC))
    return PostingRequested(envelope=envelope, idempotency_key=f"{document_id}:0:{target}", target=target,
                            posting_type="sales_order", post_state=post_state, mapping_version="test-1",
                            party_id=party_id, sha256="cd" * 32, record=record)


def sales_harness(tmp: Path, server: TrytonServer | None) -> SinkHarness:
    assert server is not None
    client = server.client(timeout=60.0)
    sink = TrytonSalesOrderSink(client)
    reader = server.client()

    def unreachable() -> PostingSink:
        url = f"http://127.0.0.1:{free_port()}"
        return TrytonSalesOrderSink(TrytonClient(url, server.require().database, "docket", "unused",
                                                 connect_timeout=1.0))

    def count(request: PostingRequested) -> int:
        return len(reader.search_read("sale.sale", [
            ("comment", "like", like_pattern(marker(request.idempotency_key)))], ["id"]))

    def refused(label: str) -> PostingRequested:
        return order_request(label, lines=[("Toner", "2", "30.00", "19", NOT_FOR_SALE)])

    return SinkHarness(
        name="tryton-sales", sink=sink, accepted=lambda label: order_request(label),
        refused=refused, refusal_text="domain", unreachable=unreachable, count_records=count,
        cleanups=[reader.close, client.close])
