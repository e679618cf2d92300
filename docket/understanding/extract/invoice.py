"""Invoices and credit notes: the supplier issues them, the buyer's block is labelled."""

from __future__ import annotations

from docket.understanding.extract.base import Context, assemble
from docket.understanding.extract.commercial import Extraction, read_commercial
from docket.understanding.extract.receipt import timed_date

INVOICE_FIELDS = ["supplier_name", "supplier_address", "supplier_vat_id", "supplier_tax_number",
                  "supplier_iban", "supplier_bic", "buyer_name", "buyer_vat_id", "invoice_number",
                  "invoice_date", "due_date", "payment_terms", "po_number", "currency", "net_total",
                  "tax_total", "total"]
CREDIT_NOTE_FIELDS = [*INVOICE_FIELDS[:13], "amends_number", *INVOICE_FIELDS[13:]]


def extract_invoice(ctx: Context) -> Extraction:
    """Fields, missing fields and line items of an invoice."""
    extraction = read_commercial(ctx, INVOICE_FIELDS, issuer_role="supplier", other_role="buyer",
                                 other_label="buyer", address_field="supplier_address", own_vat="supplier_vat_id",
                                 other_vat="buyer_vat_id")
    if "invoice_date" not in extraction.found and (timed := timed_date(ctx, "invoice_date")) is not None:
        extraction.found["invoice_date"] = timed
        fields, missing = assemble(extraction.found, list(dict.fromkeys([*INVOICE_FIELDS, *extraction.found])),
                                   ctx.engine)
        return Extraction(fields, missing, extraction.line_items, extraction.found)
    return extraction


def extract_credit_note(ctx: Context) -> Extraction:
    """Fields of a credit note: an invoice's fields plus ``amends_number`` (the invoice it corrects)."""
    return read_commercial(ctx, CREDIT_NOTE_FIELDS, issuer_role="supplier", other_role="buyer",
                           other_label="buyer", address_field="supplier_address", own_vat="supplier_vat_id",
                           other_vat="buyer_vat_id")
