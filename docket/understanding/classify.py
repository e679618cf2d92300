"""Which kind of document this is, in which language, and how sure we are.

Bank statement files are recognised by content when sniffed (camt XML, MT940, BAI2); printed
documents by their title words (a standalone title near the top of page one weighs most) plus
weaker hints anywhere in the text. Title words live in ``data/document_types.yaml``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from docket.reading.page import Page
from docket.understanding.labels import LabelTable, Token, find_labels, label_tokens, load_data, tokens_of
from docket.understanding.layout import Line, page_lines

OTHER = "other"
_TITLE_WEIGHT = 6.0
_TOP_WEIGHT = 2.0
_BODY_WEIGHT = 0.6
_HINT_WEIGHT = 0.4


@dataclass(frozen=True)
class Classification:
    """``document_type`` with ``confidence`` (0..1) and ``language`` (ISO 639-1 or None)."""

    document_type: str
    confidence: float
    language: str | None


@lru_cache(maxsize=1)
def title_table() -> LabelTable:
    """Document titles per type, all languages merged."""
    titles = load_data("document_types.yaml")["titles"]
    return LabelTable.of({kind: tuple(sorted({label_tokens(t) for ts in by_lang.values() for t in ts},
                                             key=len, reverse=True))
                          for kind, by_lang in titles.items()})


@lru_cache(maxsize=1)
def _hint_table() -> LabelTable:
    hints = load_data("document_types.yaml")["hints"]
    return LabelTable.of({kind: tuple(sorted({label_tokens(h) for h in words}, key=len, reverse=True))
                          for kind, words in hints.items()})


@lru_cache(maxsize=1)
def _language_words() -> dict[str, frozenset[str]]:
    words = load_data("document_types.yaml")["language_words"]
    return {lang: frozenset(label_tokens(" ".join(items))) for lang, items in words.items()}


def classify_pages(pages: Sequence[Page], lines: Sequence[Line] | None = None,
                   tokens: Sequence[list[Token]] | None = None) -> Classification:
    """The type of the document made of ``pages`` (first page weighs most); ``lines`` and their
    ``tokens`` may be passed when the caller has them already."""
    first_pages = {page.number for page in pages[:2]}
    if lines is None or tokens is None:
        lines = [line for page in pages[:2] for line in page_lines(page)]
        tokens = [tokens_of(line.words) for line in lines]
    kept = [i for i, line in enumerate(lines) if line.page in first_pages]
    lines = [lines[i] for i in kept]
    line_tokens = [tokens[i] for i in kept]
    scores: defaultdict[str, float] = defaultdict(float)
    for line, one_line_tokens in zip(lines, line_tokens, strict=True):
        _score_titles(line, scores)
        _score_hints(one_line_tokens, scores)
    language = detect_language(line_tokens)
    if not scores:
        return Classification(OTHER, 0.3, language)
    _till_slip(pages, line_tokens, scores)
    (best, top), *rest = sorted(scores.items(), key=lambda item: -item[1])
    runner_up = rest[0][1] if rest else 0.0
    confidence = min(0.99, 0.5 + 0.5 * (top - runner_up) / top) if top >= _TOP_WEIGHT else 0.4
    return Classification(best, round(confidence, 3), language)


# UN/CEFACT document type codes printed beside a title ("Handelsrechnung (380)").
_TYPE_CODES = {"380": "invoice", "384": "invoice", "389": "invoice", "875": "invoice", "876": "invoice",
               "877": "invoice", "381": "credit_note", "396": "credit_note", "261": "credit_note"}
_TYPE_CODE = re.compile(r"\((\d{3})\)")


def _is_key(line: Line, position: int) -> bool:
    """A segment ending in a colon (or followed by one) is a field's key ("Bestellung: 2018-47"), not a title."""
    if line.segments[position].text.rstrip().endswith(":"):
        return True
    following = line.segments[position + 1:position + 2]
    return bool(following) and following[0].text.lstrip().startswith(":")


def compound_title(norm: str) -> str | None:
    """The type a compound title word names by its last part: German builds titles by compounding
    ("Handelsrechnung", "Teilrechnung", "Schlussrechnung", "Gutschriftsanzeige")."""
    for suffix, kind in _COMPOUND_SUFFIXES:
        if norm.endswith(suffix) and len(norm) > len(suffix) + 2:
            return kind
    return None


