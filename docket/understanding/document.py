"""The result of capturing one document (re-exported as ``docket.capture.CapturedDocument``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from docket.model import ExtractedField, Finding, LineItem, MissingField
from docket.reading.page import Page


@dataclass(frozen=True)
class CapturedDocument:
    """One document found in a file; see the Capture issue for the meaning of each field.

    ``pages`` holds the read pages (words and boxes) only when ``CaptureOptions.keep_pages`` asked
    for them: a later pass can read the document again without reading the file again
    (:func:`docket.understanding.extract.positions.reread_at_positions`)."""

    document_type: str
    type_confidence: float
    language: str | None
    page_count: int
    page_range: str
    reading: str
    fields: list[ExtractedField]
    missing: list[MissingField]
    line_items: list[LineItem]
    template: str | None
    engine: str
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    findings: list[Finding] = field(default_factory=list)
    pages: tuple[Page, ...] = ()
