"""Text-layer PDFs from document content and a layout family, with the truth of what was drawn."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from devkit.corpus.content import DocumentContent
from devkit.corpus.layouts import Layout
from devkit.corpus.pen import Pen
from devkit.corpus.render_commercial import render_commercial
from devkit.corpus.render_slips import RECEIPT_WIDTH, receipt_height, render_receipt, render_remittance


@dataclass(frozen=True)
class RenderedDocument:
    """A rendered PDF and its truth: ``fields`` and ``line_items`` hold canonical values of exactly
    the vocabulary fields drawn; ``printed`` and ``line_printed`` hold their text as drawn."""

    pdf: bytes
    pages: int
    fields: dict[str, str]
    line_items: list[dict[str, str]]
    printed: dict[str, str]
    line_printed: list[dict[str, str]]


def _draw(content: DocumentContent, layout: Layout, total_pages: int) -> tuple[bytes, Pen]:
    buffer = io.BytesIO()
    size = (RECEIPT_WIDTH, receipt_height(content, layout)) if layout.renderer == "receipt" else A4
    # invariant: no creation date or random document id, so the same seed gives the same bytes
    canvas = Canvas(buffer, pagesize=size, invariant=True, pageCompression=1)
    canvas.setTitle(f"{content.document_type} {content.number}")
    pen = Pen(canvas, layout.font, layout.size)
    if layout.renderer == "receipt":
        render_receipt(pen, content, layout)
    elif layout.renderer == "remittance":
        render_remittance(pen, content, layout)
    else:
        render_commercial(pen, content, layout, total_pages)
    canvas.save()
    return buffer.getvalue(), pen


def render_pdf(content: DocumentContent, layout: Layout) -> RenderedDocument:
    """Render ``content`` in ``layout``. Drawn twice: the first pass counts pages for "Page x of n"."""
    _, dry = _draw(content, layout, total_pages=0)
    pdf, pen = _draw(content, layout, total_pages=dry.page)
    indexes = sorted(pen.line_items)
    return RenderedDocument(pdf=pdf, pages=pen.page, fields=dict(pen.fields),
                            line_items=[pen.line_items[i] for i in indexes], printed=dict(pen.printed),
                            line_printed=[pen.line_printed[i] for i in indexes])
