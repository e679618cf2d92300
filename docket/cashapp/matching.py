"""Cash application: which open items a payment settles, on what evidence, how sure, and whether
that is sure enough to apply without a person.

Evidence is weighed, not rule-ordered. :mod:`docket.cashapp.candidates` finds who may have paid
(a known bank account first, then every customer whose name fits) and every set of open items
the payment may be for; :mod:`docket.cashapp.features` turns each claim's evidence into numbers
(references exact, OCR-folded, one-edit or partial; how the amounts fit, exact, within
tolerance, by subset sum; payer account; payer name; dates; how unique the claim is among the
customer's items and against rival claims); :mod:`docket.cashapp.scorer` combines them into a
calibrated probability that the claim is exactly right, with each evidence's contribution. The
best claim is applied when that probability reaches ``MatchPolicy.auto_apply_threshold`` and it
is not a guess (it rests on a reference, or on a payer identified by account or name, and all
FX rates are known); otherwise the payment goes to review with the ranked candidates, or stays
unapplied (cash on account) when nothing matches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from docket.cashapp.candidates import PayerView, gather, payer_view
from docket.cashapp.claims import Claim, SearchLimits
from docket.cashapp.features import base_features, line_context, with_rivals
from docket.cashapp.fx import FxRates
from docket.cashapp.ledger import Ledger
from docket.cashapp.remittance import RemittanceAdvice, settle_by_advice
from docket.cashapp.scorer import Contribution, Scorer, default_scorer
from docket.cashapp.settlement import Settlement, Tolerances, settle
from docket.cashapp.statements.line import StatementLine
from docket.model.common import Envelope
from docket.model.payments import AppliedItem, CashApplication, CashCandidate, EvidenceWeight

_REFERENCE = {"structured_reference", "remittance_advice", "invoice_number_in_text", "invoice_number_fuzzy",
              "invoice_number_partial"}
_MAX_CANDIDATES = 5


def _default_threshold() -> float:
    return default_scorer().auto_apply_threshold


@dataclass(frozen=True)
class MatchPolicy:
    """Thresholds and bounds of cash application (data, not code: tenants may differ).

    The default ``auto_apply_threshold`` is the shipped scorer's, chosen from its calibration on
    held-out family-A ledgers (see the model's manifest); the scorer's probability means what it
    says, so the threshold is the precision a tenant asks for.
    """

    auto_apply_threshold: float = field(default_factory=_default_threshold)
    tolerances: Tolerances = field(default_factory=Tolerances)
    limits: SearchLimits = field(default_factory=SearchLimits)
    min_name_score: float = 0.88
    scorer: Scorer | None = None


@dataclass(frozen=True)
class ApplicationDraft:
    """The fields of :class:`~docket.model.payments.CashApplication` without the envelope."""

    payment_id: str
    status: str
    payment_amount: Decimal
    currency: str
    unapplied_amount: Decimal
    confidence: float
    customer_id: str | None = None
    applications: tuple[AppliedItem, ...] = ()
    deduction_amount: Decimal | None = None
    deduction_reason: str | None = None
    evidence: tuple[str, ...] = ()
    candidates: tuple[CashCandidate, ...] = ()
    contributions: tuple[Contribution, ...] = ()

    @property
    def applied_item_ids(self) -> frozenset[str]:
        """Ids of the items money was applied to."""
        return frozenset(a.open_item_id for a in self.applications)

    def to_event(self, envelope: Envelope, *, value_date: date | None = None,
                 line: StatementLine | None = None) -> CashApplication:
        """The ``cash.applications`` event for this draft under ``envelope`` (``value_date``: the
        payment's; ``line``: the bank line, whose references the event carries)."""
        return CashApplication(
            bank_reference=line.bank_reference if line else None,
            end_to_end_id=line.end_to_end_id if line else None,
            account_servicer_reference=line.account_servicer_reference if line else None,
            envelope=envelope, payment_id=self.payment_id, status=self.status, value_date=value_date,
            customer_id=self.customer_id,
            payment_amount=self.payment_amount, currency=self.currency, applications=list(self.applications),
            unapplied_amount=self.unapplied_amount, deduction_amount=self.deduction_amount,
            deduction_reason=self.deduction_reason, evidence=list(self.evidence),
            confidence=self.confidence, candidates=list(self.candidates),
            evidence_weights=[EvidenceWeight(name=c.name, value=round(c.value, 4), weight=round(c.weight, 4))
                              for c in self.contributions])


@dataclass(frozen=True)
class ClaimRow:
    """One claim with how it settles, its evidence as features, and (once scored) its probability."""

    claim: Claim
    settlement: Settlement
    features: dict[str, float]
    probability: float = 0.0
    contributions: tuple[Contribution, ...] = ()


def claim_rows(line: StatementLine, ledger: Ledger, *, fx: FxRates, policy: MatchPolicy,
               advice: RemittanceAdvice | None = None) -> tuple[PayerView, list[ClaimRow]]:
    """The payer view and every claim of ``line`` with its features, unscored (the scorer's training
    input and :func:`apply_payment`'s first step)."""
    view = payer_view(line, ledger, min_name_score=policy.min_name_score)
    advice_numbers = tuple(x.invoice_number for x in advice.lines) if advice else ()
    gathered = gather(line, ledger, view, fx, tolerances=policy.tolerances, limits=policy.limits,
                      advice_numbers=advice_numbers)
    ctx = line_context(line, ledger, view, gathered.found, fx)
    rows: list[tuple[Claim, Settlement, dict[str, float]]] = []
    for claim in gathered.claims:
        items = [ledger.items[i] for i in claim.item_ids]
        stated = settle_by_advice(advice, items, line.currency) if advice else None
        result = stated or settle(items, line.amount, line.currency, fx=fx, tolerances=policy.tolerances,
                                  text=line.remittance_text)
        rows.append((claim, result, base_features(ctx, claim, result)))
    with_rivals(rows)
    return view, [ClaimRow(c, s, f) for c, s, f in rows]


def _labels(row: ClaimRow, min_name_score: float) -> tuple[str, ...]:
    """The evidence names of a claim, as reviewers and the event read them."""
    f, claim = row.features, row.claim
    labels = list(claim.evidence)
    if row.settlement.fit in ("exact", "fx_difference") and set(claim.evidence) & _REFERENCE:
        labels.append("amount_matches")
    if f["ref_ocr"]:
        labels.append("ocr_folded")
    if f["account_same"]:
        labels.append("payer_account")
    elif f["name_score"] >= min_name_score:
        labels.append("payer_name")
    if f["account_other"]:
        labels.append("payer_mismatch")
    if f["name_twin"]:
        labels.append("shared_name")
    if f["date_implausible"]:
        labels.append("invoice_after_payment")
    if f["unmatched_reference"]:
        labels.append("unmatched_reference")
    if row.settlement.fit != "exact":
        labels.append(row.settlement.fit)
    return tuple(labels)


def _is_guess(row: ClaimRow, min_name_score: float, amount_shared: bool = False) -> bool:
    """A claim no person would apply unseen: a missing FX rate, an item invoiced after the money
    arrived, an amount-only claim while the text quotes a document we cannot find open (the payer
    meant another one: paid already, or a number we cannot read), or, with no payer identified by
    account or name, an amount-only claim, or one resting on a one-edit or running-number reference
    alone while the payment's amount is open on several items (``amount_shared``)."""
    f = row.features
    if f["fit_fx_missing"] or f["date_implausible"] or f["unmatched_reference"]:
        return True
    identified = f["account_same"] > 0 or f["name_score"] >= min_name_score
    if identified:
        return False
    referenced = f["unnamed_share"] < 1.0
    if not referenced:
        return True
    # one edit away from an open number is what neighbouring numbers of a sequence are, too: with
    # nobody identified and an amount several open items share, the pair is a coincidence
    named_exactly = f["ref_exact"] + f["ref_structured"] + f["ref_advice"] > 0
    return not named_exactly and amount_shared


def _conflicting(first: Claim, second: Claim) -> bool:
    a, b = set(first.item_ids), set(second.item_ids)
    return not (a <= b or b <= a)


def _exclusive(best: ClaimRow, others: list[ClaimRow], min_name_score: float, amount_shared: bool) -> float:
    """The best claim's probability, no higher than its share among the claims it excludes.

    Claims on different items are alternatives (one payment, one reading): when a rival scores
    nearly as high on its own, the pair is a coin toss however sure each looks alone. A rival that
    would itself be a guess (see :func:`_is_guess`) is no such alternative.
    """
    rivals = sum(r.probability for r in others
                 if _conflicting(best.claim, r.claim) and not _is_guess(r, min_name_score, amount_shared))
    return min(best.probability, best.probability / (best.probability + rivals))


def _shown(probability: float) -> float:
    """A probability to four places, rounded down: a claim is never shown as certain (1.0)."""
    return math.floor(probability * 10_000) / 10_000


def _unapplied(line: StatementLine, confidence: float = 0.0, customer_id: str | None = None,
               evidence: tuple[str, ...] = ()) -> ApplicationDraft:
    return ApplicationDraft(payment_id=line.payment_id, status="unapplied", payment_amount=line.amount,
                            currency=line.currency, unapplied_amount=line.amount, confidence=confidence,
                            customer_id=customer_id, evidence=evidence)


def apply_payment(line: StatementLine, ledger: Ledger, *, fx: FxRates | None = None,
                  policy: MatchPolicy | None = None, advice: RemittanceAdvice | None = None) -> ApplicationDraft:
    """Decide how ``line`` is applied to ``ledger``'s open items.

    Returns a draft with status ``applied``/``partial`` (the best claim's probability at or above
    the policy's threshold, and not a guess), ``review`` (candidates ranked, nothing applied) or
    ``unapplied`` (no claim: the whole amount stays on account, for the payer when known). A debit
    line is returned ``unapplied`` with evidence ``not_a_receipt``. ``confidence`` is the best
    claim's calibrated probability (no higher than its share against rival claims on other items);
    ``contributions`` its evidence with the log-odds each added.
    """
    fx = fx or FxRates()
    policy = policy or MatchPolicy()
    scorer = policy.scorer or default_scorer()
    if line.amount <= 0:
        return _unapplied(line, evidence=("not_a_receipt",))
    view, rows = claim_rows(line, ledger, fx=fx, policy=policy, advice=advice)
    scored = []
    for row in rows:
        probability, parts = scorer.probability(row.features)
        scored.append(ClaimRow(row.claim, row.settlement, row.features, probability, tuple(parts)))
    scored.sort(key=lambda r: (-r.probability, r.claim.item_ids))
    if not scored:
        payer = view.account_owner or next(iter(view.by_name), None)
        method = "payer_account" if view.account_owner else "payer_name"
        return _unapplied(line, customer_id=payer, evidence=(method,) if payer else ())
    best = scored[0]
    amount_shared = len(ledger.items_with_amount(line.currency, line.amount)) > 1
    confidence = _shown(_exclusive(best, scored[1:], policy.min_name_score, amount_shared))
    labels = _labels(best, policy.min_name_score)
    candidates = tuple(CashCandidate(customer_id=r.claim.customer_id, open_item_ids=list(r.claim.item_ids),
                                     score=_shown(r.probability), evidence=list(_labels(r, policy.min_name_score)))
                       for r in scored[:_MAX_CANDIDATES])
    if confidence < policy.auto_apply_threshold or _is_guess(best, policy.min_name_score, amount_shared):
        return ApplicationDraft(payment_id=line.payment_id, status="review", payment_amount=line.amount,
                                currency=line.currency, unapplied_amount=line.amount, confidence=confidence,
                                customer_id=best.claim.customer_id, evidence=labels, candidates=candidates,
                                contributions=best.contributions)
    settled = best.settlement
    return ApplicationDraft(payment_id=line.payment_id, status=settled.status, payment_amount=line.amount,
                            currency=line.currency, unapplied_amount=settled.unapplied, confidence=confidence,
                            customer_id=best.claim.customer_id, applications=settled.applications,
                            deduction_amount=settled.deduction, deduction_reason=settled.deduction_reason,
                            evidence=labels, candidates=candidates, contributions=best.contributions)
