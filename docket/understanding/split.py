"""Splitting a file into documents: a page that opens with its own document title after a page
that closed a document (a totals line) starts a new document; other pages continue the current one."""

from __future__ import annotations

from collections.abc import Sequence

from docket.reading.page import Page
from docket.understanding.classify import title_table
from docket.understanding.labels import find_labels, label_table, tokens_of
from docket.understanding.layout import page_lines

_TOP = 0.3
_CLOSING = frozenset({"total"})


def split_documents(pages: Sequence[Page]) -> list[list[Page]]:
    """``pages`` grouped into documents, order kept; a single page is always one document."""
    groups: list[list[Page]] = []
    for page in pages:
        if groups and not (_opens_document(page) and _closes_document(groups[-1][-1])):
            groups[-1].append(page)
        else:
            groups.append([page])
    return groups


def _opens_document(page: Page) -> bool:
    for line in page_lines(page):
        if line.y0 > _TOP:
            return False
        for segment in line.segments:
            tokens = tokens_of(segment.words)
            matches = find_labels(tokens, title_table())
            if any(m.end - m.start >= 0.6 * len(tokens) for m in matches):
                return True
    return False


def _closes_document(page: Page) -> bool:
    table = label_table("fields")
    for line in page_lines(page):
        if line.y0 < 0.3:
            continue
        for match in find_labels(tokens_of(line.words), table, _CLOSING):
            if match.start == 0:
                return True
    return False
