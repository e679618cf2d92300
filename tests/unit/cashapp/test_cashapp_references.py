"""Invoice numbers in remittance text, creditor references, bounded subset sums, FX."""

from __future__ import annotations

from decimal import Decimal

import pytest
from stdnum import iso11649

from docket.cashapp.errors import FxRateMissingError
from docket.cashapp.fx import FxRates
from docket.cashapp.references import InvoiceNumberIndex, canonical, creditor_reference
from docket.cashapp.statements.line import creditor_reference_in_text, valid_creditor_reference
from docket.cashapp.subset_sum import find_subsets

NUMBERS = [("a", "INV-2026-004512"), ("b", "INV-2026-004513"), ("c", "RE 77812")]


@pytest.mark.parametrize("text", ["inv 2026 004512", "INV2026004512", "INV-2O26-OO4512", "inv/2026/004512",
                                  "Zahlung zu Rechnung INV-2026-004512 danke", "2026-004512"])
def test_spellings_of_one_number_meet_exactly(text: str) -> None:
    hits = InvoiceNumberIndex.build(NUMBERS).find(text)
    assert [(h.item_id, h.kind) for h in hits] == [("a", "exact")]


def test_an_exact_hit_does_not_drag_in_its_neighbour() -> None:
    hits = InvoiceNumberIndex.build(NUMBERS).find("INV-2026-004512")
    assert {h.item_id for h in hits} == {"a"}


@pytest.mark.parametrize("typo", ["INV-2026-004521", "INV-2026-04512", "INV-2026-0045129"])
def test_one_edit_is_a_fuzzy_hit(typo: str) -> None:
    hits = InvoiceNumberIndex.build([("a", "INV-2026-004512"), ("z", "INV-2026-009999")]).find(typo)
    assert [(h.item_id, h.kind) for h in hits] == [("a", "fuzzy")]


def test_running_number_alone_is_a_tail_hit() -> None:
    hits = InvoiceNumberIndex.build(NUMBERS).find("paid 4513")
    assert [(h.item_id, h.kind) for h in hits] == [("b", "tail")]


def test_nothing_found_in_unrelated_text() -> None:
    assert InvoiceNumberIndex.build(NUMBERS).find("rent november 2026") == []
    assert InvoiceNumberIndex.build(NUMBERS).find(None) == []


def test_canonical_folds_lookalikes_and_separators() -> None:
    assert canonical("inv-2O26/OO45I2") == canonical("INV 2026 004512")


def test_creditor_reference_round_trip() -> None:
    reference = creditor_reference("INV-2026-004512")
    assert iso11649.is_valid(reference)
    assert valid_creditor_reference(reference.lower()) == reference
    assert valid_creditor_reference("RF00INV2026004512") is None
    assert creditor_reference_in_text(f"Payment {reference[:4]} {reference[4:]} thanks") == reference


def test_subset_sum_finds_the_unique_smallest_combination() -> None:
    amounts = [Decimal(x) for x in ("100.00", "250.00", "75.10", "30.00", "45.10")]
    result = find_subsets(amounts, Decimal("175.10"))
    assert result.solutions == [(0, 2)]
    assert result.exhausted


def test_subset_sum_reports_ambiguity() -> None:
    amounts = [Decimal(x) for x in ("10", "20", "30", "40")]
    result = find_subsets(amounts, Decimal("50"))
    assert len(result.solutions) == 2
    assert not result.exhausted


def test_subset_sum_step_budget_stops_the_search() -> None:
    amounts = [Decimal(k) / 7 for k in range(1, 80)]
    result = find_subsets(amounts, Decimal("40.07"), max_items=6, max_steps=500)  # reachable size, never exact
    assert result.solutions == []
    assert not result.exhausted


def test_fx_rates_inverse_and_missing() -> None:
    fx = FxRates({("EUR", "USD"): Decimal("1.25")})
    assert fx.convert(Decimal("100"), "EUR", "USD") == Decimal("125.00")
    assert fx.convert(Decimal("125"), "USD", "EUR") == Decimal("100")
    with pytest.raises(FxRateMissingError) as raised:
        fx.rate("EUR", "JPY")
    assert raised.value.code == "CASHAPP_FX_RATE_MISSING"
