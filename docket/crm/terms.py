"""A contract's dates from what it states: when it ends or renews, and by when notice is due.

Pure: values in, values out. A contract names its end date, or a term in months from its start;
an automatically renewing contract renews on its end date, and notice must be given
``notice_days`` before it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from docket.model import CrmRecord


def add_months(start: date, months: int) -> date:
    """``start`` moved by ``months`` calendar months (the day clipped to the month's last day)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ContractTerms:
    """``end_date``: the last day of the current term (None: open-ended); ``renewal_date``: the day
    it renews (None unless it renews automatically); ``notice_date``: the last day notice can be
    given (None without a notice period or an end)."""

    start_date: date
    end_date: date | None
    renewal_date: date | None
    notice_date: date | None


def contract_terms(crm: CrmRecord) -> ContractTerms | None:
    """The terms of a contract record, or None when it states no start date."""
    if crm.start_date is None:
        return None
    end = crm.end_date
    if end is None and crm.term_months:
        end = add_months(crm.start_date, crm.term_months) - timedelta(days=1)
    renewal = end + timedelta(days=1) if end is not None and crm.auto_renewal else None
    notice = end - timedelta(days=crm.notice_days) if end is not None and crm.notice_days else None
    return ContractTerms(start_date=crm.start_date, end_date=end, renewal_date=renewal, notice_date=notice)


def describe_terms(terms: ContractTerms) -> str:
    """One line a person reads on the ERP record: ``renews 2027-03-01; notice by 2026-11-30``."""
    parts = []
    if terms.end_date is not None:
        parts.append(f"renews {terms.renewal_date.isoformat()}" if terms.renewal_date
                     else f"ends {terms.end_date.isoformat()}")
    if terms.notice_date is not None:
        parts.append(f"notice by {terms.notice_date.isoformat()}")
    return "; ".join(parts) or "open-ended"
