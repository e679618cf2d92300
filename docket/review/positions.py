"""Per-vendor field positions learned from corrections: where a vendor prints each field.

When a reviewer fills a field by clicking a box, that box is evidence of where this vendor puts
the field. Positions are kept as a running mean of the boxes seen, per (legal entity, vendor,
document type, field, page), with the number of samples, so a later extraction can look there
first and trust a position confirmed many times more than one seen once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from docket.model import BBox, FieldCorrection


@dataclass(frozen=True)
class FieldPosition:
    """Where ``vendor_id`` prints ``field`` on documents of ``document_type``: a mean box over ``samples``."""

    legal_entity: str
    vendor_id: str
    document_type: str
    field: str
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    samples: int
    updated_at: datetime

    @property
    def key(self) -> tuple[str, str, str, str, int]:
        return (self.legal_entity, self.vendor_id, self.document_type, self.field, self.page)


def _mean(old: float, new: float, samples: int) -> float:
    return old + (new - old) / (samples + 1)


def learned_position(known: FieldPosition | None, *, legal_entity: str, vendor_id: str, document_type: str,
                     field: str, box: BBox, now: datetime) -> FieldPosition:
    """``known`` moved towards ``box`` by one more sample (or a first position at ``box``)."""
    if known is None:
        return FieldPosition(legal_entity, vendor_id, document_type, field, box.page, box.x0, box.y0, box.x1,
                             box.y1, 1, now)
    n = known.samples
    return FieldPosition(legal_entity, vendor_id, document_type, field, box.page, _mean(known.x0, box.x0, n),
                         _mean(known.y0, box.y0, n), _mean(known.x1, box.x1, n), _mean(known.y1, box.y1, n),
                         n + 1, now)


def positions_to_learn(corrections: list[FieldCorrection]) -> list[tuple[str, BBox]]:
    """(field, box) for every correction made by clicking a box; typed-in values teach nothing."""
    return [(c.field, c.bbox) for c in corrections if c.bbox is not None]
