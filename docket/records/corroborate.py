"""Confidence from corroboration: values that other evidence on the document confirms.

An extractor's confidence says how sure it is that it *read* a box right. Some values can be
checked against others: net + tax = total, the lines add up to the net, an IBAN or VAT ID passes
its checksum. A value that passes such a check is very unlikely to be misread (a misread digit
would break the arithmetic or the checksum), so its confidence is raised to a floor. Confidence
is never lowered here: failed checks are findings, and routing already acts on those.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, utils

from docket.model import Finding, InvoiceRecord, Normalization, PartyMatch

ARITHMETIC_FLOOR = 0.99
CHECKSUM_FLOOR = 0.98
_TOTALS_RULES = {"TOTALS_MISMATCH", "TAX_TOTAL_MISMATCH", "TAX_AMOUNT_MISMATCH"}
_LINE_RULES = {"LINES_SUM_MISMATCH", "LINE_AMOUNT_MISMATCH"}
_CHECKSUM_RULES = {"iban", "vat_id"}
_STRONG_PARTY_METHODS = {"vat_id", "iban", "alias"}
NAME_MATCH_MIN = 90.0


def corroborated_confidence(record: InvoiceRecord, findings: Iterable[Finding],
                            normalizations: Iterable[Normalization], confidence: Mapping[str, float],
                            vendor: PartyMatch | None = None) -> dict[str, float]:
    """``confidence`` with corroborated fields raised to their floor (see module doc).

    A supplier name is corroborated when the vendor was resolved by strong evidence (VAT ID,
    IBAN, learned alias) and master data's name for it reads the same as the page.
    """
    failed = {finding.rule_id for finding in findings}
    raised = dict(confidence)

    def floor(name: str, value: float) -> None:
        if name in raised:
            raised[name] = max(raised[name], value)

    totals_known = None not in (record.net_total, record.tax_total, record.total)
    if totals_known and not failed & _TOTALS_RULES:
        for name in ("net_total", "tax_total", "total"):
            floor(name, ARITHMETIC_FLOOR)
    lines_known = bool(record.lines) and all(line.amount is not None for line in record.lines)
    if lines_known and record.net_total is not None and not failed & (_LINE_RULES | _TOTALS_RULES):
        for line in record.lines:
            for cell in ("amount", "quantity", "unit_price"):
                floor(f"line[{line.index}].{cell}", ARITHMETIC_FLOOR)
    if (vendor is not None and vendor.method in _STRONG_PARTY_METHODS and vendor.name and record.supplier_name
            and fuzz.token_sort_ratio(vendor.name, record.supplier_name, processor=utils.default_process)
            >= NAME_MATCH_MIN):
        floor("supplier_name", CHECKSUM_FLOOR)
    for normalization in normalizations:
        # Only validated identifiers carry these rules ("vat_id_unchecked" does not).
        if normalization.rule in _CHECKSUM_RULES:
            floor(normalization.field, CHECKSUM_FLOOR)
    return raised
