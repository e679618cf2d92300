"""Where a CRM form's values stand when they are not beside their label, read from the page geometry.

General arrangements of forms and letters, not any one template's:

- a label with its value in the segment right under it: a table's header row over its value row,
  a grid of small labels above values (:func:`stacked_pairs`);
- the place and date written over a signature line ("Berlin, 1. April 2026") (:func:`place_date`);
- a letter's addressee: the first line of the block under the small one-line return address of
  an address window, DIN 5008 style (:func:`addressee`);
- values of an unmistakable shape (IBAN, e-mail) in the body of the page, away from the letterhead
  and the footer where the issuer's own details stand (:func:`body_values`).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from itertools import pairwise

from docket.understanding.layout import Line, Segment
from docket.understanding.values import parse_date

_ROW_GAP = 2.6  # a value row is at most this many text heights under its label row
_BLOCK_GAP = 2.2  # lines of one address block are at most this many text heights apart
_TOP = 0.4  # the address window and info block stand in the top 40% of the first page
_BODY = (0.1, 0.88)  # letterhead above, footer below: the issuer's own details
_SEPARATORS = re.compile(r"[·|•]")
# "Berlin, 1. April 2026", "Dublin 2, 01/04/2026": a capitalised place of a few words (a district
# number may follow), a comma, then only the date
_PLACE_DATE = re.compile(r"^([^\W\d_a-z][^\W\d]*(?:[ \-'][^\W\d]+){0,3}(?: \d{1,2})?),\s*(\S+(?:\s+\S+){0,4})$")


def _overlap(a: Segment, b: Segment) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def stacked_pairs(lines: Sequence[Line], is_label: Callable[[str], bool]) -> list[tuple[str, str]]:
    """``(label, value)`` for every segment that is a label alone and has its value in the segment
    of the next line that it overlaps most (the value itself no label), in reading order."""
    pairs: list[tuple[str, str]] = []
    for line, below in pairwise(lines):
        if below.page != line.page or below.y0 - line.y1 > _ROW_GAP * line.height:
            continue
        for position, segment in enumerate(line.segments):
            beside = line.segments[position + 1:position + 2]
            if not is_label(segment.text) or (beside and not is_label(beside[0].text)):
                continue  # no label, or its value stands beside it
            value = max(below.segments, key=lambda candidate: _overlap(segment, candidate))
            if _overlap(segment, value) > 0 and not is_label(value.text):
                pairs.append((segment.text, value.text))
    return pairs


def place_date(lines: Sequence[Line]) -> str | None:
    """The text of the date in the lowest "<place>, <date>" segment of the document outside the
    top of its first page (where a letter's own date stands), or None."""
    found = None
    for line in lines:
        if line.page == 1 and line.y0 < _TOP:
            continue
        for segment in line.segments:
            match = _PLACE_DATE.match(segment.text.strip())
            if match and parse_date(match.group(2)) is not None:
                found = match.group(2)
    return found


def is_place_date(text: str) -> bool:
    """Whether ``text`` is a place and a date ("Berlin, 1. April 2026")."""
    match = _PLACE_DATE.match(text.strip())
    return match is not None and parse_date(match.group(2)) is not None


def addressee(lines: Sequence[Line]) -> str | None:
    """The addressee's name under a letter's return address line, or None.

    The return address is a line (its first column) of small type with separators ("Firma · Straße 1 · 12345 Ort")
    in the top of the first page; under it, at the same left edge, a block of at least three
    lines in larger type (name, street, town) follows closely. Its first line is the name.
    """
    for index, line in enumerate(lines):
        if line.page != 1 or line.y0 > _TOP:
            break
        if len(_SEPARATORS.findall(line.text)) < 2:
            continue
        block = _block_under(lines, index)
        small = _height(line.segments[0])
        if len(block) >= 3 and all(_height(member.segments[0]) > small * 1.1 for member in block):
            return block[0].segments[0].text
    return None


def _height(segment: Segment) -> float:
    return statistics.median(word.height for word in segment.words)


def _block_under(lines: Sequence[Line], index: int) -> list[Line]:
    left = lines[index].segments[0].x0
    block: list[Line] = []
    previous = lines[index]
    for line in lines[index + 1:index + 7]:
        if line.page != previous.page or line.y0 - previous.y1 > _BLOCK_GAP * line.height:
            break
        if abs(line.segments[0].x0 - left) > 0.01:
            break
        block.append(line)
        previous = line
    return block


def body_values(lines: Sequence[Line], parse: Callable[[str], str | None]) -> list[tuple[str, str]]:
    """``(text, value)`` of every segment in the body of the page that ``parse`` reads, in order."""
    found: list[tuple[str, str]] = []
    for line in lines:
        if not _BODY[0] < line.y0 < _BODY[1]:
            continue
        for segment in line.segments:
            value = parse(segment.text)
            if value is not None:
                found.append((segment.text, value))
    return found
