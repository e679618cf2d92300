"""Values stated in headings rather than beside labels.

Two layouts print them so, e-invoice visualisations above all:

- a title line that carries the number and the date: ``Handelsrechnung (380) Nr. 471102 vom 05.03.2018``,
  ``Facture n° FA-12 du 03/04/2025``, ``Invoice No. 4711 dated 3 April 2025``;
- a party heading alone on its line (``Verkäufer``, ``Seller:``, ``Rechnungsersteller``) over a block
  whose name is either the ``Name:`` row of a key/value list or the first line that is not a key.
"""

from __future__ import annotations

import re

from docket.reading.page import Word
from docket.understanding.classify import compound_title, title_table
from docket.understanding.extract.base import Context, Found, word_confidence
from docket.understanding.labels import LabelTable, Token, find_labels, label_table, label_tokens, tokens_of
from docket.understanding.layout import Line, Segment
from docket.understanding.values import collapse, parse_date

_NUMBER_WORDS = frozenset({"nr", "no", "nummer", "number", "num", "#", "n", "nro", "numero"})
_DATE_WORDS = frozenset({"vom", "von", "du", "of", "dated", "from", "del", "de", "van", "date", "datum", "am"})
_NAME_KEYS = frozenset({("name",), ("firma",), ("company",), ("company", "name"), ("nom",), ("raison", "sociale"),
                        ("nombre",), ("razon", "social"), ("naam",), ("bedrijfsnaam",), ("firmenname",),
                        ("unternehmen",)})
_BLOCK_LINES = 8
# Party blocks stand in the upper part of page one (letterhead, address window, key/value header).
_PARTY_REGION = 0.65


def title_line_fields(ctx: Context, number_field: str, date_field: str) -> dict[str, Found]:
    """Number and date printed in the document's title line (top half of page one)."""
    if not ctx.lines:
        return {}
    first_page = ctx.lines[0].page
    for index, line in enumerate(ctx.lines):
        if line.page != first_page or line.y0 > 0.5:
            break
        tokens = ctx.tokens[index]
        start = _title_end(tokens)
        if start is None:
            continue
        found = _number_and_date(ctx, line, tokens[start:], number_field, date_field)
        if found:
            return found
    return {}


def _title_end(tokens: list[Token]) -> int | None:
    """Index after a title opening the line (``Rechnung``, ``Handelsrechnung (380)``), else None."""
    if not tokens:
        return None
    matches = [m for m in find_labels(tokens, title_table()) if m.start == 0]
    end = matches[0].end if matches else (1 if compound_title(tokens[0].norm) is not None else None)
    if end is None:
        return None
    while end < len(tokens) and tokens[end].norm.isdigit() and tokens[end].word.text.startswith("("):
        end += 1  # a printed type code "(380)"
    return end


def _number_and_date(ctx: Context, line: Line, rest: list[Token], number_field: str,
                     date_field: str) -> dict[str, Found]:
    # The number word may follow a qualifier: "Gutschrift (Selbst ausgestellte Rechnung) (389) Nr. 4711".
    start = next((i for i, t in enumerate(rest[:8]) if t.norm in _NUMBER_WORDS), None)
    if start is None or any(t.word.text.endswith(":") for t in rest[:start]):
        return {}
    position = start
    while position < len(rest) and rest[position].norm in _NUMBER_WORDS:
        position += 1
    if position >= len(rest):
        return {}
    number = rest[position]
    if not any(ch.isdigit() for ch in number.word.text):
        return {}
    value = number.word.text.strip(".,;:")
    found = {number_field: Found(number_field, value, (number.word,), line.page, "layout",
                                 0.85 * word_confidence((number.word,)))}
    after = rest[position + 1:]
    if after and after[0].norm in _DATE_WORDS:
        words = tuple(t.word for t in after[1:5])
        date = parse_date(" ".join(w.text for w in words), day_first=ctx.day_first)
        if date is not None:
            found[date_field] = Found(date_field, date, words, line.page, "layout", 0.85 * word_confidence(words))
    return found


_TERMS_DUE = re.compile(r"\b(?:zahlbar|payable|due|payment|à payer|a payer|pagadero|a pagar|te betalen|betaalbaar)\b"
                        r"[^.;]{0,60}?\b(?:bis(?: zum)?|by|until|before|on|avant le|le|jusqu'au|antes del|hasta el"
                        r"|voor)"
                        r"\s+(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.? \w+ \d{4})", re.I)


def terms_due_date(ctx: Context, name: str) -> Found | None:
    """The date payment terms name as the deadline ("Zahlbar innerhalb 30 Tagen netto bis 04.04.2018")."""
    for line in ctx.lines:
        match = _TERMS_DUE.search(line.text)
        if match is None:
            continue
        value = parse_date(match.group(1), day_first=ctx.day_first)
        if value is not None:
            words = tuple(w for w in line.words if w.text in match.group(1).split())
            return Found(name, value, words or line.words, line.page, "pattern", 0.75 * word_confidence(line.words))
    return None


