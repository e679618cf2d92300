"""Fixtures for the cash-application tests: sample files and a small hand-made ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from docket.cashapp.ledger import Ledger
from docket.model.masterdata import CrossReference, Customer, OpenItem

SAMPLES = Path(__file__).parent / "samples"
NOW = datetime(2026, 11, 20, tzinfo=UTC)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def item(item_id: str, customer: str, number: str, amount: str, *, currency: str = "EUR",
         day: int = 1, reference: str | None = None) -> OpenItem:
    value = Decimal(amount)
    return OpenItem(item_id=item_id, legal_entity="LE1", customer_id=customer, invoice_number=number,
                    invoice_date=date(2026, 10, day), currency=currency, amount_total=value, amount_open=value,
                    structured_reference=reference, updated_at=NOW)


def customer(party_id: str, name: str, *ibans: str) -> Customer:
    return Customer(party_id=party_id, legal_entity="LE1", name=name, ibans=list(ibans), updated_at=NOW)


@pytest.fixture
def small_ledger() -> Ledger:
    """Two customers with neighbouring invoice numbers and one repeated amount."""
    items = [
        item("A1", "CA", "INV-2026-004512", "1190.00", day=5, reference="RF32INV2026004512"),
        item("A2", "CA", "INV-2026-004513", "1190.00", day=6),
        item("A3", "CA", "INV-2026-004520", "310.55", day=7),
        item("A4", "CA", "INV-2026-004521", "89.45", day=8),
        item("B1", "CB", "INV-2026-004514", "2500.00", day=5),
        item("B2", "CB", "INV-2026-004530", "740.00", day=9, currency="USD"),
    ]
    customers = [customer("CA", "Acme Logistics GmbH"), customer("CB", "Nordic Foods B.V.")]
    xrefs = [CrossReference(legal_entity="LE1", system="bank", external_id="DE44 5001 0517 5407 3249 31",
                            kind="bank_account", party_id="CA", updated_at=NOW)]
    return Ledger.build(items, customers, xrefs)
