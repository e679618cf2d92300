"""What sales operations look at: contracts coming up for renewal or notice, deals won from signed
order forms, and customer change forms waiting for a person.

Pure: rows in (from :mod:`connectors.stores.ops_queries`, or any other source), the clock
(``today``) and the horizon passed in, a :class:`~docket.ops.model.CrmBoard` out.

* A contract is listed once per date of it that falls in ``[today, today + horizon]``: its renewal
  (an automatically renewing contract), the last day notice can be given, or its end (one that does
  not renew). An amended contract (same customer and contract number) counts as its latest posting.
* An opportunity won is a posted order form, newest first, answered at or after ``won_since``.
* A change form waiting is an open review task of a ``customer_change`` document, the bank-detail
  changes first (those never post without a person), then the oldest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from docket.ops.model import ChangeWaiting, ContractDate, CrmBoard, OpportunityWon

HORIZON_DAYS = 90
BANK_CHANGE_REASON = "BANK_DETAILS_CHANGE_REQUESTED"
MAX_ROWS = 200


@dataclass(frozen=True)
class CrmPostingRow:
    """One CRM posting as the store keeps it (``status`` the target's latest answer)."""

    legal_entity: str
    document_id: str
    posting_type: str
    status: str
    target: str
    party_id: str | None = None
    customer_name: str | None = None
    reference: str | None = None
    document_number: str | None = None
    erp_reference: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    renewal_date: date | None = None
    notice_date: date | None = None
    answered_at: datetime | None = None


@dataclass(frozen=True)
class ChangeTaskRow:
    """One open review task of a customer change form."""

    legal_entity: str
    task_id: str
    document_id: str
    customer: str | None
    reasons: tuple[str, ...]
    created_at: datetime
    due_at: datetime | None = None


_POSTED = ("posted", "already_posted")


def _when(row: CrmPostingRow) -> float:
    return row.answered_at.timestamp() if row.answered_at is not None else float("-inf")


def _latest_contracts(rows: Iterable[CrmPostingRow]) -> list[CrmPostingRow]:
    latest: dict[tuple[str, str, str, str], CrmPostingRow] = {}
    for row in rows:
        if row.posting_type != "contract" or row.status not in _POSTED:
            continue
        key = (row.legal_entity, row.target, row.party_id or "", row.reference or row.document_id)
        seen = latest.get(key)
        if seen is None or _when(row) >= _when(seen):
            latest[key] = row
    return list(latest.values())


def contract_dates(rows: Iterable[CrmPostingRow], *, today: date, horizon_days: int = HORIZON_DAYS
                   ) -> list[ContractDate]:
    """The contracts' renewal, notice and end dates in ``[today, today + horizon_days]``, soonest first."""
    until = today + timedelta(days=horizon_days)
    found: list[ContractDate] = []
    for row in _latest_contracts(rows):
        dates = [("notice", row.notice_date), ("renewal", row.renewal_date)]
        if row.renewal_date is None:
            dates.append(("end", row.end_date))
        for kind, when in dates:
            if when is not None and today <= when <= until:
                found.append(ContractDate(
                    legal_entity=row.legal_entity, document_id=row.document_id, contract_number=row.reference,
                    customer=row.customer_name or row.party_id, party_id=row.party_id, target=row.target,
                    erp_reference=row.erp_reference, kind=kind, date=when, days_left=(when - today).days,
                    value=row.amount, currency=row.currency))
    found.sort(key=lambda item: (item.date, item.kind, item.contract_number or "", item.document_id))
    return found[:MAX_ROWS]


def opportunities_won(rows: Iterable[CrmPostingRow], *, won_since: datetime | None = None) -> list[OpportunityWon]:
    """Posted order forms (answered at or after ``won_since`` when given), newest first."""
    won = [OpportunityWon(legal_entity=row.legal_entity, document_id=row.document_id,
                          customer=row.customer_name or row.party_id, party_id=row.party_id, target=row.target,
                          quote_reference=row.reference, order_number=row.document_number,
                          erp_reference=row.erp_reference, amount=row.amount, currency=row.currency,
                          won_at=row.answered_at)
           for row in rows if row.posting_type == "order_form" and row.status in _POSTED
           and (won_since is None or (row.answered_at is not None and row.answered_at >= won_since))]
    won.sort(key=lambda item: (-(item.won_at.timestamp() if item.won_at else float("-inf")), item.document_id))
    return won[:MAX_ROWS]


def changes_waiting(tasks: Iterable[ChangeTaskRow]) -> list[ChangeWaiting]:
    """Open change-form reviews: bank-detail changes first, then by age."""
    waiting = [ChangeWaiting(legal_entity=task.legal_entity, task_id=task.task_id, document_id=task.document_id,
                             customer=task.customer, bank_change=BANK_CHANGE_REASON in task.reasons,
                             reasons=list(task.reasons), waiting_since=task.created_at, due_at=task.due_at)
               for task in tasks]
    waiting.sort(key=lambda item: (not item.bank_change, item.waiting_since, item.task_id))
    return waiting[:MAX_ROWS]


def crm_board(postings: Sequence[CrmPostingRow], change_tasks: Sequence[ChangeTaskRow], *, today: date,
              won_since: datetime | None = None, horizon_days: int = HORIZON_DAYS,
              entities: Sequence[str] | None = None) -> CrmBoard:
    """The CRM part of the dashboard; ``entities`` (None: all) restricts every list."""
    allowed = None if entities is None else set(entities)
    rows = [row for row in postings if allowed is None or row.legal_entity in allowed]
    tasks = [task for task in change_tasks if allowed is None or task.legal_entity in allowed]
    return CrmBoard(today=today, horizon_days=horizon_days,
                    contract_dates=contract_dates(rows, today=today, horizon_days=horizon_days),
                    opportunities_won=opportunities_won(rows, won_since=won_since),
                    changes_waiting=changes_waiting(tasks))
