"""Tasks, users and review requests for the workspace's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from docket.model import ReviewRequested
from docket.review.tasks import APPROVER, AUDITOR, REVIEWER, Task, User
from tests import factories

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

rita = User("rita", REVIEWER, frozenset({"DE01"}), Decimal("1000"))
paul = User("paul", REVIEWER, frozenset({"FR01"}), Decimal("1000"))
anna = User("anna", APPROVER, frozenset({"DE01", "FR01"}), None)
otto = User("otto", AUDITOR, frozenset({"*"}))


def task(task_id: str = "doc-1:0", **overrides: Any) -> Task:
    values: dict[str, Any] = dict(task_id=task_id, document_id=task_id.split(":")[0], legal_entity="DE01",
                                  document_type="invoice", created_at=T0, amount=Decimal("119.00"), currency="EUR",
                                  vendor="Muster GmbH", reasons=("LOW_CONFIDENCE",))
    values.update(overrides)
    return Task(**values)


def request(document_id: str = "doc-1", revision: int = 0, legal_entity: str = "DE01", *,
            total: str = "119.00", iban: str | None = "DE89370400440532013000",
            minutes: int = 0) -> ReviewRequested:
    record = factories.record(total=Decimal(total), supplier_iban=iban)
    envelope = factories.envelope(event_id=f"ev-{document_id}-{revision}", document_id=document_id,
                                  correlation_id=document_id, legal_entity=legal_entity,
                                  occurred_at=T0 + timedelta(minutes=minutes))
    document = factories.enriched(envelope=envelope, record=record, revision=revision)
    return factories.review_requested(envelope=envelope, task_id=f"{document_id}:{revision}", document=document,
                                      due_at=T0 + timedelta(days=3))
