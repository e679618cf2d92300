"""Blocks of a template: the text between a start and an end regex, read line by line into rows of
named cells (invoice2data's ``lines`` parser and ``tables`` plugin, reimplemented on plain text)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from docket.understanding.template_model import BlockRule

Row = dict[str, str]


def blocks(rule: BlockRule, text: str) -> Iterator[str]:
    """Each block of ``text`` that starts after a ``start`` match and stops before the next ``end`` match
    (the last one when ``end_match`` is ``last``); blocks follow one another."""
    content = text
    while True:
        start = re.search(rule.start, content)
        if start is None:
            return
        content = content[start.end():]
        if rule.end_match == "last":
            ends = list(re.finditer(rule.end, content))
            end = ends[-1] if ends else None
        else:
            end = re.search(rule.end, content)
        if end is None:
            return
        yield content[:end.start()]
        if start.end() == 0 and end.end() == 0:
            return  # both matched empty: the text would not shrink
        content = content[end.end():]


def line_rows(rule: BlockRule, text: str) -> list[Row]:
    """The line-item rows of every block: a ``first_line`` match opens a row, ``line`` matches add to it
    (a cell met twice gets its texts joined by a newline), a ``last_line`` match closes it. Without
    ``first_line`` and ``last_line`` each ``line`` match is a row of its own."""
    rows: list[Row] = []
    for block in blocks(rule, text):
        rows.extend(_block_rows(rule, block))
    return rows


def table_cells(rule: BlockRule, text: str) -> Row:
    """The named groups the body regex (``rule.line[0]``) finds on the lines of the first block; the
    first non-empty value of each name wins."""
    cells: Row = {}
    for block in blocks(rule, text):
        for line in block.splitlines():
            match = re.search(rule.line[0], line)
            if match is not None:
                for name, value in match.groupdict().items():
                    if value and value.strip() and name not in cells:
                        cells[name] = value.strip()
        break
    return cells


def _block_rows(rule: BlockRule, block: str) -> list[Row]:
    single = not rule.first_line and not rule.last_line
    rows: list[Row] = []
    current: Row = {}
    opened = not rule.first_line
    for line in block.splitlines():
        if not line.strip() or _first(rule.skip_line, line) is not None:
            continue
        if single:
            match = _first(rule.line, line)
            if match is not None and (row := _cells(match, {})):
                rows.append(row)
            continue
        match = _first(rule.first_line, line)
        if match is not None:
            if current:
                rows.append(current)
            current, opened = _cells(match, {}), True
            continue
        if not opened:
            continue
        match = _first(rule.last_line, line)
        if match is not None:
            current = _cells(match, current)
            if current:
                rows.append(current)
            current, opened = {}, not rule.first_line
            continue
        match = _first(rule.line, line)
        if match is not None:
            current = _cells(match, current)
    if current:
        rows.append(current)
    return rows


def _first(patterns: tuple[str, ...], line: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = re.search(pattern, line)
        if match is not None:
            return match
    return None


def _cells(match: re.Match[str], row: Row) -> Row:
    merged = dict(row)
    for name, value in match.groupdict().items():
        text = (value or "").strip()
        if not text:
            continue
        merged[name] = f"{merged[name]}\n{text}" if merged.get(name) else text
    return merged
