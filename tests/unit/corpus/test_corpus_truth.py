"""Truth consistency: totals add up, identifiers validate, canonical forms hold, and every truth
value really stands in the PDF's text layer."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pypdfium2 as pdfium
import pytest
from schwifty import BIC, IBAN
from stdnum import get_cc_module

from devkit.corpus.formatting import collapse
from devkit.corpus.generate import GeneratedDocument, generate_document
from devkit.corpus.layouts import LAYOUTS
from devkit.corpus.scoring import scored_field
from devkit.corpus.vocabulary import DEFAULT_LINE_FIELDS, LINE_FIELDS, field_kind

SEEDS = (3, 11)
AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")
ISO_CURRENCIES = {"EUR", "GBP", "USD", "CHF"}


def _documents() -> list[GeneratedDocument]:
    return [generate_document(seed, index, layout.document_type, "text_layer", layout_id=layout.id)
            for layout in LAYOUTS for seed in SEEDS for index in (0, 1)]


DOCUMENTS = _documents()


def _ids(doc: GeneratedDocument) -> str:
    return f"{doc.truth.layout}-{doc.truth.seed}"


def _decimal(value: str) -> Decimal:
    return Decimal(value)


@pytest.mark.parametrize("doc", DOCUMENTS, ids=_ids)
def test_amounts_add_up(doc: GeneratedDocument) -> None:
    fields, lines = doc.truth.fields, doc.truth.line_items
    if doc.truth.document_type == "remittance_advice":
        assert sum(_decimal(row["amount_paid"]) for row in lines) == _decimal(fields["total"])
        return
    line_sum = sum(_decimal(row["amount"]) for row in lines)
    if doc.truth.document_type == "receipt":
        assert line_sum == _decimal(fields["total"])
        assert Decimal(0) < _decimal(fields["tax_total"]) < _decimal(fields["total"])
        return
    assert line_sum == _decimal(fields["net_total"])
    assert _decimal(fields["net_total"]) + _decimal(fields["tax_total"]) == _decimal(fields["total"])
    rates = sorted(k for k in fields if re.fullmatch(r"tax_\d+_amount", k))
    if doc.truth.document_type in {"invoice", "credit_note"}:
        assert rates, "invoices print their tax breakdown"
        assert sum(_decimal(fields[k]) for k in rates) == _decimal(fields["tax_total"])
    for row in lines:
        if "quantity" in row and "unit_price" in row:
            product = _decimal(row["quantity"]) * _decimal(row["unit_price"])
            expected = product.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert abs(expected - _decimal(row["amount"])) == Decimal(0)
    for key in rates:
        number = key.split("_")[1]
        if f"tax_{number}_base" in fields:
            base, rate = _decimal(fields[f"tax_{number}_base"]), _decimal(fields[f"tax_{number}_rate"])
            assert (base * rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == _decimal(fields[key])


@pytest.mark.parametrize("doc", DOCUMENTS, ids=_ids)
def test_identifiers_validate(doc: GeneratedDocument) -> None:
    fields = doc.truth.fields
    for name in ("supplier_vat_id", "buyer_vat_id"):
        if name in fields:
            vat = fields[name]
            module = get_cc_module(vat[:2].lower(), "vat")
            assert module is not None and module.is_valid(vat), vat
            assert vat == vat.upper() and " " not in vat
    if "supplier_iban" in fields:
        IBAN(fields["supplier_iban"])  # raises on a bad checksum or bank code
        assert " " not in fields["supplier_iban"]
    if "supplier_bic" in fields:
        BIC(fields["supplier_bic"])


@pytest.mark.parametrize("doc", DOCUMENTS, ids=_ids)
def test_canonical_forms(doc: GeneratedDocument) -> None:
    line_names = LINE_FIELDS.get(doc.truth.document_type, DEFAULT_LINE_FIELDS)
    for name, value in doc.truth.fields.items():
        assert scored_field(doc.truth.document_type, name), name
        if field_kind(name) == "number":
            assert AMOUNT.match(value), (name, value)
        elif name.endswith("_date"):
            assert dt.date.fromisoformat(value).isoformat() == value
        elif name == "currency":
            assert value in ISO_CURRENCIES
        assert value == collapse(value)
    for row in doc.truth.line_items:
        assert set(row) <= set(line_names)
        for name, value in row.items():
            if field_kind(name) == "number":
                assert AMOUNT.match(value), (name, value)


@pytest.mark.parametrize("doc", DOCUMENTS, ids=_ids)
def test_every_truth_value_is_printed(doc: GeneratedDocument) -> None:
    pdf = pdfium.PdfDocument(doc.data)
    text = collapse(" ".join(page.get_textpage().get_text_range() for page in pdf))
    assert len(pdf) == doc.truth.pages
    for name in doc.truth.fields:
        assert doc.rendered.printed[name] in text, name
    for row, printed in zip(doc.truth.line_items, doc.rendered.line_printed, strict=True):
        assert set(row) == set(printed)
        for name, value in printed.items():
            # wrapped descriptions interleave with other cells in reading order: check word by word
            assert all(word in text for word in value.split()), (name, value)


def test_required_fields_present_for_each_type() -> None:
    for doc in DOCUMENTS:
        fields = doc.truth.fields
        assert "total" in fields and "currency" in fields
        if doc.truth.document_type == "credit_note":
            assert "amends_number" in fields
        if doc.truth.document_type in {"invoice", "credit_note"}:
            assert {"supplier_name", "invoice_number", "invoice_date", "net_total", "tax_total"} <= set(fields)


def test_credit_notes_come_negative_and_positive() -> None:
    signs = {Decimal(generate_document(seed, 0, "credit_note", "text_layer").truth.fields["total"]) < 0
             for seed in range(12)}
    assert signs == {True, False}


def test_long_documents_run_over_several_pages() -> None:
    pages = [generate_document(5, index, "invoice", "text_layer").truth.pages for index in range(40)]
    assert max(pages) >= 2 and min(pages) == 1
