"""Cash application: which open items a payment settles, on what evidence, how sure, and whether
that is sure enough to apply without a person.

Evidence, strongest first: a structured creditor reference; invoice numbers on a remittance
advice or in the payment text (OCR- and separator-tolerant, one-edit typos as weaker evidence);
an amount equal to one of the payer's items; a unique combination of the payer's items summing
to the payment. The payer comes from a known bank account or a fuzzy name match. Each claim is
scored by combining independent evidence (``1 - prod(1 - strength)``), adjusted for how the
amounts fit (exact, FX difference, overpayment, short with a reason, partial) and whether the
payer agrees, and lowered when a conflicting claim is also credible. Only a claim at or above
``MatchPolicy.auto_apply_threshold`` is applied; otherwise the payment goes to review with the
ranked candidates, or stays unapplied (cash on account) when nothing matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from docket.cashapp.claims import (
    Claim,
    SearchLimits,
    equal_amount_claims,
    ledger_amount_claims,
    reference_claims,
    referenced_items,
    subset_claims,
)
from docket.cashapp.fx import FxRates
from docket.cashapp.ledger import Ledger, PayerMatch
from docket.cashapp.remittance import RemittanceAdvice, settle_by_advice
from docket.cashapp.settlement import Settlement, Tolerances, settle
from docket.cashapp.statements.line import StatementLine
from docket.model.common import Envelope
from docket.model.payments import AppliedItem, CashApplication, CashCandidate

# how much each piece of evidence alone says the claim is right (combined as independent)
EVIDENCE_STRENGTH: dict[str, float] = {
    "structured_reference": 0.97,
    "remittance_advice": 0.95,
    "invoice_number_in_text": 0.93,
    "invoice_number_fuzzy": 0.5,
    "invoice_number_partial": 0.4,
    "amount_matches": 0.8,
    "amount_unique": 0.75,
    "subset_sum": 0.6,
    "amount_ambiguous": 0.2,
    "subset_sum_ambiguous": 0.1,
    "amount_unique_ledger": 0.5,
    "payer_account": 0.6,
    "payer_name": 0.4,
}
# how the amounts fitting the claim scales its score
FIT_FACTOR: dict[str, float] = {
    "exact": 1.0, "fx_difference": 0.98, "overpayment": 0.95, "short_with_reason": 0.95,
    "partial": 0.95, "fx_rate_missing": 0.5,
}
AMBIGUOUS_AMOUNT_SHARE = 0.5
UNMATCHED_REFERENCE_FACTOR = 0.9
_REFERENCE_LIKE = re.compile(r"\d{5,}")
_AMOUNT_BASED = {"amount_unique", "amount_ambiguous", "subset_sum", "subset_sum_ambiguous",
                 "amount_unique_ledger"}
_SUBSET_SIZE_PENALTY = 0.05
_MAX_CANDIDATES = 5


@dataclass(frozen=True)
class MatchPolicy:
    """Thresholds and bounds of cash application (data, not code: tenants may differ).

    The default ``auto_apply_threshold`` of 0.9 was chosen with ``bench/cashapp_match.py``: on
    four mixes of payment mess x five seeds (and other seeds held out while choosing) every
    threshold from 0.8 up kept auto-applied precision at or above 99.5%, and 0.9 kept it at 100%.
    """

    auto_apply_threshold: float = 0.9
    tolerances: Tolerances = field(default_factory=Tolerances)
    limits: SearchLimits = field(default_factory=SearchLimits)
    min_name_score: float = 0.88


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

    @property
    def applied_item_ids(self) -> frozenset[str]:
        """Ids of the items money was applied to."""
        return frozenset(a.open_item_id for a in self.applications)

    def to_event(self, envelope: Envelope, *, value_date: date | None = None) -> CashApplication:
        """The ``cash.applications`` event for this draft under ``envelope`` (``value_date``: the payment's)."""
        return CashApplication(
            envelope=envelope, payment_id=self.payment_id, status=self.status, value_date=value_date,
            customer_id=self.customer_id,
            payment_amount=self.payment_amount, currency=self.currency, applications=list(self.applications),
            unapplied_amount=self.unapplied_amount, deduction_amount=self.deduction_amount,
            deduction_reason=self.deduction_reason, evidence=list(self.evidence),
            confidence=self.confidence, candidates=list(self.candidates))


@dataclass(frozen=True)
class _Scored:
    claim: Claim
    settlement: Settlement
    score: float
    evidence: tuple[str, ...]


def _combine(strengths: list[float]) -> float:
    remaining_doubt = 1.0
    for strength in strengths:
        remaining_doubt *= 1.0 - strength
    return 1.0 - remaining_doubt


def _payer_evidence(claim: Claim, payer: PayerMatch | None) -> tuple[list[str], list[float], float]:
    """(labels, strengths, factor) the payer adds: support when it is the claim's customer,
    a penalty when a known account belongs to someone else."""
    if payer is None:
        return [], [], 1.0
    if payer.customer_id == claim.customer_id:
        if payer.method == "payer_account":
            return ["payer_account"], [EVIDENCE_STRENGTH["payer_account"]], 1.0
        margin = 1.0 if payer.runner_up_score < payer.score - 0.05 else 0.5
        return ["payer_name"], [EVIDENCE_STRENGTH["payer_name"] * payer.score * margin], 1.0
    # third-party payments happen (a parent pays for a subsidiary), so a mismatch lowers, not vetoes
    return ["payer_mismatch"], [], 0.5 if payer.method == "payer_account" else 0.75


def _score(claim: Claim, line: StatementLine, ledger: Ledger, payer: PayerMatch | None, fx: FxRates,
           policy: MatchPolicy, unmatched_reference: bool, advice: RemittanceAdvice | None) -> _Scored:
    items = [ledger.items[i] for i in claim.item_ids]
    stated = settle_by_advice(advice, items, line.currency) if advice else None
    result = stated or settle(items, line.amount, line.currency, fx=fx, tolerances=policy.tolerances,
                              text=line.remittance_text)
    labels = list(claim.evidence)
    # a reference claim's weakest reference bounds it: every named item must be right
    strengths = [EVIDENCE_STRENGTH[claim.evidence[0]]]
    if claim.evidence[0] == "subset_sum":
        strengths = [max(0.0, strengths[0] - _SUBSET_SIZE_PENALTY * (len(items) - 2))]
    if result.fit in ("exact", "fx_difference") and claim.evidence[0] not in _AMOUNT_BASED:
        labels.append("amount_matches")
        # an amount several of the payer's items share hardly confirms which one is meant
        ambiguous = "amount_ambiguous" in claim.evidence or "subset_sum_ambiguous" in claim.evidence
        strengths.append(EVIDENCE_STRENGTH["amount_matches"] * (AMBIGUOUS_AMOUNT_SHARE if ambiguous else 1.0))
    payer_labels, payer_strengths, factor = _payer_evidence(claim, payer)
    if unmatched_reference and set(claim.evidence) <= _AMOUNT_BASED:
        # the payer named a document we cannot find open (paid already? a duplicate payment?)
        labels.append("unmatched_reference")
        factor *= UNMATCHED_REFERENCE_FACTOR
    labels += payer_labels
    strengths += payer_strengths
    if result.fit != "exact":
        labels.append(result.fit)
    score = _combine(strengths) * FIT_FACTOR[result.fit] * factor
    return _Scored(claim, result, score, tuple(labels))


def _conflicts(best: _Scored, other: _Scored) -> bool:
    """Whether ``other`` is a credible alternative reading that should lower ``best``'s confidence.

    A sub- or superset is a variation of the same reading, not a rival. A rival resting on the
    amount alone does not compete with a best claim that has references and fits the amount
    too: the amount does not tell them apart, the references do.
    """
    first, second = set(best.claim.item_ids), set(other.claim.item_ids)
    if first <= second or second <= first:
        return False
    amount_only = set(other.claim.evidence) <= _AMOUNT_BASED
    best_referenced = not set(best.claim.evidence) <= _AMOUNT_BASED
    best_fits = best.settlement.fit in ("exact", "fx_difference")
    return not (amount_only and best_referenced and best_fits)


def _fits(claim: Claim, line: StatementLine, ledger: Ledger, fx: FxRates, tolerances: Tolerances) -> bool:
    items = [ledger.items[i] for i in claim.item_ids]
    return settle(items, line.amount, line.currency, fx=fx, tolerances=tolerances).fit in ("exact", "fx_difference")


def _gather(line: StatementLine, ledger: Ledger, payer: PayerMatch | None, fx: FxRates,
            policy: MatchPolicy, advice: RemittanceAdvice | None) -> list[Claim]:
    advice_numbers = tuple(x.invoice_number for x in advice.lines) if advice else ()
    found = referenced_items(line, ledger, payer, advice_numbers)
    claims = reference_claims(found, ledger, payer)
    tol = policy.tolerances
    if payer is not None:
        equal = equal_amount_claims(line, ledger, payer.customer_id, fx, absolute=tol.amount, relative=tol.fx)
        claims += equal
        if not equal and not any(_fits(c, line, ledger, fx, tol) for c in claims):
            # the search is the costly step: skip it when references already account for the money
            claims += subset_claims(line, ledger, payer.customer_id, fx, absolute=tol.amount, relative=tol.fx,
                                    limits=policy.limits)
    elif not claims:
        claims += ledger_amount_claims(line, ledger)
    unique: dict[tuple[str, ...], Claim] = {}
    for claim in claims:
        kept = unique.get(claim.item_ids)
        unique[claim.item_ids] = claim if kept is None else Claim(
            kept.customer_id, kept.item_ids, tuple(dict.fromkeys(kept.evidence + claim.evidence)))
    return list(unique.values())


def _names_unknown_document(line: StatementLine, claims: list[Claim]) -> bool:
    """Whether the remittance quotes a document-like number (five digits or more, separators
    ignored) although no claim rests on a reference."""
    if any(not set(c.evidence) <= _AMOUNT_BASED for c in claims):
        return False
    text = re.sub(r"(?<=\d)[\s\-/.](?=\d)", "", line.remittance_text or "")
    return bool(_REFERENCE_LIKE.search(text)) or line.remittance_structured is not None


def apply_payment(line: StatementLine, ledger: Ledger, *, fx: FxRates | None = None,
                  policy: MatchPolicy | None = None, advice: RemittanceAdvice | None = None) -> ApplicationDraft:
    """Decide how ``line`` is applied to ``ledger``'s open items.

    Returns a draft with status ``applied``/``partial`` (confidence at or above the policy's
    threshold), ``review`` (candidates ranked, nothing applied) or ``unapplied`` (no claim: the
    whole amount stays on account, for the payer when known). A debit line is returned
    ``unapplied`` with evidence ``not_a_receipt``. Never raises for missing FX rates: such a
    claim is scored down instead.
    """
    fx = fx or FxRates()
    policy = policy or MatchPolicy()
    if line.amount <= 0:
        return ApplicationDraft(payment_id=line.payment_id, status="unapplied", payment_amount=line.amount,
                                currency=line.currency, unapplied_amount=line.amount, confidence=0.0,
                                evidence=("not_a_receipt",))
    payer = ledger.resolve_payer(line.payer_account, line.payer_name, min_name_score=policy.min_name_score)
    claims = _gather(line, ledger, payer, fx, policy, advice)
    unmatched = _names_unknown_document(line, claims)
    scored = sorted((_score(c, line, ledger, payer, fx, policy, unmatched, advice) for c in claims),
                    key=lambda s: (-s.score, s.claim.item_ids))
    if not scored:
        return ApplicationDraft(payment_id=line.payment_id, status="unapplied", payment_amount=line.amount,
                                currency=line.currency, unapplied_amount=line.amount, confidence=0.0,
                                customer_id=payer.customer_id if payer else None,
                                evidence=(payer.method,) if payer else ())
    best = scored[0]
    rival = next((s.score for s in scored[1:] if _conflicts(best, s)), 0.0)
    confidence = round(best.score * (1.0 - 0.5 * rival), 4)
    candidates = tuple(CashCandidate(customer_id=s.claim.customer_id, open_item_ids=list(s.claim.item_ids),
                                     score=round(s.score, 4), evidence=list(s.evidence))
                       for s in scored[:_MAX_CANDIDATES])
    if confidence < policy.auto_apply_threshold:
        return ApplicationDraft(payment_id=line.payment_id, status="review", payment_amount=line.amount,
                                currency=line.currency, unapplied_amount=line.amount, confidence=confidence,
                                customer_id=best.claim.customer_id, evidence=best.evidence,
                                candidates=candidates)
    settled = best.settlement
    return ApplicationDraft(payment_id=line.payment_id, status=settled.status, payment_amount=line.amount,
                            currency=line.currency, unapplied_amount=settled.unapplied, confidence=confidence,
                            customer_id=best.claim.customer_id, applications=settled.applications,
                            deduction_amount=settled.deduction, deduction_reason=settled.deduction_reason,
                            evidence=best.evidence, candidates=candidates)
