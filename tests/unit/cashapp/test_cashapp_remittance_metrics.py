"""Remittance advices, deduction reasons, metrics, open-items CSV."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from docket.cashapp.deductions import reason_from_shortfall, reason_from_text
from docket.cashapp.errors import MetricsInputError, OpenItemsError, RemittanceError
from docket.cashapp.fx import FxRates
from docket.cashapp.ledger import Ledger
from docket.cashapp.matching import ApplicationDraft, apply_payment
from docket.cashapp.metrics import auto_match_rate, days_sales_outstanding, invoice_to_cash_days, unapplied_cash
from docket.cashapp.open_items_csv import read_open_items
from docket.cashapp.remittance import AdviceLine, RemittanceAdvice, advice_to_line
from docket.model.payments import AppliedItem
from tests.unit.cashapp.conftest import NOW, item, sample


def _advice(*lines: AdviceLine, total: str | None = None) -> RemittanceAdvice:
    return RemittanceAdvice(advice_id="adv-1", payer_name="Acme Logistics GmbH", currency="EUR",
                            payment_date=date(2026, 11, 6), lines=lines,
                            total=Decimal(total) if total is not None else None)


def test_advice_becomes_a_payment_the_matcher_applies(small_ledger: Ledger) -> None:
    advice = _advice(AdviceLine("INV-2026-004520", Decimal("310.55")),
                     AdviceLine("INV-2026-004521", Decimal("80.00"), Decimal("9.45"), "damaged goods"))
    line = advice_to_line(advice)
    assert line.source_format == "remittance"
    assert line.amount == Decimal("390.55")
    draft = apply_payment(line, small_ledger, advice=advice)
    assert draft.applied_item_ids == {"A3", "A4"}
    assert "remittance_advice" in draft.evidence
    assert draft.deduction_reason == "damaged_goods"
    assert draft.deduction_amount == Decimal("9.45")


def test_advice_total_must_agree_with_its_lines() -> None:
    with pytest.raises(RemittanceError) as raised:
        advice_to_line(_advice(AdviceLine("INV-1", Decimal("10.00")), total="12.00"))
    assert raised.value.code == "CASHAPP_REMITTANCE_INVALID"


def test_empty_advice_is_refused() -> None:
    with pytest.raises(RemittanceError):
        advice_to_line(_advice())


def test_advice_payment_id_is_stable() -> None:
    advice = _advice(AdviceLine("INV-1", Decimal("10.00")))
    assert advice_to_line(advice).payment_id == advice_to_line(advice).payment_id


@pytest.mark.parametrize(("text", "reason"), [
    ("INV 1 less 2% Skonto", "early_payment_discount"),
    ("abzgl. Skonto", "early_payment_discount"),
    ("deducted for damaged pallets", "damaged_goods"),
    ("short shipment on PO 4471", "short_shipment"),
    ("withholding tax 5%", "withholding_tax"),
    ("INV-2026-004512", None),
])
def test_reason_from_text(text: str, reason: str | None) -> None:
    assert reason_from_text(text) == reason


def test_reason_from_shortfall_recognises_usual_discount_rates() -> None:
    assert reason_from_shortfall(Decimal("20.00"), Decimal("1000.00"), tolerance=Decimal("0.01")) == \
        "early_payment_discount"
    assert reason_from_shortfall(Decimal("17.00"), Decimal("1000.00"), tolerance=Decimal("0.01")) is None


def _draft(pid: str, status: str, amount: str, applied: dict[str, str], unapplied: str = "0") -> ApplicationDraft:
    return ApplicationDraft(payment_id=pid, status=status, payment_amount=Decimal(amount), currency="EUR",
                            unapplied_amount=Decimal(unapplied), confidence=0.95,
                            applications=tuple(AppliedItem(open_item_id=k, invoice_number=k,
                                                           amount_applied=Decimal(v), currency="EUR")
                                               for k, v in applied.items()))


def test_auto_match_rate_by_count_and_amount() -> None:
    drafts = [_draft("p1", "applied", "300", {"X": "300"}), _draft("p2", "review", "100", {}, "100"),
              _draft("p3", "partial", "100", {"Y": "100"}), _draft("p4", "unapplied", "-5", {}, "-5")]
    rate = auto_match_rate(drafts)
    assert rate.payments == 3
    assert rate.by_count == pytest.approx(2 / 3)
    assert rate.by_amount == pytest.approx(400 / 500)


def test_unapplied_cash_per_currency_ignores_debits() -> None:
    drafts = [_draft("p1", "applied", "310", {"X": "300"}, "10"), _draft("p2", "review", "100", {}, "100"),
              _draft("p4", "unapplied", "-5", {}, "-5")]
    assert unapplied_cash(drafts) == {"EUR": Decimal("110")}


def test_invoice_to_cash_days_weighted_by_amount() -> None:
    items = {"X": item("X", "C", "I1", "300", day=1), "Y": item("Y", "C", "I2", "100", day=11)}
    drafts = [_draft("p1", "applied", "300", {"X": "300"}), _draft("p2", "applied", "100", {"Y": "100"})]
    days = invoice_to_cash_days(drafts, items, {"p1": date(2026, 10, 31), "p2": date(2026, 10, 31)})
    assert days == pytest.approx((30 * 300 + 20 * 100) / 400)
    assert invoice_to_cash_days([], items, {}) is None


def test_dso_with_currency_conversion() -> None:
    items = [item("X", "C", "I1", "1000"), item("Y", "C", "I2", "250", currency="USD")]
    fx = FxRates({("EUR", "USD"): Decimal("1.25")})
    dso = days_sales_outstanding(items, Decimal("3600"), period_days=90, fx=fx, currency="EUR")
    assert dso == pytest.approx(1200 / 3600 * 90)
    with pytest.raises(MetricsInputError):
        days_sales_outstanding(items, Decimal("0"), period_days=90)


def test_open_items_csv_reads_items_and_customers() -> None:
    items, customers = read_open_items(sample("open_items.csv"), legal_entity="LE1", now=NOW)
    assert len(items) == 11
    assert {c.party_id for c in customers} == {i.customer_id for i in items}
    acme = next(i for i in items if i.item_id == "OI-4512")
    assert acme.structured_reference == "RF32INV2026004512"
    assert acme.amount_open == Decimal("1190.00")
    assert next(c for c in customers if c.party_id == "C-ACM").name == "ACME Logistics GmbH"


def test_open_items_csv_bad_row_is_named() -> None:
    data = b"item_id,customer_id,invoice_number,invoice_date,currency,amount_open\nA,C,I,2026-13-01,EUR,1\n"
    with pytest.raises(OpenItemsError) as raised:
        read_open_items(data, legal_entity="LE1", now=NOW)
    assert raised.value.details["row"] == "1"


def test_open_items_csv_missing_columns() -> None:
    with pytest.raises(OpenItemsError):
        read_open_items(b"item_id,amount\nA,1\n", legal_entity="LE1", now=NOW)


def test_advice_split_wins_over_oldest_first(small_ledger: Ledger) -> None:
    advice = _advice(AdviceLine("INV-2026-004520", Decimal("200.00")),
                     AdviceLine("INV-2026-004521", Decimal("89.45")))
    draft = apply_payment(advice_to_line(advice), small_ledger, advice=advice)
    assert {a.open_item_id: a.amount_applied for a in draft.applications} == {
        "A3": Decimal("200.00"), "A4": Decimal("89.45")}
    assert draft.status == "partial"
