"""The CRM part of a record from the fields a CRM form's extraction found."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from docket.model import CRM_DOCUMENT_TYPES, CrmRecord, ExtractedField


def is_crm_type(document_type: str) -> bool:
    return document_type.strip().lower() in CRM_DOCUMENT_TYPES


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def crm_record(fields: Mapping[str, ExtractedField] | list[ExtractedField]) -> CrmRecord:
    """A :class:`CrmRecord` from extracted fields in canonical form (unreadable values left out)."""
    by_name = fields if isinstance(fields, Mapping) else {f.name: f for f in fields}
    value = {name: field.value for name, field in by_name.items()}
    renewal = value.get("renewal")
    return CrmRecord(
        customer_reference=value.get("customer_reference"), opportunity_reference=value.get("opportunity_reference"),
        signature_date=_date(value.get("signature_date")), contract_number=value.get("contract_number"),
        start_date=_date(value.get("start_date")), end_date=_date(value.get("end_date")),
        term_months=_int(value.get("term_months")),
        auto_renewal=None if renewal is None else renewal == "auto",
        notice_days=_int(value.get("notice_period")), value=_decimal(value.get("value")),
        billing_frequency=value.get("billing_frequency"), street=value.get("street"),
        postal_code=value.get("postal_code"), city=value.get("city"), country=value.get("country"),
        email=value.get("email"), phone=value.get("phone"), new_iban=value.get("new_iban"),
        new_bic=value.get("new_bic"), old_iban=value.get("old_iban"))
