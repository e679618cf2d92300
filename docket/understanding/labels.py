"""Label dictionaries (data files in ``understanding/data``) and matching them on lines of words.

Matching works on normalised tokens: lower case, accents folded, surrounding punctuation dropped,
a hyphen between letters dropped (``Beleg-Datum`` is ``Belegdatum``), ``N°``/``Nº`` read as ``no``.
A label matches a run of consecutive tokens; glued ``Label:value`` words are split first. Overlapping
matches are resolved longest-first, so ``Due date`` is not also read as ``Date``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from docket.reading.page import Word

_STRIP = ".:;,#*()[]{}\"'\u201c\u201d\u2018\u2019|/\\-\u2013\u2014_"


_COMPOUND_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Lower case, accents removed, degree/ordinal signs as ``o``, outer punctuation stripped."""
    text = text.replace("°", "o").replace("º", "o").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # A hyphen inside a word joins a compound as writing it together does (Beleg-Datum = Belegdatum).
    folded = _COMPOUND_HYPHEN.sub("", folded)
    return folded.strip(_STRIP.replace("#", "")).strip() if folded.strip() != "#" else "#"


def label_tokens(label: str) -> tuple[str, ...]:
    """The normalised tokens of a dictionary label."""
    return tuple(t for t in (normalise(part) for part in re.split(r"\s+", label.strip())) if t)


@lru_cache(maxsize=4)
def load_data(name: str) -> dict[str, Any]:
    """A YAML data file of ``docket.understanding.data`` (cached)."""
    text = resources.files("docket.understanding.data").joinpath(name).read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict):
        raise ValueError(f"{name} must hold a mapping")
    return loaded


_FUZZY_MIN_LENGTH = 5
_FUZZY_SCORE = 80.0


def _closest_label_word(norm: str, table: LabelTable) -> str:
    if len(norm) < _FUZZY_MIN_LENGTH or norm in table.words:
        return norm
    match = process.extractOne(norm, table.words, scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE)
    return str(match[0]) if match is not None else norm


@dataclass(frozen=True)
class LabelTable:
    """Labels by name (longest first) and, for fast matching, by their first token."""

    labels: dict[str, tuple[tuple[str, ...], ...]]
    by_first_token: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    words: frozenset[str] = frozenset()

    @classmethod
    def of(cls, labels: dict[str, tuple[tuple[str, ...], ...]]) -> LabelTable:
        index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name, phrases in labels.items():
            for phrase in phrases:
                index.setdefault(phrase[0], []).append((phrase, name))
        words = frozenset(word for phrases in labels.values() for phrase in phrases for word in phrase
                          if len(word) >= _FUZZY_MIN_LENGTH)
        return cls(labels, {first: tuple(items) for first, items in index.items()}, words)


@lru_cache(maxsize=16)
def label_table(section: str, names: tuple[str, ...] | None = None) -> LabelTable:
    """One section of labels.yaml (optionally only ``names``), all languages merged."""
    table: dict[str, tuple[tuple[str, ...], ...]] = {}
    for name, by_language in load_data("labels.yaml")[section].items():
        if names is not None and name not in names:
            continue
        labels = {label_tokens(label) for labels in by_language.values() for label in labels}
        table[name] = tuple(sorted((t for t in labels if t), key=len, reverse=True))
    return LabelTable.of(table)


@dataclass(frozen=True)
class Token:
    """A normalised token and the word (possibly split off a glued word) it stands for."""

    norm: str
    word: Word


def tokens_of(words: tuple[Word, ...] | list[Word]) -> list[Token]:
    """Tokens of ``words`` with ``Label:value`` words split in two (boxes shared by length)."""
    tokens: list[Token] = []
    for word in words:
        for part in _split_glued(word):
            norm = normalise(part.text)
            if norm:
                tokens.append(Token(norm, part))
    return tokens


def _split_glued(word: Word) -> list[Word]:
    """``Label:value`` and ``ColumnColumn`` (touching headers) split in two; boxes shared by length."""
    head, sep, tail = word.text.partition(":")
    if sep and head and tail and not tail.startswith("/") and not head[-1:].isdigit():
        return _cut(word, len(head) + 1)
    camel = _CAMEL.search(word.text)
    if camel is not None:
        return [part for piece in _cut(word, camel.start(2)) for part in _split_glued(piece)]
    return [word]


# "UnidadPrecio", "Hoev.Prijs": two header words printed without a gap.
_CAMEL = re.compile(r"([a-zà-ÿ]{3}\.?)([A-ZÀ-Þ][a-zà-ÿ]{2})")


def _cut(word: Word, at: int) -> list[Word]:
    split_x = word.x0 + (word.x1 - word.x0) * at / len(word.text)
    return [Word(word.text[:at], word.x0, word.y0, split_x, word.y1, word.confidence),
            Word(word.text[at:], split_x, word.y0, word.x1, word.y1, word.confidence)]


@dataclass(frozen=True)
class LabelMatch:
    """Tokens ``start:end`` of a token list read as the label of ``names`` (fields or columns)."""

    names: tuple[str, ...]
    start: int
    end: int
    length: int


def find_labels(tokens: list[Token], table: LabelTable, wanted: frozenset[str] | None = None,
                *, fuzzy: bool = False) -> list[LabelMatch]:
    """Non-overlapping label matches in ``tokens``, longest label first, then left to right.

    With ``fuzzy`` (OCR'd text) a long token one or two characters off a label word
    (``Factuurnt`` for ``factuurnr``) counts as that word.
    """
    norms = [t.norm for t in tokens]
    if fuzzy:
        norms = [_closest_label_word(norm, table) for norm in norms]
    found: dict[tuple[int, int], list[str]] = {}
    for start, norm in enumerate(norms):
        for label, name in table.by_first_token.get(norm, ()):
            if wanted is not None and name not in wanted:
                continue
            end = start + len(label)
            if tuple(norms[start:end]) == label:
                found.setdefault((start, end), []).append(name)
    ranked = sorted(found.items(), key=lambda item: (-sum(len(norms[i]) for i in range(*item[0])),
                                                     item[0][0]))
    taken: set[int] = set()
    matches = []
    for (start, end), names in ranked:
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            length = sum(len(norms[i]) for i in range(start, end))
            matches.append(LabelMatch(tuple(dict.fromkeys(names)), start, end, length))
    return sorted(matches, key=lambda m: m.start)
