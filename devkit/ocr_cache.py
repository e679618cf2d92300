"""An OCR engine that remembers: word boxes stored on disk by the sha256 of the image it was given.

Benchmarks and training read the same scans again and again; recognition costs seconds a page,
reading a cached result milliseconds. The key covers the engine name, the image shape and its
pixels, so a change of preprocessing or engine is a cache miss, never a stale answer. The time
the engine took is stored beside the words so a rerun can still report OCR cost.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from docket.reading.ocr.base import OcrEngine, OcrWord


def default_cache_dir() -> Path:
    """``$DOCKET_OCR_CACHE`` or ``~/.cache/docket/ocr``."""
    return Path(os.environ.get("DOCKET_OCR_CACHE", Path.home() / ".cache" / "docket" / "ocr"))


class CachedOcrEngine:
    """Wraps ``inner``; ``seconds`` sums the engine time of the results served (cached or not),
    ``fresh_seconds`` the time spent recognising in this process."""

    def __init__(self, inner: OcrEngine, directory: Path | None = None) -> None:
        self._inner = inner
        self._directory = directory or default_cache_dir()
        self.seconds = 0.0
        self.fresh_seconds = 0.0
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self._inner.name

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrWord]:
        digest = hashlib.sha256()
        digest.update(self.name.encode())
        digest.update(str(image.shape).encode())
        digest.update(np.ascontiguousarray(image).tobytes())
        key = digest.hexdigest()
        path = self._directory / key[:2] / f"{key}.json"
        if path.exists():
            stored = json.loads(path.read_text(encoding="utf-8"))
            self.hits += 1
            self.seconds += float(stored["seconds"])
            return [OcrWord(w[0], w[1], w[2], w[3], w[4], w[5]) for w in stored["words"]]
        started = time.perf_counter()
        words = self._inner.recognize(image)
        seconds = time.perf_counter() - started
        self.misses += 1
        self.seconds += seconds
        self.fresh_seconds += seconds
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"engine": self.name, "seconds": round(seconds, 4),
                                         "words": [[w.text, w.x0, w.y0, w.x1, w.y1, w.confidence] for w in words]}),
                             encoding="utf-8")
        temporary.replace(path)
        return words
