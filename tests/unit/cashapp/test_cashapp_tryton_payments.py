"""The Tryton payment sink's decisions that need no server (the server path: tests/integration)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from connectors.base import PostingRejected
from connectors.tryton.payments import (
    application_of,
    check_invoice,
    deduction_shares,
    in_currency_digits,
    received_for_foreign,
    statement_lines,
)
from docket.cashapp.metrics import cash_metrics
from docket.cashapp.statements.line import StatementLine
from docket.model import AppliedItem
from tests import factories
from tests.unit.cashapp.conftest import item


def _invoice(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"id": 7, "number": "INV-10023", "state": "posted", "account": 39, "party": 8,
                              "amount_to_pay": Decimal("1190.00"), "currency.": {"code": "EUR"}}
    values.update(overrides)
    return values


def _applied(amount: str = "1190.00", currency: str = "EUR") -> AppliedItem:
    return AppliedItem(open_item_id="OI-10023", invoice_number="INV-10023", amount_applied=Decimal(amount),
                       currency=currency)


def test_only_an_applied_cash_application_is_posted() -> None:
    posting = factories.posting_requested(posting_type="payment", record=None,
                                          cash_application=factories.cash_application())
    assert application_of(posting).payment_id == "STMT-2026-11-21:3"
    for refused in (factories.posting_requested(posting_type="payment", record=None, cash_application=None),
                    posting.model_copy(update={"cash_application": factories.cash_application(status="review")})):
        with pytest.raises(PostingRejected) as caught:
            application_of(refused)
        assert caught.value.details["reason"] in ("cash_application_missing", "nothing_applied")


@pytest.mark.parametrize(("invoice", "applied", "reason"), [
    (None, _applied(), "invoice_unknown"),
    (_invoice(state="paid", amount_to_pay=Decimal(0)), _applied(), "invoice_not_open"),
    (_invoice(amount_to_pay=Decimal("100.00")), _applied(), "invoice_overapplied"),
    (_invoice(**{"currency.": {"code": "USD"}}), _applied(), "cross_currency"),
])
def test_money_is_never_booked_twice_or_onto_the_wrong_invoice(invoice: dict[str, Any] | None,
                                                              applied: AppliedItem, reason: str) -> None:
    with pytest.raises(PostingRejected) as caught:
        check_invoice(applied, invoice, "EUR")
    assert caught.value.details["reason"] == reason


def test_an_open_invoice_takes_a_partial_payment() -> None:
    check_invoice(_applied("500.00"), _invoice(), "EUR")  # raises when refused


def test_statement_lines_pay_each_invoice_and_keep_the_rest_on_account() -> None:
    application = factories.cash_application(status="applied", unapplied_amount=Decimal("10.00"),
                                             payment_amount=Decimal("1200.00"))
    lines = statement_lines(application, {"INV-10023": _invoice()}, "pay-1:0:tryton", date(2026, 11, 20))
    assert [line["amount"] for line in lines] == [Decimal("1190.00"), Decimal("10.00")]
    assert lines[0]["related_to"] == "account.invoice,7" and "related_to" not in lines[1]
    assert all(line["description"].startswith("docket-key:pay-1:0:tryton ") for line in lines)
    assert {line["party"] for line in lines} == {8} and {line["number"] for line in lines} == {"1"}


def _short(applied: list[tuple[str, str]], deduction: str | None, reason: str | None) -> Any:
    items = [AppliedItem(open_item_id=number, invoice_number=number, amount_applied=Decimal(amount), currency="EUR")
             for number, amount in applied]
    paid = sum((Decimal(amount) for _, amount in applied), Decimal(0))
    return factories.cash_application(status="partial", payment_amount=paid, applications=items,
                                      deduction_amount=Decimal(deduction) if deduction else None,
                                      deduction_reason=reason)


def test_a_deduction_with_a_reason_settles_the_invoices_in_full_and_books_the_shortfall() -> None:
    invoices = {"INV-1": _invoice(id=1, number="INV-1", amount_to_pay=Decimal("100.00")),
                "INV-2": _invoice(id=2, number="INV-2", amount_to_pay=Decimal("250.00"))}
    application = _short([("INV-1", "100.00"), ("INV-2", "237.50")], "12.50", "early_payment_discount")
    assert deduction_shares(application, invoices) == {"INV-2": Decimal("12.50")}
    lines = statement_lines(application, invoices, "pay-2:0:tryton", date(2026, 11, 20), deductions_account=91)
    by_invoice = {line.get("related_to"): line for line in lines}
    assert by_invoice["account.invoice,1"]["amount"] == Decimal("100.00")
    assert by_invoice["account.invoice,2"]["amount"] == Decimal("250.00")  # what came in plus the deduction
    (deducted,) = [line for line in lines if line["account"] == 91]
    assert deducted["amount"] == Decimal("-12.50") and "related_to" not in deducted
    assert "early_payment_discount" in deducted["description"] and "INV-2" in deducted["description"]
    assert sum(line["amount"] for line in lines) == application.payment_amount  # the bank sees what came in
    assert all(line["description"].startswith("docket-key:pay-2:0:tryton ") for line in lines)
    assert [line["sequence"] for line in lines] == list(range(1, len(lines) + 1))


def test_a_deduction_spreads_over_every_invoice_the_payment_leaves_open() -> None:
    invoices = {"INV-1": _invoice(id=1, number="INV-1", amount_to_pay=Decimal("100.00")),
                "INV-2": _invoice(id=2, number="INV-2", amount_to_pay=Decimal("50.00"))}
    application = _short([("INV-1", "90.00"), ("INV-2", "45.00")], "15.00", "pricing_dispute")
    assert deduction_shares(application, invoices) == {"INV-1": Decimal("10.00"), "INV-2": Decimal("5.00")}


def test_a_shortfall_without_a_reason_leaves_the_invoice_open() -> None:
    invoices = {"INV-1": _invoice(id=1, number="INV-1", amount_to_pay=Decimal("100.00"))}
    application = _short([("INV-1", "80.00")], "20.00", None)
    assert deduction_shares(application, invoices) == {}
    (line,) = statement_lines(application, invoices, "k", date(2026, 11, 20))
    assert line["amount"] == Decimal("80.00")


@pytest.mark.parametrize(("to_pay", "deduction", "account", "reason"), [
    ("100.00", "25.00", 91, "deduction_exceeds_open"),
    ("100.00", "20.00", None, "deduction_account_missing"),
])
def test_a_deduction_that_cannot_be_booked_is_refused(to_pay: str, deduction: str, account: int | None,
                                                      reason: str) -> None:
    invoices = {"INV-1": _invoice(id=1, number="INV-1", amount_to_pay=Decimal(to_pay))}
    application = _short([("INV-1", "80.00")], deduction, "damaged_goods")
    with pytest.raises(PostingRejected) as caught:
        statement_lines(application, invoices, "k", date(2026, 11, 20), deductions_account=account)
    assert caught.value.details["reason"] == reason


def _dollar(amount: str, fx_difference: str | None, number: str = "INV-7") -> AppliedItem:
    return AppliedItem(open_item_id=number, invoice_number=number, amount_applied=Decimal(amount), currency="USD",
                       fx_difference=Decimal(fx_difference) if fx_difference is not None else None)


def test_a_dollar_invoice_settled_in_full_from_euros_is_booked_in_both_currencies() -> None:
    invoices = {"INV-7": _invoice(id=7, number="INV-7", amount_to_pay=Decimal("108.00"), currency=2,
                                  **{"currency.": {"code": "USD"}}),
                "INV-8": _invoice(id=8, number="INV-8", amount_to_pay=Decimal("40.00"))}
    application = factories.cash_application(
        payment_amount=Decimal("143.50"), unapplied_amount=Decimal("5.00"),
        applications=[_dollar("108.00", "-1.62"), AppliedItem(open_item_id="INV-8", invoice_number="INV-8",
                                                             amount_applied=Decimal("40.00"), currency="EUR")])
    for applied in application.applications:
        check_invoice(applied, invoices[applied.invoice_number], "EUR")  # raises when refused
    assert received_for_foreign(application) == {"INV-7": Decimal("98.50")}
    lines = statement_lines(application, invoices, "k", date(2026, 11, 20))
    dollar = next(line for line in lines if line.get("related_to") == "account.invoice,7")
    assert (dollar["amount"], dollar["second_currency"], dollar["amount_second_currency"]) == (
        Decimal("98.50"), 2, Decimal("108.00"))
    assert all("second_currency" not in line for line in lines if line is not dollar)
    assert sum(line["amount"] for line in lines) == application.payment_amount


def test_the_money_left_for_several_foreign_invoices_is_shared_in_proportion() -> None:
    application = factories.cash_application(
        payment_amount=Decimal("100.00"),
        applications=[_dollar("30.00", "0.10", "INV-1"), _dollar("60.00", "0.20", "INV-2"),
                      _dollar("10.00", "0.01", "INV-3")])
    shares = received_for_foreign(application)
    assert shares == {"INV-1": Decimal("30.00"), "INV-2": Decimal("60.00"), "INV-3": Decimal("10.00")}
    thirds = application.model_copy(update={"payment_amount": Decimal("10.00"), "applications": [
        _dollar("1.00", "0", "INV-1"), _dollar("1.00", "0", "INV-2"), _dollar("1.00", "0", "INV-3")]})
    assert sum(received_for_foreign(thirds).values()) == Decimal("10.00")  # the last one takes the rounding


@pytest.mark.parametrize("applied", [_dollar("50.00", None), _dollar("50.00", "-0.40")])
def test_a_dollar_invoice_partly_paid_from_euros_is_refused(applied: AppliedItem) -> None:
    invoice = _invoice(amount_to_pay=Decimal("108.00"), **{"currency.": {"code": "USD"}})
    with pytest.raises(PostingRejected) as caught:
        check_invoice(applied, invoice, "EUR")
    assert caught.value.details["reason"] == "cross_currency"


def test_foreign_invoices_in_two_currencies_or_with_nothing_left_are_refused() -> None:
    pound = AppliedItem(open_item_id="G", invoice_number="G", amount_applied=Decimal("10"), currency="GBP",
                        fx_difference=Decimal(0))
    for application in (factories.cash_application(applications=[_dollar("10.00", "0"), pound]),
                        factories.cash_application(payment_amount=Decimal("40.00"), applications=[
                            _dollar("10.00", "0"), AppliedItem(open_item_id="E", invoice_number="E",
                                                               amount_applied=Decimal("40.00"), currency="EUR")])):
        with pytest.raises(PostingRejected) as caught:
            received_for_foreign(application)
        assert caught.value.details["reason"] == "cross_currency"


def test_amounts_finer_than_the_currency_are_refused() -> None:
    assert in_currency_digits(Decimal("12.5000"), 2) == Decimal("12.50")
    with pytest.raises(PostingRejected):
        in_currency_digits(Decimal("12.505"), 2)


def test_cash_metrics_take_applied_money_off_the_book() -> None:
    from docket.cashapp.matching import ApplicationDraft

    items = [item("A1", "CA", "INV-1", "100.00", day=1), item("A2", "CA", "INV-2", "300.00", day=11)]
    line = StatementLine(payment_id="p1", amount=Decimal("100.00"), currency="EUR", source_format="camt.053",
                         value_date=date(2026, 10, 21))
    applied = ApplicationDraft(payment_id="p1", status="applied", payment_amount=Decimal("100.00"), currency="EUR",
                               unapplied_amount=Decimal(0), confidence=0.99,
                               applications=(AppliedItem(open_item_id="A1", invoice_number="INV-1",
                                                         amount_applied=Decimal("100.00"), currency="EUR"),))
    line2 = StatementLine(payment_id="p2", amount=Decimal("50.00"), currency="EUR", source_format="camt.053")
    review = ApplicationDraft(payment_id="p2", status="review", payment_amount=Decimal("50.00"), currency="EUR",
                              unapplied_amount=Decimal("50.00"), confidence=0.5)
    metrics = cash_metrics([(line, applied), (line2, review)], items, currency="EUR", as_of=date(2026, 10, 31),
                           period_days=40)
    assert metrics.auto_match.by_count == 0.5 and metrics.auto_match.by_amount == pytest.approx(100 / 150)
    assert metrics.unapplied == Decimal("50.00")
    assert metrics.invoice_to_cash_days == 20.0
    # 300 still open against 400 invoiced in 40 days
    assert metrics.dso_days == pytest.approx(300 / 400 * 40)
