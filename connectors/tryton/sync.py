"""Tryton master data onto the compacted ``masterdata.*`` topics (the ERP is the source of truth).

Each record is keyed ``legal_entity:id`` (cross-references ``legal_entity:system:external_id``),
so a compacted topic keeps the latest version of each and every worker can load it whole.
Publishing the same data again is harmless: compaction keeps one value per key.
"""

from __future__ import annotations

from datetime import datetime

from connectors.tryton.client import TrytonClient
from connectors.tryton.masterdata import (
    fetch_customers,
    fetch_open_receivables,
    fetch_purchase_orders,
    fetch_vendors,
)
from docket.model import CrossReference
from streams import topics
from streams.producer import EventProducer


def sync_masterdata(client: TrytonClient, producer: EventProducer, *, legal_entity: str,
                    now: datetime) -> dict[str, int]:
    """Publish vendors, customers, open purchase orders, open receivables and the Tryton ids
    of parties (``masterdata.xrefs``, systems ``tryton.vendor`` / ``tryton.customer``: Tryton has one
    party record for both roles); returns how many of each."""
    vendors = fetch_vendors(client, legal_entity=legal_entity, now=now)
    customers = fetch_customers(client, legal_entity=legal_entity, now=now)
    orders = fetch_purchase_orders(client, legal_entity=legal_entity, now=now)
    open_items = fetch_open_receivables(client, legal_entity=legal_entity, now=now)
    for vendor in vendors:
        producer.send(topics.MASTERDATA_VENDORS.name, f"{legal_entity}:{vendor.party_id}", vendor)
    for customer in customers:
        producer.send(topics.MASTERDATA_CUSTOMERS.name, f"{legal_entity}:{customer.party_id}", customer)
    for order in orders:
        producer.send(topics.MASTERDATA_PURCHASE_ORDERS.name, f"{legal_entity}:{order.po_number}", order)
    for item in open_items:
        producer.send(topics.MASTERDATA_OPEN_ITEMS.name, f"{legal_entity}:{item.item_id}", item)
    xrefs = [CrossReference(legal_entity=legal_entity, system=f"tryton.{kind}", external_id=party.erp_id, kind=kind,
                            party_id=party.party_id, source="tryton-sync", updated_at=now)
             for kind, parties in (("vendor", vendors), ("customer", customers))
             for party in parties if party.erp_id]
    for xref in xrefs:
        producer.send(topics.MASTERDATA_XREFS.name, f"{legal_entity}:{xref.system}:{xref.external_id}", xref)
    producer.flush()
    return {"vendors": len(vendors), "customers": len(customers), "purchase_orders": len(orders),
            "open_items": len(open_items), "xrefs": len(xrefs)}
