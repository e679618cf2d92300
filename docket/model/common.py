"""Building blocks shared by every event: the envelope, amounts, boxes on a page."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

AMOUNT_PRECISION = 20
AMOUNT_SCALE = 4
_QUANTUM = Decimal(1).scaleb(-AMOUNT_SCALE)
_EVENT_NAMESPACE = uuid.UUID("6f1d3c2e-5b7a-4e8f-9a0b-d0c6e7f8a9b1")


def _quantize_amount(value: Decimal) -> Decimal:
    """Fit a Decimal to Avro ``decimal(20, 4)``: more than four places is rounded half-even.

    Four places hold unit prices and three-decimal currencies (KWD, BHD); the scale is fixed
    by the released schemas, so a value that does not fit is rejected, never truncated silently.
    """
    if not value.is_finite():
        raise ValueError("amount must be finite")
    try:
        quantized = value.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:  # more digits than the context holds (1e99999): pydantic reports ValueErrors only
        raise ValueError(f"amount {value:.6g} does not fit decimal({AMOUNT_PRECISION},{AMOUNT_SCALE})") from None
    if len(quantized.as_tuple().digits) > AMOUNT_PRECISION:
        raise ValueError(f"amount {value} does not fit decimal({AMOUNT_PRECISION},{AMOUNT_SCALE})")
    return quantized


Amount = Annotated[Decimal, AfterValidator(_quantize_amount)]
"""Money or a quantity: Decimal end to end, Avro ``decimal(20, 4)`` on the wire."""


class Model(BaseModel):
    """Base for all Docket models: immutable, no unknown fields, validated on assignment."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class BBox(Model):
    """A box on a page, as fractions of the page width and height (0..1, origin top left).

    Fractions keep boxes comparable between a PDF's text layer (points) and a render at any dpi.
    """

    page: int = Field(ge=1, description="1-based page number")
    x0: float = Field(ge=0.0, le=1.0)
    y0: float = Field(ge=0.0, le=1.0)
    x1: float = Field(ge=0.0, le=1.0)
    y1: float = Field(ge=0.0, le=1.0)


class Envelope(Model):
    """What every event carries, whatever its type.

    ``document_id`` and ``correlation_id`` stay the same along a document's whole path;
    ``causation_id`` is the ``event_id`` of the event this one was made from, so a trail can be
    rebuilt as a chain. ``versions`` names what made the event (``extraction``, ``mapping``,
    ``ocr_engine``, ...).
    """

    event_id: str
    document_id: str
    correlation_id: str
    legal_entity: str
    occurred_at: datetime
    producer: str
    versions: dict[str, str] = Field(default_factory=dict)
    causation_id: str | None = None

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        return value

    @classmethod
    def new(cls, *, document_id: str, legal_entity: str, producer: str, now: datetime,
            correlation_id: str | None = None, versions: dict[str, str] | None = None) -> Envelope:
        """The envelope of the first event of a document (``correlation_id`` defaults to it)."""
        return cls(event_id=str(uuid.uuid4()), document_id=document_id,
                   correlation_id=correlation_id or document_id, legal_entity=legal_entity,
                   occurred_at=now, producer=producer, versions=dict(versions or {}))

    def follow(self, *, producer: str, now: datetime, versions: dict[str, str] | None = None,
               part: str = "", document_id: str | None = None) -> Envelope:
        """The envelope of an event made from this one: same correlation, merged versions.

        The new ``event_id`` is derived from this event's id, the producer, the versions and
        ``part`` (which tells apart several events made from one, e.g. documents split from one
        file, or one posting per target). Replaying an event through unchanged code therefore
        yields the same event ids downstream, and every store keyed by event id stays as it was;
        a new extraction or mapping version yields new ids, so reprocessing is recorded.
        ``document_id`` overrides the document (a split file becomes several documents).
        """
        merged = {**self.versions, **(versions or {})}
        seed = "|".join([self.event_id, producer, part, *(f"{k}={v}" for k, v in sorted(merged.items()))])
        return Envelope(event_id=str(uuid.uuid5(_EVENT_NAMESPACE, seed)),
                        document_id=document_id or self.document_id,
                        correlation_id=self.correlation_id, legal_entity=self.legal_entity,
                        occurred_at=now, producer=producer, versions=merged, causation_id=self.event_id)


class Event(Model):
    """Base of every event model. ``SUBJECT`` names its Avro subject (``schemas/<SUBJECT>/``)."""

    SUBJECT: ClassVar[str] = ""
    envelope: Envelope

    def to_avro(self) -> dict[str, Any]:
        """The record as fastavro expects it (Decimal, date and datetime stay typed)."""
        return self.model_dump(mode="python")
