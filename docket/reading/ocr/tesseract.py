"""Optional Tesseract engine, used when the ``tesseract`` binary is installed (cheap fallback)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from docket.reading.errors import OcrEngineUnavailableError, OcrFailedError
from docket.reading.ocr.base import OcrWord

_TIMEOUT_SECONDS = 120


class TesseractEngine:
    """Tesseract via its command line (TSV output); ``languages`` as Tesseract codes (``eng+deu``)."""

    def __init__(self, languages: str = "eng") -> None:
        self._languages = languages

    def __getstate__(self) -> dict[str, Any]:
        return {"languages": self._languages}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._languages = state["languages"]

    @staticmethod
    def available() -> bool:
        return shutil.which("tesseract") is not None

    @property
    def name(self) -> str:
        return f"tesseract-{_version()}/{self._languages}"

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrWord]:
        binary = shutil.which("tesseract")
        if binary is None:
            raise OcrEngineUnavailableError("the tesseract binary is not installed")
        ok, png = cv2.imencode(".png", image[:, :, ::-1] if image.ndim == 3 else image)
        if not ok:
            raise OcrFailedError("the page could not be encoded for tesseract")
        try:
            completed = subprocess.run([binary, "stdin", "stdout", "-l", self._languages, "tsv"],
                                       input=png.tobytes(), capture_output=True, check=True,
                                       timeout=_TIMEOUT_SECONDS)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise OcrFailedError(f"tesseract failed: {exc}") from exc
        return parse_tsv(completed.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> list[OcrWord]:
    """Words (level 5 rows with text) of Tesseract's TSV output; confidence scaled to 0..1."""
    words = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        left, top = float(row["left"]), float(row["top"])
        words.append(OcrWord(text, left, top, left + float(row["width"]), top + float(row["height"]),
                             max(0.0, min(1.0, float(row["conf"]) / 100.0))))
    return words


def _version() -> str:
    binary = shutil.which("tesseract")
    if binary is None:
        return "absent"
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    first = (out.stdout or out.stderr).decode("utf-8", "replace").split("\n", 1)[0]
    return first.replace("tesseract", "").strip() or "unknown"
