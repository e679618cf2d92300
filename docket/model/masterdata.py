"""Master data as it rides the compacted ``masterdata.*`` topics (keyed by id; a null value deletes)."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import Field

from docket.model.common import Amount, Model


class Vendor(Model):
    """A supplier of one legal entity, keyed ``legal_entity:party_id``."""

    SUBJECT: ClassVar[str] = "masterdata.vendors"
    party_id: str
    legal_entity: str
    name: str
    vat_id: str | None = None
    tax_number: str | None = None
    country: str | None = None
    address: str | None = None
    ibans: list[str] = Field(default_factory=list)
    bic: str | None = None
    default_gl_account: str | None = None
    tax_code: str | None = None
    cost_center: str | None = None
    payment_terms: str | None = None
    currency: str | None = None
    aliases: list[str] = Field(default_factory=list)
    erp_id: str | None = None
    active: bool = True
    updated_at: datetime


class Customer(Model):
    """A customer of one legal entity, keyed ``legal_entity:party_id``; ``ibans`` are the
    accounts it pays from (learned from confirmed cash applications)."""

    SUBJECT: ClassVar[str] = "masterdata.customers"
    party_id: str
    legal_entity: str
    name: str
    vat_id: str | None = None
    country: str | None = None
    address: str | None = None
    ibans: list[str] = Field(default_factory=list)
    payment_terms: str | None = None
    currency: str | None = None
    aliases: list[str] = Field(default_factory=list)
    erp_id: str | None = None
    active: bool = True
    updated_at: datetime


class PurchaseOrderLine(Model):
    """An ordered line; ``received_quantity`` comes from goods receipts (3-way match)."""

    line_no: int
    description: str
    quantity: Amount
    unit_price: Amount
    sku: str | None = None
    tax_rate: Amount | None = None
    received_quantity: Amount | None = None


class PurchaseOrder(Model):
    """A purchase order, keyed ``legal_entity:po_number``."""

    SUBJECT: ClassVar[str] = "masterdata.purchase_orders"
    po_number: str
    legal_entity: str
    vendor_id: str
    currency: str
    order_date: date | None = None
    status: str = "open"
    lines: list[PurchaseOrderLine] = Field(default_factory=list)
    total: Amount | None = None
    erp_id: str | None = None
    updated_at: datetime


class OpenItem(Model):
    """An open receivable (customer invoice not fully paid), keyed ``legal_entity:item_id``."""

    SUBJECT: ClassVar[str] = "masterdata.open_items"
    item_id: str
    legal_entity: str
    customer_id: str
    invoice_number: str
    invoice_date: date
    due_date: date | None = None
    currency: str
    amount_total: Amount
    amount_open: Amount
    structured_reference: str | None = None
    erp_id: str | None = None
    updated_at: datetime


class CrossReference(Model):
    """One identifier of a Docket party in another system (``masterdata.xrefs``), keyed
    ``legal_entity:system:external_id``. ``kind`` is ``vendor``, ``customer`` or
    ``bank_account``; ``system`` is ``tryton``, ``crm``, ``bank``, ``name_alias``..."""

    SUBJECT: ClassVar[str] = "masterdata.xrefs"
    legal_entity: str
    system: str
    external_id: str
    kind: str
    party_id: str
    source: str | None = None
    updated_at: datetime
