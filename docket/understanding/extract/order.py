"""Purchase orders and customer orders: the buyer issues them, the supplier's block is labelled."""

from __future__ import annotations

from docket.understanding.extract.base import Context
from docket.understanding.extract.commercial import Extraction, read_commercial

ORDER_FIELDS = ["supplier_name", "buyer_name", "buyer_vat_id", "order_number", "order_date", "delivery_date",
                "currency", "net_total", "tax_total", "total"]


def extract_order(ctx: Context) -> Extraction:
    """Fields, missing fields and line items of a purchase or customer order (the issuer's VAT ID,
    printed under the usual VAT labels, is the buyer's)."""
    return read_commercial(ctx, ORDER_FIELDS, issuer_role="buyer", other_role="supplier", other_label="supplier",
                           address_field=None, own_vat="buyer_vat_id", other_vat="supplier_vat_id",
                           rename={"supplier_vat_id": "buyer_vat_id"})
