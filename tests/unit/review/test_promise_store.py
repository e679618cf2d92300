"""Promises to pay in the review store's database: recorded once, due after their date, settled once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from connectors.stores.ops_queries import load_customer_mail
from connectors.stores.promises import BROKEN, KEPT, OPEN, PromiseStore
from connectors.stores.review import ReviewStore
from docket.cashapp.customer_mail import Promise
from docket.ops.customer_mail import PromiseRow
from tests import factories


def _promise(promise_id: str, promised: date, entity: str = "DE01", amount: str | None = "1190.00") -> Promise:
    return Promise(promise_id=promise_id, legal_entity=entity, document_id=f"doc-{promise_id}", customer_id="C-2001",
                   open_item_ids=("OI-10023",), promised_date=promised,
                   amount=Decimal(amount) if amount else None, currency="EUR", recorded_at=factories.NOW,
                   sender="ap@beispiel.example", subject="INV-10023", body="We will pay on 15.12.2026.")


def test_promises_are_recorded_once_and_due_after_their_date(tmp_path: Path) -> None:
    review = ReviewStore(f"sqlite:///{tmp_path / 'review.db'}")
    store = PromiseStore(review.engine)
    first = _promise("p1", date(2026, 12, 15))
    assert store.record(first) and not store.record(first)
    store.record(_promise("p2", date(2026, 12, 20), entity="FR01", amount=None))
    assert store.due(date(2026, 12, 15)) == []
    (due,) = store.due(date(2026, 12, 16))
    assert due == first
    assert store.settle("p1", BROKEN, factories.NOW) and not store.settle("p1", KEPT, factories.NOW)
    assert store.status("p1") == BROKEN and store.due(date(2026, 12, 16)) == []
    _, promises = load_customer_mail(review.engine)
    assert sorted(promises, key=lambda r: r.legal_entity) == [
        PromiseRow("DE01", BROKEN, "EUR", 1, Decimal("1190.00")), PromiseRow("FR01", OPEN, "EUR", 1, Decimal(0))]
    assert load_customer_mail(review.engine, entities=["FR01"])[1] == [PromiseRow("FR01", OPEN, "EUR", 1, Decimal(0))]
    review.close()
