"""Who may have paid, and which sets of open items a payment may be for (claims), before scoring.

The payer is looked at through every identifier the line carries: a bank account the ledger
knows (learned from applied history, ``masterdata.xrefs``) names one customer; a payer name
names every customer whose name matches well enough, so two customers sharing one legal name
both stay candidates and the invoice the payment names tells them apart. Claims are gathered
from references (structured, advice, text: exact, OCR-folded, one-edit, running number), from
amounts equal to one of a candidate customer's items, from combinations of its items summing
to the payment, from named items completed by unnamed ones (bundles named partly), and, when
nobody is identified, from amounts unique in the whole ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docket.cashapp.claims import (
    Claim,
    SearchLimits,
    anchored_claims,
    equal_amount_claims,
    ledger_amount_claims,
    reference_claims,
    referenced_items,
    subset_claims,
)
from docket.cashapp.fx import FxRates
from docket.cashapp.ledger import Ledger
from docket.cashapp.settlement import Tolerances, settle
from docket.cashapp.statements.line import StatementLine

_MAX_NAME_CANDIDATES = 3
_NAME_TIE = 0.02
# names below the policy's minimum still count as (weak) evidence for a claim found otherwise
_NAME_FLOOR = 0.7


@dataclass(frozen=True)
class PayerView:
    """What the line says about the payer: the owner of a known account (if any), whether an
    account was given at all, and customers matching the payer name with their scores."""

    account_owner: str | None
    account_given: bool
    by_name: dict[str, float] = field(default_factory=dict)

    @property
    def customers(self) -> tuple[str, ...]:
        """Customers amounts are searched among: the account's owner, else the name matches."""
        if self.account_owner:
            return (self.account_owner,)
        if not self.by_name:
            return ()
        best = max(self.by_name.values())
        # customers as good as the best name (sharing it, or nearly): a weaker name is not searched
        return tuple(c for c, s in self.by_name.items() if s >= best - _NAME_TIE)[:_MAX_NAME_CANDIDATES]


def payer_view(line: StatementLine, ledger: Ledger, *, min_name_score: float) -> PayerView:
    """The payer as the line identifies it (account first; names at or above ``min_name_score``)."""
    owner = ledger.account_owner(line.payer_account)
    names = dict(ledger.name_candidates(line.payer_name, min_score=min_name_score))
    return PayerView(account_owner=owner, account_given=bool(line.payer_account), by_name=names)


@dataclass(frozen=True)
class Gathered:
    """The claims of one line and the reference evidence per item they were built from."""

    claims: list[Claim]
    found: dict[str, str]


def _fits(claim: Claim, line: StatementLine, ledger: Ledger, fx: FxRates, tolerances: Tolerances) -> bool:
    items = [ledger.items[i] for i in claim.item_ids]
    return settle(items, line.amount, line.currency, fx=fx, tolerances=tolerances).fit in ("exact", "fx_difference")


def gather(line: StatementLine, ledger: Ledger, view: PayerView, fx: FxRates, *, tolerances: Tolerances,
           limits: SearchLimits, advice_numbers: tuple[str, ...] = ()) -> Gathered:
    """Every claim worth scoring for ``line`` (one per distinct item set, evidence labels merged)."""
    found = referenced_items(line, ledger, set(view.customers), advice_numbers)
    claims = reference_claims(found, ledger, None)
    if found and not any(_fits(c, line, ledger, fx, tolerances) for c in claims):
        claims += anchored_claims(line, ledger, found, fx, absolute=tolerances.amount, limits=limits)
    for customer in view.customers:
        equal = equal_amount_claims(line, ledger, customer, fx, absolute=tolerances.amount, relative=tolerances.fx)
        claims += equal
        if not equal and not any(_fits(c, line, ledger, fx, tolerances) for c in claims):
            # the search is the costly step: skip it when references already account for the money
            claims += subset_claims(line, ledger, customer, fx, absolute=tolerances.amount, relative=tolerances.fx,
                                    limits=limits)
    if not claims and not view.customers:
        claims += ledger_amount_claims(line, ledger)
    unique: dict[tuple[str, ...], Claim] = {}
    for claim in claims:
        kept = unique.get(claim.item_ids)
        unique[claim.item_ids] = claim if kept is None else Claim(
            kept.customer_id, kept.item_ids, tuple(dict.fromkeys(kept.evidence + claim.evidence)))
    return Gathered(list(unique.values()), found)


def name_support(view: PayerView, ledger: Ledger, line: StatementLine, customer_id: str) -> float:
    """How well the payer name fits ``customer_id`` (0 below the floor or without a name)."""
    score = view.by_name.get(customer_id)
    if score is None:
        score = ledger.name_score(customer_id, line.payer_name)
    return score if score >= _NAME_FLOOR else 0.0

