"""The routing decision for one enriched document, from its policy and its vendor's history.

Order: ``reject`` for what can never post (a type the policy does not post, no amount at all);
``duplicate`` for an exact or same-content duplicate; ``reextract`` when low-confidence OCR
fields may be read better at a higher resolution (at most once per document); ``review`` when
any reason below holds; ``post`` otherwise. Review reasons: required fields missing or below
their confidence threshold, error findings (and warnings the policy names), the party not
resolved with strong evidence, and the risk rules that apply whatever the confidence: bank
details differing from master data, the first invoice from a vendor, an amount above the
entity's auto-post limit, a PO mismatch, a possible (fuzzy) duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from docket.crm.changes import bank_change_reasons
from docket.model import DocumentEnriched, PartyMatch, RouteReason
from docket.model.common import Model
from docket.routing import reasons as r
from docket.routing.policy import PartyRule, RoutingPolicy

ROUTES = ("post", "review", "reject", "duplicate", "reextract")
AMOUNTLESS_TYPES = frozenset({"customer_change"})
"""Document types posted without an amount (a change of customer data has none)."""
_NUMBER_FIELDS = ("invoice_number", "credit_note_number", "order_number", "receipt_number")


class RoutingDecision(Model):
    """Where a document goes and why. ``posting_type`` / ``post_state`` are set for ``post``;
    ``reextract_fields`` (extracted field names) for ``reextract``; ``duplicate_of`` for ``duplicate``."""

    route: str
    reasons: list[RouteReason] = Field(default_factory=list)
    policy_version: str
    posting_type: str | None = None
    post_state: str | None = None
    reextract_fields: list[str] = Field(default_factory=list)
    duplicate_of: str | None = None


@dataclass(frozen=True)
class RoutingContext:
    """What the router knows besides the document: how many earlier documents the vendor sent
    (None: unknown, the first-invoice rule then does not fire), whether the document was read
    by OCR, whether it already had its one re-extraction, and the bank accounts the customer's
    master data holds (shown beside a change form's new ones)."""

    prior_documents_from_vendor: int | None = None
    read_by_ocr: bool = False
    reextracted: bool = False
    customer_ibans_on_record: tuple[str, ...] = ()


def _has_amount(document: DocumentEnriched) -> bool:
    record = document.record
    if record.document_type in AMOUNTLESS_TYPES or (record.crm is not None and record.crm.value is not None):
        return True
    return any(v is not None for v in (record.total, record.net_total)) or any(
        ln.amount is not None for ln in record.lines)


def _confidence_reasons(document: DocumentEnriched, policy: RoutingPolicy) -> tuple[list[RouteReason], list[str]]:
    """Reasons for missing / low-confidence fields, and the low fields eligible for re-extraction."""
    confidence = document.field_confidence
    # Values taken from master data (the vendor's currency, say) need no extraction confidence.
    from_master_data = {n.field for n in document.normalizations if n.rule == "vendor_default"}
    missing, low, retry = [], [], []
    for name in policy.required_fields:
        alternatives = _NUMBER_FIELDS if name in _NUMBER_FIELDS else (name,)
        present = [a for a in alternatives if a in confidence]
        if not present and name not in from_master_data:
            missing.append(name)
        elif not present:
            continue
        elif confidence[present[0]] < policy.threshold(present[0]):
            low.append(present[0])
    low += [n for n in confidence if n not in low and n not in policy.required_fields
            and n in policy.field_confidence and confidence[n] < policy.threshold(n)]
    retry = [n for n in low if policy.reextract_min <= confidence[n] < policy.reextract_below]
    found = []
    if missing:
        found.append(RouteReason(code=r.REQUIRED_FIELD_MISSING, message=f"missing: {', '.join(missing)}",
                                 fields=missing))
    if low:
        shown = ", ".join(f"{n} {confidence[n]:.2f} < {policy.threshold(n):.2f}" for n in low)
        found.append(RouteReason(code=r.LOW_CONFIDENCE, message=f"low confidence: {shown}", fields=low))
    return found, retry


def _party_reasons(match: PartyMatch | None, rule: PartyRule, role: str) -> list[RouteReason]:
    if not rule.required:
        return []
    upper = role.upper()
    if match is not None and match.method == "conflict":
        named = ", ".join(f"{c.party_id} by {c.method}" for c in match.candidates)
        return [RouteReason(code=f"{upper}_IDS_CONFLICT", message=f"the {role}'s printed ids name different "
                                                                   f"parties: {named}")]
    if match is None or match.party_id is None:
        return [RouteReason(code=f"{upper}_NOT_MATCHED", message=f"no {role} in master data matches")]
    strong = match.method in rule.strong_methods or (match.method == "name" and match.score >= rule.min_name_score)
    if not strong:
        return [RouteReason(code=f"{upper}_MATCH_WEAK",
                            message=f"{role} {match.party_id} matched by {match.method} ({match.score:.2f})")]
    return []


def _risk_reasons(document: DocumentEnriched, policy: RoutingPolicy, context: RoutingContext) -> list[RouteReason]:
    record, found = document.record, []
    vendor = document.vendor
    if policy.risk_on("bank_details_changed") and vendor and vendor.party_id and vendor.bank_account_known is False:
        found.append(RouteReason(code=r.BANK_DETAILS_CHANGED, fields=["supplier_iban"],
                                 message=f"bank account not on record for vendor {vendor.party_id}"))
    if (policy.risk_on("first_invoice_from_vendor") and context.prior_documents_from_vendor == 0
            and record.document_type != "customer_order"):
        found.append(RouteReason(code=r.FIRST_INVOICE_FROM_VENDOR, message="first document from this vendor"))
    if policy.risk_on("amount_above_limit") and record.total is not None:
        limit = policy.auto_post_limits.get(record.currency or "")
        if limit is None:
            found.append(RouteReason(code=r.NO_AUTO_POST_LIMIT, fields=["currency"],
                                     message=f"no auto-post limit for currency {record.currency}"))
        elif record.total > limit:
            found.append(RouteReason(code=r.AMOUNT_ABOVE_LIMIT, fields=["total"],
                                     message=f"total {record.total} {record.currency} above limit {limit}"))
    po = document.po_match
    if policy.risk_on("po_mismatch") and po is not None and po.status in ("mismatch", "not_found"):
        code = r.PO_MISMATCH if po.status == "mismatch" else r.PO_NOT_FOUND
        found.append(RouteReason(code=code, fields=["po_number"],
                                 message="; ".join(po.differences) or f"PO {po.po_number} {po.status}"))
    fuzzy = [d for d in document.duplicates if d.kind == "fuzzy"]
    if policy.risk_on("possible_duplicate") and fuzzy:
        found.append(RouteReason(code=r.POSSIBLE_DUPLICATE, message="; ".join(
            f"{d.document_id}: {d.reason}" for d in fuzzy)))
    return found


def _finding_reasons(document: DocumentEnriched, policy: RoutingPolicy) -> list[RouteReason]:
    return [RouteReason(code=r.VALIDATION_FAILED, message=f"{f.rule_id}: {f.message}", fields=f.fields)
            for f in document.findings
            if f.severity == "error" or f.rule_id in policy.review_on_warnings]


def decide_route(document: DocumentEnriched, policy: RoutingPolicy, context: RoutingContext) -> RoutingDecision:
    """The route of ``document`` under ``policy``; pure and deterministic, never raises."""
    record = document.record

    def decision(route: str, reasons: list[RouteReason], *, posting_type: str | None = None,
                 reextract_fields: list[str] | None = None, duplicate_of: str | None = None) -> RoutingDecision:
        return RoutingDecision(route=route, reasons=reasons, policy_version=policy.version,
                               posting_type=posting_type, reextract_fields=reextract_fields or [],
                               post_state=policy.post_state if posting_type else None, duplicate_of=duplicate_of)

    posting_type = policy.posting_types.get(record.document_type)
    if posting_type is None:
        return decision("reject", [RouteReason(code=r.UNSUPPORTED_DOCUMENT_TYPE,
                                               message=f"{record.document_type} documents are not posted")])
    if not _has_amount(document):
        return decision("reject", [RouteReason(code=r.NO_AMOUNT, message="no total, net total or line amount",
                                               fields=["total"])])
    exact = [d for d in document.duplicates if d.kind in ("exact", "content")]
    if exact:
        return decision("duplicate", [RouteReason(code=r.DUPLICATE, message=f"{exact[0].kind} duplicate of "
                                                  f"{exact[0].document_id}: {exact[0].reason}")],
                        duplicate_of=exact[0].document_id)
    confidence_reasons, retry = _confidence_reasons(document, policy)
    if retry and policy.reextract_enabled and context.read_by_ocr and not context.reextracted:
        return decision("reextract", [RouteReason(code=r.REEXTRACT_LOW_CONFIDENCE, fields=retry,
                                                  message="read again at a higher resolution")],
                        reextract_fields=retry)
    reasons = [*confidence_reasons, *_finding_reasons(document, policy),
               *_party_reasons(document.vendor, policy.vendor, "vendor"),
               *_party_reasons(document.customer, policy.customer, "customer"),
               *_risk_reasons(document, policy, context),
               # Not a policy switch: a bank-detail change always waits for a person.
               *bank_change_reasons(document, context.customer_ibans_on_record)]
    if reasons:
        return decision("review", reasons)
    return decision("post", [], posting_type=posting_type)
