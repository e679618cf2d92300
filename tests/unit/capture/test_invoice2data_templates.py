"""Every template invoice2data ships loads; what Docket cannot run is skipped with a warning naming
template and field. The templates are read from the installed invoice2data package (a dev dependency)."""

from __future__ import annotations

from collections import Counter
from importlib.resources import files
from pathlib import Path

from structlog.testing import capture_logs

from docket.reading.read import read_pages
from docket.reading.sniff import sniff_media_type
from docket.understanding.extract import Context
from docket.understanding.template_apply import apply_template, match_template
from docket.understanding.templates import load_templates
from tests.unit.capture.builders import InvoiceSpec, invoice_pdf

TEMPLATES = Path(str(files("invoice2data") / "extract" / "templates"))
SHIPPED = 215
"""Templates in invoice2data 1.0.1 (pinned in pyproject's dev extra)."""


def _shipped_files() -> list[Path]:
    return [p for p in TEMPLATES.rglob("*") if p.suffix in {".yml", ".yaml", ".json"}]


def test_every_invoice2data_template_loads() -> None:
    with capture_logs() as logs:
        templates = load_templates(TEMPLATES)
    assert len(_shipped_files()) == SHIPPED
    assert len(templates) == SHIPPED
    assert {t.name for t in templates} == {p.stem for p in _shipped_files()}
    # Line items: the lines plugin and lines parser; header tables: the tables plugin.
    assert sum(1 for t in templates if t.lines) == 62
    assert sum(1 for t in templates if t.tables) == 11
    warnings = [(e["template"], e["field"]) for e in logs if e["event"] == "template_field_skipped"]
    assert sorted(warnings) == sorted((t.name, s.field) for t in templates for s in t.skipped)
    reasons = Counter(s.reason.split(" '")[0].split(" {")[0] for t in templates for s in t.skipped)
    # Tax-line and sum blocks (no line items), two static fields without a value, one unbalanced regex.
    assert sum(reasons.values()) == 13, reasons
    assert reasons["lines block"] == 10
    assert reasons["static field without a value"] == 2
    assert {("nl.gulf", "lines")} <= set(warnings)
    assert ("com.hetzner", "tax_lines") in warnings


def test_every_invoice2data_template_runs_over_a_document() -> None:
    data = invoice_pdf(InvoiceSpec())
    pages, _ = read_pages(data, sniff_media_type(data), engine=None, max_pages=5, max_pixels=10**8, dpi=100,
                          min_text_words=3, force_ocr=False)  # type: ignore[arg-type]
    ctx = Context.build(pages)
    pinned = 0
    templates = load_templates(TEMPLATES)
    for template in templates:
        fields, _, _ = apply_template(template, ctx, [], [], [])
        assert all(f.method == "template" for f in fields)
        pinned += bool(fields)
    assert pinned == sum(1 for t in templates if t.static or t.currency) > 200  # issuer, currency: always pinned
    text = "\n".join(line.text for line in ctx.lines)
    assert match_template(load_templates(TEMPLATES), text) is None
