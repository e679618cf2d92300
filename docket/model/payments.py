"""Order-to-cash: money received and how it was applied to open receivables."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from docket.model.common import Amount, Event, Model


class RemittanceLine(Model):
    """One invoice a remittance advice says the payment covers: the amount paid and any deduction
    with the reason the payer gave."""

    invoice_number: str
    amount_paid: Amount
    deduction: Amount | None = None
    reason: str | None = None


class PaymentReceived(Event):
    """One bank statement line or remittance payment (``payments.received``).

    ``amount`` is signed as the bank books it (credit positive). ``payment_id`` is stable per
    statement line (statement id + line reference), the idempotency key of its application.
    ``remittance_structured`` is an ISO 11649 creditor reference (``RF..``) or a national one.
    ``source_format`` is ``camt.053``, ``camt.054``, ``mt940``, ``bai2``, ``csv`` or ``remittance``.
    ``remittance_lines`` are the invoices a remittance advice lists (empty for bank lines), so the
    bank line that brings the money can be applied line by line as the advice states.
    """

    SUBJECT: ClassVar[str] = "payments.received"
    payment_id: str
    statement_id: str | None = None
    amount: Amount
    currency: str
    value_date: date | None = None
    booking_date: date | None = None
    payer_name: str | None = None
    payer_account: str | None = None
    payer_bic: str | None = None
    remittance_structured: str | None = None
    remittance_text: str | None = None
    bank_reference: str | None = None
    source_format: str
    end_to_end_id: str | None = None
    account_servicer_reference: str | None = None
    remittance_lines: list[RemittanceLine] = Field(default_factory=list)


class AppliedItem(Model):
    """An open item (customer invoice) and the amount of the payment applied to it,
    in the item's currency; ``fx_difference`` where the payment was in another currency."""

    open_item_id: str
    invoice_number: str
    amount_applied: Amount
    currency: str
    fx_difference: Amount | None = None


class CashCandidate(Model):
    """A possible application shown to a reviewer, best first."""

    customer_id: str | None = None
    open_item_ids: list[str] = Field(default_factory=list)
    score: float = Field(ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list)


class EvidenceWeight(Model):
    """One piece of evidence behind a decision: its value and what it added to the log-odds
    (natural log) that the applied claim is right."""

    name: str
    value: float
    weight: float


class CashApplication(Event):
    """How a payment was applied (``cash.applications``).

    ``status`` is ``applied`` (fully), ``partial`` (short payment, with or without a deduction),
    ``unapplied`` (no match: cash on account) or ``review``. ``evidence`` lists what the match
    rests on (``structured_reference``, ``invoice_number_in_text``, ``amount_unique``,
    ``subset_sum``, ``payer_account``...) and ``evidence_weights`` each piece's contribution to
    ``confidence``, the scorer's calibrated probability. ``value_date`` is the payment's (the date
    the ERP books it on); ``bank_reference``, ``end_to_end_id`` and ``account_servicer_reference``
    are the bank's references of the entry, so the application can be traced to its bank line.
    """

    SUBJECT: ClassVar[str] = "cash.applications"
    payment_id: str
    status: str
    value_date: date | None = None
    customer_id: str | None = None
    payment_amount: Amount
    currency: str
    applications: list[AppliedItem] = Field(default_factory=list)
    unapplied_amount: Amount
    deduction_amount: Amount | None = None
    deduction_reason: str | None = None
    evidence: list[str] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    candidates: list[CashCandidate] = Field(default_factory=list)
    evidence_weights: list[EvidenceWeight] = Field(default_factory=list)
    bank_reference: str | None = None
    end_to_end_id: str | None = None
    account_servicer_reference: str | None = None
