"""Applying payments to open items: evidence, amounts, confidence, review."""

from __future__ import annotations

from decimal import Decimal

from docket.cashapp.fx import FxRates
from docket.cashapp.learning import learned_bank_accounts
from docket.cashapp.ledger import Ledger
from docket.cashapp.matching import MatchPolicy, apply_payment
from docket.cashapp.statements.line import StatementLine
from docket.model.common import Envelope
from tests.unit.cashapp.conftest import NOW

ACME_ACCOUNT = "DE44500105175407324931"
THRESHOLD = MatchPolicy().auto_apply_threshold


def pay(amount: str, *, text: str | None = None, rf: str | None = None, account: str | None = ACME_ACCOUNT,
        name: str | None = "ACME Logistics GmbH", currency: str = "EUR") -> StatementLine:
    return StatementLine(payment_id="p1", amount=Decimal(amount), currency=currency, source_format="camt.053",
                         payer_name=name, payer_account=account, remittance_structured=rf, remittance_text=text)


def test_structured_reference_applies_in_full(small_ledger: Ledger) -> None:
    draft = apply_payment(pay("1190.00", rf="RF32INV2026004512"), small_ledger)
    assert draft.status == "applied"
    assert draft.applied_item_ids == {"A1"}
    assert draft.evidence[0] == "structured_reference"
    assert "payer_account" in draft.evidence
    assert draft.unapplied_amount == 0
    assert draft.confidence >= THRESHOLD


def test_ocr_damaged_invoice_number_picks_the_right_one_of_two_equal_amounts(small_ledger: Ledger) -> None:
    draft = apply_payment(pay("1190.00", text="Rechnung INV-2O26-OO4513"), small_ledger)
    assert draft.status == "applied"
    assert draft.applied_item_ids == {"A2"}


def test_equal_amounts_without_reference_go_to_review_with_both(small_ledger: Ledger) -> None:
    draft = apply_payment(pay("1190.00", text="payment"), small_ledger)
    assert draft.status == "review"
    assert draft.applications == ()
    assert draft.unapplied_amount == Decimal("1190.00")
    assert {tuple(c.open_item_ids) for c in draft.candidates} >= {("A1",), ("A2",)}


def test_bundle_without_reference_is_found_by_subset_sum(small_ledger: Ledger) -> None:
    draft = apply_payment(pay("400.00", text=None), small_ledger)
    assert draft.candidates[0].open_item_ids == ["A3", "A4"]
    assert "subset_sum" in draft.candidates[0].evidence


def test_bundle_with_references_applies_each_item(small_ledger: Ledger) -> None:
    draft = apply_payment(pay("400.00", text="INV-2026-004520 / INV-2026-004521"), small_ledger)
    assert draft.status == "applied"
    assert {a.open_item_id: a.amount_applied for a in draft.applications} == {
        "A3": Decimal("310.55"), "A4": Decimal("89.45")}


def test_short_payment_with_discount_wording_records_the_deduction(small_ledger: Ledger) -> None:
    paid = Decimal("1190.00") * Decimal("0.98")
    draft = apply_payment(pay(str(paid), rf="RF32INV2026004512", text="less 2% skonto"), small_ledger)
    assert draft.status == "partial"
    assert draft.deduction_reason == "early_payment_discount"
    assert draft.deduction_amount == Decimal("1190.00") - paid
    assert draft.applications[0].amount_applied == paid


def test_partial_payment_without_reason_leaves_no_deduction(small_ledger: Ledger) -> None:
    draft = apply_payment(pay("500.00", rf="RF32INV2026004512"), small_ledger)
    assert draft.status == "partial"
    assert draft.deduction_amount is None
    assert draft.applications[0].amount_applied == Decimal("500.00")


def test_overpayment_closes_the_item_and_keeps_the_rest_unapplied(small_ledger: Ledger) -> None:
    draft = apply_payment(pay("1240.00", rf="RF32INV2026004512"), small_ledger)
    assert draft.status == "applied"
    assert draft.applications[0].amount_applied == Decimal("1190.00")
    assert draft.unapplied_amount == Decimal("50.00")
    assert "overpayment" in draft.evidence


def test_other_currency_payment_records_fx_difference(small_ledger: Ledger) -> None:
    fx = FxRates({("EUR", "USD"): Decimal("1.25")})
    # 740 USD open = 592 EUR; the customer paid 590 EUR, inside the 2% tolerance
    line = pay("590.00", text="INV-2026-004530", account=None, name="Nordic Foods BV")
    draft = apply_payment(line, small_ledger, fx=fx)
    assert draft.applied_item_ids == {"B2"}
    applied = draft.applications[0]
    assert applied.currency == "USD"
    assert applied.amount_applied == Decimal("740.00")
    assert applied.fx_difference == Decimal("-2.50")


