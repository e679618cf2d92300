"""RapidOCR engine (PP-OCR models shipped in the rapidocr wheel, run with onnxruntime, offline).

The text-line orientation classifier is off: on upright documents it flipped lines and garbled
them; page orientation is its own preprocessing step instead.
"""

from __future__ import annotations

import threading
from importlib import metadata
from typing import Any

import numpy as np
import numpy.typing as npt

from docket.reading.errors import OcrEngineUnavailableError, OcrFailedError
from docket.reading.ocr.base import OcrWord, quad_to_box

DEFAULT_THREADS = 1
DEFAULT_DET_MAX_SIDE = 960
_PARAMS: dict[str, Any] = {
    "Global.use_cls": False,
    "Global.return_word_box": True,
    "Global.log_level": "warning",
}


class RapidOcrEngine:
    """RapidOCR behind :class:`~docket.reading.ocr.base.OcrEngine`; ``threads`` caps onnxruntime
    intra-op threads (None: all cores); ``det_max_side`` scales the page down for text detection
    so its longer side is at most that many pixels (None: the wheel's default, which keeps a page's
    full size up to 2000 px). Recognition reads the lines from the page at its own size.

    The defaults (one thread, detection at 960 px) are the cheapest measured at equal accuracy
    (``bench/ocr_engines.py``: about 1.2 CPU-s per page instead of 3.0 on real receipts and rendered
    invoices, fields and words found as often or more); OCR scales out by processes
    (``DOCKET_CAPTURE_PROCESSES``, more workers), not by threads inside one page."""

    def __init__(self, *, threads: int | None = DEFAULT_THREADS, det_max_side: int | None = DEFAULT_DET_MAX_SIDE
                 ) -> None:
        self._threads = threads
        self._det_max_side = det_max_side
        self._engine: Any = None
        self._lock = threading.Lock()
        self._name: str | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"threads": self._threads, "det_max_side": self._det_max_side}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(threads=state["threads"],  # type: ignore[misc]
                      det_max_side=state.get("det_max_side", DEFAULT_DET_MAX_SIDE))

    @property
    def name(self) -> str:
        """Library version, models and the detection side when it is limited (``…/det960``): what the
        words depend on, so provenance and the OCR cache tell two readings apart."""
        if self._name is None:
            side = f"/det{self._det_max_side}" if self._det_max_side else ""
            self._name = f"rapidocr-{_version()}/{_model_label()}{side}"
        return self._name

    def _load(self) -> Any:
        with self._lock:
            if self._engine is None:
                try:
                    from rapidocr import RapidOCR
                except ImportError as exc:
                    raise OcrEngineUnavailableError("rapidocr is not installed") from exc
                params = dict(_PARAMS)
                if self._threads is not None:
                    params["EngineConfig.onnxruntime.intra_op_num_threads"] = self._threads
                    params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
                if self._det_max_side is not None:
                    params["Det.limit_type"] = "max"
                    params["Det.limit_side_len"] = self._det_max_side
                self._engine = RapidOCR(params=params)
            return self._engine

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrWord]:
        """Words of ``image`` (RGB uint8) with pixel boxes; see the protocol for errors."""
        engine = self._load()
        try:
            # RapidOCR expects OpenCV's BGR channel order for arrays.
            result = engine(np.ascontiguousarray(image[:, :, ::-1]) if image.ndim == 3 else image)
        except Exception as exc:  # the engine raises plain exceptions of many kinds
            raise OcrFailedError(f"rapidocr failed: {exc}") from exc
        return _words(result)


def _words(result: Any) -> list[OcrWord]:
    words: list[OcrWord] = []
    if result is None or result.txts is None:
        return words
    word_results = result.word_results or ()
    for index, line_text in enumerate(result.txts):
        line_words = word_results[index] if index < len(word_results) else ()
        if line_words:
            for text, score, points in line_words:
                if str(text).strip():
                    words.append(OcrWord(str(text), *quad_to_box(points), float(score)))
        else:
            words.extend(_split_line(str(line_text), result.boxes[index], float(result.scores[index])))
    return words


def _split_line(text: str, points: object, score: float) -> list[OcrWord]:
    """A line without word boxes split into words, x positions shared out by character count."""
    x0, y0, x1, y1 = quad_to_box(points)
    tokens = text.split()
    total = max(1, len(text))
    words, offset = [], 0
    for token in tokens:
        start = text.index(token, offset)
        offset = start + len(token)
        words.append(OcrWord(token, x0 + (x1 - x0) * start / total, y0,
                             x0 + (x1 - x0) * offset / total, y1, score))
    return words


def _version() -> str:
    try:
        return metadata.version("rapidocr")
    except metadata.PackageNotFoundError:
        return "unknown"


def _model_label() -> str:
    """The detection/recognition model family the installed rapidocr uses by default."""
    try:
        from importlib import resources

        import yaml

        config = yaml.safe_load(resources.files("rapidocr").joinpath("config.yaml").read_text())
        rec = config["Rec"]
        return f"{rec['ocr_version']}-{rec['model_type']}"
    except Exception:  # provenance label only; never fail a capture over it
        return "PP-OCR"
