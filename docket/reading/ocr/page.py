"""One image page through preprocessing and OCR into a :class:`~docket.reading.page.Page`."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from docket.reading.errors import CaptureBudgetExceededError, OcrFailedError
from docket.reading.ocr.base import OcrEngine, OcrWord
from docket.reading.page import Page, Word, clamp01
from docket.reading.preprocess import prepare_for_ocr, quarter_turn

# Upright text reads at ~0.95+ mean confidence even when damaged; upside-down text reads as
# garbage near 0.6-0.7, so a page below this bar is tried the other way up.
_UPRIGHT_CONFIDENCE = 0.85


def ocr_page(image: npt.NDArray[np.uint8], number: int, engine: OcrEngine) -> Page:
    """Words of ``image`` (RGB) read by ``engine`` after orientation, deskew, denoise and upscale.

    Boxes are fractions of the prepared (upright) image. ``notes`` lists the preprocessing steps.
    Engine errors (unavailable, failed) propagate as CaptureError subclasses.
    """
    try:
        prepared = prepare_for_ocr(image)
    except cv2.error as error:
        if error.code == cv2.Error.StsNoMem:
            raise CaptureBudgetExceededError(f"preparing page {number} for OCR needs more memory than the budget",
                                             details={"budget": "memory"}) from error
        raise OcrFailedError(f"page {number} cannot be prepared for OCR: {error.code}") from error
    upright = prepared.image
    words = engine.recognize(upright)
    turns = prepared.quarter_turns
    steps = list(prepared.steps)
    if _mostly_vertical(words):
        # The words stand on their side: the pixel test turned an upright page (narrow receipts with
        # tight line spacing fool it) or missed a sideways one. Read it a quarter turn the other way.
        back = 3 if turns % 2 else 1
        turned = quarter_turn(upright, back)
        turned_words = engine.recognize(turned)
        if not _mostly_vertical(turned_words) and len(turned_words) >= 0.5 * len(words):
            upright, words, turns = turned, turned_words, turns + back
            steps = [step for step in steps if step != "quarter_turn"] + (["quarter_turn"] if turns % 2 else [])
    if words and _mean_confidence(words) < _UPRIGHT_CONFIDENCE:
        flipped = quarter_turn(upright, 2)
        flipped_words = engine.recognize(flipped)
        if _mean_confidence(flipped_words) > _mean_confidence(words):
            upright, words, turns = flipped, flipped_words, turns + 2
            steps.append("half_turn")
    height, width = upright.shape[:2]
    return Page(number=number, words=tuple(_to_fractions(words, width, height)), width=float(width),
                height=float(height), source="ocr", engine=engine.name, rotation=(turns % 4) * 90,
                notes=tuple(steps))


def _mostly_vertical(words: list[OcrWord]) -> bool:
    """Most words of three or more characters in boxes taller than wide (text read on its side)."""
    long_words = [w for w in words if len(w.text) >= 3]
    if len(long_words) < 3:
        return False
    upright = sum(1 for w in long_words if (w.y1 - w.y0) > 1.2 * (w.x1 - w.x0))
    return upright > 0.5 * len(long_words)


def _mean_confidence(words: list[OcrWord]) -> float:
    """Character-weighted mean confidence (0 for no words)."""
    chars = sum(len(w.text) for w in words)
    if chars == 0:
        return 0.0
    return sum(w.confidence * len(w.text) for w in words) / chars


def _to_fractions(words: list[OcrWord], width: int, height: int) -> list[Word]:
    return [Word(w.text, clamp01(w.x0 / width), clamp01(w.y0 / height), clamp01(w.x1 / width),
                 clamp01(w.y1 / height), w.confidence) for w in words]