def test_missing_fx_rate_never_auto_applies(small_ledger: Ledger) -> None:
    draft = apply_payment(pay("590.00", text="INV-2026-004530", account=None, name="Nordic Foods BV"),
                          small_ledger)
    assert draft.status != "applied"


def test_unknown_payer_without_reference_is_unapplied(small_ledger: Ledger) -> None:
    draft = apply_payment(pay("777.77", text="deposit", account="FR7630006000011234567890189",
                              name="Somebody Else SARL"), small_ledger)
    assert draft.status == "unapplied"
    assert draft.customer_id is None
    assert draft.unapplied_amount == Decimal("777.77")


def test_debit_lines_are_not_receipts(small_ledger: Ledger) -> None:
    draft = apply_payment(pay("-12.50", text="fee"), small_ledger)
    assert draft.status == "unapplied"
    assert draft.evidence == ("not_a_receipt",)


def test_reference_to_another_customers_item_with_wrong_amount_is_not_applied(small_ledger: Ledger) -> None:
    # Acme (known account) quotes Nordic's invoice number: a typo; the amount fits nothing of Nordic's
    draft = apply_payment(pay("99.00", text="INV-2026-004514"), small_ledger)
    assert draft.status in ("review", "unapplied")
    assert draft.applications == ()


def test_payer_resolved_by_fuzzy_name_when_account_unknown(small_ledger: Ledger) -> None:
    payer = small_ledger.resolve_payer("NL00UNKNOWN", "NORDIC FOODS BV")
    assert payer is not None and payer.customer_id == "CB" and payer.method == "payer_name"
    assert small_ledger.resolve_payer(None, "Completely Different Company") is None


def test_stricter_threshold_sends_the_same_match_to_review(small_ledger: Ledger) -> None:
    line = pay("400.00", text="INV-2026-004520 / INV-2026-004521")
    assert apply_payment(line, small_ledger).status == "applied"
    # confidence is a probability shown rounded down, never 1.0: a threshold of 1 sends everything to review
    strict = apply_payment(line, small_ledger, policy=MatchPolicy(auto_apply_threshold=1.0))
    assert strict.status == "review"
    assert strict.candidates[0].open_item_ids == ["A3", "A4"]


def test_new_account_is_learned_after_a_confirmed_match(small_ledger: Ledger) -> None:
    line = pay("2500.00", text="INV-2026-004514", account="NL91ABNA0417164300", name="Nordic Foods B.V.")
    draft = apply_payment(line, small_ledger)
    assert draft.status == "applied"
    learned = learned_bank_accounts([(line, draft)], small_ledger, legal_entity="LE1", now=NOW)
    assert [(x.external_id, x.party_id, x.kind) for x in learned] == [("NL91ABNA0417164300", "CB", "bank_account")]
    known = pay("1190.00", rf="RF32INV2026004512")
    assert learned_bank_accounts([(known, apply_payment(known, small_ledger))], small_ledger,
                                 legal_entity="LE1", now=NOW) == []


def test_review_outcomes_teach_nothing(small_ledger: Ledger) -> None:
    line = pay("1190.00", text="payment", account="NL91ABNA0417164300", name="ACME Logistics")
    draft = apply_payment(line, small_ledger)
    assert draft.status == "review"
    assert learned_bank_accounts([(line, draft)], small_ledger, legal_entity="LE1", now=NOW) == []


def test_draft_becomes_a_cash_application_event(small_ledger: Ledger) -> None:
    draft = apply_payment(pay("1190.00", rf="RF32INV2026004512"), small_ledger)
    envelope = Envelope.new(document_id="stmt-1", legal_entity="LE1", producer="test", now=NOW)
    event = draft.to_event(envelope)
    assert event.payment_id == "p1"
    assert event.applications[0].open_item_id == "A1"
    assert event.confidence == draft.confidence


def test_cross_reference_wins_over_a_similar_name(small_ledger: Ledger) -> None:
    # the account is Acme's even though the bank shows another name (a parent company paying)
    payer = small_ledger.resolve_payer(ACME_ACCOUNT, "Nordic Foods B.V.")
    assert payer is not None and payer.customer_id == "CA" and payer.method == "payer_account"


def test_fuzzy_reference_needs_the_amount_to_confirm_it(small_ledger: Ledger) -> None:
    # one edit away from A3 (INV-2026-004520): with A3's amount it applies, with another it does not
    assert apply_payment(pay("310.55", text="INV-2026-004250"), small_ledger).applied_item_ids == {"A3"}
    other = apply_payment(pay("123.00", text="INV-2026-004250"), small_ledger)
    assert other.status != "applied"
