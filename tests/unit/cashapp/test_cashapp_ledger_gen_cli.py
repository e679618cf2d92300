"""The generated benchmark ledger, and the ``docket cashapp`` command."""

from __future__ import annotations

import json
from decimal import Decimal

import typer
from typer.testing import CliRunner

from cli.cashapp_cmd import register
from devkit.ledger_gen import MessMix, generate
from docket.cashapp.ledger import Ledger
from docket.cashapp.matching import apply_payment
from tests.unit.cashapp.conftest import SAMPLES


def test_generation_is_deterministic_by_seed() -> None:
    first, again, other = generate(7, payments=200), generate(7, payments=200), generate(8, payments=200)
    assert [p.amount for p in first.payments] == [p.amount for p in again.payments]
    assert first.truth == again.truth
    assert [p.amount for p in first.payments] != [p.amount for p in other.payments]


def test_truth_is_consistent_with_the_ledger() -> None:
    world = generate(3, customers=120, items=1500, payments=600)
    open_ids = {i.item_id for i in world.items}
    owners = {i.item_id: i.customer_id for i in world.items}
    used: list[str] = []
    for payment in world.payments:
        truth = world.truth[payment.payment_id]
        assert truth.item_ids <= open_ids
        assert {owners[i] for i in truth.item_ids} <= {truth.customer_id}
        used += truth.item_ids
    assert len(used) == len(set(used))  # an item is paid by one payment at most
    scenarios = {t.scenario for t in world.truth.values()}
    assert {"bundle_refs", "text_ocr", "stale_reference", "other_currency"} <= scenarios


def test_mix_changes_the_scenarios_drawn() -> None:
    only_rf = MessMix(**{f: 0 for f in ("text_exact", "text_ocr", "text_typo", "bundle_refs", "bundle_norefs",
                                        "no_reference", "partial", "short_deduction", "other_currency",
                                        "overpayment", "unknown_payer", "stale_reference")})
    world = generate(1, payments=50, mix=only_rf)
    assert {t.scenario for t in world.truth.values()} == {"rf_exact"}


def test_matcher_on_a_small_generated_ledger_is_precise() -> None:
    world = generate(5, customers=100, items=1200, payments=400)
    ledger = Ledger.build(world.items, world.customers, world.xrefs)
    drafts = [apply_payment(p, ledger, fx=world.fx) for p in world.payments]
    auto = [d for d in drafts if d.status in ("applied", "partial")]
    correct = [d for d in auto if d.applied_item_ids == world.truth[d.payment_id].item_ids]
    assert len(auto) > len(drafts) // 3
    assert len(correct) / len(auto) >= 0.99
    # money is conserved on every auto-applied line paid in the item currency
    for d in auto:
        same = all(a.currency == d.currency for a in d.applications)
        if same and d.deduction_amount is None:
            applied = sum((a.amount_applied for a in d.applications), Decimal(0))
            assert applied + d.unapplied_amount == d.payment_amount


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("version")
    def version() -> None:  # a second command keeps Typer from collapsing to a single-command app
        typer.echo("x")

    return app


def test_cli_json_output_applies_the_sample_statements() -> None:
    result = CliRunner().invoke(_app(), ["cashapp", str(SAMPLES / "camt053_v02.xml"), str(SAMPLES / "lockbox.bai"),
                                         "--open-items", str(SAMPLES / "open_items.csv"), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["applications"]
    assert len(rows) == 8
    first = rows[0]
    assert first["status"] == "applied"
    assert first["applications"][0]["open_item_id"] == "OI-4512"
    assert "structured_reference" in first["evidence"]
    assert (first["end_to_end_id"], first["account_servicer_reference"]) == ("E2E-ACME-7781", "2026110400017")
    weights = {w["name"]: w["log_odds"] for w in first["evidence_weights"]}
    assert weights["ref_structured"] > 0
    debit = next(r for r in rows if r["amount"].startswith("-"))
    assert debit["status"] == "unapplied"


def test_cli_text_output_and_csv_layout() -> None:
    result = CliRunner().invoke(_app(), ["cashapp", str(SAMPLES / "bank_export_de.csv"), "--open-items",
                                         str(SAMPLES / "open_items.csv"), "--csv-layout",
                                         str(SAMPLES / "bank_export_de.yaml")])
    assert result.exit_code == 0, result.output
    assert "APPLIED" in result.stdout and "INV-2026-004512" in result.stdout


def test_cli_malformed_statement_exits_with_the_error_code() -> None:
    result = CliRunner().invoke(_app(), ["cashapp", str(SAMPLES / "bai2_bad_totals.bai"), "--open-items",
                                         str(SAMPLES / "open_items.csv")])
    assert result.exit_code == 2
    assert "CASHAPP_STATEMENT_MALFORMED" in result.output
