"""The Tryton payment sink: an applied payment becomes a posted bank statement that pays invoices.

One ``account.statement`` per payment, in the statement journal of the payment's currency,
with one line per applied invoice (``related_to`` the invoice, its party and receivable account)
and, for money left over, one line on the customer's receivable account (cash on account).
Validating and posting the statement makes Tryton create the move, add it to each invoice's
payments and reconcile the invoices it settles in full: they turn ``paid``.

Idempotency: every line's description starts with ``docket-key:<idempotency key>``. Before
creating anything the sink looks the key up; a posted statement answers ``already_posted``, a
statement left in draft or validated by an interrupted attempt is finished instead of doubled.
An invoice that is no longer open, or open for less than the amount to apply, is refused: the
same money is never applied twice, whichever path it came by.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from connectors.base import PostingOutcome, PostingRejected, SinkBase, TargetUnavailable
from connectors.tryton.client import TrytonClient
from connectors.tryton.invoices import like_pattern, marker
from docket.model import AppliedItem, CashApplication, PostingRequested

_APPLIED = frozenset({"applied", "partial"})
_INVOICE_FIELDS = ["number", "state", "account", "party", "amount_to_pay", "currency.code"]


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
    if item.currency != currency or invoice_currency != currency:
        raise _refuse(f"invoice {item.invoice_number} is in {invoice_currency}, the payment in {currency}: "
                      "cross-currency applications are booked by hand", "cross_currency",
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


def statement_lines(application: CashApplication, invoices: dict[str, dict[str, Any]], key: str,
                    date: Any, digits: int = 2) -> list[dict[str, Any]]:
    """The statement line values: one per applied invoice, one for the unapplied rest (amounts at
    the currency's ``digits``)."""
    tag = marker(key)
    lines = []
    for sequence, item in enumerate(application.applications, start=1):
        invoice = invoices[item.invoice_number]
        lines.append({"number": "1", "sequence": sequence, "date": date,
                      "amount": in_currency_digits(item.amount_applied, digits),
                      "party": invoice["party"], "account": invoice["account"],
                      "related_to": f"account.invoice,{invoice['id']}",
                      "description": f"{tag} {item.invoice_number}"})
    if application.unapplied_amount > 0:
        first = invoices[application.applications[0].invoice_number]
        lines.append({"number": "1", "sequence": len(lines) + 1, "date": date,
                      "amount": in_currency_digits(application.unapplied_amount, digits), "party": first["party"],
                      "account": first["account"], "description": f"{tag} unapplied"})
    return lines


class TrytonPaymentSink(SinkBase):
    """Records applied payments in Tryton as posted statements (see the module docstring).

    Shares ``client`` with the invoice sink (a delegate of :class:`~connectors.tryton.sink.TrytonSink`)
    and leaves closing it to its owner.
    """

    def __init__(self, client: TrytonClient, *, target: str = "tryton") -> None:
        super().__init__()
        self.target = target
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
        self._finish(statement_id, created=existing is None)
        return self._outcome(request, statement_id, application, status="posted", values=values)

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
                                int(journal.get("currency.", {}).get("digits") or 2))
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

    def _last_balance(self, journal_id: int) -> Decimal:
        rows = self._client.search_read("account.statement", [("journal", "=", journal_id),
                                                              ("state", "in", ["validated", "posted"])],
                                        ["end_balance"], order=[["date", "DESC"], ["id", "DESC"]], limit=1)
        return Decimal(rows[0]["end_balance"] or 0) if rows else Decimal(0)

    def _finish(self, statement_id: int, *, created: bool) -> None:
        """Validate (when still a draft) and post; a statement this call made and Tryton refuses
        is deleted so a retry starts clean."""
        row, = self._client.model("account.statement", "read", [statement_id], ["state"])
        try:
            if row["state"] == "draft":
                self._client.model("account.statement", "validate_statement", [statement_id])
            self._client.model("account.statement", "post", [statement_id])
        except TargetUnavailable:
            raise
        except PostingRejected:
            if created:
                self._client.model("account.statement", "delete", [statement_id])
            raise

    def _outcome(self, request: PostingRequested, statement_id: int, application: CashApplication, *,
                 status: str, values: dict[str, Any]) -> PostingOutcome:
        numbers = [item.invoice_number for item in application.applications]
        invoices = self._client.search_read("account.invoice", [("type", "=", "out"), ("number", "in", numbers)],
                                            ["number", "state", "amount_to_pay"])
        statement, = self._client.model("account.statement", "read", [statement_id], ["name", "state"])
        response = {"statement_id": statement_id, "statement": statement["name"], "state": statement["state"],
                    "invoices": [{"number": row["number"], "state": row["state"],
                                  "amount_to_pay": str(row["amount_to_pay"])} for row in invoices]}
        request_body = {"payment_id": application.payment_id, "customer_id": application.customer_id,
                        "applications": [{"invoice": i.invoice_number, "amount": str(i.amount_applied)}
                                         for i in application.applications],
                        "unapplied": str(application.unapplied_amount),
                        "statement": "resumed" if values.get("resumed_statement") else
                        ("existing" if not values else "created")}
        return PostingOutcome(idempotency_key=request.idempotency_key, target=self.target, status=status,
                              erp_reference=str(statement["name"]), erp_id=str(statement_id),
                              request=request_body, response=response)
