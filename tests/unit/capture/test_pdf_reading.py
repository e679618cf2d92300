"""The PDF text layer: word boxes land on the ink of the rendered page, whatever /Rotate says."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest

from docket.reading.pdf import open_pdf, render, text_layer
from tests.unit.capture.builders import InvoiceSpec, invoice_pdf


def _rotated(data: bytes, degrees: int) -> bytes:
    pdf = pdfium.PdfDocument(data)
    pdf[0].set_rotation(degrees)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_word_boxes_cover_ink_on_rotated_pages(degrees: int) -> None:
    pdf = open_pdf(_rotated(invoice_pdf(InvoiceSpec()), degrees), max_pages=2)
    page = text_layer(pdf[0], 1)
    image = render(pdf[0], dpi=100, max_pixels=10**8)
    height, width = image.shape[:2]
    assert page.rotation == degrees
    assert (width > height) == (degrees in (90, 270))
    for word in page.words:
        box = image[int(word.y0 * height):int(word.y1 * height) + 1, int(word.x0 * width):int(word.x1 * width) + 1]
        assert (box < 128).mean() > 0.05, f"no ink under {word.text!r}"


def test_render_lowers_dpi_to_stay_within_the_pixel_limit() -> None:
    pdf = open_pdf(invoice_pdf(InvoiceSpec()), max_pages=2)
    image = render(pdf[0], dpi=300, max_pixels=2_000_000)
    assert image.shape[0] * image.shape[1] <= 2_000_000
    assert image.dtype == np.uint8 and image.shape[2] == 3


def _kerned_pdf() -> bytes:
    """Lines whose space glyph is squeezed to a kerning gap inside a word ("Taxiunter nehmen",
    "Ver käufer:") beside lines with real word spaces."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595, 842))
    for y, text, word_space in ((780, "Taxiunter nehmen", -2.6), (760, "Ver käufer:", -2.6), (740, "TX GmbH", 0.0),
                                (720, "Summe netto", 0.0)):
        line = pdf.beginText(72, y)
        line.setFont("Helvetica", 11)
        line.setWordSpace(word_space)
        line.textLine(text)
        pdf.drawText(line)
    pdf.save()
    return buffer.getvalue()


def test_words_split_by_a_kerning_gap_are_read_whole() -> None:
    page = text_layer(open_pdf(_kerned_pdf(), max_pages=1)[0], 1)
    texts = [w.text for w in page.words]
    assert "Taxiunternehmen" in texts and "Verkäufer:" in texts
    assert {"TX", "GmbH", "Summe", "netto"} <= set(texts)
