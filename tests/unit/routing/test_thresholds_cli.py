"""``docket model thresholds``: each checked field's threshold and the counts it rests on."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from cli import model_cmd
from docket.routing.policy import PolicyBook

DEFAULT = Path(__file__).parents[3] / "docket/routing/policies/default.yaml"


def cli() -> typer.Typer:
    app = typer.Typer()
    model_cmd.register(app)
    return app


def test_the_command_shows_every_checked_field_with_its_source(tmp_path: Path) -> None:
    (tmp_path / "default.yaml").write_text(DEFAULT.read_text("utf-8"))
    (tmp_path / "ACME-DE.yaml").write_text('version: "acme-1"\ndefaults:\n  confidence: {fields: {total: 0.99}}\n')
    result = CliRunner().invoke(cli(), ["model", "thresholds", "--entity", "ACME-DE", "--policies", str(tmp_path),
                                        "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    policy = PolicyBook.load(tmp_path).for_document("ACME-DE", "invoice")
    rows = {row["field"]: row for row in shown["fields"]}
    assert shown["policy"] == policy.version
    assert set(rows) == {*policy.required_fields, *policy.field_confidence}
    assert rows["total"] == {"field": "total", "threshold": 0.99, "source": "fixed"}
    number = rows["invoice_number"]
    assert number["source"] in ("field", "pooled") and number["threshold"] == policy.threshold("invoice_number")
    assert number["pooled_upper_bound"] <= number["max_error"] == 0.01


def test_the_table_names_the_policy_and_the_fields() -> None:
    result = CliRunner().invoke(cli(), ["model", "thresholds", "--entity", "LE1"])
    assert result.exit_code == 0, result.output
    assert "invoice_number" in result.output and "fc-" in result.output
