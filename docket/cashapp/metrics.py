"""Order-to-cash figures from cash applications and the ledger (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from docket.cashapp.errors import MetricsInputError
from docket.cashapp.fx import FxRates
from docket.cashapp.matching import ApplicationDraft
from docket.cashapp.statements.line import StatementLine
from docket.model.masterdata import OpenItem

_AUTO = {"applied", "partial"}


@dataclass(frozen=True)
class AutoMatchRate:
    """Share of receipts applied without a person, by count and by amount (0..1; 0 when empty)."""

    by_count: float
    by_amount: float
    payments: int
    auto_applied: int


def auto_match_rate(applications: Sequence[ApplicationDraft], *, fx: FxRates | None = None,
                    currency: str | None = None) -> AutoMatchRate:
    """Rates over receipts (positive payments); amounts converted to ``currency`` when given,
    else summed as they are (callers with one currency need no rates)."""
    receipts = [a for a in applications if a.payment_amount > 0]
    auto = [a for a in receipts if a.status in _AUTO]

    def total(rows: Iterable[ApplicationDraft]) -> Decimal:
        if currency is None or fx is None:
            return sum((a.payment_amount for a in rows), Decimal(0))
        return sum((fx.convert(a.payment_amount, a.currency, currency) for a in rows), Decimal(0))

    all_amount = total(receipts)
    return AutoMatchRate(
        by_count=len(auto) / len(receipts) if receipts else 0.0,
        by_amount=float(total(auto) / all_amount) if all_amount else 0.0,
        payments=len(receipts), auto_applied=len(auto))


def unapplied_cash(applications: Iterable[ApplicationDraft]) -> dict[str, Decimal]:
    """Cash received but not applied to an item, per currency: unapplied and review amounts and
    the unapplied rest of over-payments."""
    out: dict[str, Decimal] = {}
    for a in applications:
        if a.payment_amount > 0 and a.unapplied_amount > 0:
            out[a.currency] = out.get(a.currency, Decimal(0)) + a.unapplied_amount
    return out


def invoice_to_cash_days(applications: Iterable[ApplicationDraft], items: Mapping[str, OpenItem],
                         payment_dates: Mapping[str, date]) -> float | None:
    """Mean days from invoice date to payment date over applied items, weighted by amount applied.

    ``payment_dates`` maps payment id to value (or booking) date. None when nothing was applied.
    """
    weighted = Decimal(0)
    weights = Decimal(0)
    for a in applications:
        paid_on = payment_dates.get(a.payment_id)
        if paid_on is None or a.status not in _AUTO:
            continue
        for applied in a.applications:
            item = items.get(applied.open_item_id)
            if item is None:
                continue
            weighted += Decimal((paid_on - item.invoice_date).days) * applied.amount_applied
            weights += applied.amount_applied
    return float(weighted / weights) if weights else None


def days_sales_outstanding(open_items: Iterable[OpenItem], credit_sales: Decimal, *, period_days: int,
                           fx: FxRates | None = None, currency: str | None = None) -> float:
    """DSO = open receivables / credit sales of the period x days in the period.

    ``credit_sales`` is in ``currency`` (or the items' single currency); raises
    ``CASHAPP_METRICS_INPUT_INVALID`` for non-positive sales or period.
    """
    if credit_sales <= 0 or period_days <= 0:
        raise MetricsInputError("credit sales and period must be positive")
    receivables = Decimal(0)
    for item in open_items:
        amount = item.amount_open
        if fx is not None and currency is not None:
            amount = fx.convert(amount, item.currency, currency)
        receivables += amount
    return float(receivables / credit_sales * period_days)


@dataclass(frozen=True)
class CashMetrics:
    """The order-to-cash figures of one run of cash application over one currency's book."""

    currency: str
    auto_match: AutoMatchRate
    unapplied: Decimal
    invoice_to_cash_days: float | None
    dso_days: float | None
    period_days: int


def cash_metrics(results: Sequence[tuple[StatementLine, ApplicationDraft]], items: Sequence[OpenItem], *,
                 currency: str, as_of: date, period_days: int = 90) -> CashMetrics:
    """Auto-match rate (count, amount), unapplied cash, invoice-to-cash days and DSO for the
    payments and items in ``currency`` (no FX: each book is measured in its own money).

    DSO counts what stays open once the auto-applied money is taken off the items, against the
    items invoiced in the ``period_days`` up to ``as_of`` (None when nothing was invoiced then).
    """
    mine = [(line, draft) for line, draft in results if draft.currency == currency]
    drafts = [draft for _, draft in mine]
    book = {item.item_id: item for item in items if item.currency == currency}
    dates = {line.payment_id: paid for line, _ in mine if (paid := line.value_date or line.booking_date)}
    applied: dict[str, Decimal] = {}
    for draft in drafts:
        if draft.status in _AUTO:
            for a in draft.applications:
                applied[a.open_item_id] = applied.get(a.open_item_id, Decimal(0)) + a.amount_applied
    still_open = [item.model_copy(update={"amount_open": max(Decimal(0), item.amount_open
                                                            - applied.get(item.item_id, Decimal(0)))})
                  for item in book.values()]
    sales = sum((item.amount_total for item in book.values()
                 if 0 <= (as_of - item.invoice_date).days < period_days), Decimal(0))
    dso = days_sales_outstanding(still_open, sales, period_days=period_days) if sales > 0 else None
    return CashMetrics(currency=currency, auto_match=auto_match_rate(drafts),
                       unapplied=unapplied_cash(drafts).get(currency, Decimal(0)),
                       invoice_to_cash_days=invoice_to_cash_days(drafts, book, dates), dso_days=dso,
                       period_days=period_days)


def describe(metrics: CashMetrics) -> list[str]:
    """The figures as lines of text, for the CLI and the bench."""
    rate = metrics.auto_match
    cycle = f"{metrics.invoice_to_cash_days:.1f} days" if metrics.invoice_to_cash_days is not None else "-"
    dso = f"{metrics.dso_days:.1f} days" if metrics.dso_days is not None else "-"
    return [f"{metrics.currency}: auto-match {rate.auto_applied}/{rate.payments} payments = {rate.by_count:.1%} "
            f"by count, {rate.by_amount:.1%} by amount",
            f"{metrics.currency}: unapplied cash {metrics.unapplied:.2f}; invoice-to-cash {cycle}; "
            f"DSO {dso} ({metrics.period_days}-day period)"]
