"""The OCR engine interface: an image in, words with pixel boxes and confidences out.

Engines are created cheaply and load their models lazily on first use, so an engine object
can be pickled into a worker process and each process pays the model load once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class OcrWord:
    """A recognised word: text, axis-aligned pixel box (x0, y0, x1, y1), confidence 0..1."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float


@runtime_checkable
class OcrEngine(Protocol):
    """What capture needs from an OCR engine.

    ``name`` identifies engine and models for provenance (``rapidocr-3.10.0/PP-OCRv6-small``).
    ``recognize`` takes an RGB uint8 array of an upright page and returns its words; it raises
    ``OcrEngineUnavailableError`` when the engine or its models are absent and
    ``OcrFailedError`` when recognition itself fails.
    """

    @property
    def name(self) -> str: ...

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrWord]: ...


def quad_to_box(points: object) -> tuple[float, float, float, float]:
    """The axis-aligned box around a polygon given as [[x, y], ...]."""
    array = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return (float(array[:, 0].min()), float(array[:, 1].min()),
            float(array[:, 0].max()), float(array[:, 1].max()))
