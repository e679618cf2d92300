"""Geometry of a read document: words grouped into lines, lines into segments (runs of words
separated by small gaps), with boxes kept so every value can point back to where it stood.

Coordinates are page fractions; horizontal gaps are compared in units of text height after
correcting for the page aspect ratio, so the same thresholds hold for text layer and OCR.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from docket.model import BBox
from docket.reading.page import Page, Word

# A gap wider than this many text heights separates two segments (columns, label | value).
_SEGMENT_GAP = 1.1


@dataclass(frozen=True)
class Segment:
    """Consecutive words of one line with no wide gap between them."""

    page: int
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def confidence(self) -> float:
        return min(w.confidence for w in self.words)


@dataclass(frozen=True)
class Line:
    """One visual line of a page: its segments left to right and its index on the page."""

    page: int
    index: int
    segments: tuple[Segment, ...]

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for s in self.segments for w in s.words)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    @property
    def y0(self) -> float:
        return min(s.y0 for s in self.segments)

    @property
    def y1(self) -> float:
        return max(s.y1 for s in self.segments)

    @property
    def height(self) -> float:
        return statistics.median(w.height for w in self.words)


def bbox_of(page: int, words: Iterable[Word]) -> BBox | None:
    """The box around ``words`` on 1-based ``page`` (None for no words)."""
    items = list(words)
    if not items:
        return None
    return BBox(page=page, x0=min(w.x0 for w in items), y0=min(w.y0 for w in items),
                x1=max(w.x1 for w in items), y1=max(w.y1 for w in items))


def page_lines(page: Page) -> list[Line]:
    """The page's words grouped into lines (top to bottom) and segments (left to right)."""
    aspect = page.width / page.height if page.height else 1.0
    rows = _group_rows(page.words)
    return [Line(page=page.number, index=index, segments=tuple(_segments(page.number, row, aspect)))
            for index, row in enumerate(rows)]


def _group_rows(words: Sequence[Word]) -> list[list[Word]]:
    """Words chained left to right into rows: a word joins the row whose last word ends before it
    and sits within half a text height of it. Chaining neighbour to neighbour follows lines that
    drift on a slightly skewed or warped scan, where one straight band would cut them."""
    rows: list[list[Word]] = []
    for word in sorted((w for w in words if w.height > 0), key=lambda w: (w.x0, w.cy)):
        best, best_distance = None, 0.0
        for row in rows:
            last = row[-1]
            distance = abs(last.cy - word.cy)
            # Overlapping a row's last word is only allowed on the very same baseline.
            if last.x1 > word.x0 + 0.25 * word.height and distance > 0.2 * word.height:
                continue
            if distance <= 0.5 * max(last.height, word.height) and (best is None or distance < best_distance):
                best, best_distance = row, distance
        if best is None:
            rows.append([word])
        else:
            best.append(word)
    rows.sort(key=lambda row: statistics.fmean(w.cy for w in row))
    return rows


def _segments(page: int, row: list[Word], aspect: float) -> list[Segment]:
    height = statistics.median(w.height for w in row)
    segments: list[list[Word]] = [[row[0]]]
    for previous, word in pairwise(row):
        gap = (word.x0 - previous.x1) * aspect
        if gap > _SEGMENT_GAP * height:
            segments.append([word])
        else:
            segments[-1].append(word)
    return [Segment(page=page, words=tuple(s)) for s in segments]


def document_lines(pages: Sequence[Page]) -> list[Line]:
    """Lines of all pages in reading order (page by page, top to bottom)."""
    return [line for page in pages for line in page_lines(page)]
