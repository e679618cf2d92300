"""Reviewers' corrections as training labels for the field-confidence model (pure).

An approved review says what the document's values are: the fields the reviewer corrected carry the
corrected value, the others the value they approved unchanged. Those values label the document as a
truth sidecar does (``<name>.truth.json``), under capture's field names, with ``complete`` false: a
field the reviewer never saw (absent from the record) is not judged. Training then captures the
document again and marks each read field right or wrong against these labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from docket.model import FieldCorrection, InvoiceRecord
from docket.review.positions import extracted_name
from docket.understanding.learn.confidence import FIELDS

REVIEW_SOURCE = "review"
"""The label source of exported corrections (``files_per_source`` in the model manifest)."""


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def correction_labels(record: InvoiceRecord, corrections: Sequence[FieldCorrection]) -> dict[str, str]:
    """The labels an approved review gives its document: ``record``'s values with ``corrections`` applied,
    named as capture names them (``number`` of an invoice is ``invoice_number``), for the model's fields.

    A field the reviewer emptied has no label (what should not be there is not a value to learn)."""
    values: dict[str, str | None] = {name: _text(getattr(record, name)) for name in InvoiceRecord.model_fields
                                     if name not in ("document_type", "tax_lines", "lines", "crm")}
    for correction in corrections:
        if correction.field in values:
            values[correction.field] = _text(correction.new_value)
    labels = {extracted_name(name, record.document_type): value for name, value in values.items() if value}
    return {name: value for name, value in sorted(labels.items()) if name in FIELDS}


def truth_sidecar(filename: str, document_type: str, labels: dict[str, str], *, task_id: str,
                  corrected: Sequence[str]) -> dict[str, Any]:
    """The ``<name>.truth.json`` of an exported review: partial labels from source ``review``."""
    return {"file": filename, "document_type": document_type, "fields": labels, "complete": False,
            "source": REVIEW_SOURCE, "task_id": task_id, "corrected_fields": sorted(corrected)}
