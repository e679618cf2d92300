"""Remittance advices: the payer issues them; each paid invoice is a table row."""

from __future__ import annotations

from docket.understanding.extract.base import Context, assemble, line_items
from docket.understanding.extract.commercial import Extraction, read_currency, read_line_items, read_parties
from docket.understanding.extract.fields import read_labelled

REMITTANCE_FIELDS = ["payer_name", "payment_date", "payment_reference", "currency", "total"]
REMITTANCE_COLUMNS = frozenset({"invoice_number", "invoice_date", "invoice_amount", "amount_paid", "deduction"})
_OUTPUT_COLUMNS = ("invoice_number", "amount_paid", "deduction")


def extract_remittance(ctx: Context) -> Extraction:
    """Fields, missing fields and paid-invoice rows of a remittance advice."""
    found = read_labelled(ctx, REMITTANCE_FIELDS)
    read_parties(ctx, found, issuer_role="payer", other_role="payee", other_label="buyer", address_field=None)
    found.pop("payee_name", None)
    read_currency(ctx, found)
    rows, _ = read_line_items(ctx, REMITTANCE_COLUMNS)
    rows = [{name: cell for name, cell in row.items() if name in _OUTPUT_COLUMNS} for row in rows]
    fields, missing = assemble(found, REMITTANCE_FIELDS, ctx.engine)
    return Extraction(fields, missing, line_items(rows, ctx.engine), found)
