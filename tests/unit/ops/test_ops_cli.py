"""``docket ops report`` against an audit store on SQLite (the command registered on a bare Typer app)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from cli import ops_cmd
from connectors.stores.audit import AuditStore
from tests.unit.ops.scenario import NOW, day_of_documents


def cli() -> typer.Typer:
    app = typer.Typer()
    ops_cmd.register(app)

    @app.command("noop")
    def noop() -> None:  # a second command keeps "ops" a sub-command group
        """Nothing."""

    return app


def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    AuditStore(url).record_many(day_of_documents())
    return url


def test_report_prints_the_figures_per_entity(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli(), ["ops", "report", "--database", database(tmp_path), "--now", NOW.isoformat(),
                                        "--window", "24h"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if "straight-through rate" in row)
    assert "50.0 %" in line and "60.0 %" in line and "0.0 %" in line  # all, DE01, FR01
    assert "POSTING_REJECTED" in result.output and "310.0000 EUR" in result.output


def test_report_as_json_with_entity_filter(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli(), ["ops", "report", "--database", database(tmp_path), "--now", NOW.isoformat(),
                                        "--entity", "FR01", "--json"])
    assert result.exit_code == 0, result.output
    board = json.loads(result.output)
    assert board["entities"] == ["FR01"] and board["figures"]["documents_received"] == 1


def test_a_bad_window_is_an_error_with_its_code(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli(), ["ops", "report", "--database", database(tmp_path), "--window", "forever"])
    assert result.exit_code == 2 and "OPS_WINDOW_INVALID" in result.output


def test_report_lists_contract_dates_deals_won_and_changes_waiting(tmp_path: Path) -> None:
    from tests.unit.ops.crm_scenario import NOW as CRM_NOW
    from tests.unit.ops.test_crm_board import recorded

    url = f"sqlite:///{tmp_path / 'crm.db'}"
    recorded(AuditStore(url)).close()
    result = CliRunner().invoke(cli(), ["ops", "report", "--database", url, "--now", CRM_NOW.isoformat(),
                                        "--window", "24h"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    renewal = next(row for row in result.output.splitlines() if "K-1" in row)
    assert "2027-01-01" in renewal and "renewal" in renewal and "SUB-con-1" in renewal
    won = next(row for row in result.output.splitlines() if "OPP-1" in row)
    assert "Q-1" in won and "4800.00 EUR" in won
    assert "customer change forms waiting for review: 2 (1 with new bank details)" in result.output
