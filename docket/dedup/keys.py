"""Invoice number keys: one for exact comparison, one that forgives OCR confusions.

``number_key`` drops case, spaces and separators (``INV-2024/001`` = ``inv 2024 001``).
``ocr_key`` additionally folds characters OCR confuses (O/0, I/1/l, S/5, B/8) and drops leading
zeros of every digit run, so ``INV-0O12`` and ``INV-12`` meet.
"""

from __future__ import annotations

import re

_OCR_FOLDS = str.maketrans({"O": "0", "I": "1", "L": "1", "|": "1", "S": "5", "B": "8"})


def number_key(number: str) -> str:
    """The exact-match form of a document number: upper-case letters and digits only."""
    return "".join(ch for ch in number.upper() if ch.isalnum())


def ocr_key(number: str) -> str:
    """The OCR-tolerant form: confusable characters folded, leading zeros of digit runs dropped."""
    segments = re.split(r"[^0-9A-Z|]+", number.upper())
    # Zeros are dropped per printed segment, so "2025/07" and "2025-7" meet but "202507" stays itself.
    return "".join(re.sub(r"\d+", lambda m: m.group(0).lstrip("0") or "0", s.translate(_OCR_FOLDS))
                   for s in segments)
