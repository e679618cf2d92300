"""Values the document implies without printing them as fields.

Many invoices print one tax amount under a label ("VAT:") without a rate per line or a tax
breakdown. When exactly one of the issuer country's valid rates turns the net into the stated tax
(within the tax rounding tolerance), that rate is the document's tax rate; the ERP needs it to
book the lines with the right tax. Ambiguous or impossible cases derive nothing (validation and
review see the document as printed).
"""

from __future__ import annotations

from decimal import Decimal

from docket.model import InvoiceRecord, Normalization, TaxLine
from docket.records.rules import RuleSet


def derive_single_tax_line(record: InvoiceRecord, rules: RuleSet) -> tuple[InvoiceRecord, list[Normalization]]:
    """``record`` with one derived tax line where the rule above applies, and how it was derived."""
    net, tax = record.net_total, record.tax_total
    if record.tax_lines or net is None or tax is None or net <= 0 or tax < 0:
        return record, []
    rates = rules.tax_rates.get((record.supplier_country or "").upper(), frozenset())
    fitting = [rate for rate in rates
               if abs(net * rate / Decimal(100) - tax) <= rules.tax_rounding_tolerance]
    if len(fitting) != 1:
        return record, []
    (rate,) = fitting
    derived = record.model_copy(update={"tax_lines": [TaxLine(rate=rate, base=net, amount=tax)]})
    return derived, [Normalization(field="tax_1_rate", raw=f"{tax} tax on {net} net", value=str(rate.normalize()),
                                   rule="tax_rate_derived")]
