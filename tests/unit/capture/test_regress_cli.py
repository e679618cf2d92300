"""``docket regress``: a labelled folder replayed against its baseline; a field that turns wrong fails."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from cli.regress_cmd import register
from tests.unit.capture.builders import InvoiceSpec, invoice_pdf


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:
        """Test root."""

    return app


def _labelled(folder: Path, name: str, spec: InvoiceSpec) -> None:
    (folder / f"{name}.pdf").write_bytes(invoice_pdf(spec))
    truth = {"file": f"{name}.pdf", "document_type": "invoice",
             "fields": {"invoice_number": spec.number, "total": str(spec.total), "currency": spec.currency}}
    (folder / f"{name}.truth.json").write_text(json.dumps(truth), encoding="utf-8")


def test_regress_writes_a_baseline_then_passes_unchanged_and_fails_on_a_regression(tmp_path: Path) -> None:
    folder = tmp_path / "labelled"
    folder.mkdir()
    _labelled(folder, "a", InvoiceSpec(number="REG-1"))
    _labelled(folder, "b", InvoiceSpec(number="REG-2"))
    baseline = tmp_path / "baseline.json"
    runner = CliRunner()
    first = runner.invoke(_app(), ["regress", str(folder), "--baseline", str(baseline)])
    assert first.exit_code == 0, first.output
    stored = json.loads(baseline.read_text())
    assert len(stored["results"]) == 2
    assert all(fields["invoice_number"]["right"] for fields in stored["results"].values())

    again = runner.invoke(_app(), ["regress", str(folder), "--baseline", str(baseline)])
    assert again.exit_code == 0, again.output
    assert not [line for line in again.stdout.splitlines() if line.startswith("regressed ")]

    # The label of one file now says something capture does not read: that field regressed.
    truth = json.loads((folder / "a.truth.json").read_text())
    truth["fields"]["invoice_number"] = "OTHER-9"
    (folder / "a.truth.json").write_text(json.dumps(truth))
    # Same bytes, same key: the baseline's verdict for a.pdf was "right", now it is "wrong".
    failed = runner.invoke(_app(), ["regress", str(folder), "--baseline", str(baseline)])
    assert failed.exit_code == 1
    assert "regressed a.pdf invoice_number: 'REG-1' -> 'REG-1'" in failed.stdout


def test_a_changed_posting_payload_fails_until_accepted(tmp_path: Path) -> None:
    folder = tmp_path / "labelled"
    folder.mkdir()
    _labelled(folder, "a", InvoiceSpec(number="PAY-1"))
    baseline = tmp_path / "baseline.json"
    runner = CliRunner()
    assert runner.invoke(_app(), ["regress", str(folder), "--baseline", str(baseline)]).exit_code == 0
    stored = json.loads(baseline.read_text())
    (payload,) = stored["payloads"].values()
    assert payload["documentNumber"] == "PAY-1"  # the REST field map's name for the invoice number
    # The stored snapshot says the mapping sent another number: today's payload differs from it.
    payload["documentNumber"] = "PAY-0"
    baseline.write_text(json.dumps(stored))
    changed = runner.invoke(_app(), ["regress", str(folder), "--baseline", str(baseline)])
    assert changed.exit_code == 1
    assert "payload changed a.pdf: documentNumber" in changed.stdout
    accepted = runner.invoke(_app(), ["regress", str(folder), "--baseline", str(baseline), "--update"])
    assert accepted.exit_code == 0
    assert runner.invoke(_app(), ["regress", str(folder), "--baseline", str(baseline)]).exit_code == 0
