"""Thresholds that rest on measured error rates: the curve, its bound, and the policy that uses them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docket.routing.policy import PolicyBook
from docket.routing.thresholds import measured_threshold
from docket.understanding.learn.error_rates import (
    POOLED,
    Accepted,
    curve_as_json,
    curve_from_json,
    error_curve,
    error_upper_bound,
    shipped_error_curve,
)

DEFAULT = Path(__file__).parents[3] / "docket/routing/policies/default.yaml"


def test_the_upper_bound_is_the_exact_clopper_pearson_one() -> None:
    # none wrong of n: (1 - p)^n = 0.05 has the closed form 1 - 0.05^(1/n)
    assert error_upper_bound(0, 100) == pytest.approx(1 - 0.05 ** (1 / 100), abs=1e-9)
    # one wrong of n: (1 - p)^n + n p (1 - p)^(n - 1) = 0.05 at the bound
    p = error_upper_bound(1, 525)
    assert (1 - p) ** 525 + 525 * p * (1 - p) ** 524 == pytest.approx(0.05, abs=1e-9)
    assert error_upper_bound(0, 0) == 1.0 and error_upper_bound(3, 3) == 1.0


@given(st.integers(min_value=1, max_value=2000), st.data())
def test_the_bound_lies_above_the_observed_rate_and_falls_with_more_evidence(n: int, data: st.DataObject) -> None:
    wrong = data.draw(st.integers(min_value=0, max_value=n - 1))
    bound = error_upper_bound(wrong, n)
    assert wrong / n < bound <= 1.0
    assert error_upper_bound(wrong, 2 * n) < bound


def test_the_curve_counts_what_each_threshold_accepts_and_how_much_of_it_was_wrong() -> None:
    fields = ["total", "total", "total", "supplier_name"]
    curve = error_curve(fields, [0.99, 0.93, 0.6, 0.91], [True, False, True, True], grid=(0.5, 0.9, 0.95))
    assert curve["total"] == [Accepted(0.5, 3, 1), Accepted(0.9, 2, 1), Accepted(0.95, 1, 0)]
    assert curve[POOLED] == [Accepted(0.5, 4, 1), Accepted(0.9, 3, 1), Accepted(0.95, 1, 0)]


def _curve(own: list[tuple[int, int]], pooled: list[tuple[int, int]],
           grid: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95)) -> dict[str, list[Accepted]]:
    return {"total": [Accepted(t, n, k) for t, (n, k) in zip(grid, own, strict=True)],
            POOLED: [Accepted(t, n, k) for t, (n, k) in zip(grid, pooled, strict=True)]}


def test_the_pooled_bound_sets_the_floor_and_a_field_read_worse_than_the_rest_needs_more() -> None:
    pooled = [(1000, 30), (900, 4), (800, 1), (700, 0)]
    # the pooled bound first meets 1 % at 0.9 (1 of 800: bound 0.59 %); 0.8 (4 of 900: 1.0 %+) does not
    good = measured_threshold(_curve([(60, 0), (55, 0), (50, 0), (40, 0)], pooled), "total", 0.01)
    assert good is not None and good.threshold == 0.9 and good.reached and good.basis == "field"
    worse = measured_threshold(_curve([(60, 9), (55, 4), (50, 1), (40, 0)], pooled), "total", 0.01)
    assert worse is not None and worse.threshold == 0.95 and (worse.accepted, worse.wrong) == (40, 0)
    # with fewer than 20 of its own the field's rate says too little: the pooled floor decides
    thin = measured_threshold(_curve([(12, 3), (10, 1), (8, 1), (6, 0)], pooled), "total", 0.01)
    assert thin is not None and thin.threshold == 0.9 and thin.basis == "pooled"


def test_a_rate_no_threshold_reaches_needs_full_confidence_and_an_unmeasured_field_has_none() -> None:
    curve = _curve([(60, 9), (55, 8), (50, 7), (40, 6)], [(1000, 30), (900, 20), (800, 10), (700, 5)])
    never = measured_threshold(curve, "total", 0.01)
    assert never is not None and never.threshold == 1.0 and not never.reached
    assert measured_threshold(curve, "order_number", 0.01) is None


def _book(tmp_path: Path, entity_yaml: str | None = None) -> PolicyBook:
    (tmp_path / "default.yaml").write_text(DEFAULT.read_text("utf-8"))
    if entity_yaml:
        (tmp_path / "ACME-DE.yaml").write_text(entity_yaml)
    curve = _curve([(60, 9), (55, 4), (50, 1), (40, 0)], [(1000, 30), (900, 4), (800, 1), (700, 0)])
    curve["invoice_number"] = [Accepted(t, 50, 0) for t in (0.5, 0.8, 0.9, 0.95)]
    return PolicyBook.load(tmp_path, curve=curve, model="ab12cd34ef")


def test_the_policy_takes_measured_thresholds_names_the_model_and_lets_a_number_win(tmp_path: Path) -> None:
    policy = _book(tmp_path).for_document("LE1", "invoice")
    assert policy.threshold("total") == 0.95 and policy.threshold("invoice_number") == 0.9
    assert policy.threshold("supplier_iban") == policy.default_confidence == 0.85  # never measured: fallback
    assert policy.measurements["total"].wrong == 0 and "supplier_iban" not in policy.measurements
    assert policy.version.startswith("default-") and "/fc-ab12cd34" in policy.version
    acme = _book(tmp_path, 'version: "acme-1"\ndefaults:\n  confidence: {fields: {total: 0.99}}\n'
                 ).for_document("ACME-DE", "invoice")
    assert acme.threshold("total") == 0.99 and "total" not in acme.measurements


def test_a_stricter_error_rate_asks_for_more_confidence(tmp_path: Path) -> None:
    loose = _book(tmp_path, 'version: "acme-1"\ndefaults:\n  confidence: {max_error: {default: 0.05}}\n'
                  ).for_document("ACME-DE", "invoice")
    strict = _book(tmp_path).for_document("LE1", "invoice")
    assert loose.threshold("invoice_number") < strict.threshold("invoice_number")


def test_the_packaged_policy_rests_on_the_shipped_models_calibration() -> None:
    curve, model = shipped_error_curve()
    assert curve and len(model) == 64
    policy = PolicyBook.load().for_document("LE1", "invoice")
    assert model[:8] in policy.version
    for name in policy.required_fields:
        measured = measured_threshold(curve, name, 0.01)
        assert measured is not None and policy.threshold(name) == measured.threshold
        rows = {row.threshold: row for row in curve[POOLED]}
        # what the threshold accepts was, pooled, wrong at most 1 % with 95 % confidence
        assert error_upper_bound(rows[measured.threshold].wrong, rows[measured.threshold].accepted) <= 0.01
    iban = measured_threshold(curve, "supplier_iban", 0.01)
    assert iban is not None and policy.threshold("supplier_iban") == iban.threshold


def test_the_curve_survives_its_json_form() -> None:
    curve = error_curve(["total", "currency"], [0.97, 0.2], [True, False])
    assert curve_from_json(curve_as_json(curve)) == curve


def test_crm_forms_keep_fixed_thresholds_the_model_never_measured_their_reader() -> None:
    book = PolicyBook.load()
    for document_type in ("order_form", "contract", "customer_change"):
        policy = book.for_document("LE1", document_type)
        assert policy.measured_defaults == {} and not set(policy.measurements) & set(policy.required_fields)
        assert all(policy.threshold(name) <= 0.9 for name in policy.required_fields)  # the reader states 0.9
    assert book.for_document("LE1", "invoice").measurements  # invoices do rest on the measurements
