"""Image clean-up before OCR: quarter-turn orientation, deskew, denoise, upscale of low-res scans.

Each step is a pure function on numpy arrays. Upside-down (180°) pages cannot be told from the
pixels cheaply; the OCR step settles 0 vs 180 by recognition confidence (see ``reading.ocr.page``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

# cv2 stubs type results loosely; arrays here are uint8 images in practice.
Image = npt.NDArray[Any]
_ANALYSIS_WIDTH = 1000
_MAX_SKEW_DEGREES = 10.0
_TARGET_TEXT_HEIGHT_PX = 16.0
_MAX_UPSCALE = 3.0
# Deskewing grows the canvas to keep every corner: a page grows by a few percent, a thin strip
# (1 x 68,000 px) turned by 11 degrees by a factor of ten thousand. Bound both turns and upscaling.
_MAX_DESKEW_GROWTH = 2.0
_MAX_PREPARED_PIXELS = 64_000_000


@dataclass(frozen=True)
class Prepared:
    """The cleaned image and what was done to it: quarter turns applied (clockwise, 0..3),
    deskew turn applied (degrees counter-clockwise), scale factor, and named steps for the audit trail."""

    image: Image
    quarter_turns: int
    skew_degrees: float
    scale: float
    steps: tuple[str, ...]


def to_gray(image: Image) -> Image:
    """An 8-bit single-channel copy of an RGB (or already gray) image."""
    if image.ndim == 2:
        return image
    gray: Image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return gray


def _ink(gray: Image) -> Image:
    """Dark pixels as 255 on 0, by Otsu's threshold (robust to uneven paper tone)."""
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ink: Image = mask
    return ink


def _small(gray: Image) -> tuple[Image, float]:
    height, width = gray.shape[:2]
    factor = min(1.0, _ANALYSIS_WIDTH / max(width, height))
    if factor >= 1.0:
        return gray, 1.0
    # At least one pixel each way: a 10000x1 strip would otherwise shrink to nothing (cv2 raises).
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    resized: Image = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    return resized, factor


def text_runs_vertical(gray: Image) -> bool:
    """True when the text lines run top-to-bottom (the page is turned a quarter).

    Smearing ink along the line direction merges characters into long thin blobs; the direction
    that yields more elongated blobs is the direction the text runs.
    """
    ink = _ink(_small(gray)[0])
    return _elongated_blobs(ink, vertical=True) > 1.3 * _elongated_blobs(ink, vertical=False) + 2


def _elongated_blobs(ink: Image, *, vertical: bool) -> int:
    kernel = np.ones((9, 1) if vertical else (1, 9), np.uint8)
    smeared = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, kernel)
    _, _, stats, _ = cv2.connectedComponentsWithStats(smeared, connectivity=8)
    widths, heights = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    if vertical:
        widths, heights = heights, widths
    # Line-sized blobs only: longer than a few characters, not a page-wide rule.
    long_thin = (widths >= 4 * np.maximum(heights, 1)) & (heights >= 3) & (heights <= 40)
    return int(np.count_nonzero(long_thin))


def estimate_skew(gray: Image) -> float:
    """The counter-clockwise turn in degrees (within ±10°) that levels the text lines.

    Searches the angle that makes the horizontal ink projection sharpest, coarse then fine.
    """
    ink = _ink(_small(gray)[0])
    if np.count_nonzero(ink) < 50:
        return 0.0
    best = _best_angle(ink, np.arange(-_MAX_SKEW_DEGREES, _MAX_SKEW_DEGREES + 0.01, 1.0))
    return _best_angle(ink, np.arange(best - 1.0, best + 1.01, 0.1))


