"""Vendor templates (ours and invoice2data's format) and the ``docket extract`` command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import structlog
import typer
from typer.testing import CliRunner

from cli.extract_cmd import register
from docket.capture import CaptureOptions, capture_document
from docket.errors import DocketError
from docket.understanding.templates import builtin_templates, load_template, load_templates
from tests.unit.capture.builders import InvoiceSpec, invoice_pdf

INVOICE2DATA_YAML = """
issuer: Fabrikam Ltd
keywords: [Fabrikam]
fields:
  invoice_number: 'Invoice number:\\s*(\\S+)'
  amount: {parser: regex, regex: 'Total due\\s+([\\d,.]+)'}
  date: 'Invoice date:\\s*(\\S+)'
options: {currency: GBP, date_formats: ['%Y-%m-%d']}
"""


def test_invoice2data_template_pins_fields(tmp_path: Path) -> None:
    path = tmp_path / "fabrikam.yml"
    path.write_text(INVOICE2DATA_YAML)
    template = load_template(path)
    spec = InvoiceSpec(supplier="Fabrikam Ltd", number="FAB-9", currency="EUR")
    [document] = capture_document(invoice_pdf(spec), "inv.pdf", options=CaptureOptions(templates=(template,)))
    fields = {f.name: f for f in document.fields}
    assert document.template == "fabrikam"
    assert fields["invoice_number"].value == "FAB-9" and fields["invoice_number"].method == "template"
    assert Decimal(fields["total"].value) == spec.total and fields["total"].method == "template"
    assert fields["invoice_date"].value == "{:04d}-{:02d}-{:02d}".format(*spec.date)
    # The template states the currency, which wins over the page's reading.
    assert fields["currency"].value == "GBP"
    # Fields the template does not define keep their layout reading.
    assert fields["buyer_name"].method == "layout"


def test_template_does_not_apply_without_its_keywords(tmp_path: Path) -> None:
    path = tmp_path / "fabrikam.json"
    path.write_text(json.dumps({"issuer": "Fabrikam", "keywords": ["Fabrikam"], "fields": {"amount": "X(\\d+)"}}))
    [document] = capture_document(invoice_pdf(InvoiceSpec()), "inv.pdf",
                                  options=CaptureOptions(templates=load_templates(tmp_path)))
    assert document.template is None


@pytest.mark.parametrize("text", ["issuer: X\nkeywords: [\n", "issuer: X\nkeywords: []\nfields: {}\n"])
def test_unreadable_template_or_one_without_keywords_has_a_code(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(text)
    with pytest.raises(DocketError) as caught:
        load_template(path)
    assert caught.value.code == "CAPTURE_TEMPLATE_INVALID"


def test_builtin_templates_load() -> None:
    assert all(t.keywords for t in builtin_templates())


@pytest.fixture(autouse=True)
def _default_logging() -> Iterator[None]:
    """The command routes logging to the runner's stderr; later tests must not write to that closed stream."""
    yield
    structlog.reset_defaults()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command keeps Typer in multi-command mode, like the real CLI
        """Unused."""

    return app


def test_cli_prints_one_json_object_per_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    first.write_bytes(invoice_pdf(InvoiceSpec(number="CLI-1")))
    second.write_bytes(invoice_pdf(InvoiceSpec(number="CLI-2")))
    result = CliRunner().invoke(_app(), ["extract", str(first), str(second), "--json"])
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    numbers = [next(f["value"] for f in o["documents"][0]["fields"] if f["name"] == "invoice_number")
               for o in objects]
    assert numbers == ["CLI-1", "CLI-2"]
    assert objects[0]["documents"][0]["fields"][0]["bbox"]["page"] == 1


def test_cli_ends_a_run_of_files_with_a_summary_per_type_on_stderr(tmp_path: Path) -> None:
    paths = [tmp_path / f"{n}.pdf" for n in range(3)]
    for n, path in enumerate(paths):
        path.write_bytes(invoice_pdf(InvoiceSpec(number=f"SUM-{n}")))
    (tmp_path / "empty.pdf").write_bytes(b"")
    result = CliRunner().invoke(_app(), ["extract", *map(str, paths), str(tmp_path / "empty.pdf"), "--json"])
    assert result.exit_code == 1
    summary = result.stderr.splitlines()
    assert any(line.startswith("invoice: 3 documents, 3 pages") for line in summary), result.stderr
    assert "failed CAPTURE_EMPTY_FILE: 1 files" in summary
    assert "SUM-" not in result.stderr  # fields go to stdout only


def test_cli_table_and_error_code(tmp_path: Path) -> None:
    good, empty = tmp_path / "a.pdf", tmp_path / "empty.pdf"
    good.write_bytes(invoice_pdf(InvoiceSpec(number="TBL-7")))
    empty.write_bytes(b"")
    result = CliRunner().invoke(_app(), ["extract", str(good), str(empty)])
    assert result.exit_code == 1
    assert "TBL-7" in result.output
    assert "CAPTURE_EMPTY_FILE" in result.output


def test_cli_uses_the_template_dir(tmp_path: Path) -> None:
    (tmp_path / "t.yml").write_text(INVOICE2DATA_YAML)
    document = tmp_path / "a.pdf"
    document.write_bytes(invoice_pdf(InvoiceSpec(supplier="Fabrikam Ltd")))
    result = CliRunner().invoke(_app(), ["extract", str(document), "--json", "--template-dir", str(tmp_path)])
    assert json.loads(result.output)["documents"][0]["template"] == "t"
