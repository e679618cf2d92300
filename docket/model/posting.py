"""Postings into ERP targets and their results."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from docket.model.common import Event
from docket.model.enrichment import InvoiceRecord
from docket.model.payments import CashApplication


def idempotency_key(document_id: str, revision: int, target: str) -> str:
    """The key a target sees for one document revision: repeating it must not post twice."""
    return f"{document_id}:{revision}:{target}"


class PostingRequested(Event):
    """A posting to one target (``postings.requested``); one document may fan out to several.

    ``posting_type`` is ``supplier_invoice``, ``supplier_credit_note``, ``customer_invoice``,
    ``sales_order`` or ``payment``. ``post_state`` is ``draft`` or ``posted``: how far the ERP
    document is taken, per policy. ``record`` is set for documents, ``cash_application`` for
    payments.
    """

    SUBJECT: ClassVar[str] = "postings.requested"
    idempotency_key: str
    target: str
    posting_type: str
    post_state: str = "posted"
    mapping_version: str
    revision: int = Field(default=0, ge=0)
    blob_uri: str | None = None
    sha256: str | None = None
    party_id: str | None = None
    party_xrefs: dict[str, str] = Field(default_factory=dict)
    """The party's ids in other systems (``tryton.customer``, ``crm``, ...), from the cross-references."""
    gl_account: str | None = None
    tax_code: str | None = None
    cost_center: str | None = None
    record: InvoiceRecord | None = None
    cash_application: CashApplication | None = None


class PostingResult(Event):
    """What a target answered (``postings.results``).

    ``status`` is ``posted``, ``already_posted`` (the idempotency key or the ERP's own duplicate
    check found the first result), ``rejected`` (permanent: the target refused), ``retrying`` or
    ``failed`` (retries exhausted). ``request`` and ``response`` are JSON with secrets and bank
    details redacted.
    """

    SUBJECT: ClassVar[str] = "postings.results"
    idempotency_key: str
    target: str
    status: str
    erp_reference: str | None = None
    erp_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    attempt: int = Field(default=1, ge=1)
    request: str | None = None
    response: str | None = None
    duration_ms: int | None = None
