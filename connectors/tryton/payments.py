"""The Tryton payment sink: an applied payment becomes a posted bank statement that pays invoices.

One ``account.statement`` per payment, in the statement journal of the payment's currency,
with one line per applied invoice (``related_to`` the invoice, its party and receivable account)
and, for money left over, one line on the customer's receivable account (cash on account).
Validating and posting the statement makes Tryton create the move, add it to each invoice's
payments and reconcile the invoices it settles in full: they turn ``paid``.

A short payment with a deduction reason closes its invoices too: each invoice's line carries what
came in plus its share of the deduction, and a line of minus that share goes to the deductions
expense account (``5.1.9``), its description naming the reason. The statement still totals the money
received; Tryton sees the invoice settled in full and reconciles it.

An invoice in another currency than the payment, settled in full by it (the matcher found the
difference within its FX tolerance and set ``fx_difference``), gets a line in the payment's
currency for its share of the money received, with the invoice's currency and full amount as the
line's second currency: Tryton reconciles in the invoice's currency and books the difference in the
company currency on its currency exchange gain/loss accounts. A partial cross-currency
application is still refused (booked by hand).

Idempotency: every line's description starts with ``docket-key:<idempotency key>``. Before
creating anything the sink looks the key up; a posted statement answers ``already_posted``, a
statement left in draft or validated by an interrupted attempt is finished instead of doubled.
Two posters of the same payment at once (two workers, a redelivery during a rebalance) each
look again after creating: the statement with the lowest id wins, a later twin (still a draft)
is deleted and its poster answers with the winner's statement once that is posted.
An invoice that is no longer open, or open for less than the amount to apply, is refused: the
same money is never applied twice, whichever path it came by.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any, NoReturn

from connectors.base import PostingOutcome, PostingRejected, SinkBase, TargetUnavailable
from connectors.tryton.client import TrytonClient
from connectors.tryton.invoices import like_pattern, marker
from docket.model import AppliedItem, CashApplication, PostingRequested

_APPLIED = frozenset({"applied", "partial"})
_INVOICE_FIELDS = ["number", "state", "account", "party", "amount_to_pay", "currency", "currency.code"]
DEDUCTIONS_ACCOUNT = "5.1.9"
TWIN_WAIT_S = 15.0  # how long the loser of a concurrent posting waits for the winner's statement


def _refuse(message: str, reason: str, **details: str) -> PostingRejected:
    return PostingRejected(message, details={"reason": reason, **details})


def application_of(request: PostingRequested) -> CashApplication:
    """The cash application a ``payment`` posting carries; refused when there is nothing to post."""
    application = request.cash_application
    if application is None:
        raise _refuse("payment posting carries no cash application", "cash_application_missing")
    if application.status not in _APPLIED or not application.applications:
        raise _refuse(f"cash application is {application.status!r} with {len(application.applications)} items: "
                      "nothing to post", "nothing_applied")
    return application


def check_invoice(item: AppliedItem, invoice: dict[str, Any] | None, currency: str) -> None:
    """Refuse an application Tryton must not book: unknown invoice, not open, other currency,
    or more applied than is still to pay (it was paid meanwhile, or the payment is applied twice)."""
    if invoice is None:
        raise _refuse(f"invoice {item.invoice_number} is unknown in Tryton", "invoice_unknown",
                      invoice=item.invoice_number)
    if invoice["state"] != "posted":
        raise _refuse(f"invoice {item.invoice_number} is {invoice['state']}, not open", "invoice_not_open",
                      invoice=item.invoice_number)
    invoice_currency = (invoice.get("currency.") or {}).get("code")
    if invoice_currency != item.currency:
        raise _refuse(f"invoice {item.invoice_number} is in {invoice_currency}, the application in {item.currency}",
                      "cross_currency", invoice=item.invoice_number)
    if item.currency != currency and (item.fx_difference is None
                                      or item.amount_applied != Decimal(invoice["amount_to_pay"])):
        raise _refuse(f"invoice {item.invoice_number} in {item.currency} is not settled in full by the payment in "
                      f"{currency}: partial cross-currency applications are booked by hand", "cross_currency",
                      invoice=item.invoice_number)
    if item.amount_applied > Decimal(invoice["amount_to_pay"]):
        raise _refuse(f"invoice {item.invoice_number} has {invoice['amount_to_pay']} to pay, "
                      f"{item.amount_applied} would be applied", "invoice_overapplied", invoice=item.invoice_number)


def in_currency_digits(amount: Decimal, digits: int) -> Decimal:
    """``amount`` at the currency's precision; refused when that would change its value."""
    quantized = amount.quantize(Decimal(1).scaleb(-digits))
    if quantized != amount:
        raise _refuse(f"amount {amount} has more than {digits} decimals", "amount_precision")
    return quantized


