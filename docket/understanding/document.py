"""The result of capturing one document (re-exported as ``docket.capture.CapturedDocument``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from docket.model import ExtractedField, Finding, LineItem, MissingField


@dataclass(frozen=True)
class CapturedDocument:
    """One document found in a file; see the Capture issue for the meaning of each field."""

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