def heading_party(ctx: Context, role: str) -> tuple[Found, int, Segment] | None:
    """The name under a ``role`` heading that stands alone in its column, its line and segment."""
    table = label_table("parties", (role,))
    if not ctx.lines:
        return None
    first_page = ctx.lines[0].page
    for index, line in enumerate(ctx.lines):
        if line.page != first_page or line.y0 > _PARTY_REGION:
            break
        for segment in line.segments:
            if not _is_heading(segment, table, ctx.fuzzy):
                continue
            named = _name_under(ctx, index, segment)
            if named is not None:
                return named
    return None


def _is_heading(segment: Segment, table: LabelTable, fuzzy: bool) -> bool:
    """``Verkäufer``, ``Seller:``, ``Käufer/Leistungsempfänger``: a party label and nothing else."""
    text = segment.text.strip().rstrip(":").strip()
    head = text.split("/")[0].strip()
    tokens = tokens_of(tuple(segment.words)) if head == text else \
        [Token(t, segment.words[0]) for t in label_tokens(head)]
    if not tokens or len(tokens) > 3:
        return False
    if _whole_label(tokens, table, fuzzy) and len(head) >= 3:
        return True
    # Text layers split kerned words ("Ver käufer:"): the words run together may be the label.
    joined = [Token(t, segment.words[0]) for t in label_tokens(head.replace(" ", ""))]
    return 1 < len(tokens) <= 3 and _whole_label(joined, table, fuzzy)


def _whole_label(tokens: list[Token], table: LabelTable, fuzzy: bool) -> bool:
    matches = find_labels(tokens, table, fuzzy=fuzzy)
    return bool(matches) and matches[0].start == 0 and matches[0].end == len(tokens)


def _key_split(line: Line, column_x0: float) -> tuple[tuple[str, ...], list[Segment]] | None:
    """A key/value row starting in the block's column: (normalised key tokens, value segments)."""
    segments = [s for s in line.segments if s.x1 > column_x0 - 0.02]
    if not segments or abs(segments[0].x0 - column_x0) > 0.05:
        return None
    for position, segment in enumerate(segments[:3]):
        text = segment.text.strip()
        if text.endswith(":") or text == ":":
            key_text = " ".join(s.text for s in segments[:position + 1]).replace(":", " ")
            return label_tokens(key_text), segments[position + 1:]
        if position + 1 < len(segments) and segments[position + 1].text.strip().startswith(":"):
            key_text = " ".join(s.text for s in segments[:position + 1])
            value = segments[position + 1:]
            if value and value[0].text.strip() == ":":
                value = value[1:]
            return label_tokens(key_text), value
    return _key_inside(segments)


def _key_inside(segments: list[Segment]) -> tuple[tuple[str, ...], list[Segment]] | None:
    """A key and its value printed as one segment ("Globale Nummer: 4000001123452 (GLN)")."""
    words = segments[0].words
    for position, word in enumerate(words[:3]):
        if word.text.endswith(":") and position + 1 < len(words):
            key_text = " ".join(w.text for w in words[:position + 1]).replace(":", " ")
            if any(ch.isdigit() for ch in key_text):
                return None
            rest = Segment(page=segments[0].page, words=words[position + 1:])
            return label_tokens(key_text), [rest, *segments[1:]]
    return None


def _name_under(ctx: Context, index: int, heading: Segment) -> tuple[Found, int, Segment] | None:
    previous = ctx.lines[index]
    parties = label_table("parties")
    for next_index in range(index + 1, min(index + 1 + _BLOCK_LINES, len(ctx.lines))):
        line = ctx.lines[next_index]
        if line.page != previous.page or line.y0 - previous.y1 > 3 * previous.height:
            return None
        previous = line
        keyed = _key_split(line, heading.x0)
        if keyed is not None:
            key, values = keyed
            if key in _NAME_KEYS and values:
                words = tuple(w for s in values for w in s.words)
                return _found(words, line.page), next_index, Segment(page=line.page, words=words)
            continue
        aligned = [s for s in line.segments if abs(s.x0 - heading.x0) < 0.03]
        if not aligned:
            continue
        segment = _run_from(line, aligned[0])
        if _is_heading(segment, parties, ctx.fuzzy) or not any(ch.isalpha() for ch in segment.text):
            return None
        return _found(segment.words, line.page), next_index, segment
    return None


def _run_from(line: Line, first: Segment) -> Segment:
    """``first`` and the segments after it on its line that stand close (a name printed word by word)."""
    words = list(first.words)
    right = first.x1
    for segment in line.segments:
        if segment.x0 <= first.x0:
            continue
        if segment.x0 - right > 0.05:
            break
        words.extend(segment.words)
        right = segment.x1
    return Segment(page=first.page, words=tuple(words))


def _found(words: tuple[Word, ...], page: int) -> Found:
    text = collapse(" ".join(w.text for w in words)).strip(" :")
    return Found(name="issuer", value=text, words=words, page=page, method="layout",
                 confidence=0.9 * word_confidence(words))
