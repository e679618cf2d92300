"""Claims: sets of open items a payment may be for, each with the evidence that points to them.

A claim is gathered from one kind of evidence (references in the remittance, an amount equal to
one of the payer's items, a combination of the payer's items summing to the payment); scoring
and the final decision are :mod:`docket.cashapp.matching`'s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from docket.cashapp.errors import FxRateMissingError
from docket.cashapp.fx import FxRates
from docket.cashapp.ledger import Ledger, PayerMatch
from docket.cashapp.statements.line import StatementLine
from docket.cashapp.subset_sum import find_subsets
from docket.model.masterdata import OpenItem

_REFERENCE_RANK = {"structured_reference": 0, "remittance_advice": 1, "invoice_number_in_text": 2,
                   "invoice_number_fuzzy": 3, "invoice_number_partial": 4}
_STRONG = {"structured_reference", "remittance_advice", "invoice_number_in_text"}
_HIT_EVIDENCE = {"exact": "invoice_number_in_text", "fuzzy": "invoice_number_fuzzy",
                 "tail": "invoice_number_partial"}


@dataclass(frozen=True, slots=True)
class Claim:
    """Items (sorted ids) of one customer, and the evidence naming them (weakest reference first)."""

    customer_id: str
    item_ids: tuple[str, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class SearchLimits:
    """Bounds of the combination search (per payment)."""

    max_items: int = 6
    max_steps: int = 20_000
    max_pool: int = 40


def referenced_items(line: StatementLine, ledger: Ledger, payer: PayerMatch | Collection[str] | None,
                     advice_numbers: tuple[str, ...] = ()) -> dict[str, str]:
    """Item id → strongest reference evidence, from the structured reference, the advice and the text.

    Fuzzy and partial (running number only) hits count only within the payer's own items (fuzzy
    ones also when the payer is unknown), since on their own they name a neighbour as easily as
    the right invoice; scoring then asks the amount to confirm them. ``payer`` is the resolved
    payer or the ids of every customer the payer may be (by account or name).
    """
    payers: Collection[str] = {payer.customer_id} if isinstance(payer, PayerMatch) else (payer or ())
    found: dict[str, str] = {}

    def keep(item_id: str, evidence: str) -> None:
        if item_id not in found or _REFERENCE_RANK[evidence] < _REFERENCE_RANK[found[item_id]]:
            found[item_id] = evidence

    for item in ledger.items_with_reference(line.remittance_structured):
        keep(item.item_id, "structured_reference")
    for number in advice_numbers:
        for hit in ledger.numbers.find(number):
            if hit.kind == "exact":
                keep(hit.item_id, "remittance_advice")
    strong_customers = {ledger.items[i].customer_id for i, e in found.items() if e in _STRONG}
    for hit in ledger.numbers.find(line.remittance_text):
        evidence = _HIT_EVIDENCE[hit.kind]
        customer = ledger.items[hit.item_id].customer_id
        if evidence in _STRONG:
            keep(hit.item_id, evidence)
            strong_customers.add(customer)
        elif (customer in payers or customer in strong_customers
              or (not payers and evidence == "invoice_number_fuzzy")):
            keep(hit.item_id, evidence)
    return found


def reference_claims(found: dict[str, str], ledger: Ledger, payer: PayerMatch | None) -> list[Claim]:
    """One claim per customer among the referenced items, with strong-only and all-hits variants.

    A payment is from one customer, so references to several customers' items are competing
    claims, not one bundle.
    """
    by_customer: dict[str, dict[str, str]] = defaultdict(dict)
    for item_id, evidence in found.items():
        by_customer[ledger.items[item_id].customer_id][item_id] = evidence
    claims: list[Claim] = []
    for customer, hits in by_customer.items():
        strong = {i: e for i, e in hits.items() if e in _STRONG}
        for subset in (strong, hits):
            if not subset:
                continue
            claim = Claim(customer, tuple(sorted(subset)), _weakest_first(subset))
            if claim not in claims:
                claims.append(claim)
    return claims


def _weakest_first(hits: dict[str, str]) -> tuple[str, ...]:
    return tuple(sorted(set(hits.values()), key=lambda e: -_REFERENCE_RANK[e]))


def converted_open(items: list[OpenItem], currency: str, fx: FxRates) -> list[tuple[OpenItem, Decimal]]:
    """Items with their open amount in ``currency``; items without an FX rate are left out."""
    out: list[tuple[OpenItem, Decimal]] = []
    for item in items:
        try:
            out.append((item, fx.convert(item.amount_open, item.currency, currency)))
        except FxRateMissingError:
            continue
    return out


def _tolerance(item: OpenItem, currency: str, amount: Decimal, absolute: Decimal, relative: Decimal) -> Decimal:
    return max(absolute, amount * relative) if item.currency != currency else absolute


def equal_amount_claims(line: StatementLine, ledger: Ledger, customer_id: str, fx: FxRates, *,
                        absolute: Decimal, relative: Decimal) -> list[Claim]:
    """One claim per item of the customer open for the payment's amount: ``amount_unique`` when
    there is one, ``amount_ambiguous`` on each when there are several."""
    pool = converted_open(ledger.items_of(customer_id), line.currency, fx)
    equal = [item for item, value in pool
             if abs(value - line.amount) <= _tolerance(item, line.currency, value, absolute, relative)]
    label = "amount_unique" if len(equal) == 1 else "amount_ambiguous"
    return [Claim(customer_id, (item.item_id,), (label,)) for item in equal]


def subset_claims(line: StatementLine, ledger: Ledger, customer_id: str, fx: FxRates, *,
                  absolute: Decimal, relative: Decimal, limits: SearchLimits) -> list[Claim]:
    """The smallest combinations of the customer's items summing to the payment: ``subset_sum``
    when exactly one exists and the search finished, else ``subset_sum_ambiguous`` on each found."""
    pool = converted_open(ledger.items_of(customer_id), line.currency, fx)
    pool = pool[-limits.max_pool:]  # most recent invoices are the likeliest to be paid together
    foreign = any(item.currency != line.currency for item, _ in pool)
    tolerance = max(absolute, line.amount * relative) if foreign else absolute
    result = find_subsets([value for _, value in pool], line.amount, tolerance=tolerance,
                          max_items=limits.max_items, max_steps=limits.max_steps)
    unique = len(result.solutions) == 1 and result.exhausted
    label = "subset_sum" if unique else "subset_sum_ambiguous"
    return [Claim(customer_id, tuple(sorted(pool[k][0].item_id for k in combo)), (label,))
            for combo in result.solutions]


def anchored_claims(line: StatementLine, ledger: Ledger, found: dict[str, str], fx: FxRates, *,
                    absolute: Decimal, limits: SearchLimits) -> list[Claim]:
    """Bundles the remittance names only partly: per customer, its referenced items plus the
    fewest of its other open items (same currency as the payment) that make up the rest of the
    amount, ``subset_sum_anchored`` when exactly one such completion exists."""
    by_customer: dict[str, list[str]] = defaultdict(list)
    for item_id in found:
        by_customer[ledger.items[item_id].customer_id].append(item_id)
    claims: list[Claim] = []
    for customer, named in by_customer.items():
        named_items = [ledger.items[i] for i in named]
        if any(i.currency != line.currency for i in named_items):
            continue
        rest = line.amount - sum((i.amount_open for i in named_items), Decimal(0))
        if rest <= absolute:
            continue
        pool = [i for i in ledger.items_of(customer) if i.item_id not in found and i.currency == line.currency]
        pool = pool[-limits.max_pool:]
        singles = [(k,) for k, i in enumerate(pool) if abs(i.amount_open - rest) <= absolute]
        combos = singles or find_subsets([i.amount_open for i in pool], rest, tolerance=absolute,
                                         max_items=max(2, limits.max_items - len(named)),
                                         max_steps=limits.max_steps).solutions
        label = "subset_sum_anchored" if len(combos) == 1 else "subset_sum_ambiguous"
        for combo in combos[:2]:
            ids = tuple(sorted([*named, *(pool[k].item_id for k in combo)]))
            claims.append(Claim(customer, ids, (*_weakest_first({i: found[i] for i in named}), label)))
    return claims


def ledger_amount_claims(line: StatementLine, ledger: Ledger) -> list[Claim]:
    """Without a known payer: items anywhere in the ledger whose open amount equals the payment
    in the same currency, exactly (``amount_unique_ledger``), at most three."""
    equal = ledger.items_with_amount(line.currency, line.amount)
    if not equal or len(equal) > 3:
        return []
    return [Claim(i.customer_id, (i.item_id,), ("amount_unique_ledger",)) for i in equal]
