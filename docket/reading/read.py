"""From file bytes to pages of words: the PDF text layer where there is one, OCR otherwise."""

from __future__ import annotations

import time

from docket.reading import sniff
from docket.reading.errors import EmptyFileError, UnsupportedTypeError
from docket.reading.images import decode_image_pages
from docket.reading.ocr import OcrEngine, ocr_page
from docket.reading.page import Page
from docket.reading.pdf import iter_pages, open_pdf, render, text_layer


def read_pages(data: bytes, media_type: str, *, engine: OcrEngine, max_pages: int, max_pixels: int, dpi: int,
               min_text_words: int = 3, force_ocr: bool = False) -> tuple[list[Page], float]:
    """Pages of ``data`` and the seconds spent in OCR.

    A PDF page with fewer than ``min_text_words`` words in its text layer is rendered at ``dpi``
    and OCR'd; images are always OCR'd (every frame of a multi-page TIFF). Limits raise
    CAPTURE_TOO_MANY_PAGES / CAPTURE_IMAGE_TOO_LARGE before the expensive work.
    """
    if media_type == sniff.PDF:
        pages, ocr_seconds = _read_pdf(data, engine, max_pages, max_pixels, dpi, min_text_words, force_ocr)
    elif media_type in sniff.IMAGE_TYPES:
        pages, ocr_seconds = _read_image(data, engine, max_pages, max_pixels)
    else:
        raise UnsupportedTypeError(f"{media_type} is not read as pages")
    if not pages:
        raise EmptyFileError("the file has no pages")
    return pages, ocr_seconds


def _read_pdf(data: bytes, engine: OcrEngine, max_pages: int, max_pixels: int, dpi: int, min_text_words: int,
              force_ocr: bool) -> tuple[list[Page], float]:
    pdf = open_pdf(data, max_pages=max_pages)
    pages: list[Page] = []
    ocr_seconds = 0.0
    try:
        for number, pdf_page in iter_pages(pdf):
            page = text_layer(pdf_page, number)
            if force_ocr or len(page.words) < min_text_words:
                started = time.perf_counter()
                image = render(pdf_page, dpi=dpi, max_pixels=max_pixels)
                page = ocr_page(image, number, engine)
                ocr_seconds += time.perf_counter() - started
            pages.append(page)
    finally:
        pdf.close()
    return pages, ocr_seconds


def _read_image(data: bytes, engine: OcrEngine, max_pages: int, max_pixels: int) -> tuple[list[Page], float]:
    pages: list[Page] = []
    ocr_seconds = 0.0
    for number, (image, _dpi) in enumerate(decode_image_pages(data, max_pixels=max_pixels, max_pages=max_pages),
                                           start=1):
        started = time.perf_counter()
        pages.append(ocr_page(image, number, engine))
        ocr_seconds += time.perf_counter() - started
    return pages, ocr_seconds
