"""Per-vendor field positions put to use: a field the rules missed, or read with little confidence, is
read from the box where this vendor printed it before (learned from reviewers' clicked corrections,
``docket.review.positions``). The words inside the box are parsed as the field's kind, like a labelled
value; a position confirmed by more corrections is trusted more.
"""

from __future__ import annotations

from collections.abc import Sequence

from docket.model import ExtractedField, MissingField
from docket.review.positions import FieldPosition
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
    for position in positions:
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