def received_for_foreign(application: CashApplication, digits: int = 2) -> dict[str, Decimal]:
    """What each invoice in another currency than the payment takes of the money received, in the
    payment's currency: what the same-currency invoices, the deduction and the unapplied rest leave,
    spread over them in proportion to their amounts (they must share one currency; the last takes
    the rounding). Refused when they are in several currencies or nothing is left for them."""
    foreign = [item for item in application.applications if item.currency != application.currency]
    if not foreign:
        return {}
    if len({item.currency for item in foreign}) > 1:
        raise _refuse("invoices in several foreign currencies in one payment are booked by hand", "cross_currency")
    domestic = sum((item.amount_applied for item in application.applications
                    if item.currency == application.currency), Decimal(0))
    available = application.payment_amount - application.unapplied_amount - domestic - deduction_of(application)
    total = sum((item.amount_applied for item in foreign), Decimal(0))
    if available <= 0 or total <= 0:
        raise _refuse(f"nothing of the payment is left for the invoices in {foreign[0].currency}", "cross_currency")
    step = Decimal(1).scaleb(-digits)
    shares: dict[str, Decimal] = {}
    left = available
    for item in foreign[:-1]:
        shares[item.invoice_number] = (available * item.amount_applied / total).quantize(step)
        left -= shares[item.invoice_number]
    shares[foreign[-1].invoice_number] = left
    return shares


def deduction_of(application: CashApplication) -> Decimal:
    """The deduction to book: the application's ``deduction_amount`` when it has a reason, else 0
    (a shortfall without a reason leaves the invoice open for the rest)."""
    if application.deduction_amount and application.deduction_amount > 0 and application.deduction_reason:
        return application.deduction_amount
    return Decimal(0)


def deduction_shares(application: CashApplication, invoices: dict[str, dict[str, Any]]) -> dict[str, Decimal]:
    """The deduction spread over the applied invoices, in order: each takes what the payment leaves
    open on it (``amount_to_pay`` minus ``amount_applied``) until the deduction is used up. Invoices
    taking none are left out. Refused when the invoices leave less open than the deduction (it
    would book more than the customer owes)."""
    remaining = deduction_of(application)
    shares: dict[str, Decimal] = {}
    for item in application.applications:
        if remaining <= 0:
            break
        left_open = Decimal(invoices[item.invoice_number]["amount_to_pay"]) - item.amount_applied
        share = min(remaining, max(left_open, Decimal(0)))
        if share > 0:
            shares[item.invoice_number] = share
            remaining -= share
    if remaining > 0:
        raise _refuse(f"deduction {application.deduction_amount} exceeds what the invoices leave open by {remaining}",
                      "deduction_exceeds_open", deduction=str(application.deduction_amount))
    return shares


def statement_lines(application: CashApplication, invoices: dict[str, dict[str, Any]], key: str,
                    date: Any, digits: int = 2, deductions_account: int | None = None) -> list[dict[str, Any]]:
    """The statement line values: one per applied invoice (with its share of a deduction), one per
    deduction share on ``deductions_account`` (negative: the money did not come in), one for the
    unapplied rest; amounts at the currency's ``digits``. Lines sum to the money received."""
    tag = marker(key)
    shares = deduction_shares(application, invoices)
    if shares and deductions_account is None:
        raise _refuse("a deduction needs the deductions account", "deduction_account_missing")
    received = received_for_foreign(application, digits)
    lines: list[dict[str, Any]] = []
    for item in application.applications:
        invoice = invoices[item.invoice_number]
        share = shares.get(item.invoice_number, Decimal(0))
        line = {"number": "1", "sequence": len(lines) + 1, "date": date,
                "amount": in_currency_digits(item.amount_applied + share, digits),
                "party": invoice["party"], "account": invoice["account"],
                "related_to": f"account.invoice,{invoice['id']}", "description": f"{tag} {item.invoice_number}"}
        if item.invoice_number in received:
            # Tryton reconciles in the invoice's currency and books the rest as an exchange difference
            line.update(amount=in_currency_digits(received[item.invoice_number], digits),
                        second_currency=invoice["currency"],
                        amount_second_currency=in_currency_digits(item.amount_applied, digits))
        lines.append(line)
    for number, share in shares.items():
        lines.append({"number": "1", "sequence": len(lines) + 1, "date": date,
                      "amount": -in_currency_digits(share, digits), "party": invoices[number]["party"],
                      "account": deductions_account,
                      "description": f"{tag} deduction {number}: {application.deduction_reason}"})
    if application.unapplied_amount > 0:
        first = invoices[application.applications[0].invoice_number]
        lines.append({"number": "1", "sequence": len(lines) + 1, "date": date,
                      "amount": in_currency_digits(application.unapplied_amount, digits), "party": first["party"],
                      "account": first["account"], "description": f"{tag} unapplied"})
    return lines


