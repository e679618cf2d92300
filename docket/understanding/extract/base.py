"""What every extractor shares: the reading context, found values, and turning them into fields."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from docket.model import ExtractedField, LineItem, MissingField
from docket.reading.page import Page, Word
from docket.understanding.labels import LabelMatch, Token, find_labels, label_table, tokens_of
from docket.understanding.layout import Line, bbox_of, document_lines
from docket.understanding.values import NumberStyle, numeric_date_order, parse_amount


@dataclass(frozen=True)
class Found:
    """A value found on the page: canonical ``value``, the ``words`` it was read from, how."""

    name: str
    value: str
    words: tuple[Word, ...]
    page: int
    method: str
    confidence: float
    raw_text: str = ""


_US_DOLLARS = re.compile(r"\bUS\$|\bUSD\b|(?<![A-Za-z$])\$\s?\d")


@dataclass
class Context:
    """The document prepared once for all extractors: lines, their tokens and label matches,
    the number style and date order learned from the whole text, the reading engine."""

    pages: Sequence[Page]
    lines: list[Line]
    tokens: list[list[Token]]
    labels: list[list[LabelMatch]]
    style: NumberStyle
    day_first: bool
    engine: str
    language: str | None
    fuzzy: bool = False

    @classmethod
    def build(cls, pages: Sequence[Page], *, language: str | None = None) -> Context:
        lines = document_lines(pages)
        fuzzy = any(page.source == "ocr" for page in pages)
        tokens, labels = [], []
        for line in lines:
            line_tokens, line_labels = _tokens_and_labels(line, fuzzy)
            tokens.append(line_tokens)
            labels.append(line_labels)
        texts = [line.text for line in lines]
        order = numeric_date_order(texts)
        # Without an unambiguous date, US-dollar documents are read month first (US habit); a "$" inside a
        # word ("C$ 3\" PAINT BRUSH") or of another dollar (S$, A$, HK$) is no such evidence.
        dollars = sum(len(_US_DOLLARS.findall(text)) for text in texts)
        day_first = order if order is not None else dollars == 0
        engine = pages[0].engine if pages else "text_layer"
        return cls(pages=pages, lines=lines, tokens=tokens, labels=labels, style=_number_style(texts),
                   day_first=day_first, engine=engine, language=language, fuzzy=fuzzy)


def _tokens_and_labels(line: Line, fuzzy: bool) -> tuple[list[Token], list[LabelMatch]]:
    """A line's tokens and its label matches. A label does not span the gap between two columns
    ("Date | Due Date" is not "date due") unless every segment it spans is a single word, as on
    letter-spaced receipts ("TOTAL  DUE")."""
    table = label_table("fields")
    tokens: list[Token] = []
    segment_of: list[int] = []
    labels: list[LabelMatch] = []
    for number, segment in enumerate(line.segments):
        segment_tokens = tokens_of(segment.words)
        offset = len(tokens)
        for match in find_labels(segment_tokens, table, fuzzy=fuzzy):
            labels.append(LabelMatch(match.names, match.start + offset, match.end + offset, match.length))
        tokens.extend(segment_tokens)
        segment_of.extend([number] * len(segment_tokens))
    for match in find_labels(tokens, table, fuzzy=fuzzy):
        spanned = set(segment_of[match.start:match.end])
        if len(spanned) > 1 and (all(len(line.segments[n].words) == 1 for n in spanned)
                                 or _whole_leading_segments(match, segment_of)):
            labels = [m for m in labels if m.end <= match.start or m.start >= match.end] + [match]
    return tokens, sorted(labels, key=lambda m: m.start)


def _whole_leading_segments(match: LabelMatch, segment_of: list[int]) -> bool:
    """A label of three words or more that opens the line and covers its segments exactly
    ("Rechnungssumme | ohne USt. | 473,00"): a qualifier set apart, not two column headers."""
    ends_at_segment_end = match.end == len(segment_of) or segment_of[match.end] != segment_of[match.end - 1]
    return match.start == 0 and match.end - match.start >= 3 and ends_at_segment_end


def _number_style(texts: list[str]) -> NumberStyle:
    """``,`` decimal when amounts like ``1.234,56`` or ``12,50`` outnumber ``1,234.56`` / ``12.50``."""
    comma = dot = 0
    for text in texts:
        comma += len(re.findall(r"\d[,]\d{2}(?!\d)", text))
        dot += len(re.findall(r"\d[.]\d{2}(?!\d)", text))
    return NumberStyle(decimal="," if comma > dot else ".")


def to_field(found: Found, engine: str) -> ExtractedField:
    """The model field for a found value, with its box and provenance."""
    raw = found.raw_text or " ".join(w.text for w in found.words)
    return ExtractedField(name=found.name, value=found.value, raw_text=raw,
                          confidence=round(max(0.0, min(1.0, found.confidence)), 4),
                          bbox=bbox_of(found.page, found.words), method=found.method, engine=engine)


def word_confidence(words: Sequence[Word]) -> float:
    """The weakest word's reading confidence (1.0 for the text layer)."""
    return min((w.confidence for w in words), default=1.0)


def assemble(found: dict[str, Found], wanted: Sequence[str], engine: str,
             reasons: dict[str, str] | None = None) -> tuple[list[ExtractedField], list[MissingField]]:
    """Fields for the found names (in ``wanted`` order, extras after) and MissingFields for the rest."""
    fields = [to_field(found[name], engine) for name in wanted if name in found]
    fields += [to_field(f, engine) for name, f in found.items() if name not in wanted]
    missing = [MissingField(name=name, reason=(reasons or {}).get(name, "no label or pattern found"))
               for name in wanted if name not in found]
    return fields, missing


def line_items(rows: list[dict[str, Found]], engine: str) -> list[LineItem]:
    """LineItem models from table rows of found cells."""
    return [LineItem(index=index, fields=[to_field(cell, engine) for cell in row.values()])
            for index, row in enumerate(rows)]


def amount_of(text: str, style: NumberStyle) -> str | None:
    """Canonical amount of ``text`` unless it is a percentage."""
    return None if "%" in text else parse_amount(text, style)
