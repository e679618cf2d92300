"""Scanned pages on the task page: with an OCR engine their words are read, so an IBAN printed
anywhere on a scan is blacked out on the page image, not only the extracted field's box."""

from __future__ import annotations

import io
import uuid

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from connectors.web import pages
from connectors.web.routes.tasks import hidden_boxes
from docket.reading.ocr import RapidOcrEngine

IBAN_LINE = "IBAN DE89 3704 0044 0532 0130 00"


def _scan() -> bytes:
    """A white page with a heading and a bank line, as a PNG (no text layer: a scan)."""
    image = Image.new("RGB", (1240, 900), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    draw.text((80, 120), "Invoice 2026-117", fill="black", font=font)
    draw.text((80, 520), IBAN_LINE, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_without_an_engine_a_scan_has_no_words() -> None:
    layout = pages.page_layout(uuid.uuid4().hex, _scan())
    assert layout.count == 1 and layout.words == {}
    assert hidden_boxes([], layout, frozenset()) == {}


def test_with_an_engine_an_iban_anywhere_on_a_scan_is_blacked_out() -> None:
    data, sha = _scan(), uuid.uuid4().hex
    layout = pages.page_layout(sha, data, RapidOcrEngine(threads=1))
    texts = " ".join(word.text for word in layout.words[1])
    assert "DE89" in texts.replace(" ", "") or "DE893704" in texts.replace(" ", "")
    hidden = hidden_boxes([], layout, frozenset())[1]
    assert hidden, "the IBAN's words were not found on the scan"
    # The hidden boxes lie on the bank line (lower half), not on the heading.
    assert all(0.45 < (y0 + y1) / 2 < 0.75 for _, y0, _, y1 in hidden)
    shown = np.asarray(Image.open(io.BytesIO(pages.page_png(sha, data, 1, hidden))).convert("L"))
    height, width = shown.shape
    x0, y0, x1, y1 = hidden[0]
    inside = shown[int(y0 * height) + 2:int(y1 * height) - 2, int(x0 * width) + 2:int(x1 * width) - 2]
    assert inside.size and inside.max() <= 40  # blacked out: no white paper left in the box
    # An approver who unmasked the IBAN sees it.
    assert hidden_boxes([], layout, frozenset({"supplier_iban"})).get(1, []) == []
