"""Checks on a normalized record, one small function per rule; severities come from the rules file.

Each check returns findings for its own stable ``rule_id`` and is skipped when the values it
needs are absent (a missing value is ``REQUIRED_FIELD_MISSING``'s business, not every rule's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal

from docket.model import Finding, InvoiceRecord
from docket.records.rules import RuleSet

_Issue = tuple[str, list[str]]
Check = Callable[[InvoiceRecord, RuleSet, datetime], Iterator[_Issue]]


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def line_amounts(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """LINE_AMOUNT_MISMATCH: quantity x unit price equals the line amount."""
    for line in record.lines:
        if line.quantity is None or line.unit_price is None or line.amount is None:
            continue
        expected = line.quantity * line.unit_price
        if abs(expected - line.amount) > rules.rounding_tolerance:
            yield (f"line {line.index}: {line.quantity} x {line.unit_price} = {_money(expected)}, "
                   f"printed {_money(line.amount)}", [f"line[{line.index}].amount"])


def lines_sum(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """LINES_SUM_MISMATCH: the line amounts add up to the net total."""
    amounts = [ln.amount for ln in record.lines if ln.amount is not None]
    if record.net_total is None or not amounts or len(amounts) != len(record.lines):
        return
    tolerance = rules.rounding_tolerance + rules.per_line_tolerance * len(amounts)
    total = sum(amounts, Decimal(0))
    if abs(total - record.net_total) > tolerance:
        yield f"lines add up to {_money(total)}, net total is {_money(record.net_total)}", ["net_total"]


def totals(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """TOTALS_MISMATCH: net + tax = total."""
    if record.net_total is None or record.tax_total is None or record.total is None:
        return
    expected = record.net_total + record.tax_total
    if abs(expected - record.total) > rules.rounding_tolerance:
        yield (f"net {_money(record.net_total)} + tax {_money(record.tax_total)} = {_money(expected)}, "
               f"total is {_money(record.total)}", ["net_total", "tax_total", "total"])


def _tax_base(record: InvoiceRecord, rate: Decimal) -> Decimal | None:
    """A tax line's base: printed, else the lines at that rate, else the net total for a single rate."""
    at_rate = [ln.amount for ln in record.lines if ln.tax_rate == rate and ln.amount is not None]
    if at_rate:
        return sum(at_rate, Decimal(0))
    if len(record.tax_lines) == 1:
        return record.net_total
    return None


