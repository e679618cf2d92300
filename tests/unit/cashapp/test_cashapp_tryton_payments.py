"""The Tryton payment sink's decisions that need no server (the server path: tests/integration)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from connectors.base import PostingRejected
from connectors.tryton.payments import application_of, check_invoice, in_currency_digits, statement_lines
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
