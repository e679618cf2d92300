"""Remittance advices: the customer's own list of what a payment covers.

An advice (e-mailed PDF, EDI 820, portal export) is turned into a payment line plus per-invoice
lines the matcher uses as evidence and for allocation. Extraction from the document itself is
the capture stage's job; this module starts from its fields.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from docket.cashapp.deductions import reason_from_text
from docket.cashapp.errors import RemittanceError
from docket.cashapp.references import canonical
from docket.cashapp.settlement import Settlement
from docket.cashapp.statements.line import StatementLine, clean_text, normalise_account
from docket.model.masterdata import OpenItem
from docket.model.payments import AppliedItem

# Payment ids of remittance advices: an advice describes money, it is not money (the dashboard
# leaves advices out of the receipts it counts).
ADVICE_PAYMENT_PREFIX = "remittance:"


@dataclass(frozen=True, slots=True)
class AdviceLine:
    """One invoice the payer says it pays: amount paid and any deduction with its stated reason."""

    invoice_number: str
    amount_paid: Decimal
    deduction: Decimal = Decimal(0)
    reason: str | None = None


@dataclass(frozen=True)
class RemittanceAdvice:
    """What a remittance advice states; ``advice_id`` identifies the document (e.g. its sha256)."""

    advice_id: str
    payer_name: str | None
    currency: str
    payment_date: date | None
    lines: tuple[AdviceLine, ...] = field(default_factory=tuple)
    total: Decimal | None = None
    payer_account: str | None = None
    payment_reference: str | None = None

    @property
    def total_paid(self) -> Decimal:
        """The stated total, or the sum of the lines when no total is stated."""
        return self.total if self.total is not None else sum((x.amount_paid for x in self.lines), Decimal(0))


def advice_to_line(advice: RemittanceAdvice) -> StatementLine:
    """The payment an advice announces, as a ``remittance`` statement line.

    The invoice numbers go into the remittance text so the matcher finds them as it would on a
    bank line. Raises ``CASHAPP_REMITTANCE_INVALID`` without lines and total, with a non-positive
    total, or when the lines disagree with the stated total.
    """
    if not advice.lines and advice.total is None:
        raise RemittanceError("advice has neither lines nor a total", details={"advice": advice.advice_id})
    lines_sum = sum((x.amount_paid for x in advice.lines), Decimal(0))
    if advice.lines and advice.total is not None and abs(lines_sum - advice.total) > Decimal("0.01"):
        raise RemittanceError(f"advice lines add up to {lines_sum}, total says {advice.total}",
                              details={"advice": advice.advice_id})
    if advice.total_paid <= 0:
        raise RemittanceError("advice total is not positive", details={"advice": advice.advice_id})
    if len(advice.currency) != 3:
        raise RemittanceError(f"bad currency {advice.currency!r}", details={"advice": advice.advice_id})
    text = clean_text([advice.payment_reference,
                       *(f"{x.invoice_number} {x.amount_paid}" + (f" less {x.deduction} {x.reason or ''}"
                                                                  if x.deduction else "")
                         for x in advice.lines)])
    digest = hashlib.sha256(advice.advice_id.encode()).hexdigest()[:16]
    return StatementLine(payment_id=f"{ADVICE_PAYMENT_PREFIX}{digest}", statement_id=advice.advice_id,
                         amount=advice.total_paid, currency=advice.currency.upper(),
                         value_date=advice.payment_date, booking_date=advice.payment_date,
                         payer_name=advice.payer_name, payer_account=normalise_account(advice.payer_account),
                         remittance_text=text, source_format="remittance")


def settle_by_advice(advice: RemittanceAdvice, items: list[OpenItem], currency: str) -> Settlement | None:
    """The split the payer stated, when every item is on the advice and in the payment currency.

    Each item gets the line's ``amount_paid`` (capped at what is open); stated deductions are
    summed with the first stated reason (coded by :func:`reason_from_text`, else
    ``unspecified_deduction``); money not claimed by any line stays unapplied. None when the
    advice does not cover the items, so the caller falls back to oldest-first allocation.
    """
    by_key = {canonical(x.invoice_number): x for x in advice.lines}
    pairs = [(item, by_key.get(canonical(item.invoice_number))) for item in items]
    if not items or any(line is None or item.currency != currency for item, line in pairs):
        return None
    applied: list[AppliedItem] = []
    deduction = Decimal(0)
    reasons: list[str] = []
    short = False
    for item, line in pairs:
        if line is None:  # excluded above; repeated so the type narrows
            return None
        amount = min(line.amount_paid, item.amount_open)
        applied.append(AppliedItem(open_item_id=item.item_id, invoice_number=item.invoice_number,
                                   amount_applied=amount, currency=item.currency))
        deduction += line.deduction
        if line.deduction and line.reason:
            reasons.append(line.reason)
        short = short or amount + line.deduction < item.amount_open
    unapplied = advice.total_paid - sum((a.amount_applied for a in applied), Decimal(0))
    if deduction > 0:
        reason = next((code for text in reasons if (code := reason_from_text(text))), "unspecified_deduction")
        return Settlement("short_with_reason", tuple(applied), max(unapplied, Decimal(0)), deduction, reason)
    return Settlement("partial" if short else "exact", tuple(applied), max(unapplied, Decimal(0)))
