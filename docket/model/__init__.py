"""Pydantic models shared by the stages; each event model mirrors one Avro subject in ``schemas/``.

Conventions that keep the models and the Avro schemas in step (``tests/unit/test_schemas.py``):
money and quantities are :data:`Amount` (Decimal, Avro ``decimal(20, 4)``), dates are ``date``
(Avro ``date``), instants are timezone-aware ``datetime`` (Avro ``timestamp-micros``), codes are
plain strings whose allowed values the field docs list (strings, not Avro enums, so a new code
is not a breaking change), optional fields default to ``None``.
"""

from docket.model.common import AMOUNT_PRECISION, AMOUNT_SCALE, Amount, BBox, Envelope, Event
from docket.model.crm import BILLING_FREQUENCIES, CRM_DOCUMENT_TYPES, CrmRecord
from docket.model.documents import DeadLetter, DocumentReceived, DocumentRejected
from docket.model.enrichment import (
    DocumentEnriched,
    DuplicateCandidate,
    Finding,
    InvoiceLine,
    InvoiceRecord,
    Normalization,
    PartyCandidate,
    PartyMatch,
    PoMatch,
    TaxLine,
)
from docket.model.extraction import DocumentExtracted, ExtractedField, LineItem, MissingField
from docket.model.masterdata import (
    CrossReference,
    Customer,
    OpenItem,
    PurchaseOrder,
    PurchaseOrderLine,
    Vendor,
)
from docket.model.payments import (
    AppliedItem,
    CashApplication,
    CashCandidate,
    EvidenceWeight,
    PaymentReceived,
    RemittanceLine,
)
from docket.model.positions import LearnedPosition, VendorFieldPositions
from docket.model.posting import PostingRequested, PostingResult, idempotency_key
from docket.model.routing import (
    CustomerMail,
    DocumentRouted,
    FieldCorrection,
    ReviewCompleted,
    ReviewRequested,
    RouteReason,
)

__all__ = [
    "AMOUNT_PRECISION",
    "AMOUNT_SCALE",
    "BILLING_FREQUENCIES",
    "CRM_DOCUMENT_TYPES",
    "Amount",
    "AppliedItem",
    "BBox",
    "CashApplication",
    "CashCandidate",
    "CrmRecord",
    "CrossReference",
    "Customer",
    "CustomerMail",
    "DeadLetter",
    "DocumentEnriched",
    "DocumentExtracted",
    "DocumentReceived",
    "DocumentRejected",
    "DocumentRouted",
    "DuplicateCandidate",
    "Envelope",
    "Event",
    "EvidenceWeight",
    "ExtractedField",
    "FieldCorrection",
    "Finding",
    "InvoiceLine",
    "InvoiceRecord",
    "LearnedPosition",
    "LineItem",
    "MissingField",
    "Normalization",
    "OpenItem",
    "PartyCandidate",
    "PartyMatch",
    "PaymentReceived",
    "PoMatch",
    "PostingRequested",
    "PostingResult",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "RemittanceLine",
    "ReviewCompleted",
    "ReviewRequested",
    "RouteReason",
    "TaxLine",
    "Vendor",
    "VendorFieldPositions",
    "idempotency_key",
]
