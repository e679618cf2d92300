"""The dashboard's figures of what customers wrote: open disputes and deduction claims, promises to
pay open and broken, counted with their amounts per legal entity and currency.

Pure: the rows come from :mod:`connectors.stores.ops_queries` (open mail review tasks, promise totals).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from docket.ops.model import CustomerMailFigures

DISPUTE, DEDUCTION = "CUSTOMER_DISPUTE", "DEDUCTION_CLAIM"
OPEN, BROKEN = "open", "broken"


@dataclass(frozen=True)
class MailTaskRow:
    """An open review task made from a customer's mail: its reason codes and the amount it concerns."""

    legal_entity: str
    reasons: tuple[str, ...]
    amount: Decimal | None
    currency: str | None


@dataclass(frozen=True)
class PromiseRow:
    """How many promises of one entity, status and currency there are, and the amount they state."""

    legal_entity: str
    status: str
    currency: str | None
    count: int
    amount: Decimal


def customer_mail_figures(tasks: Iterable[MailTaskRow], promises: Iterable[PromiseRow]) -> list[CustomerMailFigures]:
    """One :class:`CustomerMailFigures` per legal entity with anything to show, by entity code.

    A task counts as a dispute or a deduction claim by its reason code; a promise as open or broken
    by its status (kept promises are not shown). An amount without a currency is counted, not summed."""
    board: dict[str, dict[str, object]] = {}

    def entry(entity: str) -> dict[str, object]:
        return board.setdefault(entity, {"legal_entity": entity})

    def add(values: dict[str, object], count_key: str, amount_key: str, count: int, amount: Decimal | None,
            currency: str | None) -> None:
        values[count_key] = int(str(values.get(count_key, 0))) + count
        amounts = values.setdefault(amount_key, {})
        if amount is not None and currency and isinstance(amounts, dict):
            amounts[currency] = amounts.get(currency, Decimal(0)) + amount

    for task in tasks:
        if DISPUTE in task.reasons:
            add(entry(task.legal_entity), "disputes", "dispute_amounts", 1, task.amount, task.currency)
        elif DEDUCTION in task.reasons:
            add(entry(task.legal_entity), "deduction_claims", "deduction_amounts", 1, task.amount, task.currency)
    for row in promises:
        if row.status == OPEN:
            add(entry(row.legal_entity), "promises_open", "promised_amounts", row.count, row.amount, row.currency)
        elif row.status == BROKEN:
            add(entry(row.legal_entity), "promises_broken", "broken_amounts", row.count, row.amount, row.currency)
    return [CustomerMailFigures.model_validate(board[entity]) for entity in sorted(board)]