def _applied_body(item: AppliedItem) -> dict[str, str]:
    body = {"invoice": item.invoice_number, "amount": str(item.amount_applied), "currency": item.currency}
    if item.fx_difference is not None:
        body["fx_difference"] = str(item.fx_difference)
    return body


def _deduction_body(application: CashApplication) -> dict[str, str]:
    deduction = deduction_of(application)
    if not deduction:
        return {}
    return {"deduction": str(deduction), "deduction_reason": str(application.deduction_reason)}


class TrytonPaymentSink(SinkBase):
    """Records applied payments in Tryton as posted statements (see the module docstring).

    Shares ``client`` with the invoice sink (a delegate of :class:`~connectors.tryton.sink.TrytonSink`)
    and leaves closing it to its owner.
    """

    def __init__(self, client: TrytonClient, *, target: str = "tryton",
                 deductions_account: str = DEDUCTIONS_ACCOUNT) -> None:
        super().__init__()
        self.target = target
        self.deductions_account = deductions_account
        self._client = client

    def post(self, request: PostingRequested) -> PostingOutcome:
        self._ensure_open()
        application = application_of(request)
        existing = self._statement_of(request.idempotency_key)
        if existing is not None and existing["state"] == "posted":
            return self._outcome(request, int(existing["id"]), application, status="already_posted", values={})
        if existing is not None:
            statement_id, values = int(existing["id"]), {"resumed_statement": existing["id"]}
        else:
            values = self._statement_values(request, application)
            statement_id = int(self._client.model("account.statement", "create", [values])[0])
            earlier = self._statement_of(request.idempotency_key)
            if earlier is not None and int(earlier["id"]) < statement_id:
                self._client.model("account.statement", "delete", [statement_id])
                return self._answer_of_twin(request, application, int(earlier["id"]))
        self._finish(statement_id, created=existing is None, key=request.idempotency_key)
        return self._outcome(request, statement_id, application, status="posted", values=values)

    def _answer_of_twin(self, request: PostingRequested, application: CashApplication,
                        statement_id: int) -> PostingOutcome:
        """The answer when a concurrent poster's statement won: ``already_posted`` once it is posted;
        while it is still being finished, a transient failure (the retry finds it posted)."""
        deadline = time.monotonic() + TWIN_WAIT_S
        while True:
            rows = self._client.search_read("account.statement", [("id", "=", statement_id)], ["state"])
            if rows and rows[0]["state"] == "posted":
                return self._outcome(request, statement_id, application, status="already_posted", values={})
            if not rows or time.monotonic() >= deadline:
                raise TargetUnavailable("a concurrent posting of this payment is still being finished",
                                        details={"statement_id": str(statement_id)})
            time.sleep(0.25)

    # -- steps ------------------------------------------------------------------------------

    def _statement_of(self, key: str) -> dict[str, Any] | None:
        """The statement a previous attempt made for ``key`` (its lines carry the marker)."""
        lines = self._client.search_read("account.statement.line",
                                         [("description", "like", like_pattern(f"{marker(key)} "))], ["statement"])
        ids = sorted({int(line["statement"]) for line in lines})
        if not ids:
            return None
        rows = self._client.model("account.statement", "read", ids[:1], ["state", "name"])
        return dict(rows[0])

    def _statement_values(self, request: PostingRequested, application: CashApplication) -> dict[str, Any]:
        journal = self._journal(application.currency)
        numbers = [item.invoice_number for item in application.applications]
        rows = self._client.search_read("account.invoice", [("type", "=", "out"), ("number", "in", numbers)],
                                        _INVOICE_FIELDS)
        invoices = {str(row["number"]): row for row in rows}
        for item in application.applications:
            check_invoice(item, invoices.get(item.invoice_number), application.currency)
        date = application.value_date or application.envelope.occurred_at.date()
        lines = statement_lines(application, invoices, request.idempotency_key, date,
                                int(journal.get("currency.", {}).get("digits") or 2),
                                self._deductions_account() if deduction_of(application) else None)
        total = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
        values: dict[str, Any] = {
            "name": f"Docket {application.payment_id}"[:250], "journal": journal["id"],
            "company": journal["company"], "date": date, "number_of_lines": 1, "total_amount": total,
            "lines": [["create", lines]]}
        if journal["validation"] == "balance":
            start = self._last_balance(int(journal["id"]))
            values.update(start_balance=start, end_balance=start + total)
        return values

    def _journal(self, currency: str) -> dict[str, Any]:
        rows = self._client.search_read("account.statement.journal", [("currency.code", "=", currency)],
                                        ["validation", "company", "currency.digits"], order=[["id", "ASC"]], limit=1)
        if not rows:
            raise _refuse(f"Tryton has no statement journal in {currency}", "statement_journal_missing",
                          currency=currency)
        return dict(rows[0])

    def _deductions_account(self) -> int:
        rows = self._client.search_read("account.account", [("code", "=", self.deductions_account)], ["id"], limit=1)
        if not rows:
            raise _refuse(f"Tryton has no deductions account {self.deductions_account}", "deduction_account_missing",
                          account=self.deductions_account)
        return int(rows[0]["id"])

    def _last_balance(self, journal_id: int) -> Decimal:
        rows = self._client.search_read("account.statement", [("journal", "=", journal_id),
                                                              ("state", "in", ["validated", "posted"])],
                                        ["end_balance"], order=[["date", "DESC"], ["id", "DESC"]], limit=1)
        return Decimal(rows[0]["end_balance"] or 0) if rows else Decimal(0)

    def _finish(self, statement_id: int, *, created: bool, key: str) -> None:
        """Validate (when still a draft) and post; a statement this call made and Tryton refuses
        is deleted so a retry starts clean. A warning is transient, and the draft stays for the retry
        to finish: Tryton warns that validating would take the invoices off another draft statement,
        which is what a concurrent poster's twin (a later draft, about to be deleted) is; a draft
        someone else left there keeps the warning up until the attempts run out and a person looks."""
        state = self._state_of(statement_id)
        while state != "posted":
            try:
                if state == "draft":
                    self._client.model("account.statement", "validate_statement", [statement_id])
                self._client.model("account.statement", "post", [statement_id])
                return
            except TargetUnavailable:
                raise
            except PostingRejected as error:
                now = self._state_of(statement_id)
                if now != state:  # a concurrent poster of the same payment pressed it first: carry on
                    state = now
                    continue
                self._refused(error, statement_id, created=created, key=key)

    def _state_of(self, statement_id: int) -> str:
        row, = self._client.model("account.statement", "read", [statement_id], ["state"])
        return str(row["state"])

    def _refused(self, error: PostingRejected, statement_id: int, *, created: bool, key: str) -> NoReturn:
        """Raise for a refusal of ``statement_id``: transient while a twin or a warning is in the way."""
        if error.details.get("tryton_error") == "UserWarning" or self._twins_of(key) - {statement_id}:
            raise TargetUnavailable(f"a concurrent posting of this payment is in the way: {error.message}",
                                    details={"statement_id": str(statement_id)}) from error
        if created:
            self._client.model("account.statement", "delete", [statement_id])
        raise error

    def _twins_of(self, key: str) -> set[int]:
        """The ids of every statement whose lines carry ``key``'s marker."""
        lines = self._client.search_read("account.statement.line",
                                         [("description", "like", like_pattern(f"{marker(key)} "))], ["statement"])
        return {int(line["statement"]) for line in lines}

    def _outcome(self, request: PostingRequested, statement_id: int, application: CashApplication, *,
                 status: str, values: dict[str, Any]) -> PostingOutcome:
        numbers = [item.invoice_number for item in application.applications]
        invoices = self._client.search_read("account.invoice", [("type", "=", "out"), ("number", "in", numbers)],
                                            ["number", "state", "amount_to_pay"])
        statement, = self._client.model("account.statement", "read", [statement_id], ["name", "state"])
        response = {"statement_id": statement_id, "statement": statement["name"], "state": statement["state"],
                    "invoices": [{"number": row["number"], "state": row["state"],
                                  "amount_to_pay": str(row["amount_to_pay"])} for row in invoices]}
        if deduction_of(application):
            booked = self._client.search_read("account.statement.line", [
                ("statement", "=", statement_id), ("account.code", "=", self.deductions_account)],
                ["amount", "description"])
            response["deductions"] = [{"account": self.deductions_account, "amount": str(-Decimal(str(row["amount"]))),
                                       "description": row["description"]} for row in booked]
        request_body = {"payment_id": application.payment_id, "customer_id": application.customer_id,
                        "applications": [_applied_body(i) for i in application.applications],
                        "unapplied": str(application.unapplied_amount),
                        **_deduction_body(application),
                        "statement": "resumed" if values.get("resumed_statement") else
                        ("existing" if not values else "created")}
        return PostingOutcome(idempotency_key=request.idempotency_key, target=self.target, status=status,
                              erp_reference=str(statement["name"]), erp_id=str(statement_id),
                              request=request_body, response=response)
