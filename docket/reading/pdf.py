"""PDF reading with pypdfium2: open with limits, the text layer as words with boxes, rendering.

pypdfium2 is not thread-safe; capture runs one document per process, which is the intended use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium

from docket.reading.errors import ImageTooLargeError, PdfCorruptError, PdfEncryptedError, TooManyPagesError
from docket.reading.page import Page, Word, clamp01

_PASSWORD_ERROR = 4
_WORD = re.compile(r"\S+")
MIN_RENDER_DPI = 72


def open_pdf(data: bytes, *, max_pages: int) -> pdfium.PdfDocument:
    """The parsed document; raises CAPTURE_PDF_ENCRYPTED (password needed), CAPTURE_PDF_CORRUPT,
    or CAPTURE_TOO_MANY_PAGES (more than ``max_pages``, checked before any page is read)."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _PASSWORD_ERROR:
            raise PdfEncryptedError("the PDF is password-protected") from exc
        raise PdfCorruptError(f"the PDF cannot be parsed ({exc})") from exc
    page_count = len(pdf)
    if page_count == 0:
        pdf.close()
        raise PdfCorruptError("the PDF has no pages")
    if page_count > max_pages:
        pdf.close()
        raise TooManyPagesError(f"the PDF has {page_count} pages, the limit is {max_pages}",
                                details={"pages": str(page_count), "limit": str(max_pages)})
    return pdf


def iter_pages(pdf: pdfium.PdfDocument) -> Iterator[tuple[int, pdfium.PdfPage]]:
    """(1-based number, page) for every page, closing each page after use."""
    for index in range(len(pdf)):
        try:
            page = pdf[index]
        except pdfium.PdfiumError as exc:
            raise PdfCorruptError(f"page {index + 1} cannot be loaded ({exc})") from exc
        try:
            yield index + 1, page
        finally:
            page.close()


def text_layer(page: pdfium.PdfPage, number: int) -> Page:
    """The page's embedded text as words with boxes (page fractions, rotation applied).

    A scanned page yields a Page with no words; the caller decides to OCR it. Only the first and
    last character box of each word is queried, which keeps a dense page at a few milliseconds;
    they also rejoin words a kerning gap split (see :func:`_joined_words`).
    """
    left, bottom, right, top = page.get_mediabox()
    width, height = right - left, top - bottom
    rotation = page.get_rotation() % 360
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        words: list[Word] = []
        if len(text) == count:
            for word_text, first, last in _joined_words(textpage, text):
                box = _word_box(first, last, left, bottom, width, height)
                if box is not None:
                    words.append(Word(word_text, *_rotate(box, rotation)))
    finally:
        textpage.close()
    page_w, page_h = (height, width) if rotation in (90, 270) else (width, height)
    return Page(number=number, words=tuple(words), width=page_w, height=page_h, source="text_layer",
                engine="text_layer", rotation=rotation)


CharBox = tuple[float, float, float, float]
# A space inserted inside a kerned word ("Taxiunter nehmen", "Ver käufer:") is narrower than this
# share of the word's mean character width; a real word space is half a character or more.
_KERNING_GAP = 0.3


def _joined_words(textpage: pdfium.PdfTextPage, text: str) -> Iterator[tuple[str, CharBox, CharBox]]:
    """The words of ``text`` with their first and last character boxes; a word that a too narrow
    gap splits before a lower-case letter is given back whole."""
    pending: tuple[str, CharBox, CharBox, int] | None = None
    for match in _WORD.finditer(text):
        first_box = textpage.get_charbox(match.start())
        last_box = textpage.get_charbox(match.end() - 1) if match.end() - 1 != match.start() else first_box
        if pending is not None:
            word, start_box, end_box, end = pending
            if text[end:match.start()] == " " and _kerned(word, start_box, end_box, match.group(), first_box):
                pending = (word + match.group(), start_box, last_box, match.end())
                continue
            yield word, start_box, end_box
        pending = (match.group(), first_box, last_box, match.end())
    if pending is not None:
        yield pending[0], pending[1], pending[2]


def _kerned(word: str, start_box: CharBox, end_box: CharBox, following: str, first_box: CharBox) -> bool:
    if not (word[-1].isalpha() and following[0].islower()):
        return False
    char_width = (end_box[2] - start_box[0]) / len(word)
    baseline_apart = abs(end_box[1] - first_box[1])
    gap = first_box[0] - end_box[2]
    return char_width > 0 and baseline_apart < 0.5 * char_width and -0.1 * char_width < gap < _KERNING_GAP * char_width


def _word_box(first: CharBox, last: CharBox, left: float, bottom: float,
              width: float, height: float) -> tuple[float, float, float, float] | None:
    l0, b0, r0, t0 = first
    l1, b1, r1, t1 = last
    if width <= 0 or height <= 0:
        return None
    x0 = (min(l0, l1) - left) / width
    x1 = (max(r0, r1) - left) / width
    y0 = 1.0 - (max(t0, t1) - bottom) / height
    y1 = 1.0 - (min(b0, b1) - bottom) / height
    return clamp01(x0), clamp01(y0), clamp01(x1), clamp01(y1)


def _rotate(box: tuple[float, float, float, float], rotation: int) -> tuple[float, float, float, float]:
    """A box in the unrotated page turned by the page's /Rotate (clockwise) into the displayed page."""
    x0, y0, x1, y1 = box
    if rotation == 90:
        return 1 - y1, x0, 1 - y0, x1
    if rotation == 180:
        return 1 - x1, 1 - y1, 1 - x0, 1 - y0
    if rotation == 270:
        return y0, 1 - x1, y1, 1 - x0
    return box


def render(page: pdfium.PdfPage, *, dpi: int, max_pixels: int) -> npt.NDArray[np.uint8]:
    """The page as an RGB array at ``dpi``, lowered (not below 72 dpi) to stay within ``max_pixels``.

    Raises CAPTURE_IMAGE_TOO_LARGE when even 72 dpi exceeds the limit (an absurd page size).
    """
    width_pt, height_pt = page.get_size()
    pixels_at = (width_pt * height_pt) / (72.0 * 72.0)
    chosen = float(dpi)
    if pixels_at * chosen * chosen > max_pixels:
        # pdfium rounds bitmap sides up: stay a hair under the limit.
        chosen = 0.995 * (max_pixels / pixels_at) ** 0.5
    if chosen < MIN_RENDER_DPI:
        raise ImageTooLargeError(f"page of {width_pt:.0f}x{height_pt:.0f} pt is too large to render",
                                 details={"max_pixels": str(max_pixels)})
    bitmap = page.render(scale=chosen / 72.0, rev_byteorder=True)
    try:
        array = bitmap.to_numpy()
        rgb: npt.NDArray[np.uint8] = np.ascontiguousarray(array[:, :, :3])
    finally:
        bitmap.close()
    return rgb