_COMPOUND_SUFFIXES = (("korrekturrechnung", "credit_note"), ("gutschrift", "credit_note"), ("rechnung", "invoice"))


def _score_titles(line: Line, scores: defaultdict[str, float]) -> None:
    first_page = line.page == 1
    for position, segment in enumerate(line.segments):
        near_top = first_page and segment.y0 < 0.35 and not _is_key(line, position)
        spaced = spaced_title(segment.text)
        if spaced is not None:
            scores[spaced] += _TITLE_WEIGHT if near_top else _TOP_WEIGHT
            continue
        tokens = tokens_of(segment.words)
        if tokens:
            compound = compound_title(tokens[0].norm)
            code = _TYPE_CODE.search(segment.text)
            # A title line may go on with the number and date ("Handelsrechnung Nr. 471102 vom 05.03.2018"):
            # only its words count against it being a title.
            words = [t for t in tokens if not any(ch.isdigit() for ch in t.norm)]
            if compound is not None and len(words) <= 4:
                kind = _TYPE_CODES.get(code.group(1), compound) if code else compound
                scores[kind] += _TITLE_WEIGHT if near_top else _BODY_WEIGHT
        for match in find_labels(tokens, title_table()):
            standalone = (match.end - match.start) >= 0.6 * len(tokens)
            weight = _TITLE_WEIGHT if (standalone and near_top) else _TOP_WEIGHT if near_top else _BODY_WEIGHT
            if not first_page:
                weight *= 0.5
            for kind in match.names:
                scores[kind] += weight


@lru_cache(maxsize=1)
def _compact_titles() -> dict[str, str]:
    return {"".join(phrase): kind for kind, phrases in title_table().labels.items() for phrase in phrases
            if len("".join(phrase)) >= 5}


@lru_cache(maxsize=8192)
def spaced_title(text: str) -> str | None:
    """The type whose title ``text`` is once its spaces are removed: letter-spaced titles and OCR
    splits ("Com mande client", "I N V O I C E") are titles too."""
    compact = "".join(t.norm for t in tokens_of_text(text))
    return _compact_titles().get(compact)


def tokens_of_text(text: str) -> list[Token]:
    from docket.reading.page import Word

    return tokens_of([Word(part, 0.0, 0.0, 0.0, 0.0) for part in text.split()])


_SLIP_ASPECT = 0.7


def _till_slip(pages: Sequence[Page], line_tokens: Sequence[list[Token]], scores: defaultdict[str, float]) -> None:
    """A till slip is a receipt even when it is titled "Tax Invoice" (as GST receipts are): a narrow
    scan whose text speaks of cash, change, rounding, cashiers. Several such words on a narrow page,
    or many of them anywhere, outweigh an invoice title."""
    table = _hint_table()
    hints = sum(1 for tokens in line_tokens for match in find_labels(tokens, table) if "receipt" in match.names)
    first = pages[0] if pages else None
    narrow = first is not None and first.source == "ocr" and first.height > 0 and \
        first.width / first.height < _SLIP_ASPECT
    if (narrow and hints >= 2) or hints >= 5:
        scores["receipt"] += max(scores.values(), default=0.0) + hints * _HINT_WEIGHT


def _score_hints(tokens: list[Token], scores: defaultdict[str, float]) -> None:
    for match in find_labels(tokens, _hint_table()):
        for kind in match.names:
            scores[kind] += _HINT_WEIGHT


def detect_language(line_tokens: Sequence[list[Token]]) -> str | None:
    """The language whose common words occur most often (None when no evidence)."""
    counts: Counter[str] = Counter()
    vocab = _language_words()
    for tokens in line_tokens:
        for token in tokens:
            for language, words in vocab.items():
                if token.norm in words:
                    counts[language] += 1
    if not counts:
        return None
    return counts.most_common(1)[0][0]


def classify_statement(media_type: str) -> Classification:
    """Bank statement files are structured: their type is certain once sniffed."""
    return Classification("bank_statement", 1.0, None)
