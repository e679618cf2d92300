"""What a ``sales_order`` posting asks Tryton to create (pure parts of ``connectors/tryton/sales.py``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.base import PostingRejected
from connectors.tryton.invoices import PlannedLine, marker
from connectors.tryton.sales import require_order, sale_line_values, sale_values, total_mismatch
from tests.contract.harness import invoice_request
from tests.contract.sales_harness import order_request

PARTY = {"id": 8, "addresses": [14, 15]}


def test_a_sale_references_the_customer_order_and_carries_the_idempotency_marker() -> None:
    request = order_request("x1")
    assert request.record is not None

    values = sale_values(request, company_id=1, party=PARTY, currency_id=3, lines=[{"type": "line"}])

    assert values["party"] == 8 and values["invoice_address"] == values["shipment_address"] == 14
    assert values["reference"] == request.record.number
    assert values["sale_date"] == request.record.issue_date
    assert values["invoice_method"] == "order" and values["currency"] == 3
    assert marker(request.idempotency_key) in values["comment"].splitlines()
    assert values["lines"] == [["create", [{"type": "line"}]]]


def test_a_sale_line_keeps_price_as_decimal_and_names_its_product_and_unit() -> None:
    line = PlannedLine(description="Widgets", quantity=Decimal("2.5"), unit_price=Decimal("3.1000"),
                       tax_rate=Decimal("19"))

    with_product = sale_line_values(line, tax_ids=[5], product={"id": 2, "default_uom": 1})
    without = sale_line_values(line, tax_ids=[], product=None)

    assert with_product["quantity"] == 2.5 and with_product["unit_price"] == Decimal("3.1000")
    assert (with_product["product"], with_product["unit"]) == (2, 1)
    assert with_product["taxes"] == [["add", [5]]]
    assert "product" not in without and "unit" not in without


def test_only_sales_orders_with_a_record_are_accepted() -> None:
    with pytest.raises(PostingRejected):
        require_order(invoice_request("x2", target="tryton"))
    with pytest.raises(PostingRejected):
        require_order(order_request("x3").model_copy(update={"record": None}))


def test_totals_agree_within_two_cents() -> None:
    record = order_request("x4").record
    assert record is not None and record.total is not None

    assert total_mismatch(record, record.total + Decimal("0.02")) is None
    assert total_mismatch(record, record.total + Decimal("0.03")) is not None
