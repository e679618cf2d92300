"""Customer data changes: bank details never change without a person.

A change form that states new bank details is the most common fraud pattern (the payee's account
swapped by a forged letter). :func:`bank_change_reasons` is the routing rule, not switchable by
policy: such a form always goes to review, and the reason shows the reviewer the old and new
values. :func:`approve_bank_change` is what a reviewer's approval does to the record: only a record
carrying the approver's name has its bank details applied by a sink.
"""

from __future__ import annotations

from collections.abc import Sequence

from docket.model import DocumentEnriched, RouteReason
from docket.routing.reasons import BANK_DETAILS_CHANGE_REQUESTED


def _compact(iban: str) -> str:
    return iban.replace(" ", "").upper()


def bank_change_reasons(document: DocumentEnriched, on_record: Sequence[str] = ()) -> list[RouteReason]:
    """The review reason of a document that asks to change bank details, else nothing.

    ``on_record`` are the accounts the customer's master data holds (when the caller knows them);
    the form's own statement of the account it replaces is shown beside them.
    """
    crm = document.record.crm
    if crm is None or not (crm.new_iban or crm.new_bic):
        return []
    customer = document.customer.party_id if document.customer and document.customer.party_id else "unmatched"
    old = ", ".join(_compact(iban) for iban in on_record) or "none known"
    stated = f"; the form says it replaces {_compact(crm.old_iban)}" if crm.old_iban else ""
    new = _compact(crm.new_iban) if crm.new_iban else "unchanged IBAN"
    bic = f" (BIC {crm.new_bic})" if crm.new_bic else ""
    return [RouteReason(code=BANK_DETAILS_CHANGE_REQUESTED, fields=["new_iban", "new_bic", "old_iban"],
                        message=f"bank details change for customer {customer}: on record {old}{stated}; "
                                f"new {new}{bic}")]


def approve_bank_change(document: DocumentEnriched, reviewer: str) -> DocumentEnriched:
    """The document as approved by ``reviewer``: its bank-detail change marked approved (others unchanged)."""
    crm = document.record.crm
    if crm is None or not (crm.new_iban or crm.new_bic):
        return document
    record = document.record.model_copy(update={"crm": crm.model_copy(update={"bank_change_approved_by": reviewer})})
    return document.model_copy(update={"record": record})
