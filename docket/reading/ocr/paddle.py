"""Optional PaddleOCR engine, run offline from locally installed model directories.

PaddleOCR downloads models at first use unless given directories; capture never downloads, so
each directory must already hold ``inference.onnx`` and ``inference.yml`` (pre-processing ops and
character dictionary) and the engine runs with ``engine="onnxruntime"``.
"""

from __future__ import annotations

import threading
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from docket.reading.errors import OcrEngineUnavailableError, OcrFailedError
from docket.reading.ocr.base import OcrWord, quad_to_box

_REQUIRED_FILES = ("inference.onnx", "inference.yml")


def check_model_dir(directory: Path) -> Path:
    """``directory`` if it holds an ONNX PaddleOCR model; else CAPTURE_OCR_ENGINE_UNAVAILABLE."""
    missing = [name for name in _REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        raise OcrEngineUnavailableError(f"PaddleOCR model directory {directory} lacks {', '.join(missing)}",
                                        details={"directory": str(directory)})
    return directory


class PaddleOcrEngine:
    """PaddleOCR (3.x) with local detection and recognition model directories; see module doc."""

    def __init__(self, detection_dir: str | Path, recognition_dir: str | Path) -> None:
        self._detection_dir = check_model_dir(Path(detection_dir))
        self._recognition_dir = check_model_dir(Path(recognition_dir))
        self._engine: Any = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"detection_dir": str(self._detection_dir), "recognition_dir": str(self._recognition_dir)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["detection_dir"], state["recognition_dir"])  # type: ignore[misc]

    @property
    def name(self) -> str:
        try:
            version = metadata.version("paddleocr")
        except metadata.PackageNotFoundError:
            version = "absent"
        return f"paddleocr-{version}/{self._detection_dir.name}+{self._recognition_dir.name}"

    def _load(self) -> Any:
        with self._lock:
            if self._engine is None:
                try:
                    from paddleocr import PaddleOCR
                except ImportError as exc:
                    raise OcrEngineUnavailableError("paddleocr is not installed") from exc
                self._engine = PaddleOCR(
                    text_detection_model_dir=str(self._detection_dir),
                    text_recognition_model_dir=str(self._recognition_dir),
                    use_doc_orientation_classify=False, use_doc_unwarping=False,
                    use_textline_orientation=False, engine="onnxruntime")
            return self._engine

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrWord]:
        """Line-level results split into words (PaddleOCR returns lines)."""
        engine = self._load()
        try:
            results = engine.predict(np.ascontiguousarray(image[:, :, ::-1]))
        except Exception as exc:  # the engine raises plain exceptions of many kinds
            raise OcrFailedError(f"paddleocr failed: {exc}") from exc
        words: list[OcrWord] = []
        for result in results or ():
            for text, score, poly in zip(result["rec_texts"], result["rec_scores"], result["rec_polys"],
                                         strict=False):
                words.extend(_split(str(text), quad_to_box(poly), float(score)))
        return words


def _split(text: str, box: tuple[float, float, float, float], score: float) -> list[OcrWord]:
    x0, y0, x1, y1 = box
    total = max(1, len(text))
    words, offset = [], 0
    for token in text.split():
        start = text.index(token, offset)
        offset = start + len(token)
        words.append(OcrWord(token, x0 + (x1 - x0) * start / total, y0, x0 + (x1 - x0) * offset / total,
                             y1, score))
    return words
