"""Drawing on a reportlab canvas while recording the ground truth of what was drawn.

The renderers never write truth by hand: every value that belongs to the capture vocabulary is
drawn through :meth:`Pen.field` or :meth:`Pen.line_field`, which store the canonical value next to
the printed text. The truth file is therefore exactly what the page shows, no more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from devkit.corpus.formatting import collapse

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_TTF_SETS = {
    "dejavu_sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "dejavu_serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "dejavu_condensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    "dejavu_mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
}
_BUILTIN_SETS = {
    "helvetica": ("Helvetica", "Helvetica-Bold"),
    "times": ("Times-Roman", "Times-Bold"),
    "courier": ("Courier", "Courier-Bold"),
}


def font_pair(name: str) -> tuple[str, str]:
    """(regular, bold) reportlab font names for a layout's ``font``.

    DejaVu faces are registered from the system font directory; where it is missing the layout
    falls back to Helvetica (the rendering differs, the truth does not).
    """
    if name in _BUILTIN_SETS:
        return _BUILTIN_SETS[name]
    files = _TTF_SETS.get(name)
    if files is None or not all((_DEJAVU / f).exists() for f in files):
        return _BUILTIN_SETS["helvetica"]
    names = (f"{name}-regular", f"{name}-bold")
    registered = set(pdfmetrics.getRegisteredFontNames())
    for font_name, file_name in zip(names, files, strict=True):
        if font_name not in registered:
            pdfmetrics.registerFont(TTFont(font_name, str(_DEJAVU / file_name)))
    return names


@dataclass
class Pen:
    """A canvas plus the record of the vocabulary fields drawn on it."""

    canvas: Canvas
    font: str
    size: float
    fields: dict[str, str] = field(default_factory=dict)
    printed: dict[str, str] = field(default_factory=dict)
    line_items: dict[int, dict[str, str]] = field(default_factory=dict)
    line_printed: dict[int, dict[str, str]] = field(default_factory=dict)
    page: int = 1

    def __post_init__(self) -> None:
        self.regular, self.bold = font_pair(self.font)

    def width(self, text: str, *, bold: bool = False, size: float | None = None) -> float:
        """Width in points of ``text`` in this pen's font."""
        return float(pdfmetrics.stringWidth(text, self.bold if bold else self.regular, size or self.size))

    def text(self, x: float, y: float, text: str, *, bold: bool = False, size: float | None = None,
             align: str = "left", color: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> None:
        """Draw ``text`` with its baseline at ``y``; ``align`` says what ``x`` is (left/right/center)."""
        self.canvas.setFillColorRGB(*color)
        self.canvas.setFont(self.bold if bold else self.regular, size or self.size)
        if align == "right":
            self.canvas.drawRightString(x, y, text)
        elif align == "center":
            self.canvas.drawCentredString(x, y, text)
        else:
            self.canvas.drawString(x, y, text)
        self.canvas.setFillColorRGB(0, 0, 0)

    def record(self, name: str, printed: str, canonical: str) -> None:
        """Note that field ``name`` stands on the page as ``printed`` (first print wins)."""
        if name not in self.fields:
            self.fields[name] = canonical
            self.printed[name] = collapse(printed)

    def field(self, name: str, x: float, y: float, printed: str, canonical: str, *, bold: bool = False,
              size: float | None = None, align: str = "left",
              color: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> None:
        """Draw a vocabulary field's printed text and record its truth."""
        self.text(x, y, printed, bold=bold, size=size, align=align, color=color)
        self.record(name, printed, canonical)

    def line_field(self, index: int, name: str, printed: str, canonical: str) -> None:
        """Record a line-item value drawn by a table renderer."""
        self.line_items.setdefault(index, {})[name] = canonical
        self.line_printed.setdefault(index, {})[name] = collapse(printed)

    def wrap(self, text: str, width: float, *, bold: bool = False, size: float | None = None) -> list[str]:
        """``text`` broken at spaces into lines no wider than ``width`` (a long word stays whole)."""
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}".strip()
            if current and self.width(candidate, bold=bold, size=size) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        if current:
            lines.append(current)
        return lines or [""]
