"""The evidence of one claim as numbers the scorer weighs (:mod:`docket.cashapp.scorer`).

Each feature is one piece of evidence, mostly 0/1 or a share in 0..1:

* reference: share of the claim's items named by a structured reference, a remittance advice,
  the invoice number in the text (exactly, or only after folding OCR look-alikes), one edit away
  (a typo), or by the running number only; the share named by nothing;
* amount: how the amounts fit (exact, FX difference, overpayment, short with a stated or
  discount-like reason, partial, no FX rate) and by how much the payment falls short or exceeds
  the items; whether the
  amount is unique among the customer's open items, one of several equal ones, a unique or
  ambiguous combination, a named part completed by a combination, or unique in the whole ledger;
* payer: the account is the customer's, another customer's, or new to us; how well the payer
  name fits the customer, whether it fits another customer better, whether the customer shares
  its legal name with another;
* dates: an item invoiced after the payment's value date; how old the items are;
* uniqueness among rivals: how many of the customer's items are open; whether another claim not
  contained in this one also rests on references or also fits the amount; whether a larger claim
  containing this one fits the amount (this one is then only part of the payment); an amount-only
  claim while the text names a document (one no claim could find, or another item);
* a few products of the above where evidence only counts together (a one-edit reference is
  worth something only when the amount fits; an amount alone only with the payer identified).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from docket.cashapp.candidates import PayerView, name_support
from docket.cashapp.claims import Claim
from docket.cashapp.errors import FxRateMissingError
from docket.cashapp.fx import FxRates
from docket.cashapp.ledger import Ledger
from docket.cashapp.settlement import Settlement
from docket.cashapp.statements.line import StatementLine

FEATURES: tuple[str, ...] = (
    "ref_structured", "ref_advice", "ref_exact", "ref_ocr", "ref_fuzzy", "ref_tail", "unnamed_share", "items_log",
    "fit_exact", "fit_fx", "fit_over", "fit_short_reason", "fit_partial", "fit_fx_missing", "short_share",
    "over_share",
    "amount_unique", "amount_ambiguous", "subset_unique", "subset_anchored", "subset_ambiguous", "ledger_unique",
    "account_same", "account_other", "account_new", "name_score", "name_elsewhere", "name_twin",
    "date_implausible", "invoice_age", "open_items_log", "rival_ref", "rival_fit", "rival_count",
    "extension_fits",
    "unmatched_reference", "x_fuzzy_fit", "x_tail_fit", "x_exact_fit", "x_amount_account", "x_amount_name",
    "x_subset_account", "x_ref_account_other",
)
_REFERENCE = {"structured_reference", "remittance_advice", "invoice_number_in_text", "invoice_number_fuzzy",
              "invoice_number_partial"}
_STRONG = {"structured_reference", "remittance_advice", "invoice_number_in_text"}
_REFERENCE_LIKE = re.compile(r"\d{5,}")
_FIT = {"exact": "fit_exact", "fx_difference": "fit_fx", "overpayment": "fit_over",
        "short_with_reason": "fit_short_reason", "partial": "fit_partial", "fx_rate_missing": "fit_fx_missing"}


@dataclass(frozen=True)
class LineContext:
    """What every claim of one line is weighed against."""

    line: StatementLine
    ledger: Ledger
    view: PayerView
    found: dict[str, str]
    fx: FxRates
    literal_text: str
    names_unknown_document: bool


def line_context(line: StatementLine, ledger: Ledger, view: PayerView, found: dict[str, str],
                 fx: FxRates) -> LineContext:
    """The per-line part of the features (computed once per payment)."""
    text = line.remittance_text or ""
    joined = re.sub(r"(?<=\d)[\s\-/.](?=\d)", "", text)
    unknown = not found and (bool(_REFERENCE_LIKE.search(joined)) or line.remittance_structured is not None)
    return LineContext(line, ledger, view, found, fx, re.sub(r"[^A-Z0-9]", "", text.upper()), unknown)


def _share(ids: tuple[str, ...], found: dict[str, str], evidence: str) -> float:
    return sum(1 for i in ids if found.get(i) == evidence) / len(ids)


def _ocr_share(ctx: LineContext, ids: tuple[str, ...]) -> float:
    """Items named exactly only after folding look-alikes (``2O26`` for ``2026``)."""
    folded = 0
    for item_id in ids:
        if ctx.found.get(item_id) != "invoice_number_in_text":
            continue
        number = re.sub(r"[^A-Z0-9]", "", ctx.ledger.items[item_id].invoice_number.upper())
        digits = re.sub(r"\D", "", number)
        if number not in ctx.literal_text and (len(digits) < 6 or digits not in ctx.literal_text):
            folded += 1
    return folded / len(ids)


def _open_total(ctx: LineContext, ids: tuple[str, ...]) -> Decimal | None:
    try:
        return sum((ctx.fx.convert(ctx.ledger.items[i].amount_open, ctx.ledger.items[i].currency,
                                   ctx.line.currency) for i in ids), Decimal(0))
    except FxRateMissingError:
        return None


def _twin(ledger: Ledger, customer_id: str) -> bool:
    return any(len(ledger.name_owners.get(key, ())) > 1 for key in ledger.name_keys.get(customer_id, ()))


def base_features(ctx: LineContext, claim: Claim, settlement: Settlement) -> dict[str, float]:
    """The claim's own evidence (rivals are added by :func:`with_rivals`)."""
    ids, found, ledger, line, view = claim.item_ids, ctx.found, ctx.ledger, ctx.line, ctx.view
    f = dict.fromkeys(FEATURES, 0.0)
    f["ref_structured"] = _share(ids, found, "structured_reference")
    f["ref_advice"] = _share(ids, found, "remittance_advice")
    # an advice names its invoices as exactly as the text does (and the training ledgers have none)
    f["ref_exact"] = _share(ids, found, "invoice_number_in_text") + f["ref_advice"]
    f["ref_ocr"] = _ocr_share(ctx, ids)
    f["ref_fuzzy"] = _share(ids, found, "invoice_number_fuzzy")
    f["ref_tail"] = _share(ids, found, "invoice_number_partial")
    f["unnamed_share"] = sum(1 for i in ids if i not in found) / len(ids)
    f["items_log"] = math.log(len(ids))
    f[_FIT[settlement.fit]] = 1.0
    total = _open_total(ctx, ids)
    if settlement.fit in ("short_with_reason", "partial") and total:
        f["short_share"] = float(max(Decimal(0), 1 - line.amount / total))
    if settlement.fit == "overpayment" and total:
        f["over_share"] = min(float(line.amount / total - 1), 3.0)
    evidence = set(claim.evidence)
    f["amount_unique"] = float("amount_unique" in evidence)
    f["amount_ambiguous"] = float("amount_ambiguous" in evidence)
    f["subset_unique"] = float("subset_sum" in evidence)
    f["subset_anchored"] = float("subset_sum_anchored" in evidence)
    f["subset_ambiguous"] = float("subset_sum_ambiguous" in evidence)
    f["ledger_unique"] = float("amount_unique_ledger" in evidence)
    owner = view.account_owner
    f["account_same"] = float(owner == claim.customer_id)
    f["account_other"] = float(owner is not None and owner != claim.customer_id)
    f["account_new"] = float(view.account_given and owner is None)
    name = name_support(view, ledger, line, claim.customer_id)
    f["name_score"] = name
    f["name_elsewhere"] = float(any(s > name + 0.05 for c, s in view.by_name.items() if c != claim.customer_id))
    f["name_twin"] = float(_twin(ledger, claim.customer_id))
    items = [ledger.items[i] for i in ids]
    paid_on = line.value_date or line.booking_date
    if paid_on:
        f["date_implausible"] = float(any(i.invoice_date > paid_on for i in items))
        f["invoice_age"] = math.log1p(max(0, min((paid_on - i.invoice_date).days for i in items))) / 5
    f["open_items_log"] = math.log1p(len(ledger.by_customer.get(claim.customer_id, ()))) / 5
    # an amount-only claim while the text names a document: one we cannot find, or another item
    named_elsewhere = any(e in _STRONG for i, e in found.items() if i not in ids)
    f["unmatched_reference"] = float(not evidence & _REFERENCE and (ctx.names_unknown_document or named_elsewhere))
    fits = settlement.fit in ("exact", "fx_difference")
    f["x_fuzzy_fit"] = f["ref_fuzzy"] * fits
    f["x_tail_fit"] = f["ref_tail"] * fits
    f["x_exact_fit"] = (f["ref_exact"] + f["ref_structured"] + f["ref_advice"]) * fits
    amount_only = float(not evidence & _REFERENCE)
    f["x_amount_account"] = amount_only * (f["amount_unique"] + f["ledger_unique"]) * f["account_same"]
    f["x_amount_name"] = amount_only * (f["amount_unique"] + f["ledger_unique"]) * name
    f["x_subset_account"] = (f["subset_unique"] + f["subset_anchored"]) * max(f["account_same"], name)
    f["x_ref_account_other"] = (1.0 - f["unnamed_share"]) * f["account_other"]
    return f


def _conflicting(first: Claim, second: Claim) -> bool:
    a, b = set(first.item_ids), set(second.item_ids)
    return not (a <= b or b <= a)


def with_rivals(rows: list[tuple[Claim, Settlement, dict[str, float]]]) -> None:
    """Add, in place, what competing claims (not sub- or supersets of a claim) say against it."""
    for claim, _, features in rows:
        rivals = [(c, s, f) for c, s, f in rows if c is not claim and _conflicting(claim, c)]
        features["rival_count"] = min(len(rivals), 3) / 3
        features["rival_ref"] = float(any(f["unnamed_share"] < 1 and set(c.evidence) & _STRONG
                                          for c, _, f in rivals))
        features["rival_fit"] = float(any(s.fit in ("exact", "fx_difference") for _, s, _ in rivals))
        # a larger claim containing this one accounts for all of the money: this one is only part of it
        mine = set(claim.item_ids)
        features["extension_fits"] = float(any(
            mine < set(c.item_ids) and s.fit in ("exact", "fx_difference") for c, s, _ in rows))
