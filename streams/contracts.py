"""Which event model rides which topic, and the released Avro schemas in ``schemas/``.

``schemas/<subject>/v<N>.avsc`` is version N of a subject, never edited once released; a change
to a model is released as the next version (``docket schemas release``) after the compatibility
check passes. ``schemas/<subject>/v<N>.samples.json`` holds sample records of that version.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from docket.model import (
    CashApplication,
    CrossReference,
    Customer,
    DeadLetter,
    DocumentEnriched,
    DocumentExtracted,
    DocumentReceived,
    DocumentRejected,
    DocumentRouted,
    OpenItem,
    PaymentReceived,
    PostingRequested,
    PostingResult,
    PurchaseOrder,
    ReviewCompleted,
    ReviewRequested,
    Vendor,
    VendorFieldPositions,
)
from docket.model.avro import avro_schema, canonical_json
from streams import topics

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"

EVENT_MODELS: tuple[type[BaseModel], ...] = (
    DocumentReceived, DocumentExtracted, DocumentEnriched, DocumentRouted, DocumentRejected,
    ReviewRequested, ReviewCompleted, PostingRequested, PostingResult, PaymentReceived, CashApplication,
    Vendor, Customer, PurchaseOrder, OpenItem, CrossReference, DeadLetter, VendorFieldPositions,
)

class _TopicModels(dict[str, type[BaseModel]]):
    """The topic -> model map; every downstream ``postings.out.<name>`` topic carries
    :class:`PostingRequested` (its own subject ``<prefix>postings.out.<name>-value``, same schema)."""

    def __missing__(self, logical_topic: str) -> type[BaseModel]:
        if logical_topic.startswith(topics.DOWNSTREAM_TOPIC_PREFIX):
            return PostingRequested
        raise KeyError(logical_topic)


TOPIC_MODELS: dict[str, type[BaseModel]] = _TopicModels({
    topics.DOCUMENTS_RECEIVED.name: DocumentReceived,
    topics.DOCUMENTS_EXTRACTED.name: DocumentExtracted,
    topics.DOCUMENTS_ENRICHED.name: DocumentEnriched,
    topics.DOCUMENTS_BY_VENDOR.name: DocumentEnriched,
    topics.DOCUMENTS_ROUTED.name: DocumentRouted,
    topics.DOCUMENTS_REJECTED.name: DocumentRejected,
    topics.REVIEWS_REQUESTED.name: ReviewRequested,
    topics.REVIEWS_COMPLETED.name: ReviewCompleted,
    topics.POSTINGS_REQUESTED.name: PostingRequested,
    topics.POSTINGS_RETRY.name: PostingRequested,
    topics.POSTINGS_RESULTS.name: PostingResult,
    topics.PAYMENTS_RECEIVED.name: PaymentReceived,
    topics.PAYMENTS_BY_MATCH_KEY.name: PaymentReceived,
    topics.CASH_APPLICATIONS.name: CashApplication,
    topics.MASTERDATA_VENDORS.name: Vendor,
    topics.MASTERDATA_CUSTOMERS.name: Customer,
    topics.MASTERDATA_PURCHASE_ORDERS.name: PurchaseOrder,
    topics.MASTERDATA_OPEN_ITEMS.name: OpenItem,
    topics.MASTERDATA_XREFS.name: CrossReference,
    topics.DEADLETTER.name: DeadLetter,
    topics.VENDOR_FIELD_POSITIONS.name: VendorFieldPositions,
})

_VERSION_FILE = re.compile(r"^v(\d+)\.avsc$")


def subject_of(model: type[BaseModel]) -> str:
    """The schema subject directory name of an event model (its ``SUBJECT``)."""
    subject = getattr(model, "SUBJECT", "")
    if not subject:
        raise ValueError(f"{model.__name__} declares no SUBJECT")
    return str(subject)


def released_versions(subject: str, root: Path = SCHEMAS_DIR) -> list[tuple[int, dict[str, Any]]]:
    """All released versions of ``subject``, oldest first, as ``(version, schema)``."""
    folder = root / subject
    found = []
    for path in folder.glob("v*.avsc"):
        match = _VERSION_FILE.match(path.name)
        if match:
            found.append((int(match.group(1)), json.loads(path.read_text())))
    return sorted(found, key=lambda item: item[0])


def latest_schema(model: type[BaseModel], root: Path = SCHEMAS_DIR) -> dict[str, Any]:
    """The newest released schema of ``model``'s subject; LookupError if none is released."""
    versions = released_versions(subject_of(model), root)
    if not versions:
        raise LookupError(f"no released schema for {subject_of(model)} under {root}")
    return versions[-1][1]


def samples(subject: str, version: int, root: Path = SCHEMAS_DIR) -> list[dict[str, Any]]:
    """The sample records of one released version (JSON, as the pydantic model dumps them)."""
    path = root / subject / f"v{version}.samples.json"
    data = json.loads(path.read_text())
    if not isinstance(data, list) or not data:
        raise ValueError(f"{path} must hold a non-empty JSON list of records")
    return data


def pending_release(model: type[BaseModel], root: Path = SCHEMAS_DIR) -> dict[str, Any] | None:
    """The model's current schema when it differs from the newest released one, else None."""
    current = avro_schema(model)
    versions = released_versions(subject_of(model), root)
    if versions and canonical_json(versions[-1][1]) == canonical_json(current):
        return None
    return current


def release(model: type[BaseModel], root: Path = SCHEMAS_DIR) -> Path | None:
    """Write the model's schema as the next version of its subject if it changed; the new file."""
    current = pending_release(model, root)
    if current is None:
        return None
    subject = subject_of(model)
    versions = released_versions(subject, root)
    next_version = versions[-1][0] + 1 if versions else 1
    path = root / subject / f"v{next_version}.avsc"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(canonical_json(current))
    return path
