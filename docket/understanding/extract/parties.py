"""Who issued the document and who it is addressed to.

The issuer's name heads the letterhead (first name-like line of page one, after any title or
logo initials) and its address follows in the same column. The other party's block starts with a
party label (``Bill to``, ``Lieferant``, ``Cliente``...); its name is the rest of the label's line
or the aligned line below.
"""

from __future__ import annotations

import re

from docket.reading.page import Word
from docket.understanding.classify import spaced_title, title_table
from docket.understanding.extract.base import Context, Found, word_confidence
from docket.understanding.labels import Token, find_labels, label_table, tokens_of
from docket.understanding.layout import Line, Segment
from docket.understanding.values import collapse

_TOP_REGION = 0.4
_CONTACT = re.compile(r"@|\btel\b|\bphone\b|\bfax\b|\+\d|www\.|https?:|\btelefon\b|\btél\b|\btel\.", re.I)


def party_block(ctx: Context, role: str) -> tuple[Found, int] | None:
    """The name after a ``role`` party label (``buyer``/``supplier``/``payer``) and its line index."""
    table = label_table("parties", (role,))
    for index, line in enumerate(ctx.lines):
        if line.page != ctx.lines[0].page:
            break
        for segment in line.segments:
            tokens = tokens_of(segment.words)
            matches = find_labels(tokens, table, fuzzy=ctx.fuzzy)
            if not matches or matches[0].start != 0:
                continue
            rest = tokens[matches[0].end:]
            label_end = tokens[matches[0].end - 1].word.text
            # "de Jong B.V." is a name, not the label "de" (from): a label followed by a name on
            # the same line is a word of four letters or more, or ends with a colon.
            if rest and not label_end.endswith(":") and matches[0].length < 4:
                continue
            if rest:
                words = tuple(t.word for t in rest)
                return _found(role, words, line.page), index
            below = _segment_below(ctx, index, segment)
            if below is not None:
                return _found(role, below[1].words, line.page), below[0]
    return None


def _found(role: str, words: tuple[Word, ...], page: int) -> Found:
    text = collapse(" ".join(w.text for w in words)).strip(" :")
    return Found(name=role, value=text, words=words, page=page, method="layout",
                 confidence=0.85 * word_confidence(words))


def _segment_below(ctx: Context, index: int, segment: Segment) -> tuple[int, Segment] | None:
    line = ctx.lines[index]
    for next_index in range(index + 1, min(index + 3, len(ctx.lines))):
        below = ctx.lines[next_index]
        if below.page != line.page or below.y0 - line.y1 > 3 * line.height:
            return None
        for candidate in below.segments:
            if abs(candidate.x0 - segment.x0) < 0.04 or (candidate.x0 < segment.x1 and candidate.x1 > segment.x0):
                return next_index, candidate
    return None


def issuer(ctx: Context, skip_lines: set[int]) -> tuple[Found, int, Segment] | None:
    """The letterhead name: the first name-like segment near the top of page one."""
    first_page = ctx.lines[0].page if ctx.lines else 1
    for index, line in enumerate(ctx.lines):
        if line.page != first_page or line.y0 > _TOP_REGION:
            break
        if index in skip_lines:
            continue
        for position, segment in enumerate(line.segments):
            words = _name_words(ctx, index, segment) or _name_words(ctx, index, _first_part(segment))
            if words:
                # Receipts print names letter-spaced: name-like neighbours on the line belong to it.
                for neighbour in line.segments[position + 1:]:
                    more = _name_continuation(neighbour)
                    if not more or neighbour.x0 - segment.x1 > 0.3:
                        break
                    words = words + more
                    segment = Segment(page=segment.page, words=segment.words + neighbour.words)
                return _found("issuer", tuple(words), line.page), index, segment
    return None


_PART_SEPARATORS = frozenset({"-", "\u2013", "\u2014", "|", "\u00b7", "\u2022"})  # hyphen, dashes, bar, dots


def _first_part(segment: Segment) -> Segment:
    """A one-line letterhead's first part ("Au bon moulin SARL - 1242 chemin ... - France"): the words
    before the first stand-alone separator, where the name stands before address and contacts."""
    for position, word in enumerate(segment.words):
        if position > 0 and word.text in _PART_SEPARATORS:
            return Segment(page=segment.page, words=segment.words[:position])
    return Segment(page=segment.page, words=())


