"""Captured cash documents (bank statements, remittance advices) as ``payments.received`` events.

Pure: the statement bytes, the ``documents.extracted`` event, the clock and the producer name
come in; events go out. Event ids are derived from the extracted event (a replay yields the same
ids) and ``payment_id`` from the statement line (a resubmitted statement yields the same ids).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from docket.cashapp.advice_link import remittance_lines
from docket.cashapp.errors import RemittanceError
from docket.cashapp.remittance import AdviceLine, RemittanceAdvice, advice_to_line
from docket.cashapp.statements import parse_statement
from docket.cashapp.statements.line import StatementLine
from docket.model import DocumentExtracted, LineItem
from docket.model.payments import PaymentReceived

STATEMENT = "bank_statement"
REMITTANCE = "remittance_advice"
CASH_DOCUMENT_TYPES = frozenset({STATEMENT, REMITTANCE})


def is_cash_document(extracted: DocumentExtracted) -> bool:
    """Whether the cash-application stage (not enrichment) owns this document."""
    return extracted.document_type.strip().lower() in CASH_DOCUMENT_TYPES


def payment_events(lines: list[StatementLine], extracted: DocumentExtracted, *, producer: str,
                   now: datetime) -> list[PaymentReceived]:
    """One ``payments.received`` per line, under envelopes following ``extracted``'s."""
    return [line.to_event(extracted.envelope.follow(producer=producer, now=now, part=f"payment:{line.payment_id}"))
            for line in lines]


def statement_payments(data: bytes, extracted: DocumentExtracted, *, producer: str,
                       now: datetime) -> list[PaymentReceived]:
    """Every booked line of the statement file ``data`` (camt, MT940, BAI2) as a payment event.

    Debit lines are kept (the applier leaves them unapplied as ``not_a_receipt``) so the stream
    holds the whole statement. Raises ``CASHAPP_STATEMENT_*`` errors for files that do not parse:
    a statement is all or nothing.
    """
    return payment_events(parse_statement(data), extracted, producer=producer, now=now)


def _value(extracted: DocumentExtracted, name: str) -> str | None:
    found = extracted.field(name)
    return found.value.strip() if found and found.value.strip() else None


def _decimal(text: str | None, what: str, advice_id: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:
        raise RemittanceError(f"{what} {text!r} is not a number", details={"advice": advice_id}) from exc


def _date(text: str | None, advice_id: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise RemittanceError(f"payment date {text!r} is not ISO 8601", details={"advice": advice_id}) from exc


def _advice_line(item: LineItem, advice_id: str) -> AdviceLine | None:
    values = {f.name: f.value for f in item.fields}
    number, paid = values.get("invoice_number"), _decimal(values.get("amount_paid"), "amount_paid", advice_id)
    if not number or paid is None:
        return None
    deduction = _decimal(values.get("deduction"), "deduction", advice_id) or Decimal(0)
    return AdviceLine(invoice_number=number, amount_paid=paid, deduction=abs(deduction))


def advice_from_extracted(extracted: DocumentExtracted) -> RemittanceAdvice:
    """The advice a captured ``remittance_advice`` states (fields ``payer_name``, ``payment_date``,
    ``payment_reference``, ``currency``, ``total``; line items ``invoice_number``, ``amount_paid``,
    ``deduction``). ``advice_id`` is the document's sha256, so the same file is the same advice.
    Raises ``CASHAPP_REMITTANCE_INVALID`` without a currency or with unreadable amounts."""
    advice_id = extracted.sha256
    currency = _value(extracted, "currency")
    if not currency:
        raise RemittanceError("remittance advice states no currency", details={"advice": advice_id})
    payment_date = _date(_value(extracted, "payment_date"), advice_id)
    lines = tuple(line for item in extracted.line_items if (line := _advice_line(item, advice_id)))
    return RemittanceAdvice(
        advice_id=advice_id, payer_name=_value(extracted, "payer_name"), currency=currency.upper(),
        payment_date=payment_date, lines=lines,
        total=_decimal(_value(extracted, "total"), "total", advice_id),
        payer_account=_value(extracted, "payer_iban") or _value(extracted, "supplier_iban"),
        payment_reference=_value(extracted, "payment_reference"))


def remittance_payment(extracted: DocumentExtracted, *, producer: str, now: datetime) -> PaymentReceived:
    """The payment a remittance advice announces (``source_format`` ``remittance``), carrying the
    advice's invoice lines (``remittance_lines``) for the bank line that later brings the money."""
    advice = advice_from_extracted(extracted)
    event = payment_events([advice_to_line(advice)], extracted, producer=producer, now=now)[0]
    return event.model_copy(update={"remittance_lines": remittance_lines(advice)})
