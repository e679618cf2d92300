"""The calibrated claim scorer: its shipped model, its arithmetic, its training, and the evidence it weighs."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from devkit.train_cashapp_scorer import TRAIN_SEEDS, VALIDATION_SEEDS, fit
from docket.cashapp.errors import ScorerModelError
from docket.cashapp.features import FEATURES
from docket.cashapp.ledger import Ledger
from docket.cashapp.matching import apply_payment
from docket.cashapp.open_items_csv import read_open_items
from docket.cashapp.scorer import Scorer, default_scorer
from docket.cashapp.statements.line import StatementLine
from docket.model.common import Envelope
from docket.model.masterdata import CrossReference
from tests.unit.cashapp.conftest import NOW, customer, item

BENCH_SEEDS = {1, 2, 3, 4, 5}


def test_shipped_model_lines_up_with_the_features_and_names_its_data() -> None:
    scorer = default_scorer()
    assert set(scorer.weights) == set(FEATURES)
    data = scorer.manifest["data"]
    assert "family A" in data["generator"]
    seeds = set(data["train_seeds"]) | set(data["validation_seeds"])
    assert seeds.isdisjoint(BENCH_SEEDS)
    assert set(data["train_seeds"]) == set(TRAIN_SEEDS) and set(data["validation_seeds"]) == set(VALIDATION_SEEDS)
    assert 0.5 < scorer.auto_apply_threshold < 1.0
    assert scorer.manifest["metrics"]["validation_log_loss"] < 0.2


def test_probability_is_the_logistic_of_intercept_plus_contributions() -> None:
    scorer = Scorer.from_mapping({"features": ["a", "b"], "coefficients": [2.0, -1.0], "intercept": -0.5,
                                  "auto_apply_threshold": 0.9})
    probability, parts = scorer.probability({"a": 1.0, "b": 0.5})
    assert [(p.name, p.weight) for p in parts] == [("a", 2.0), ("b", -0.5)]
    assert probability == pytest.approx(1 / (1 + math.exp(-(-0.5 + 2.0 - 0.5))))


def test_a_malformed_model_is_refused_with_its_code() -> None:
    with pytest.raises(ScorerModelError) as raised:
        Scorer.from_mapping({"features": ["a"], "coefficients": [1.0, 2.0], "intercept": 0,
                             "auto_apply_threshold": 0.9})
    assert raised.value.code == "CASHAPP_SCORER_INVALID"
    with pytest.raises(ScorerModelError):
        Scorer.from_mapping({"features": ["a"]})


def test_fit_is_deterministic_and_finds_the_signal() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, size=(400, 3)).astype(float)
    y = ((x[:, 0] + 0.2 * rng.standard_normal(400)) > 0.5).astype(float)
    first, again = fit(x, y), fit(x, y)
    assert np.array_equal(first[0], again[0]) and first[1] == again[1]
    coefficients = first[0]
    assert coefficients[0] > 2.0 and abs(coefficients[1]) < 1.0 and abs(coefficients[2]) < 1.0


def _pay(amount: str, *, text: str | None = None, account: str | None = None, name: str | None = None,
         paid_on: date = date(2026, 11, 20)) -> StatementLine:
    return StatementLine(payment_id="p1", amount=Decimal(amount), currency="EUR", source_format="camt.053",
                         value_date=paid_on, payer_name=name, payer_account=account,
                         remittance_text=text)


@pytest.fixture
def twins() -> Ledger:
    """Two customers under one legal name (two sites), each with its own account and invoices."""
    items = [item("N1", "S1", "INV-2026-007001", "820.00", day=3), item("N2", "S1", "INV-2026-007002", "415.20"),
             item("S1", "S2", "INV-2026-007101", "820.00", day=4), item("S2", "S2", "INV-2026-007102", "77.10"),
             item("S3", "S2", "INV-2026-007103", "1210.00", day=6)]
    customers = [customer("S1", "Hanse Foods GmbH"), customer("S2", "Hanse Foods GmbH")]
    xrefs = [CrossReference(legal_entity="LE1", system="bank", external_id="DE89370400440532013000",
                            kind="bank_account", party_id="S2", updated_at=NOW)]
    return Ledger.build(items, customers, xrefs)


def test_customers_sharing_a_name_are_told_apart_by_the_invoice_named(twins: Ledger) -> None:
    draft = apply_payment(_pay("820.00", text="RE INV-2026-007101", account="NL91ABNA0417164300",
                               name="HANSE FOODS GMBH"), twins)
    assert draft.status == "applied" and draft.applied_item_ids == {"S1"} and draft.customer_id == "S2"
    assert "shared_name" in draft.evidence


def test_the_known_account_identifies_the_payer_before_the_name(twins: Ledger) -> None:
    draft = apply_payment(_pay("1210.00", text="Zahlung", account="DE89 3704 0044 0532 0130 00",
                               name="Hanse Foods GmbH"), twins)
    assert draft.status == "applied" and draft.applied_item_ids == {"S3"}
    assert "payer_account" in draft.evidence and "amount_unique" in draft.evidence
    # the same amount from an unknown account under the shared name: which site paid is a guess
    unsure = apply_payment(_pay("820.00", text="Zahlung", account="NL91ABNA0417164300", name="Hanse Foods GmbH"),
                           twins)
    assert unsure.status == "review"


def test_an_amount_only_payment_is_not_applied_to_an_invoice_issued_after_it(twins: Ledger) -> None:
    draft = apply_payment(_pay("1210.00", text="Zahlung", account="DE89370400440532013000",
                               paid_on=date(2026, 10, 5)), twins)
    assert draft.status == "review"
    assert "invoice_after_payment" in draft.evidence


def test_a_bundle_naming_only_some_invoices_is_completed_by_the_amount(twins: Ledger) -> None:
    draft = apply_payment(_pay("1287.10", text="RE INV-2026-007103 u.a.", account="DE89370400440532013000"), twins)
    assert draft.status == "applied"
    assert draft.applied_item_ids == {"S2", "S3"}
    assert "subset_sum_anchored" in draft.evidence


def test_an_amount_only_claim_is_not_applied_when_the_text_quotes_another_document(twins: Ledger) -> None:
    draft = apply_payment(_pay("1210.00", text="RE INV-2026-006999", account="DE89370400440532013000"), twins)
    assert draft.status == "review"
    assert "unmatched_reference" in draft.evidence


def test_a_german_discount_deduction_is_read_from_the_text(twins: Ledger) -> None:
    draft = apply_payment(_pay("1185.80", text="RE INV-2026-007103 abzgl. 2% Skonto",
                               account="DE89370400440532013000"), twins)
    assert draft.status == "partial"
    assert draft.deduction_reason == "early_payment_discount" and draft.deduction_amount == Decimal("24.20")


def test_every_decision_carries_its_weighed_evidence(twins: Ledger) -> None:
    draft = apply_payment(_pay("1210.00", text="RE INV-2026-007103", account="DE89370400440532013000"), twins)
    names = [c.name for c in draft.contributions]
    assert "ref_exact" in names and "account_same" in names
    scorer = default_scorer()
    total = scorer.intercept + sum(c.weight for c in draft.contributions)
    assert draft.confidence == pytest.approx(1 / (1 + math.exp(-total)), abs=1e-4)
    envelope = Envelope.new(document_id="stmt-1", legal_entity="LE1", producer="test", now=NOW)
    event = draft.to_event(envelope, line=StatementLine(payment_id="p1", amount=Decimal("1210.00"), currency="EUR",
                                                         source_format="camt.053", bank_reference="E2E-1",
                                                         end_to_end_id="E2E-1", account_servicer_reference="A-9"))
    assert {w.name for w in event.evidence_weights} == set(names)
    assert (event.end_to_end_id, event.account_servicer_reference) == ("E2E-1", "A-9")


def test_open_items_csv_without_item_id_keys_items_by_invoice_number() -> None:
    data = (b"customer_id,invoice_number,invoice_date,currency,amount_open\n"
            b"C1,INV-1,2026-10-01,EUR,100.00\nC1,INV-2,2026-10-02,EUR,50.00\n")
    items, customers = read_open_items(data, legal_entity="LE1", now=NOW)
    assert [i.item_id for i in items] == ["INV-1", "INV-2"]
    assert [c.party_id for c in customers] == ["C1"]
