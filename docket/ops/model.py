"""The operations dashboard as data: headline figures, time series, breakdowns, consumer lag.

Rates are shares in 0..1 and None when their denominator is empty (no data is not 0 %).
Durations are seconds. Money is Decimal, per currency.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ConsumerLag(_Frozen):
    """One partition of a consumer group: ``committed`` offset (None when the group never committed
    there), ``end`` the high watermark, ``lag`` the records not yet processed."""

    group: str
    topic: str
    partition: int
    committed: int | None = None
    end: int
    lag: int = Field(ge=0)


class PostingErrorCount(_Frozen):
    """Posting answers that carried ``error_code`` from ``target`` (retrying, failed or rejected)."""

    target: str
    error_code: str
    count: int


class CashFigures(_Frozen):
    """Order-to-cash over the window's cash applications (receipts only, i.e. positive payments)."""

    payments: int = 0
    auto_applied: int = 0
    auto_match_rate_count: float | None = None
    auto_match_rate_amount: float | None = None
    unapplied_cash: dict[str, Decimal] = Field(default_factory=dict)
    invoice_to_cash_days: float | None = None


class Figures(_Frozen):
    """The headline figures of one slice of documents (see :mod:`docket.ops.figures` for definitions)."""

    documents_received: int = 0
    documents_routed: int = 0
    straight_through: int = 0
    exceptions: int = 0
    stp_rate: float | None = None
    exception_rate: float | None = None
    documents_posted: int = 0
    posting_latency_p50_seconds: float | None = None
    posting_latency_p95_seconds: float | None = None
    reviewed_fields: int = 0
    corrected_fields: int = 0
    field_accuracy: float | None = None
    duplicates_flagged: int = 0
    duplicates_prevented: int = 0
    duplicate_prevention_rate: float | None = None
    reviews_completed: int = 0
    manual_touch_p50_seconds: float | None = None
    manual_touch_mean_seconds: float | None = None
    documents_finished: int = 0
    finished_without_person: int = 0
    automation_coverage: float | None = None
    postings_requested: int = 0
    postings_confirmed: int = 0
    data_sync_accuracy: float | None = None
    posting_retries: int = 0
    posting_errors: list[PostingErrorCount] = Field(default_factory=list)


class Bucket(_Frozen):
    """One time bucket ``[start, start + size)`` of the window."""

    start: datetime
    documents_received: int = 0
    documents_routed: int = 0
    stp_rate: float | None = None
    exception_rate: float | None = None
    documents_posted: int = 0
    posting_latency_p95_seconds: float | None = None
    posting_errors: int = 0


class Breakdown(_Frozen):
    """The figures of one legal entity or one document type."""

    key: str
    figures: Figures


class CustomerMailFigures(_Frozen):
    """What one legal entity's customers wrote that is still to act on: open dispute and deduction
    tasks, promises to pay not yet due (``open``) and broken ones, each with its amounts per currency
    (of the open items a task names; of the amount a promise states)."""

    legal_entity: str
    disputes: int = 0
    dispute_amounts: dict[str, Decimal] = Field(default_factory=dict)
    deduction_claims: int = 0
    deduction_amounts: dict[str, Decimal] = Field(default_factory=dict)
    promises_open: int = 0
    promised_amounts: dict[str, Decimal] = Field(default_factory=dict)
    promises_broken: int = 0
    broken_amounts: dict[str, Decimal] = Field(default_factory=dict)


class ContractDate(_Frozen):
    """A date of a contract in the dashboard's horizon: ``kind`` is ``renewal``, ``notice`` (the last day
    notice can be given) or ``end`` (a contract that does not renew); ``days_left`` from today."""

    legal_entity: str
    document_id: str
    contract_number: str | None = None
    customer: str | None = None
    party_id: str | None = None
    target: str
    erp_reference: str | None = None
    kind: str
    date: date
    days_left: int
    value: Decimal | None = None
    currency: str | None = None


class OpportunityWon(_Frozen):
    """A deal won by a signed order form: the quote it accepted, the ERP's opportunity, the amount."""

    legal_entity: str
    document_id: str
    customer: str | None = None
    party_id: str | None = None
    target: str
    quote_reference: str | None = None
    order_number: str | None = None
    erp_reference: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    won_at: datetime | None = None


class ChangeWaiting(_Frozen):
    """A customer change form waiting for review; ``bank_change`` when it asks for new bank details."""

    legal_entity: str
    task_id: str
    document_id: str
    customer: str | None = None
    bank_change: bool
    reasons: list[str] = Field(default_factory=list)
    waiting_since: datetime
    due_at: datetime | None = None


class CrmBoard(_Frozen):
    """The CRM side (:mod:`docket.ops.crm`): contract dates within ``horizon_days`` of ``today``,
    opportunities won from documents, change forms waiting for review."""

    today: date
    horizon_days: int
    contract_dates: list[ContractDate] = Field(default_factory=list)
    opportunities_won: list[OpportunityWon] = Field(default_factory=list)
    changes_waiting: list[ChangeWaiting] = Field(default_factory=list)


class Dashboard(_Frozen):
    """Everything the dashboard, ``/metrics`` and ``docket ops report`` show, for one window."""

    now: datetime
    since: datetime
    bucket_size: timedelta
    entities: list[str] | None = None
    document_type: str | None = None
    figures: Figures
    cash: CashFigures
    series: list[Bucket]
    by_entity: list[Breakdown]
    by_document_type: list[Breakdown]
    consumer_lag: list[ConsumerLag] = Field(default_factory=list)
    customer_mail: list[CustomerMailFigures] = Field(default_factory=list)
    crm: CrmBoard | None = None

    @property
    def total_lag(self) -> int:
        return sum(row.lag for row in self.consumer_lag)


class DocumentHit(_Frozen):
    """One search result: the document's identity and the facts it was found by."""

    document_id: str
    legal_entity: str
    current_state: str
    first_seen: datetime
    document_type: str | None = None
    number: str | None = None
    supplier_name: str | None = None
    vendor: str | None = None
    total: str | None = None
    currency: str | None = None
    issue_date: str | None = None