def _name_words(ctx: Context, index: int, segment: Segment) -> list[Word]:
    if not segment.words:
        return []
    if spaced_title(segment.text) is not None:
        return []
    tokens = tokens_of(segment.words)
    # A title printed before or after the name ("INVOICE ACME GMBH") is not part of it; a title word
    # inside a name ("Au bon moulin": "bon" titles a German receipt) is.
    titles = [m for m in find_labels(tokens, title_table()) if m.start == 0 or m.end == len(tokens)]
    title_positions = {i for m in titles for i in range(m.start, m.end)}
    kept = [t for i, t in enumerate(tokens) if i not in title_positions]
    # Logo initials ("OE") and stray marks are not names.
    if kept and len(kept) <= 2 and all(len(t.word.text) <= 3 and t.word.text.isupper() for t in kept):
        kept = []
    if not kept or (len(kept) == len(tokens) and len(titles) > 0):
        return []
    text = " ".join(t.word.text for t in kept)
    # Letterheads are capitalised; a line all in lower case is a note, a stamp or a signature.
    if text == text.lower() or (text.startswith("(") and text.endswith(")")):
        return []
    if _CONTACT.search(text) or sum(ch.isdigit() for ch in text) > 2 or not re.search(r"[A-Za-zÀ-ÿ]{2}", text):
        return []
    if ctx.labels[index] and any(m.start == 0 for m in ctx.labels[index]):
        return []
    return [t.word for t in kept]


def _is_party_label(tokens: list[Token], ctx: Context) -> bool:
    """A line opening another party's block ("Bill to", "Lieferant") ends an address."""
    matches = find_labels(tokens, label_table("parties"), fuzzy=ctx.fuzzy)
    return bool(matches) and matches[0].start == 0 and matches[0].end - matches[0].start >= len(tokens) - 1


def _name_continuation(segment: Segment) -> list[Word]:
    """A letter-spaced name's next part ("&", "PLC"): no digits, no contact details."""
    text = segment.text
    if _CONTACT.search(text) or any(ch.isdigit() for ch in text):
        return []
    return list(segment.words)


def footer_address(ctx: Context, name: str, skip_line: int) -> Found | None:
    """The address under a second printing of the issuer's name (footers repeat the letterhead)."""
    for index, line in enumerate(ctx.lines):
        if index == skip_line:
            continue
        for segment in line.segments:
            if segment.text == name:
                found = address_after(ctx, index, segment)
                if found is not None:
                    return found
    return None


def address_after(ctx: Context, index: int, segment: Segment, *, max_lines: int = 4) -> Found | None:
    """The address lines under a name (same column, contact and ID lines excluded), joined by spaces."""
    words: list[Word] = []
    previous: Line = ctx.lines[index]
    for next_index in range(index + 1, min(index + 1 + max_lines, len(ctx.lines))):
        line = ctx.lines[next_index]
        if line.page != previous.page or line.y0 - previous.y1 > 1.5 * previous.height:
            break
        aligned = [s for s in line.segments if abs(s.x0 - segment.x0) < 0.03 or abs(s.x1 - segment.x1) < 0.03]
        if not aligned:
            break
        text = aligned[0].text
        tokens = tokens_of(aligned[0].words)
        if _CONTACT.search(text) or find_labels(tokens, label_table("fields")) or _is_party_label(tokens, ctx):
            break
        words.extend(aligned[0].words)
        previous = line
    if not words:
        return None
    return Found(name="address", value=collapse(" ".join(w.text for w in words)), words=tuple(words),
                 page=ctx.lines[index].page, method="layout", confidence=0.8 * word_confidence(words))


_COUNTRIES = frozenset({"germany", "deutschland", "france", "spain", "espana", "españa", "netherlands", "nederland",
                        "belgium", "belgique", "belgie", "österreich", "austria", "schweiz", "suisse", "switzerland",
                        "italy", "italia", "united kingdom", "uk", "usa", "united states", "portugal", "ireland",
                        "luxembourg", "poland", "polska"})


def _is_country(text: str) -> bool:
    return text.strip().lower() in _COUNTRIES
