"""Line-item tables: a header row recognised by its column labels, rows read cell by cell.

Columns are taken from the header's label positions; each row's segments (runs of words without
wide gaps) are assigned to the column they overlap most. A row without any number continues the
description of the row above (wrapped descriptions). The table ends at a totals label, a wide
vertical gap, or the end of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from docket.reading.page import Word
from docket.understanding.extract.base import Context, Found, amount_of, word_confidence
from docket.understanding.labels import find_labels, label_table, tokens_of
from docket.understanding.layout import Line, Segment
from docket.understanding.values import collapse, parse_percent

_NUMERIC = frozenset({"quantity", "unit_price", "amount", "tax_rate", "amount_paid", "deduction",
                      "invoice_amount"})
_STOP_FIELDS = frozenset({"net_total", "total", "tax_total"})


@dataclass(frozen=True)
class Column:
    """A table column: its name and the x-range of its header label."""

    name: str
    x0: float
    x1: float


@dataclass(frozen=True)
class Table:
    """A recognised table: the header line's index in the context and its columns left to right."""

    header_line: int
    columns: tuple[Column, ...]


def find_table(ctx: Context, wanted: frozenset[str], start: int = 0) -> Table | None:
    """The first line from ``start`` whose column labels name at least three ``wanted`` columns
    (two if the line holds nothing but labels) including one with amounts; None if there is none."""
    for index in range(start, len(ctx.lines)):
        columns = _header_columns(ctx.lines[index], wanted)
        if columns is not None:
            return Table(index, columns)
    return None


def _header_columns(line: Line, wanted: frozenset[str]) -> tuple[Column, ...] | None:
    table = label_table("columns")
    columns: list[Column] = []
    label_tokens = all_tokens = 0
    # Labels are matched within a segment: "Unit | Price" in two columns is not "Unit price".
    for segment in line.segments:
        tokens = tokens_of(segment.words)
        all_tokens += len(tokens)
        for match in find_labels(tokens, table, wanted | {"position"}):
            label_tokens += match.end - match.start
            words = [t.word for t in tokens[match.start:match.end]]
            columns.append(Column(_pick_name(match.names, {c.name for c in columns}),
                                  min(w.x0 for w in words), max(w.x1 for w in words)))
    names = {c.name for c in columns}
    amounts = names & {"amount", "amount_paid", "unit_price"}
    if not amounts or len(names & wanted) < (2 if label_tokens >= 0.7 * max(1, all_tokens) else 3):
        return None
    return tuple(_name_position_column(columns))


def _pick_name(names: tuple[str, ...], taken: set[str]) -> str:
    """A label naming several columns ("Total" = amount or invoice amount) takes the first free one."""
    for name in names:
        if name not in taken:
            return name
    return names[0]


def _name_position_column(columns: list[Column]) -> list[Column]:
    """Of two columns with one name ("Item" | "Item description"), the narrower leftmost is the
    row number."""
    for first, second in pairwise(columns):
        if first.name == second.name and (first.x1 - first.x0) < (second.x1 - second.x0):
            columns[columns.index(first)] = Column("position", first.x0, first.x1)
    return columns


def read_rows(ctx: Context, table: Table, wanted: frozenset[str]) -> tuple[list[dict[str, Found]], int]:
    """The rows under ``table``'s header (each a dict of found cells named by column) and the
    index of the first line after the table. A table continued under a repeated header on the
    next page is followed there."""
    rows: list[dict[str, Found]] = []
    end = len(ctx.lines)
    header = ctx.lines[table.header_line]
    columns = table.columns
    previous_bottom = header.y1
    index = table.header_line + 1
    while index < len(ctx.lines):
        line = ctx.lines[index]
        if line.page != header.page or _ends_table(ctx, index, line, header, previous_bottom):
            continued = None if _at_totals(ctx, index) else _continuation(ctx, wanted, index, header.page)
            if continued is None:
                end = index
                break
            header, columns = ctx.lines[continued.header_line], continued.columns
            previous_bottom, index = header.y1, continued.header_line + 1
            continue
        previous_bottom = line.y1
        row = _parse_row(ctx, line.page, _cells(line, columns), wanted)
        if any(name in row for name in _NUMERIC):
            rows.append(_strip_row_number(row, len(rows) + 1))
        elif rows and "description" in row and "description" in rows[-1]:
            rows[-1]["description"] = _join(rows[-1]["description"], row["description"])
        index += 1
    return rows, end


