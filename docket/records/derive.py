"""Values the document implies without printing them as fields.

Many invoices print one tax amount under a label ("VAT:") without a rate per line or a tax
breakdown. When exactly one of the issuer country's valid rates turns the net into the stated tax
(within the tax rounding tolerance), that rate is the document's tax rate; the ERP needs it to
book the lines with the right tax. Likewise, a document with several rates that prints a tax
breakdown but no rate per line implies each line's rate when only one split of the lines matches
the breakdown. Ambiguous or impossible cases derive nothing (validation and review see the
document as printed).
"""

from __future__ import annotations

from collections.abc import Callable
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


_CENT = Decimal("0.01")
_SEARCH_BUDGET = 200_000  # assignments tried before giving up: beyond it the answer is not worth guessing
_MAX_SPLITS = 8


def derive_line_tax_rates(record: InvoiceRecord, rules: RuleSet) -> tuple[InvoiceRecord, list[Normalization]]:
    """``record`` with the tax rate of each line that prints none, when the tax breakdown fixes it.

    A document charging several rates often prints one row per rate (rate, base, amount) but no rate
    column in the line table; the ERP books each line with its tax, so each line needs its rate.
    When exactly one way of giving every rateless line one of the breakdown's rates makes each rate's
    line amounts add up to its printed base (or, without a base, its amount within the tax rounding
    tolerance — and if several do, exactly one gives every amount to the cent), those rates are
    taken. A single-rate document, a line without amount, no breakdown, or an ambiguous or
    impossible split derives nothing: the record stays as printed.
    """
    open_lines = [line for line in record.lines if line.tax_rate is None]
    rates = [tax.rate for tax in record.tax_lines]
    if not open_lines or len(set(rates)) < 2 or len(set(rates)) != len(rates):
        return record, []
    if any(line.amount is None for line in open_lines):
        return record, []
    fixed: dict[Decimal, Decimal] = {rate: Decimal(0) for rate in rates}
    for line in record.lines:
        if line.tax_rate is not None:
            if line.tax_rate not in fixed or line.amount is None:
                return record, []
            fixed[line.tax_rate] += line.amount
    targets = {tax.rate: tax for tax in record.tax_lines}

    def fits(rate: Decimal, lines_sum: Decimal, tolerance: Decimal = rules.tax_rounding_tolerance) -> bool:
        tax = targets[rate]
        if tax.base is not None:
            return abs(lines_sum - tax.base) <= _CENT
        return abs((lines_sum * rate / Decimal(100)).quantize(_CENT) - tax.amount) <= tolerance

    amounts = [line.amount for line in open_lines if line.amount is not None]
    # With bases printed and no negative line, a partial sum past its base can be cut off early.
    bounded = all(tax.base is not None for tax in record.tax_lines) and all(a >= 0 for a in amounts)

    def past(rate: Decimal, lines_sum: Decimal) -> bool:
        base = targets[rate].base
        return bounded and base is not None and lines_sum > base + _CENT

    splits = _splits(amounts, rates, fixed, fits, past)
    if len(splits) > 1:
        # Without printed bases the rounding tolerance can admit a second split; the issuer's own
        # rounding (each rate's tax = its base x rate, to the cent) usually singles one out.
        splits = [split for split in splits
                  if all(fits(rate, total, Decimal(0)) for rate, total in split[1].items())]
    if len(splits) != 1:
        return record, []
    found = splits[0][0]
    given = dict(zip((line.index for line in open_lines), found, strict=True))
    lines = [line.model_copy(update={"tax_rate": given[line.index]}) if line.index in given else line
             for line in record.lines]
    how = [Normalization(field=f"line_{index}_tax_rate", raw="tax breakdown by rate", value=str(rate.normalize()),
                         rule="line_tax_rate_derived") for index, rate in given.items()]
    return record.model_copy(update={"lines": lines}), how


def _splits(amounts: list[Decimal], rates: list[Decimal], start: dict[Decimal, Decimal],
            fits: Callable[[Decimal, Decimal], bool],
            past: Callable[[Decimal, Decimal], bool]) -> list[tuple[list[Decimal], dict[Decimal, Decimal]]]:
    """Every assignment of a rate to each amount after which ``fits(rate, sum)`` holds for every rate,
    with the sums (``past(rate, partial_sum)`` prunes); empty when the search exceeds its budget or
    finds more than a handful (then nothing can be told apart)."""
    solutions: list[tuple[list[Decimal], dict[Decimal, Decimal]]] = []
    budget = [_SEARCH_BUDGET]
    chosen: list[Decimal] = []
    sums = dict(start)

    def search(position: int) -> bool:  # False stops the search (too many answers or out of budget)
        budget[0] -= 1
        if budget[0] < 0:
            return False
        if position == len(amounts):
            if all(fits(rate, sums[rate]) for rate in rates):
                solutions.append((list(chosen), dict(sums)))
            return len(solutions) <= _MAX_SPLITS
        for rate in rates:
            chosen.append(rate)
            sums[rate] += amounts[position]
            going = True if past(rate, sums[rate]) else search(position + 1)
            sums[rate] -= amounts[position]
            chosen.pop()
            if not going:
                return False
        return True

    return solutions if search(0) else []
