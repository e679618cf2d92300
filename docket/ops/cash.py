"""Order-to-cash figures of the dashboard, from recorded ``cash.applications`` summaries.

The arithmetic is :mod:`docket.cashapp.metrics`'s; this module only turns audit summaries back
into :class:`~docket.cashapp.matching.ApplicationDraft` values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from docket.cashapp.matching import ApplicationDraft
from docket.cashapp.metrics import auto_match_rate, invoice_to_cash_days, unapplied_cash
from docket.cashapp.remittance import ADVICE_PAYMENT_PREFIX
from docket.model import AppliedItem, OpenItem
from docket.ops.facts import DocumentFacts
from docket.ops.model import CashFigures


def draft_of(summary: Mapping[str, Any]) -> ApplicationDraft:
    """The application a ``cash_applied`` summary describes (amounts as Decimal)."""
    items = tuple(AppliedItem(open_item_id=str(item["open_item_id"]), invoice_number=str(item["invoice_number"]),
                              amount_applied=Decimal(str(item["amount_applied"])), currency=str(item["currency"]))
                  for item in summary.get("applied_items") or [])
    return ApplicationDraft(payment_id=str(summary["payment_id"]), status=str(summary["status"]),
                            payment_amount=Decimal(str(summary.get("payment_amount") or "0")),
                            currency=str(summary.get("currency") or ""),
                            unapplied_amount=Decimal(str(summary.get("unapplied_amount") or "0")),
                            confidence=float(summary.get("confidence") or 0.0),
                            customer_id=summary.get("customer_id"), applications=items)


def cash_figures(facts: Sequence[DocumentFacts], since: datetime, until: datetime, *,
                 open_items: Mapping[str, OpenItem] | None = None) -> CashFigures:
    """Auto-match rate (by count; by amount only when every receipt is in one currency, since
    amounts of several currencies do not add up without rates), unapplied cash per currency, and
    invoice-to-cash days when ``open_items`` (by item id, for their invoice dates) are given.

    Applications recorded before the summaries carried ``payment_amount`` are skipped, and so are
    remittance advices: the bank line that brings their money is the receipt.
    """
    drafts = [draft_of(summary) for f in facts for at, summary in f.cash_applications
              if since <= at < until and summary.get("payment_amount") is not None
              and not str(summary.get("payment_id", "")).startswith(ADVICE_PAYMENT_PREFIX)]
    payment_dates: dict[str, date] = {pid: day for f in facts for pid, day in f.payment_dates.items()}
    rate = auto_match_rate(drafts)
    single_currency = len({d.currency for d in drafts if d.payment_amount > 0}) == 1
    cycle = invoice_to_cash_days(drafts, open_items, payment_dates) if open_items else None
    return CashFigures(
        payments=rate.payments, auto_applied=rate.auto_applied,
        auto_match_rate_count=rate.by_count if rate.payments else None,
        auto_match_rate_amount=rate.by_amount if rate.payments and single_currency else None,
        unapplied_cash=unapplied_cash(drafts), invoice_to_cash_days=cycle)
