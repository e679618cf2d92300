"""Field extraction, one module per document type, dispatched by :func:`extract_fields`."""

from __future__ import annotations

from collections.abc import Callable

from docket.model import MissingField
from docket.understanding.extract.base import Context
from docket.understanding.extract.commercial import Extraction
from docket.understanding.extract.invoice import extract_credit_note, extract_invoice
from docket.understanding.extract.order import extract_order
from docket.understanding.extract.receipt import extract_receipt
from docket.understanding.extract.remittance import extract_remittance

EXTRACTORS: dict[str, Callable[[Context], Extraction]] = {
    "invoice": extract_invoice,
    "credit_note": extract_credit_note,
    "purchase_order": extract_order,
    "customer_order": extract_order,
    "receipt": extract_receipt,
    "remittance_advice": extract_remittance,
}


def extract_fields(ctx: Context, document_type: str) -> Extraction:
    """The extraction for ``document_type``; an unknown type yields no fields and says why."""
    extractor = EXTRACTORS.get(document_type)
    if extractor is None:
        return Extraction([], [MissingField(name="*", reason=f"no extractor for document type {document_type}")], [])
    return extractor(ctx)


__all__ = ["EXTRACTORS", "Context", "Extraction", "extract_fields"]
