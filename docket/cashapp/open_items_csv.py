"""Open receivables (and the customers behind them) from a CSV export, for running cash
application on files without Kafka.

Required columns: ``customer_id, invoice_number, invoice_date, currency, amount_open``.
Optional: ``item_id`` (defaults to the invoice number: ERP exports rarely carry another key),
``customer_name``, ``customer_accounts`` (IBANs separated by ``;``), ``due_date``, ``amount_total``
(defaults to ``amount_open``), ``structured_reference``, ``legal_entity``.
Dates are ISO 8601, amounts plain decimals with a point.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from docket.cashapp.errors import OpenItemsError
from docket.model.masterdata import Customer, OpenItem

_REQUIRED = ("customer_id", "invoice_number", "invoice_date", "currency", "amount_open")


def _row_item(row: dict[str, str], legal_entity: str, now: datetime) -> OpenItem:
    due = (row.get("due_date") or "").strip()
    reference = (row.get("structured_reference") or "").strip()
    return OpenItem(
        item_id=(row.get("item_id") or "").strip() or row["invoice_number"].strip(),
        legal_entity=(row.get("legal_entity") or "").strip() or legal_entity,
        customer_id=row["customer_id"].strip(), invoice_number=row["invoice_number"].strip(),
        invoice_date=date.fromisoformat(row["invoice_date"].strip()),
        due_date=date.fromisoformat(due) if due else None, currency=row["currency"].strip().upper(),
        amount_open=Decimal(row["amount_open"].strip()),
        amount_total=Decimal((row.get("amount_total") or "").strip() or row["amount_open"].strip()),
        structured_reference=reference or None, updated_at=now)


def read_open_items(data: bytes, *, legal_entity: str, now: datetime) -> tuple[list[OpenItem], list[Customer]]:
    """Items and customers (one per ``customer_id``, named by ``customer_name`` when given).

    Raises ``CASHAPP_OPEN_ITEMS_INVALID`` naming the first bad row (1-based after the header) or
    the missing columns; nothing is returned from a file with a bad row.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OpenItemsError("open items file is not UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise OpenItemsError(f"open items CSV lacks columns {missing}")
    items: list[OpenItem] = []
    customers: dict[str, Customer] = {}
    for n, row in enumerate(reader, start=1):
        try:
            item = _row_item(row, legal_entity, now)
        except (ValueError, InvalidOperation, ValidationError, AttributeError) as exc:
            raise OpenItemsError(f"open items row {n}: {exc}", details={"row": str(n)}) from exc
        items.append(item)
        name = (row.get("customer_name") or "").strip()
        accounts = [a.strip() for a in (row.get("customer_accounts") or "").split(";") if a.strip()]
        known = customers.get(item.customer_id)
        if known is None or (accounts and not known.ibans):
            customers[item.customer_id] = Customer(party_id=item.customer_id, legal_entity=item.legal_entity,
                                                   name=name or item.customer_id, ibans=accounts,
                                                   updated_at=now)
    return items, list(customers.values())
