"""Promises to pay (table ``customer_promises``, the audit trail's database, beside the review tasks).

A promise is recorded once per id (a redelivered mail changes nothing); it is ``open`` until the
periodic check settles it ``kept`` or ``broken``. Settling is a conditional update, so of several
workers checking at once only one settles a promise (and raises its task).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, and_, select
from sqlalchemy.exc import IntegrityError

from connectors.stores import review_tables as tables
from docket.cashapp.customer_mail import Promise

OPEN, KEPT, BROKEN = "open", "kept", "broken"


class PromiseStore:
    """Promises in the database of ``engine`` (the review store's)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, promise: Promise) -> bool:
        """Store ``promise`` as open; False when it was recorded before."""
        try:
            with self.engine.begin() as connection:
                connection.execute(tables.promises.insert(), dict(
                    promise_id=promise.promise_id, legal_entity=promise.legal_entity,
                    document_id=promise.document_id, customer_id=promise.customer_id,
                    open_item_ids=list(promise.open_item_ids), promised_date=promise.promised_date,
                    amount=promise.amount, currency=promise.currency, sender=promise.sender,
                    subject=promise.subject, body=promise.body, status=OPEN, recorded_at=promise.recorded_at))
        except IntegrityError:
            return False
        return True

    def due(self, today: date) -> list[Promise]:
        """The open promises whose date is before ``today``."""
        p = tables.promises
        with self.engine.connect() as connection:
            rows = connection.execute(select(p).where(and_(p.c.status == OPEN, p.c.promised_date < today))
                                      .order_by(p.c.promised_date, p.c.promise_id)).mappings().all()
        return [_promise(row) for row in rows]

    def settle(self, promise_id: str, status: str, now: datetime) -> bool:
        """Mark an open promise ``kept`` or ``broken``; False when another check settled it first."""
        p = tables.promises
        with self.engine.begin() as connection:
            result = connection.execute(p.update().where(and_(p.c.promise_id == promise_id, p.c.status == OPEN))
                                        .values(status=status, checked_at=now))
        return bool(result.rowcount)

    def status(self, promise_id: str) -> str | None:
        p = tables.promises
        with self.engine.connect() as connection:
            value = connection.execute(select(p.c.status).where(p.c.promise_id == promise_id)).scalar()
        return None if value is None else str(value)


def _promise(row: Any) -> Promise:
    recorded = row["recorded_at"]
    return Promise(promise_id=row["promise_id"], legal_entity=row["legal_entity"], document_id=row["document_id"],
                   customer_id=row["customer_id"], open_item_ids=tuple(row["open_item_ids"] or ()),
                   promised_date=row["promised_date"],
                   amount=None if row["amount"] is None else Decimal(str(row["amount"])),
                   currency=row["currency"],
                   recorded_at=recorded.replace(tzinfo=UTC) if recorded.tzinfo is None else recorded,
                   sender=row["sender"], subject=row["subject"], body=row["body"])
