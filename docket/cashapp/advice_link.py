"""Remittance advices meet the bank line that brings their money (pure).

An advice (PDF, mail body, camt.054 detail) and the bank line paying it usually arrive apart and
in either order. Both are ``payments.received`` events; they are brought together by
:func:`match_key`, which the stream uses to repartition them, so an advice and its money reach the
same partition and the same table entry whatever partition they started on.

The key is the legal entity, the currency and the amount in cents. The payer is not in the key
because an advice rarely states the payer's bank account while the bank line always does: the
payer is compared inside the key's entry (:func:`same_payer`: both accounts known → they must be
equal; else the normalised names must be). Dates must lie within :data:`WINDOW_DAYS` of each other.

:class:`LinkBook` is the state of one key: advices still waiting for money, and bank lines seen
(with how each was decided), so that

* a bank line that meets a waiting advice is applied with the advice (line by line, deductions as
  the advice states, evidence ``remittance_advice``);
* a bank line with no advice waiting is decided as before (never held back) and remembered;
* an advice that arrives for a remembered line that was *not* applied (review, unapplied) re-opens
  it: the line is decided again with the advice, under the same payment id (so the same
  idempotency key: it posts at most once). An advice for a line already applied is recorded as
  met, and nothing is posted again;
* an advice nobody pays stays in the book as waiting (visible through :meth:`LinkBook.waiting`);
* a bank line delivered again repeats the events of its last decision (recorded in the book) instead
  of deciding again against a ledger that has changed since: a replayed statement never posts twice
  and raises no new review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from docket.cashapp.ledger import normalise_name
from docket.cashapp.remittance import AdviceLine, RemittanceAdvice
from docket.cashapp.statements.line import normalise_account
from docket.model.payments import CashApplication, PaymentReceived, RemittanceLine
from docket.model.posting import PostingRequested

WINDOW_DAYS = 14
KEEP_DAYS = 90  # as long as payments.received keeps its events
ADVICE_FORMAT = "remittance"
APPLIED_STATUSES = frozenset({"applied", "partial"})


def is_advice(payment: PaymentReceived) -> bool:
    """Whether the event is a remittance advice (money announced), not a bank line (money arrived)."""
    return payment.source_format == ADVICE_FORMAT


def match_key(payment: PaymentReceived) -> str:
    """The repartition key an advice and its bank line share: ``<legal entity>|<currency>|<cents>``."""
    cents = int((abs(payment.amount) * 100).quantize(Decimal(1)))
    return f"{payment.envelope.legal_entity}|{payment.currency.upper()}|{cents}"


def remittance_lines(advice: RemittanceAdvice) -> list[RemittanceLine]:
    """The advice's invoice lines as carried on its ``payments.received`` event."""
    return [RemittanceLine(invoice_number=x.invoice_number, amount_paid=x.amount_paid,
                           deduction=x.deduction or None, reason=x.reason) for x in advice.lines]


def advice_of(payment: PaymentReceived) -> RemittanceAdvice:
    """The advice an advice's ``payments.received`` event states (its lines, total and payer)."""
    lines = tuple(AdviceLine(invoice_number=x.invoice_number, amount_paid=x.amount_paid,
                             deduction=x.deduction or Decimal(0), reason=x.reason) for x in payment.remittance_lines)
    return RemittanceAdvice(advice_id=payment.statement_id or payment.payment_id, payer_name=payment.payer_name,
                            currency=payment.currency, payment_date=payment.value_date or payment.booking_date,
                            lines=lines, total=payment.amount, payer_account=payment.payer_account)


@dataclass(frozen=True)
class Party:
    """Who an advice or a bank line says paid, and when."""

    account: str | None
    name: str | None
    day: date | None

    @classmethod
    def of(cls, payment: PaymentReceived) -> Party:
        name = normalise_name(payment.payer_name) if payment.payer_name else ""
        return cls(account=normalise_account(payment.payer_account) or None, name=name or None,
                   day=payment.value_date or payment.booking_date)


def same_payer(advice: Party, line: Party, window_days: int = WINDOW_DAYS) -> bool:
    """Whether the advice and the bank line come from the same payer within the window.

    Accounts decide when both are known; otherwise the normalised names must be equal. An advice
    or line naming nobody is never linked (amount alone is a coincidence). Dates, when both are
    known, must be at most ``window_days`` apart, in either order.
    """
    if advice.day and line.day and abs((advice.day - line.day).days) > window_days:
        return False
    if advice.account and line.account:
        return advice.account == line.account
    return bool(advice.name and line.name and advice.name == line.name)


@dataclass
class WaitingAdvice:
    """An advice in the book: its event, and the bank line it met (None while it waits)."""

    payment: PaymentReceived
    met_by: str | None = None


@dataclass
class SeenLine:
    """A bank line in the book: its event, the advice it was applied with, and its last decision
    (the application and, when it was posted, the posting) to repeat on a replay."""

    payment: PaymentReceived
    advice_id: str | None = None
    application: CashApplication | None = None
    posting: PostingRequested | None = None

    @property
    def status(self) -> str:
        """The last decision's status (``pending`` before any)."""
        return self.application.status if self.application else "pending"


