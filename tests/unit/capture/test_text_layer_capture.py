"""End-to-end capture of text-layer invoices rendered from known values, in three languages."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

import pytest

from docket.capture import CapturedDocument, CaptureOptions, capture_document
from tests.unit.capture.builders import InvoiceSpec, invoice_pdf


def _fields(document: CapturedDocument) -> dict[str, str]:
    return {f.name: f.value for f in document.fields}


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_invoice_header_fields_are_read_in_each_language(language: str) -> None:
    spec = InvoiceSpec(language=language, number=f"{language.upper()}-7781", rate=Decimal("7"))
    [document] = capture_document(invoice_pdf(spec), "invoice.pdf")
    fields = _fields(document)
    assert document.document_type == "invoice"
    assert document.language == language
    assert document.reading == "text_layer" and document.engine == "text_layer"
    assert fields["invoice_number"] == spec.number
    assert fields["invoice_date"] == "{:04d}-{:02d}-{:02d}".format(*spec.date)
    assert fields["due_date"] == "{:04d}-{:02d}-{:02d}".format(*spec.due)
    assert Decimal(fields["net_total"]) == spec.net
    assert Decimal(fields["tax_total"]) == spec.tax
    assert Decimal(fields["total"]) == spec.total
    assert fields["currency"] == spec.currency
    assert fields["supplier_name"] == spec.supplier
    assert fields["buyer_name"] == spec.buyer
    assert fields["supplier_iban"] == spec.iban


def test_line_items_follow_the_table() -> None:
    spec = InvoiceSpec(lines=[("Hex bolts M8", Decimal("100"), Decimal("0.35")),
                              ("Torque wrench", Decimal("1"), Decimal("89.90")),
                              ("Safety gloves", Decimal("12"), Decimal("3.10"))])
    [document] = capture_document(invoice_pdf(spec), "invoice.pdf")
    rows = [{f.name: f.value for f in item.fields} for item in document.line_items]
    assert [r["description"] for r in rows] == [d for d, _, _ in spec.lines]
    assert [Decimal(r["quantity"]) for r in rows] == [q for _, q, _ in spec.lines]
    assert [Decimal(r["amount"]) for r in rows] == [q * p for _, q, p in spec.lines]


def test_every_field_carries_provenance() -> None:
    [document] = capture_document(invoice_pdf(InvoiceSpec()), "invoice.pdf")
    for field in document.fields:
        assert field.method in {"template", "layout", "pattern", "table", "derived"}
        assert 0.0 < field.confidence <= 1.0
        assert field.raw_text
        assert field.bbox is not None and field.bbox.page == 1
        assert 0.0 <= field.bbox.x0 < field.bbox.x1 <= 1.0
        assert 0.0 <= field.bbox.y0 < field.bbox.y1 <= 1.0


def test_total_box_points_at_the_total_on_the_page() -> None:
    [document] = capture_document(invoice_pdf(InvoiceSpec()), "invoice.pdf")
    total = next(f for f in document.fields if f.name == "total")
    assert total.bbox is not None
    # The builder prints totals right-aligned at x=530pt on a 595pt page, below the table.
    assert total.bbox.x1 == pytest.approx(530 / 595.28, abs=0.01)
    assert total.bbox.y0 > 0.3


def test_fields_not_printed_are_missing_with_a_reason_never_invented() -> None:
    [document] = capture_document(invoice_pdf(InvoiceSpec()), "invoice.pdf")
    names = {f.name for f in document.fields}
    missing = {m.name: m.reason for m in document.missing}
    for absent in ("po_number", "supplier_vat_id", "payment_terms"):
        assert absent not in names
        assert missing[absent]


def test_multi_page_document_stays_together() -> None:
    [document] = capture_document(invoice_pdf(InvoiceSpec(), pages=3), "invoice.pdf")
    assert document.page_count == 3
    assert document.page_range == "1-3"


def test_two_invoices_in_one_file_are_split() -> None:
    import pypdfium2 as pdfium

    first, second = InvoiceSpec(number="A-100"), InvoiceSpec(number="B-200", supplier="Fabrikam Ltd")
    merged = pdfium.PdfDocument.new()
    for data in (invoice_pdf(first), invoice_pdf(second)):
        merged.import_pages(pdfium.PdfDocument(data))
    import io

    buffer = io.BytesIO()
    merged.save(buffer)
    documents = capture_document(buffer.getvalue(), "two.pdf")
    assert [d.page_range for d in documents] == ["1", "2"]
    assert [_fields(d)["invoice_number"] for d in documents] == ["A-100", "B-200"]


def test_results_and_options_pickle_for_process_pools() -> None:
    [document] = capture_document(invoice_pdf(InvoiceSpec()), "invoice.pdf")
    assert pickle.loads(pickle.dumps(document)) == document
    options = CaptureOptions(max_pages=5)
    assert pickle.loads(pickle.dumps(options)).max_pages == 5


def test_capture_runs_in_a_process_pool() -> None:
    data = invoice_pdf(InvoiceSpec(number="POOL-1"))
    with ProcessPoolExecutor(max_workers=1) as pool:
        [document] = pool.submit(capture_document, data, "invoice.pdf").result(timeout=120)
    assert _fields(document)["invoice_number"] == "POOL-1"


def test_table_continued_on_the_next_page_under_a_repeated_header() -> None:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    items = [(f"Item number {i}", Decimal(i), Decimal("2.50")) for i in range(1, 61)]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 10)

    def header(y: float) -> None:
        for x, text in ((50, "Description"), (300, "Qty"), (380, "Unit price"), (480, "Amount")):
            pdf.drawString(x, y, text)

    pdf.drawString(50, 800, "INVOICE")
    pdf.drawString(50, 780, "Invoice number: MP-1")
    y = 740.0
    header(y)
    for description, quantity, price in items:
        y -= 14
        if y < 80:
            pdf.drawString(380, 60, "continued on next page")
            pdf.showPage()
            pdf.setFont("Helvetica", 10)
            header(800)
            y = 786
        pdf.drawString(50, y, description)
        pdf.drawRightString(320, y, str(quantity))
        pdf.drawRightString(440, y, f"{price:.2f}")
        pdf.drawRightString(530, y, f"{quantity * price:.2f}")
    pdf.drawString(330, y - 30, "Total due")
    pdf.drawRightString(530, y - 30, f"{sum(q * p for _, q, p in items):.2f}")
    pdf.showPage()
    pdf.save()
    [document] = capture_document(buffer.getvalue(), "long.pdf")
    assert document.page_count == 2
    rows = [{f.name: f.value for f in item.fields} for item in document.line_items]
    assert [r["description"] for r in rows] == [d for d, _, _ in items]
    assert [Decimal(r["amount"]) for r in rows] == [q * p for _, q, p in items]
