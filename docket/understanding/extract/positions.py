"""Per-vendor field positions put to use: a field the rules missed, or read with little confidence, is
read from the box where this vendor printed it before (learned from reviewers' clicked corrections,
``docket.review.positions``). The words inside the box are parsed as the field's kind, like a labelled
value; a position confirmed by more corrections is trusted more.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

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
        # A rule's read stays unless such position reads were measured to be right more often than it claims.
        if read is not None and (known is None or (
                read.value != known.value
                and measured_confidence(position.field, position.samples) > known.confidence)):
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
    # Never more than such reads were measured to be right, whoever the vendor is.
    confidence = min(round(trust * field.confidence, 4), measured_confidence(position.field, position.samples))
    return field.model_copy(update={"method": "position", "confidence": confidence})


def measured_confidence(field: str, samples: int) -> float:
    """How often a read of ``field`` at a position taught by ``samples`` corrections was right, measured
    (``bench/position_reads.py``, shipped as ``docket/understanding/data/position_reads.json``): the 95 %
    Wilson lower bound for the field and sample bucket (1, 2, 3+), or the bucket's pooled figure for a field
    measured too rarely."""
    table = _measured()
    bucket = str(samples) if samples < 3 else "3+"
    by_field = table["confidence"].get(field, {})
    return float(by_field.get(bucket, table["pooled"][bucket]))


@cache
def _measured() -> dict[str, Any]:
    text = resources.files("docket.understanding.data").joinpath(MEASURED_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


MEASURED_FILE = "position_reads.json"


def reread_at_positions(captured: CapturedDocument, positions: Sequence[FieldPosition], *,
                        vendor_identified: bool) -> CapturedDocument:
    """``captured`` with its missed and low-confidence fields read again at the vendor's learned ``positions``.

    The second pass of capture, once the vendor is known: it needs the pages ``captured`` kept
    (``CaptureOptions.keep_pages``) and leaves a document without them as it is. Fields found this way
    have ``method`` ``position``. With ``vendor_identified`` (by a checksum-valid VAT ID or IBAN) their
    confidence is the measured rate of such reads (:func:`measured_confidence` for the field and the
    position's samples); otherwise the read's own trust, which never exceeds that rate.
    """
    if not captured.pages or not positions:
        return captured
    ctx = Context.build(captured.pages, language=captured.language)
    fields, missing = read_at_positions(ctx, captured.document_type, captured.fields, captured.missing, positions)
    if fields is captured.fields:
        return captured
    if vendor_identified:
        samples = {extracted_name(p.field, captured.document_type): p.samples for p in positions
                   if p.document_type == captured.document_type}
        fields = [f.model_copy(update={"confidence": measured_confidence(f.name, samples.get(f.name, 1))})
                  if f.method == "position" else f for f in fields]
    return replace(captured, fields=fields, missing=missing)
