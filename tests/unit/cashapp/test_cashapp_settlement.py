"""How a payment settles chosen items: fit, amounts per item, FX difference, deduction."""

from __future__ import annotations

from decimal import Decimal

from docket.cashapp.fx import FxRates
from docket.cashapp.settlement import Tolerances, settle
from tests.unit.cashapp.conftest import item

FX = FxRates({("EUR", "USD"): Decimal("1.25")})
TOL = Tolerances()


def test_exact_payment_closes_every_item() -> None:
    items = [item("X", "C", "I1", "100.00", day=2), item("Y", "C", "I2", "50.00", day=1)]
    result = settle(items, Decimal("150.00"), "EUR", fx=FX, tolerances=TOL)
    assert result.fit == "exact" and result.status == "applied"
    assert [(a.open_item_id, a.amount_applied) for a in result.applications] == [("Y", Decimal("50.00")),
                                                                                 ("X", Decimal("100.00"))]


def test_short_payment_is_allocated_oldest_first() -> None:
    items = [item("X", "C", "I1", "100.00", day=2), item("Y", "C", "I2", "50.00", day=1)]
    result = settle(items, Decimal("80.00"), "EUR", fx=FX, tolerances=TOL)
    assert result.fit == "partial"
    assert [(a.open_item_id, a.amount_applied) for a in result.applications] == [("Y", Decimal("50.00")),
                                                                                 ("X", Decimal("30.00"))]


def test_foreign_short_payment_with_reason_keeps_deduction_in_payment_currency() -> None:
    # 1000 USD open = 800 EUR; paid 760 EUR (5% short) "less damaged goods"
    result = settle([item("U", "C", "I1", "1000.00", currency="USD")], Decimal("760.00"), "EUR", fx=FX,
                    tolerances=TOL, text="less damaged goods")
    assert result.fit == "short_with_reason"
    assert result.deduction == Decimal("40.00")
    assert result.deduction_reason == "damaged_goods"
    assert result.applications[0].amount_applied == Decimal("950.00")
    assert result.applications[0].currency == "USD"


def test_foreign_overpayment_leaves_the_rest_in_payment_currency() -> None:
    result = settle([item("U", "C", "I1", "1000.00", currency="USD")], Decimal("900.00"), "EUR", fx=FX,
                    tolerances=TOL)
    assert result.fit == "overpayment"
    assert result.unapplied == Decimal("100.00")
    assert result.applications[0].amount_applied == Decimal("1000.00")


def test_missing_rate_settles_nothing() -> None:
    result = settle([item("G", "C", "I1", "10.00", currency="GBP")], Decimal("10.00"), "EUR", fx=FX,
                    tolerances=TOL)
    assert result.fit == "fx_rate_missing"
    assert result.applications == ()