@dataclass(frozen=True)
class LinkStep:
    """What to do with the event just read.

    ``decide`` is the bank line to decide now (None: nothing to decide), with ``advice`` the advice to
    apply it with (None: decided as a bank line alone). ``advice_met`` is the payment id of the advice
    matched in this step, if any. ``repeat`` is a line decided before, whose events are to be sent again.
    """

    decide: PaymentReceived | None = None
    repeat: SeenLine | None = None
    advice: PaymentReceived | None = None
    advice_met: str | None = None


@dataclass
class LinkBook:
    """The advices and bank lines of one match key (the value of the stream's table)."""

    advices: dict[str, WaitingAdvice] = field(default_factory=dict)
    lines: dict[str, SeenLine] = field(default_factory=dict)

    def waiting(self) -> list[PaymentReceived]:
        """Advices no bank line has paid yet."""
        return [a.payment for a in self.advices.values() if a.met_by is None]

    def read(self, payment: PaymentReceived) -> LinkStep:
        """Record ``payment`` (advice or bank line) and say what to decide. Call :meth:`decided` with
        the decision made for a returned ``decide``."""
        return self._read_advice(payment) if is_advice(payment) else self._read_line(payment)

    def decided(self, line_id: str, application: CashApplication, posting: PostingRequested | None) -> None:
        """Record how bank line ``line_id`` was decided."""
        if line_id in self.lines:
            self.lines[line_id].application = application
            self.lines[line_id].posting = posting

    def _read_line(self, line: PaymentReceived) -> LinkStep:
        seen = self.lines.get(line.payment_id)
        if seen is not None and seen.application is not None:  # a replay: the same events again
            return LinkStep(repeat=seen)
        if seen is not None:  # read before, never decided: decide as it was linked
            advice = self.advices.get(seen.advice_id) if seen.advice_id else None
            return LinkStep(decide=seen.payment, advice=advice.payment if advice else None)
        self.lines[line.payment_id] = SeenLine(payment=line)
        if line.amount <= 0:
            return LinkStep(decide=line)
        party = Party.of(line)
        for advice_id, waiting in sorted(self.advices.items()):
            if waiting.met_by is None and same_payer(Party.of(waiting.payment), party):
                return self._meet(advice_id, line.payment_id)
        return LinkStep(decide=line)

    def _read_advice(self, advice: PaymentReceived) -> LinkStep:
        known = self.advices.get(advice.payment_id)
        if known is not None:  # a replay: it already waits or met its line
            return LinkStep()
        self.advices[advice.payment_id] = WaitingAdvice(payment=advice)
        party = Party.of(advice)
        met = {a.met_by for a in self.advices.values() if a.met_by}
        for line_id, seen in sorted(self.lines.items()):
            if line_id not in met and seen.payment.amount > 0 and same_payer(party, Party.of(seen.payment)):
                if seen.status in APPLIED_STATUSES:
                    # the money is applied already: the advice is met, the line keeps its decision
                    self.advices[advice.payment_id].met_by = line_id
                    return LinkStep(advice_met=advice.payment_id)
                return self._meet(advice.payment_id, line_id)
        return LinkStep()

    def _meet(self, advice_id: str, line_id: str) -> LinkStep:
        self.advices[advice_id].met_by = line_id
        self.lines[line_id].advice_id = advice_id
        return LinkStep(decide=self.lines[line_id].payment, advice=self.advices[advice_id].payment,
                        advice_met=advice_id)

    def prune(self, today: date, keep_days: int = KEEP_DAYS) -> None:
        """Forget lines and advices dated more than ``keep_days`` before ``today`` (undated ones stay):
        the book stays bounded, and a replay older than the topics' retention cannot happen."""
        def old(payment: PaymentReceived) -> bool:
            day = payment.value_date or payment.booking_date
            return day is not None and (today - day).days > keep_days

        self.advices = {k: v for k, v in self.advices.items() if not old(v.payment)}
        self.lines = {k: v for k, v in self.lines.items() if not old(v.payment)}

    def to_json(self) -> bytes:
        """The book as JSON bytes (the table's value)."""
        data: dict[str, Any] = {
            "advices": {k: {"payment": v.payment.model_dump(mode="json"), "met_by": v.met_by}
                        for k, v in self.advices.items()},
            "lines": {k: {"payment": v.payment.model_dump(mode="json"), "advice_id": v.advice_id,
                          "application": v.application.model_dump(mode="json") if v.application else None,
                          "posting": v.posting.model_dump(mode="json") if v.posting else None}
                      for k, v in self.lines.items()},
        }
        return json.dumps(data, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | None) -> LinkBook:
        """The book stored as ``raw`` (an empty book for None or empty bytes)."""
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(
            advices={k: WaitingAdvice(PaymentReceived.model_validate(v["payment"]), v["met_by"])
                     for k, v in data["advices"].items()},
            lines={k: SeenLine(PaymentReceived.model_validate(v["payment"]), v["advice_id"],
                               CashApplication.model_validate(v["application"]) if v["application"] else None,
                               PostingRequested.model_validate(v["posting"]) if v["posting"] else None)
                   for k, v in data["lines"].items()})
