"""Document pages for the task page: PNG renders and the words a reviewer can click.

PDFs render with pypdfium2 and give their text layer's words; images (multi-frame TIFFs
included) and PDF pages without a text layer give the words an OCR engine reads, when the
workspace has one (``ocr``): then a reviewer can click a scan's words, and IBANs anywhere on a
scan are blacked out like on a text page. Boxes are page fractions (``docket.model.BBox``), so they overlay the image at
any display size. Renders are cached per (content hash, page, width) in memory.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from docket.errors import DocketError
from docket.reading.images import decode_image_pages
from docket.reading.ocr import OcrEngine
from docket.reading.pdf import iter_pages, open_pdf, render, text_layer
from docket.reading.read import read_pages
from docket.reading.sniff import PDF, sniff_media_type

MAX_PAGES = 200
MAX_PIXELS = 40_000_000
RENDER_DPI = 110
OCR_DPI = 200
# Preprocessing steps after which OCR boxes no longer sit on the original image (upscale and
# denoise keep the geometry: boxes are page fractions).
_MOVED_PIXELS = ("deskew", "quarter_turn", "half_turn")
_CACHE_SIZE = 16
Box = tuple[float, float, float, float]


class PageError(DocketError):
    code = "REVIEW_PAGE_UNAVAILABLE"


@dataclass(frozen=True)
class PageWord:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class DocumentPages:
    """How many pages the document has and the clickable words of each (1-based)."""

    count: int
    words: dict[int, list[PageWord]]


_lock = threading.Lock()  # pypdfium2 is not thread-safe; the server renders from a thread pool
_renders: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
_layouts: OrderedDict[str, DocumentPages] = OrderedDict()


def _remember(cache: OrderedDict, key: object, value: object) -> None:  # type: ignore[type-arg]
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def page_layout(sha256: str, data: bytes, ocr: OcrEngine | None = None) -> DocumentPages:
    """The page count and words of the document ``data`` (content hash ``sha256``): text-layer
    words, and with ``ocr`` the words it reads on pages that have none (scans, photos)."""
    with _lock:
        if sha256 in _layouts:
            return _layouts[sha256]
        try:
            media_type = sniff_media_type(data)
            if media_type == PDF:
                pdf = open_pdf(data, max_pages=MAX_PAGES)
                try:
                    words = {number: [PageWord(w.text, w.x0, w.y0, w.x1, w.y1) for w in text_layer(page, number).words]
                             for number, page in iter_pages(pdf)}
                finally:
                    pdf.close()
            else:
                count = sum(1 for _ in decode_image_pages(data, max_pixels=MAX_PIXELS, max_pages=MAX_PAGES))
                words = {number: [] for number in range(1, count + 1)}
            if ocr is not None and any(not page_words for page_words in words.values()):
                words.update(_ocr_words(data, media_type, ocr, words))
        except DocketError as error:
            raise PageError(f"the document cannot be shown: {error.message}") from error
        layout = DocumentPages(count=len(words), words={n: w for n, w in words.items() if w})
        _remember(_layouts, sha256, layout)
        return layout


def _ocr_words(data: bytes, media_type: str, ocr: OcrEngine,
               words: dict[int, list[PageWord]]) -> dict[int, list[PageWord]]:
    """Words OCR reads on the pages of ``words`` that have none. A page capture turned or deskewed
    is left out: its boxes would not sit on the image the workspace shows."""
    pages, _ = read_pages(data, media_type, engine=ocr, max_pages=MAX_PAGES, max_pixels=MAX_PIXELS, dpi=OCR_DPI)
    return {page.number: [PageWord(w.text, w.x0, w.y0, w.x1, w.y1) for w in page.words]
            for page in pages
            if page.source == "ocr" and not words.get(page.number) and page.rotation == 0
            and not any(step.startswith(_MOVED_PIXELS) for step in page.notes)}


def _blacked_out(pixels: np.ndarray, hidden: list[Box]) -> np.ndarray:
    if not hidden:
        return pixels
    covered = pixels.copy()
    height, width = covered.shape[:2]
    for x0, y0, x1, y1 in hidden:
        # A margin of a few pixels: boxes hug the glyphs, antialiasing does not.
        left, top = max(int(x0 * width) - 3, 0), max(int(y0 * height) - 3, 0)
        right, bottom = min(int(x1 * width) + 4, width), min(int(y1 * height) + 4, height)
        covered[top:bottom, left:right] = 40
    return covered


def page_png(sha256: str, data: bytes, number: int, hidden: list[Box] | None = None) -> bytes:
    """Page ``number`` (1-based) of the document as PNG with the ``hidden`` boxes (page fractions)
    blacked out; raises REVIEW_PAGE_UNAVAILABLE."""
    with _lock:
        pixels = _renders.get((sha256, number))
        if pixels is None:
            pixels = _rendered(data, number)
            _remember(_renders, (sha256, number), pixels)
        return _png(_blacked_out(pixels, hidden or []))


def _rendered(data: bytes, number: int) -> np.ndarray:
    try:
        if sniff_media_type(data) == PDF:
            pdf = open_pdf(data, max_pages=MAX_PAGES)
            try:
                if not 1 <= number <= len(pdf):
                    raise PageError(f"the document has no page {number}")
                page = pdf[number - 1]
                try:
                    pixels = render(page, dpi=RENDER_DPI, max_pixels=MAX_PIXELS)
                finally:
                    page.close()
            finally:
                pdf.close()
        else:
            frames = decode_image_pages(data, max_pixels=MAX_PIXELS, max_pages=MAX_PAGES)
            found = next((frame for index, (frame, _) in enumerate(frames, start=1) if index == number), None)
            if found is None:
                raise PageError(f"the document has no page {number}")
            pixels = found
    except PageError:
        raise
    except (DocketError, pdfium.PdfiumError) as error:
        raise PageError(f"page {number} cannot be rendered: {error}") from error
    return pixels
