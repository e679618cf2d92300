"""The parsed form of a vendor template (see :mod:`docket.understanding.templates` for the file format)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldRule:
    """One field read by regular expressions: ``patterns`` are tried in order; the first capturing group
    that matched (or the whole match) is the value. ``group`` combines several matches as invoice2data
    does: ``first`` (the default), ``last``, ``sum``, ``min``, ``max`` (amounts) or ``join`` (text)."""

    name: str
    patterns: tuple[str, ...]
    group: str | None = None


@dataclass(frozen=True)
class BlockRule:
    """A block of the text between ``start`` and ``end`` read line by line.

    For line items (invoice2data's ``lines`` parser or plugin) a line matching ``first_line`` opens a
    row, ``line`` lines add to the open row and ``last_line`` closes it; without ``first_line`` and
    ``last_line`` every ``line`` match is a row. ``skip_line`` lines are ignored. Named groups are the
    row's cells; ``types`` (``float``/``int``/``date``) say how to read a cell. For header tables
    (invoice2data's ``tables`` plugin) ``line`` is the body regex and its named groups are fields.
    ``end_match`` ``last`` lets a block end at the last ``end`` match (blocks spanning pages).
    """

    start: str
    end: str
    line: tuple[str, ...]
    first_line: tuple[str, ...] = ()
    last_line: tuple[str, ...] = ()
    skip_line: tuple[str, ...] = ()
    types: tuple[tuple[str, str], ...] = ()
    end_match: str = "first"


@dataclass(frozen=True)
class SkippedField:
    """A field of a template file that Docket cannot run (a plugin, an unknown parser) and why."""

    field: str
    reason: str


@dataclass(frozen=True)
class TextOptions:
    """How the text is prepared before field rules run (invoice2data's ``options``): runs of spaces
    removed, accents removed, lower-cased, then each ``(pattern, replacement)`` substituted."""

    remove_whitespace: bool = False
    remove_accents: bool = False
    lowercase: bool = False
    replace: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Template:
    """A parsed vendor template: ``fields`` are the regex rules (named with Docket's field names),
    ``static`` fixed values, ``lines`` line-item blocks, ``tables`` header-table blocks, ``skipped`` what
    the file defines that Docket cannot run. Higher ``priority`` templates are tried first."""

    name: str
    issuer: str
    keywords: tuple[str, ...]
    exclude_keywords: tuple[str, ...] = ()
    fields: tuple[FieldRule, ...] = ()
    currency: str | None = None
    decimal_separator: str = "."
    date_formats: tuple[str, ...] = ()
    static: tuple[tuple[str, str], ...] = field(default=())
    lines: tuple[BlockRule, ...] = ()
    tables: tuple[BlockRule, ...] = ()
    text_options: TextOptions = TextOptions()
    priority: int = 5
    skipped: tuple[SkippedField, ...] = ()
