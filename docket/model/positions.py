"""Where each vendor prints each field, as it rides the compacted ``vendors.field-positions`` topic."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from docket.model.common import Model


class LearnedPosition(Model):
    """The mean box (page fractions, origin top left) over ``samples`` reviewers' clicks on ``field``."""

    field: str
    page: int = Field(ge=1)
    x0: float = Field(ge=0.0, le=1.0)
    y0: float = Field(ge=0.0, le=1.0)
    x1: float = Field(ge=0.0, le=1.0)
    y1: float = Field(ge=0.0, le=1.0)
    samples: int = Field(ge=1)
    updated_at: datetime


class VendorFieldPositions(Model):
    """Every position learned for one vendor's documents of one type, keyed
    ``legal_entity:vendor_id:document_type``; a null value (tombstone) forgets them.

    Published by the review workspace whenever a reviewer's clicked correction teaches a position;
    each worker's capture stage reads the topic whole and reads the vendor's next documents there.
    """

    SUBJECT: ClassVar[str] = "vendors.field-positions"
    legal_entity: str
    vendor_id: str
    document_type: str
    positions: list[LearnedPosition] = Field(default_factory=list)
    updated_at: datetime
