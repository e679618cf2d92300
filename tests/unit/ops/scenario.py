"""A day of documents, built from tests/factories.py, whose figures can be worked out by hand.

The window is the day before ``NOW`` (2026-11-21 12:00 to 2026-11-22 12:00 UTC). Every document is
DE01 unless said otherwise:

* doc-a: invoice, routed post, posted after 300 s, no person.
* doc-b: invoice, routed review; the reviewer saw 4 fields, corrected ``total`` twice and ``number``
  once (2 distinct), opened 09:10, decided 09:20 (600 s); posting retried once
  (POSTING_TARGET_UNAVAILABLE), then posted 1,800 s after receipt.
* doc-c: FR01 credit note, routed reject, rejected.
* doc-d: received as a duplicate of doc-a, routed duplicate: never posted (prevented).
* doc-e: invoice, routed post, the target rejected it (POSTING_REJECTED): requested, never confirmed.
* doc-g: received and routed the day before the window, posted inside it 25 h (90,000 s) after receipt.
* doc-h: received as a duplicate of doc-b yet routed post and posted after 300 s (slipped through).
* stmt-1: a statement with two payments: 1,190.00 EUR applied to OI-10023 (invoice dated
  2026-10-20, paid 2026-11-21: 32 days), 310.00 EUR unapplied.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from docket.model import AppliedItem, Event, FieldCorrection, InvoiceRecord, idempotency_key
from tests import factories

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=1)
DAY = datetime(2026, 11, 22, tzinfo=UTC)
_ids = itertools.count(1)


def at(hour: int, minute: int = 0, *, day: datetime = DAY) -> datetime:
    return day + timedelta(hours=hour, minutes=minute)


def event(builder: Callable[..., Event], document_id: str, when: datetime, entity: str = "DE01",
          **fields: Any) -> Event:
    envelope = factories.envelope(event_id=f"evt-{next(_ids):05d}", document_id=document_id,
                                  correlation_id=document_id, legal_entity=entity, occurred_at=when)
    return builder(envelope=envelope, **fields)


def _posting(document_id: str, requested: datetime, *answers: tuple[datetime, str, str | None]) -> list[Event]:
    key = idempotency_key(document_id, 0, "tryton")
    out = [event(factories.posting_requested, document_id, requested, idempotency_key=key)]
    for attempt, (when, status, code) in enumerate(answers, start=1):
        out.append(event(factories.posting_result, document_id, when, idempotency_key=key, status=status,
                         error_code=code, attempt=attempt,
                         erp_reference=None if code else f"SUP-{document_id}"))
    return out


def _enriched(document_id: str, when: datetime, entity: str = "DE01", **record: Any) -> Event:
    return event(factories.enriched, document_id, when, entity, record=factories.record(**record))


def day_of_documents() -> list[Event]:
    previous_day = DAY - timedelta(days=1)
    small_record = InvoiceRecord(document_type="invoice", number="RE-B-7", total=Decimal("50.00"), currency="EUR")
    return [
        # doc-a
        event(factories.received, "doc-a", at(8)),
        event(factories.extracted, "doc-a", at(8, 1)),
        _enriched("doc-a", at(8, 2), number="RE-A-1", supplier_name="Muster GmbH"),
        event(factories.routed, "doc-a", at(8, 3), route="post", reasons=[]),
        *_posting("doc-a", at(8, 4), (at(8, 5), "posted", None)),
        # doc-b
        event(factories.received, "doc-b", at(9)),
        _enriched("doc-b", at(9, 2), number="RE-B-7", supplier_name="Beispiel Handels AG",
                  total=Decimal("50.00"), issue_date=date(2026, 11, 10)),
        event(factories.routed, "doc-b", at(9, 3), route="review"),
        event(factories.review_requested, "doc-b", at(9, 4), task_id="task-b",
              document=factories.enriched(record=small_record)),
        event(factories.review_completed, "doc-b", at(9, 20), task_id="task-b", opened_at=at(9, 10),
              decided_at=at(9, 20), corrections=[FieldCorrection(field="total", new_value="50.00"),
                                                 FieldCorrection(field="total", new_value="50.00"),
                                                 FieldCorrection(field="number", new_value="RE-B-7")]),
        event(factories.routed, "doc-b", at(9, 21), route="post", reasons=[]),
        *_posting("doc-b", at(9, 22), (at(9, 23), "retrying", "POSTING_TARGET_UNAVAILABLE"),
                  (at(9, 30), "posted", None)),
        # doc-c
        event(factories.received, "doc-c", at(10), "FR01"),
        event(factories.extracted, "doc-c", at(10, 1), "FR01", document_type="credit_note"),
        event(factories.routed, "doc-c", at(10, 5), "FR01", route="reject", document_type="credit_note"),
        event(factories.rejected, "doc-c", at(10, 5), "FR01", stage="route", error_code="ROUTE_REJECTED"),
        # doc-d
        event(factories.received, "doc-d", at(10, 30), duplicate_of="doc-a"),
        event(factories.routed, "doc-d", at(10, 32), route="duplicate"),
        # doc-e
        event(factories.received, "doc-e", at(11)),
        event(factories.routed, "doc-e", at(11, 1), route="post", reasons=[]),
        *_posting("doc-e", at(11, 2), (at(11, 3), "rejected", "POSTING_REJECTED")),
        # doc-g
        event(factories.received, "doc-g", at(6, day=previous_day)),
        event(factories.routed, "doc-g", at(6, 5, day=previous_day), route="post", reasons=[]),
        *_posting("doc-g", at(6, 6, day=previous_day), (at(7), "posted", None)),
        # doc-h
        event(factories.received, "doc-h", at(11, 30), duplicate_of="doc-b"),
        event(factories.routed, "doc-h", at(11, 31), route="post", reasons=[]),
        *_posting("doc-h", at(11, 32), (at(11, 35), "posted", None)),
        # stmt-1
        event(factories.payment, "stmt-1", at(11, 40), payment_id="P-1", value_date=date(2026, 11, 21)),
        event(factories.cash_application, "stmt-1", at(11, 41), payment_id="P-1"),
        event(factories.payment, "stmt-1", at(11, 40), payment_id="P-2", amount=Decimal("310.00"),
              value_date=date(2026, 11, 21)),
        event(factories.cash_application, "stmt-1", at(11, 42), payment_id="P-2", status="unapplied",
              payment_amount=Decimal("310.00"), applications=[], unapplied_amount=Decimal("310.00"),
              candidates=[]),
        # a remittance advice for P-1's money, applied on its own: not a receipt of its own
        event(factories.cash_application, "stmt-1", at(11, 39), payment_id="remittance:adv-1"),
    ]


OPEN_ITEMS = {"OI-10023": factories.open_item()}
APPLIED = AppliedItem(open_item_id="OI-10023", invoice_number="INV-10023", amount_applied=Decimal("1190.00"),
                      currency="EUR")
