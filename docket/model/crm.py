"""What a CRM document says: a signed order form, a contract, a customer data change form.

Carried on :class:`~docket.model.InvoiceRecord` (``record.crm``) beside the shared header fields
(number, dates, currency, totals, lines, buyer), so the CRM types travel through the same events,
routing and review as invoices. Only what the header does not already hold lives here.
"""

from __future__ import annotations

from datetime import date

from docket.model.common import Amount, Model

CRM_DOCUMENT_TYPES = ("order_form", "contract", "customer_change")
"""The CRM document types; each posts as the posting type of the same name."""

BILLING_FREQUENCIES = ("monthly", "quarterly", "yearly")


class CrmRecord(Model):
    """The CRM part of a record; every field optional (a form states what it states).

    Order form: ``opportunity_reference`` (the quote or opportunity number it accepts),
    ``signature_date``. Contract: ``contract_number``, ``start_date``, ``end_date`` (or
    ``term_months``), ``auto_renewal`` with ``renewal_term_months``, ``notice_days``, ``value`` per
    ``billing_frequency``. Customer change: the new address, contacts and bank details;
    ``old_iban`` is what the form says it replaces. ``bank_change_approved_by`` is set only by a
    reviewer's approval: without it no sink applies bank details.
    """

    customer_reference: str | None = None
    opportunity_reference: str | None = None
    signature_date: date | None = None
    contract_number: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    term_months: int | None = None
    auto_renewal: bool | None = None
    renewal_term_months: int | None = None
    notice_days: int | None = None
    value: Amount | None = None
    billing_frequency: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    email: str | None = None
    phone: str | None = None
    new_iban: str | None = None
    new_bic: str | None = None
    old_iban: str | None = None
    bank_change_approved_by: str | None = None
