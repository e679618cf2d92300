"""What reading produces: pages of words with boxes, whatever the source (text layer or OCR).

Boxes are fractions of the page (0..1, origin top left) so that text-layer points and OCR
pixels at any dpi compare directly. Everything here is a frozen, picklable value.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Word:
    """One word on a page: its text, box as page fractions, and the reader's confidence (0..1)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float = 1.0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass(frozen=True, slots=True)
class Page:
    """One read page: 1-based ``number`` in the source file, its words in reading order as found,
    the page size in the reader's unit (points or pixels), ``source`` (``text_layer``/``ocr``) and
    the ``engine`` that read it (``text_layer`` or e.g. ``rapidocr-3.10.0/PP-OCRv6-small``)."""

    number: int
    words: tuple[Word, ...]
    width: float
    height: float
    source: str
    engine: str
    rotation: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def clamp01(value: float) -> float:
    """``value`` clipped into 0..1 (readers can report boxes a hair outside the page)."""
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value
