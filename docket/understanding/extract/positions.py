"""Per-vendor field positions put to use: a field the rules missed, or read with little confidence, is
read from the box where this vendor printed it before (learned from reviewers' clicked corrections,
``docket.review.positions``). The words inside the box are parsed as the field's kind, like a labelled
value; a position confirmed by more corrections is trusted more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from docket.model import ExtractedField, MissingField
from docket.review.positions import FieldPosition, extracted_name
from docket.understanding.document import CapturedDocument
from docket.understanding.extract.base import Context, to_field
from docket.understanding.extract.fields import FIELD_KINDS, Candidate, parse_candidate
from docket.understanding.labels import tokens_of

_MARGIN = 0.01
_TRUSTED = 0.9


def read_at_positions(ctx: Context, document_type: str, fields: list[ExtractedField], missing: list[MissingField],
                      positions: Sequence[FieldPosition]) -> tuple[list[ExtractedField], list[MissingField]]:
    """``fields`` and ``missing`` with the fields found at the vendor's learned ``positions`` filled in."""
    by_name = {f.name: f for f in fields}
    filled: dict[str, ExtractedField] = {}
    for learned in positions:
        # Positions taught through the review form name record fields ("number"): read them as capture's.
        position = replace(learned, field=extracted_name(learned.field, document_type))
        if position.document_type != document_type or position.field not in FIELD_KINDS:
            continue
        known = by_name.get(position.field)
        if known is not None and known.confidence >= _TRUSTED:
            continue
        read = _read_box(ctx, position)
        if read is not None and (known is None or read.value != known.value):
            filled[position.field] = read
    if not filled:
        return fields, missing
    out = [filled.pop(f.name, f) for f in fields] + list(filled.values())
    names = {f.name for f in out}
    return out, [m for m in missing if m.name not in names]


def _read_box(ctx: Context, position: FieldPosition) -> ExtractedField | None:
    inside = [(index, word) for index, line in enumerate(ctx.lines) if line.page == position.page
              for word in line.words
              if position.x0 - _MARGIN <= word.cx <= position.x1 + _MARGIN
              and position.y0 - _MARGIN <= word.cy <= position.y1 + _MARGIN]
    if not inside:
        return None
    candidate = Candidate(line=inside[0][0], tokens=tuple(tokens_of([w for _, w in inside])), where="right")
    found = parse_candidate(ctx, position.field, FIELD_KINDS[position.field], candidate)
    if found is None:
        return None
    trust = min(0.95, 0.75 + 0.05 * position.samples)
    field = to_field(found, ctx.engine)
    return field.model_copy(update={"method": "position", "confidence": round(trust * field.confidence, 4)})


IDENTIFIED_VENDOR_FLOOR = 0.92
"""Confidence of a field read at a learned position once the vendor is identified by a checksum-valid
identifier (VAT ID, IBAN): a person put the field in that box for this very vendor, and the box's words
parse as the field's kind. A policy floor, not a calibrated rate (see the routing thresholds)."""


def reread_at_positions(captured: CapturedDocument, positions: Sequence[FieldPosition], *,
                        vendor_identified: bool) -> CapturedDocument:
    """``captured`` with its missed and low-confidence fields read again at the vendor's learned ``positions``.

    The second pass of capture, once the vendor is known: it needs the pages ``captured`` kept
    (``CaptureOptions.keep_pages``) and leaves a document without them as it is. Fields found this way
    have ``method`` ``position``; with ``vendor_identified`` their confidence is at least
    :data:`IDENTIFIED_VENDOR_FLOOR`.
    """
    if not captured.pages or not positions:
        return captured
    ctx = Context.build(captured.pages, language=captured.language)
    fields, missing = read_at_positions(ctx, captured.document_type, captured.fields, captured.missing, positions)
    if fields is captured.fields:
        return captured
    if vendor_identified:
        fields = [f.model_copy(update={"confidence": max(f.confidence, IDENTIFIED_VENDOR_FLOOR)})
                  if f.method == "position" else f for f in fields]
    return replace(captured, fields=fields, missing=missing)
