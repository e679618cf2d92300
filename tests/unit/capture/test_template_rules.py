"""Template rules beyond single regexes: line items, header tables, groups, text options, skipped fields."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from structlog.testing import capture_logs

from docket.capture import CapturedDocument, CaptureOptions, capture_document
from docket.model import ExtractedField
from docket.understanding.template_apply import prepare_text
from docket.understanding.template_blocks import line_rows, table_cells
from docket.understanding.template_model import BlockRule, TextOptions
from docket.understanding.templates import load_template, load_templates, parse_template
from tests.unit.capture.builders import InvoiceSpec, invoice_pdf

LINES_TEMPLATE = """
issuer: Fabrikam Ltd
keywords: [Fabrikam]
fields:
  invoice_number: 'Invoice number:\\s*(\\S+)'
  lines:
    parser: lines
    start: 'Description\\s+Qty\\s+Unit price\\s+Amount'
    end: 'Subtotal'
    line: '(?P<name>.+?)\\s+(?P<qty>\\d+)\\s+(?P<price_unit>\\d+\\.\\d{2})\\s+(?P<price_subtotal>\\d+\\.\\d{2})'
    types: {qty: float, price_unit: float, price_subtotal: float}
options: {currency: EUR}
"""


def _capture(tmp_path: Path, text: str, spec: InvoiceSpec) -> tuple[CapturedDocument, dict[str, ExtractedField]]:
    path = tmp_path / "fabrikam.yml"
    path.write_text(text)
    [document] = capture_document(invoice_pdf(spec), "inv.pdf",
                                  options=CaptureOptions(templates=(load_template(path),)))
    return document, {f.name: f for f in document.fields}


def test_lines_parser_gives_the_line_items(tmp_path: Path) -> None:
    spec = InvoiceSpec(supplier="Fabrikam Ltd", lines=[("Copy paper A4", Decimal("3"), Decimal("4.50")),
                                                       ("Blue widget", Decimal("2"), Decimal("120.00")),
                                                       ("Stapler", Decimal("1"), Decimal("9.99"))])
    document = _capture(tmp_path, LINES_TEMPLATE, spec)[0]
    rows = [{f.name: f.value for f in item.fields} for item in document.line_items]
    assert rows == [{"description": d, "quantity": str(q), "unit_price": str(p), "amount": str(q * p)}
                    for d, q, p in spec.lines]
    assert {f.method for item in document.line_items for f in item.fields} == {"template"}
    first = document.line_items[0].fields[0]
    assert first.bbox is not None and first.bbox.page == 1


def test_template_without_matching_lines_keeps_the_layout_line_items(tmp_path: Path) -> None:
    text = LINES_TEMPLATE.replace("'Subtotal'", "'No such end'")
    document = _capture(tmp_path, text, InvoiceSpec(supplier="Fabrikam Ltd"))[0]
    assert len(document.line_items) == 2
    assert {f.method for item in document.line_items for f in item.fields} == {"table"}


def test_first_line_opens_a_row_that_line_and_last_line_continue() -> None:
    rule = BlockRule(start="Items", end="Total", line=(r"^\s+(?P<name>\S.*)$",),
                     first_line=(r"^(?P<code>[A-Z]\d+)\s+(?P<qty>\d+)\s+(?P<price_subtotal>\d+\.\d\d)$",),
                     last_line=(r"^\s+(?P<name>Serial .*)$",), skip_line=("Carried over",))
    text = ("Items\nA1 2 10.00\n  Red pen\n  Carried over\n  Serial 7\nstray text\n"
            "B2 1 3.00\n  Notebook\nTotal 13.00")
    assert line_rows(rule, text) == [
        {"code": "A1", "qty": "2", "price_subtotal": "10.00", "name": "Red pen\nSerial 7"},
        {"code": "B2", "qty": "1", "price_subtotal": "3.00", "name": "Notebook"}]


def test_each_block_between_start_and_end_is_read() -> None:
    rule = BlockRule(start="Items", end="Subtotal", line=(r"(?P<name>\w+) (?P<qty>\d+)",))
    text = "Items\npen 2\nSubtotal\nnoise 9\nItems\nink 5\nSubtotal"
    assert line_rows(rule, text) == [{"name": "pen", "qty": "2"}, {"name": "ink", "qty": "5"}]


def test_table_body_named_groups_become_header_fields() -> None:
    rule = BlockRule(start="Invoice no\\s+Date", end="Customer", line=(r"(?P<invoice_number>\d+)\s+(?P<date>\S+)",))
    text = "Invoice no  Date\n 4711   03/04/2025\nCustomer 99 01/01/2000"
    assert table_cells(rule, text) == {"invoice_number": "4711", "date": "03/04/2025"}


def test_groups_combine_several_matches(tmp_path: Path) -> None:
    text = """
issuer: Fabrikam Ltd
keywords: [Fabrikam]
fields:
  net_total: {parser: regex, regex: ['(\\d+\\.\\d{2}) EUR'], group: sum}
  total: {parser: regex, regex: '(\\d+\\.\\d{2}) EUR', group: max}
  tax_total: {parser: regex, regex: '(\\d+\\.\\d{2}) EUR', group: min}
"""
    spec = InvoiceSpec(supplier="Fabrikam Ltd")
    fields = _capture(tmp_path, text, spec)[1]
    assert Decimal(fields["net_total"].value) == spec.net + spec.tax + spec.total
    assert Decimal(fields["total"].value) == spec.total
    assert Decimal(fields["tax_total"].value) == spec.tax


def test_text_options_prepare_the_text() -> None:
    options = TextOptions(remove_whitespace=True, remove_accents=True, lowercase=True, replace=(("nr", "no"),))
    assert prepare_text("Facture  Nr 12 Émise", options) == "factureno12emise"


def test_unrunnable_fields_are_skipped_with_a_warning_and_the_others_apply(tmp_path: Path) -> None:
    unrunnable = ("  weird: {parser: ocr_magic, regex: 'x'}\n  broken: '(unclosed'\n"
                  "  tax_lines: {parser: lines, start: VAT, end: Total, line: '(?P<rate>\\d+)%'}\n")
    plugins = "camelot: {pages: '1'}\ntables: [{start: x}]\n"
    text = LINES_TEMPLATE.replace("fields:\n", "fields:\n" + unrunnable, 1) + plugins
    with capture_logs() as logs:
        document, fields = _capture(tmp_path, text, InvoiceSpec(supplier="Fabrikam Ltd", number="FAB-1"))
    warned = {(e["template"], e["field"]) for e in logs if e["event"] == "template_field_skipped"}
    assert warned == {("fabrikam", "weird"), ("fabrikam", "broken"), ("fabrikam", "tax_lines"),
                      ("fabrikam", "camelot"), ("fabrikam", "tables[1]")}
    assert fields["invoice_number"].value == "FAB-1"
    assert len(document.line_items) == 2


def test_a_keyword_that_is_no_regex_matches_literally() -> None:
    template = parse_template({"keywords": ["Fabrikam (UK"], "fields": {}}, name="t")
    assert template.keywords == (r"Fabrikam\ \(UK",)


def test_higher_priority_templates_are_tried_first(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("keywords: [Fabrikam]\nfields: {}\n")
    (tmp_path / "b.yml").write_text("keywords: [Fabrikam]\npriority: 7\nfields: {}\n")
    sub = tmp_path / "de"
    sub.mkdir()
    (sub / "c.yml").write_text("keywords: [Fabrikam]\nfields: {}\n")
    assert [t.name for t in load_templates(tmp_path)] == ["b", "a", "c"]