def tax_amounts(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """TAX_AMOUNT_MISMATCH: each tax amount is its base times its rate."""
    for n, tax in enumerate(record.tax_lines, start=1):
        base = tax.base if tax.base is not None else _tax_base(record, tax.rate)
        if base is None:
            continue
        expected = base * tax.rate / 100
        if abs(expected - tax.amount) > rules.tax_rounding_tolerance:
            yield (f"tax {tax.rate}% of {_money(base)} is {_money(expected)}, printed {_money(tax.amount)}",
                   [f"tax_{n}_amount"])
    if not record.tax_lines and record.tax_total is not None and record.net_total is not None:
        rates = {ln.tax_rate for ln in record.lines if ln.tax_rate is not None}
        if len(rates) == 1 and len(record.lines) > 0:
            rate = rates.pop()
            expected = record.net_total * rate / 100
            if abs(expected - record.tax_total) > rules.tax_rounding_tolerance:
                yield (f"tax {rate}% of {_money(record.net_total)} is {_money(expected)}, "
                       f"printed {_money(record.tax_total)}", ["tax_total"])


def tax_total(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """TAX_TOTAL_MISMATCH: the tax lines add up to the tax total."""
    if record.tax_total is None or not record.tax_lines:
        return
    summed = sum((t.amount for t in record.tax_lines), Decimal(0))
    if abs(summed - record.tax_total) > rules.tax_rounding_tolerance:
        yield f"tax lines add up to {_money(summed)}, tax total is {_money(record.tax_total)}", ["tax_total"]


def future_date(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """DATE_IN_FUTURE: the issue date is not later than today plus the tolerance."""
    latest = now.date() + timedelta(days=rules.future_date_tolerance_days)
    if record.issue_date is not None and record.issue_date > latest:
        yield f"issue date {record.issue_date.isoformat()} is after {latest.isoformat()}", ["issue_date"]


def due_after_issue(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """DUE_BEFORE_ISSUE: the due date is on or after the issue date."""
    if record.issue_date and record.due_date and record.due_date < record.issue_date:
        yield (f"due date {record.due_date.isoformat()} is before issue date {record.issue_date.isoformat()}",
               ["due_date", "issue_date"])


def due_horizon(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """DUE_TOO_FAR: the due date lies within ``max_due_days`` of the issue date."""
    if record.issue_date and record.due_date and (record.due_date - record.issue_date).days > rules.max_due_days:
        yield f"due date is more than {rules.max_due_days} days after the issue date", ["due_date"]


def tax_rates(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """TAX_RATE_INVALID: every tax rate printed is one the issuer's country uses."""
    valid = rules.tax_rates.get((record.supplier_country or "").upper())
    if valid is None:
        return
    printed = [(f"tax_{n}_rate", t.rate) for n, t in enumerate(record.tax_lines, start=1)]
    printed += [(f"line[{ln.index}].tax_rate", ln.tax_rate) for ln in record.lines if ln.tax_rate is not None]
    for name, rate in printed:
        if rate.normalize() not in {r.normalize() for r in valid}:
            yield f"{rate.normalize()}% is not a {record.supplier_country} tax rate", [name]


def line_tax_rates(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """LINE_TAX_RATE_UNKNOWN: on a document charging several tax rates, every line has its rate
    (printed, or fixed by the tax breakdown); a line without one cannot be booked with its tax."""
    if len({tax.rate for tax in record.tax_lines}) < 2:
        return
    open_lines = [line.index for line in record.lines if line.tax_rate is None]
    if open_lines:
        shown = ", ".join(str(index) for index in open_lines[:8])
        yield (f"the document charges {len(record.tax_lines)} tax rates and line(s) {shown} print none "
               "(the tax breakdown fits more than one split of the lines)",
               [f"line[{index}].tax_rate" for index in open_lines])


def currency_allowed(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """CURRENCY_NOT_ALLOWED: the currency is one the legal entity books (empty list: any)."""
    if record.currency and rules.allowed_currencies and record.currency not in rules.allowed_currencies:
        yield f"currency {record.currency} is not booked by this legal entity", ["currency"]


def required_fields(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """REQUIRED_FIELD_MISSING: every field the posting type needs has a value."""
    for name in rules.required_fields:
        if getattr(record, name, None) in (None, "", []):
            yield f"{name} is required for a {record.document_type}", [name]


def amended_number(record: InvoiceRecord, rules: RuleSet, now: datetime) -> Iterator[_Issue]:
    """AMENDED_NUMBER_MISSING: a credit note names the invoice it credits."""
    if record.document_type == "credit_note" and not record.amends_number:
        yield "the credit note does not name the invoice it credits", ["amends_number"]


CHECKS: dict[str, Check] = {
    "LINE_AMOUNT_MISMATCH": line_amounts,
    "LINES_SUM_MISMATCH": lines_sum,
    "TOTALS_MISMATCH": totals,
    "TAX_AMOUNT_MISMATCH": tax_amounts,
    "TAX_TOTAL_MISMATCH": tax_total,
    "DATE_IN_FUTURE": future_date,
    "DUE_BEFORE_ISSUE": due_after_issue,
    "DUE_TOO_FAR": due_horizon,
    "TAX_RATE_INVALID": tax_rates,
    "LINE_TAX_RATE_UNKNOWN": line_tax_rates,
    "CURRENCY_NOT_ALLOWED": currency_allowed,
    "REQUIRED_FIELD_MISSING": required_fields,
    "AMENDED_NUMBER_MISSING": amended_number,
}


def validate_record(record: InvoiceRecord, rules: RuleSet, *, now: datetime) -> list[Finding]:
    """Every finding of every enabled check, in the order of :data:`CHECKS`.

    ``now`` is the clock (timezone-aware). Rules set to ``off`` are not run.
    """
    findings: list[Finding] = []
    for rule_id, check in CHECKS.items():
        severity = rules.severity(rule_id)
        if severity == "off":
            continue
        findings.extend(Finding(rule_id=rule_id, severity=severity, message=message, fields=fields)
                        for message, fields in check(record, rules, now))
    return findings