def _best_angle(ink: Image, angles: npt.NDArray[np.float64]) -> float:
    height, width = ink.shape
    centre = (width / 2, height / 2)
    scores = []
    for angle in angles:
        matrix = cv2.getRotationMatrix2D(centre, float(angle), 1.0)
        turned = cv2.warpAffine(ink, matrix, (width, height), flags=cv2.INTER_NEAREST)
        profile = turned.sum(axis=1, dtype=np.float64)
        scores.append(float(np.sum(np.diff(profile) ** 2)))
    return float(angles[int(np.argmax(scores))])


def _rotated_pixels(image: Image, degrees: float) -> float:
    """Pixels of the canvas :func:`rotate` would make."""
    height, width = image.shape[:2]
    cos, sin = abs(math.cos(math.radians(degrees))), abs(math.sin(math.radians(degrees)))
    return float((height * sin + width * cos) * (height * cos + width * sin))


def rotate(image: Image, degrees: float) -> Image:
    """``image`` turned counter-clockwise by ``degrees``, canvas grown to keep every corner, white fill."""
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    fill = (255, 255, 255) if image.ndim == 3 else 255
    turned: Image = cv2.warpAffine(image, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR,
                                   borderValue=fill)
    return turned


def quarter_turn(image: Image, turns: int) -> Image:
    """``image`` turned clockwise by ``turns`` quarter turns."""
    turned: Image = np.ascontiguousarray(np.rot90(image, k=-(turns % 4)))
    return turned


def noise_level(gray: Image) -> float:
    """Share of ink blobs that are specks of a few pixels (salt-and-pepper, fax noise), 0..1.

    Measured at full resolution: downscaling would turn thin strokes into specks.
    """
    ink = _ink(gray)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return 0.0
    areas = stats[1:, cv2.CC_STAT_AREA]
    return float(np.count_nonzero(areas <= 3)) / float(areas.size)


def text_height_px(gray: Image) -> float:
    """Median height in pixels of character-sized ink blobs (0 when the page has none)."""
    ink = _ink(gray)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    chars = heights[(heights >= 4) & (heights <= 200) & (widths <= 3 * heights)]
    return float(np.median(chars)) if chars.size >= 20 else 0.0


def prepare_for_ocr(image: Image, *, deskew: bool = True) -> Prepared:
    """Quarter-turn, deskew, denoise and upscale ``image`` as needed; see :class:`Prepared`."""
    steps: list[str] = []
    turns = 0
    height, width = image.shape[:2]
    # A portrait image whose ink seems to run top to bottom is far more often a tightly printed till slip
    # than a page turned into a portrait frame; OCR's check for words on their side catches the rest.
    if width >= 0.8 * height and text_runs_vertical(to_gray(image)):
        turns = 1
        image = quarter_turn(image, turns)
        steps.append("quarter_turn")
    skew = estimate_skew(to_gray(image)) if deskew else 0.0
    if abs(skew) >= 0.3 and _rotated_pixels(image, skew) <= _MAX_DESKEW_GROWTH * image.shape[0] * image.shape[1]:
        image = rotate(image, skew)
        steps.append(f"deskew({skew:.1f})")
    elif abs(skew) >= 0.3:
        skew = 0.0  # an extreme aspect ratio: its skew means nothing, its turned canvas would not fit
    if noise_level(to_gray(image)) > 0.5:
        image = cv2.medianBlur(image, 3)
        steps.append("denoise")
    scale = _upscale_factor(to_gray(image))
    if scale > 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        steps.append(f"upscale({scale:.2f})")
    return Prepared(image=image, quarter_turns=turns, skew_degrees=skew, scale=scale, steps=tuple(steps))


def _upscale_factor(gray: Image) -> float:
    height = text_height_px(gray)
    if height <= 0 or height >= _TARGET_TEXT_HEIGHT_PX * 0.6:
        return 1.0
    room = math.sqrt(_MAX_PREPARED_PIXELS / max(1, gray.shape[0] * gray.shape[1]))
    return max(1.0, min(_MAX_UPSCALE, _TARGET_TEXT_HEIGHT_PX / height, room))
