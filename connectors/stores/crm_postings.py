"""The ``crm_postings`` rows the dashboard lists, kept by the audit store as it records events.

A posting request of a CRM document (order form, contract, customer change) files its facts: the
customer, the quote or contract number, the amount, a contract's end, renewal and notice dates
(:func:`docket.crm.terms.contract_terms`). The target's answers (``postings.results``) set its
status and ERP reference. Events of several topics arrive in any order, so a request recorded
after its answers takes the latest answer already in ``audit_posting_attempts``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, or_, select

from connectors.stores import audit_tables as tables
from docket.crm.terms import contract_terms
from docket.model import CRM_DOCUMENT_TYPES, CrmRecord, InvoiceRecord, PostingRequested, PostingResult


def crm_facts(request: PostingRequested) -> dict[str, Any] | None:
    """The row values of a CRM posting request (None for any other posting)."""
    record = request.record
    if request.posting_type not in CRM_DOCUMENT_TYPES or record is None:
        return None
    crm = record.crm or CrmRecord()
    terms = contract_terms(crm) if request.posting_type == "contract" else None
    return {
        "document_id": request.envelope.document_id, "legal_entity": request.envelope.legal_entity,
        "posting_type": request.posting_type, "target": request.target, "party_id": request.party_id,
        "customer_name": record.buyer_name, "reference": _reference(request.posting_type, record, crm),
        "document_number": record.number, "amount": _amount(request.posting_type, record, crm),
        "currency": record.currency,
        "start_date": terms.start_date if terms else None, "end_date": terms.end_date if terms else None,
        "renewal_date": terms.renewal_date if terms else None, "notice_date": terms.notice_date if terms else None,
    }


def _reference(posting_type: str, record: InvoiceRecord, crm: CrmRecord) -> str | None:
    if posting_type == "order_form":
        return crm.opportunity_reference
    if posting_type == "contract":
        return crm.contract_number or record.number
    return crm.customer_reference


def _amount(posting_type: str, record: InvoiceRecord, crm: CrmRecord) -> Decimal | None:
    if posting_type == "order_form":
        return record.net_total if record.net_total is not None else record.total
    if posting_type == "contract":
        return crm.value
    return None


def record_crm_request(connection: Connection, request: PostingRequested, occurred_at: datetime) -> None:
    """File a CRM posting request (nothing for other postings), with the latest answer already recorded."""
    facts = crm_facts(request)
    if facts is None:
        return
    attempts, rows = tables.posting_attempts, tables.crm_postings
    latest = connection.execute(
        select(attempts.c.status, attempts.c.erp_reference, attempts.c.occurred_at)
        .where(attempts.c.idempotency_key == request.idempotency_key)
        .order_by(attempts.c.occurred_at.desc(), attempts.c.id.desc()).limit(1)).first()
    answer = {"status": "requested", "erp_reference": None, "answered_at": None} if latest is None else {
        "status": latest.status, "erp_reference": latest.erp_reference, "answered_at": latest.occurred_at}
    exists = connection.execute(select(rows.c.idempotency_key).where(
        rows.c.idempotency_key == request.idempotency_key)).first()
    if exists is None:
        connection.execute(rows.insert(), {"idempotency_key": request.idempotency_key, **facts, **answer,
                                           "requested_at": occurred_at})
    else:
        connection.execute(rows.update().where(rows.c.idempotency_key == request.idempotency_key).values(**facts))


def record_crm_answer(connection: Connection, result: PostingResult, occurred_at: datetime) -> None:
    """The target's answer on its CRM posting's row, unless a later answer is there already."""
    rows = tables.crm_postings
    connection.execute(rows.update().where(
        rows.c.idempotency_key == result.idempotency_key,
        or_(rows.c.answered_at.is_(None), rows.c.answered_at <= occurred_at)).values(
        status=result.status, erp_reference=result.erp_reference or rows.c.erp_reference, answered_at=occurred_at))