def _strip_row_number(row: dict[str, Found], number: int) -> dict[str, Found]:
    """A description starting with the row's own number (an unlabelled position column) loses it."""
    description = row.get("description")
    prefix = f"{number} "
    if description is not None and description.value.startswith(prefix) and len(description.words) > 1:
        words = description.words[1:]
        row["description"] = Found(description.name, description.value[len(prefix):], words, description.page,
                                   description.method, description.confidence)
    return row


def _ends_table(ctx: Context, index: int, line: Line, header: Line, previous_bottom: float) -> bool:
    if line.y0 - previous_bottom > 4 * max(header.height, line.height):
        return True
    return _at_totals(ctx, index)


def _at_totals(ctx: Context, index: int) -> bool:
    first = ctx.labels[index][0] if ctx.labels[index] else None
    return first is not None and first.start == 0 and bool(set(first.names) & _STOP_FIELDS)


def _continuation(ctx: Context, wanted: frozenset[str], index: int, page: int) -> Table | None:
    """The repeated header near the top of the next page, if the table goes on there."""
    continued = find_table(ctx, wanted, index)
    if continued is None:
        return None
    line = ctx.lines[continued.header_line]
    if line.page != page + 1 or line.y0 > 0.35:
        return None
    between = range(index, continued.header_line)
    if any(_at_totals(ctx, i) for i in between):
        return None
    return continued


def _cells(line: Line, columns: tuple[Column, ...]) -> dict[str, list[Word]]:
    cells: dict[str, list[Word]] = {}
    for segment in line.segments:
        for part in _split_by_columns(segment, columns):
            column = _best_column(part, columns)
            cells.setdefault(column.name, []).extend(part)
    return cells


def _split_by_columns(segment: Segment, columns: tuple[Column, ...]) -> list[list[Word]]:
    """A segment spanning several columns (narrow gaps) cut where its words change column.

    A number moves into the number column it sits under, and whatever follows a number column
    (``10 pcs``) starts a new cell; text spilling under a neighbouring header (a long description)
    stays in its cell.
    """
    parts: list[list[Word]] = []
    current: Column | None = None
    for word in segment.words:
        column = _best_column([word], columns)
        changes = current is not None and column != current and (
            (column.name in _NUMERIC and _is_number(word.text))
            or current.name in _NUMERIC)
        if not parts or changes:
            parts.append([word])
            current = column
        else:
            parts[-1].append(word)
            current = current or column
    return parts


def _is_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _best_column(words: list[Word], columns: tuple[Column, ...]) -> Column:
    x0, x1 = min(w.x0 for w in words), max(w.x1 for w in words)

    def score(column: Column) -> tuple[float, float]:
        overlap = min(x1, column.x1) - max(x0, column.x0)
        centre_distance = abs((x0 + x1) / 2 - (column.x0 + column.x1) / 2)
        return (overlap if overlap > 0 else 0.0, -centre_distance)

    return max(columns, key=score)


def _parse_row(ctx: Context, page: int, cells: dict[str, list[Word]], wanted: frozenset[str]) -> dict[str, Found]:
    row: dict[str, Found] = {}
    for name, words in cells.items():
        if name not in wanted:
            continue
        text = collapse(" ".join(w.text for w in words))
        value = _cell_value(ctx, name, text)
        if value is not None:
            row[name] = Found(name=name, value=value, words=tuple(words), page=page, method="table",
                              confidence=0.9 * word_confidence(words))
    return row


def _cell_value(ctx: Context, name: str, text: str) -> str | None:
    if name == "tax_rate":
        return parse_percent(text, ctx.style)
    if name in _NUMERIC:
        return amount_of(text, ctx.style)
    return text or None


def _join(first: Found, second: Found) -> Found:
    words = first.words + second.words
    return Found(name=first.name, value=collapse(f"{first.value} {second.value}"), words=words,
                 page=first.page, method=first.method, confidence=min(first.confidence, second.confidence))

