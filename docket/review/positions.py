"""Per-vendor field positions learned from corrections: where a vendor prints each field.

When a reviewer fills a field by clicking a box, that box is evidence of where this vendor puts
the field. Positions are kept as a running mean of the boxes seen, per (legal entity, vendor,
document type, field, page), with the number of samples, so a later extraction can look there
first and trust a position confirmed many times more than one seen once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from docket.model import BBox, FieldCorrection, LearnedPosition, VendorFieldPositions


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


_ORDERS = frozenset({"customer_order", "purchase_order"})


def extracted_name(field: str, document_type: str) -> str:
    """The name capture gives the value a reviewer corrected as record field ``field``: the form shows
    the record (``number``, ``issue_date``), capture reads ``invoice_number``, ``order_date``, ...
    Other names are the same on both sides."""
    if field == "number":
        return "receipt_number" if document_type == "receipt" else (
            "order_number" if document_type in _ORDERS else "invoice_number")
    if field == "issue_date":
        return "receipt_date" if document_type == "receipt" else (
            "order_date" if document_type in _ORDERS else "invoice_date")
    return field


def positions_to_learn(corrections: list[FieldCorrection]) -> list[tuple[str, BBox]]:
    """(field, box) for every correction made by clicking a box; typed-in values teach nothing."""
    return [(c.field, c.bbox) for c in corrections if c.bbox is not None]


def positions_key(legal_entity: str, vendor_id: str, document_type: str) -> str:
    """The key of a vendor's positions on ``vendors.field-positions``: ``legal_entity:vendor_id:document_type``."""
    return f"{legal_entity}:{vendor_id}:{document_type}"


def positions_record(positions: Sequence[FieldPosition], *, legal_entity: str, vendor_id: str, document_type: str,
                     now: datetime) -> VendorFieldPositions:
    """The topic record of every position learned for one vendor and document type (``positions`` of others
    are left out)."""
    own = sorted((p for p in positions if (p.legal_entity, p.vendor_id, p.document_type)
                  == (legal_entity, vendor_id, document_type)), key=lambda p: (p.field, p.page))
    return VendorFieldPositions(
        legal_entity=legal_entity, vendor_id=vendor_id, document_type=document_type, updated_at=now,
        positions=[LearnedPosition(field=p.field, page=p.page, x0=p.x0, y0=p.y0, x1=p.x1, y1=p.y1,
                                   samples=p.samples, updated_at=p.updated_at) for p in own])


def positions_of(record: VendorFieldPositions) -> tuple[FieldPosition, ...]:
    """The positions a topic record holds, as capture reads them."""
    return tuple(FieldPosition(record.legal_entity, record.vendor_id, record.document_type, p.field, p.page,
                               p.x0, p.y0, p.x1, p.y1, p.samples, p.updated_at) for p in record.positions)


class PositionBook:
    """Every vendor's learned positions, per (legal entity, vendor id, document type): what capture looks up
    once it knows the vendor. Filled record by record from ``vendors.field-positions``."""

    def __init__(self) -> None:
        self._positions: dict[tuple[str, str, str], tuple[FieldPosition, ...]] = {}
        self._entities: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._positions)

    def put(self, record: VendorFieldPositions) -> None:
        """Store ``record``, replacing what the book held for its vendor and type (an empty record forgets)."""
        key = (record.legal_entity, record.vendor_id, record.document_type)
        self.remove(*key)
        if record.positions:
            self._positions[key] = positions_of(record)
            self._entities[record.legal_entity] = self._entities.get(record.legal_entity, 0) + 1

    def remove(self, legal_entity: str, vendor_id: str, document_type: str) -> None:
        """Forget one vendor's positions for one type (a tombstone); unknown keys are ignored."""
        if self._positions.pop((legal_entity, vendor_id, document_type), None) is not None:
            left = self._entities[legal_entity] - 1
            if left:
                self._entities[legal_entity] = left
            else:
                del self._entities[legal_entity]

    def get(self, legal_entity: str, vendor_id: str, document_type: str) -> tuple[FieldPosition, ...]:
        """The vendor's positions for the type (empty when none were learned)."""
        return self._positions.get((legal_entity, vendor_id, document_type), ())

    def knows_entity(self, legal_entity: str) -> bool:
        """Whether any vendor of ``legal_entity`` has learned positions (capture keeps pages only then)."""
        return legal_entity in self._entities
