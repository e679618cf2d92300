"""Builders for extraction events as capture emits them (raw text plus canonical value)."""

from __future__ import annotations

from datetime import UTC, datetime

from docket.model import DocumentExtracted, Envelope, ExtractedField, LineItem

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


def field(name: str, raw: str, value: str | None = None, confidence: float = 0.99) -> ExtractedField:
    """A field read from the page; ``value`` defaults to the raw text."""
    return ExtractedField(name=name, value=raw if value is None else value, raw_text=raw, confidence=confidence,
                          method="layout", engine="text_layer")


def line(index: int, **cells: str) -> LineItem:
    return LineItem(index=index, fields=[field(name, raw) for name, raw in cells.items()])


def extracted(fields: dict[str, str], *, document_type: str = "invoice", lines: list[LineItem] | None = None,
              legal_entity: str = "LE1", document_id: str = "doc-1", language: str | None = None,
              sha256: str = "a" * 64) -> DocumentExtracted:
    return DocumentExtracted(
        envelope=Envelope.new(document_id=document_id, legal_entity=legal_entity, producer="test", now=NOW),
        blob_uri=f"file:///blobs/{sha256}", sha256=sha256, document_type=document_type, type_confidence=0.99,
        language=language, page_count=1, reading="text_layer",
        fields=[field(name, raw) for name, raw in fields.items()], line_items=lines or [])
