"""Routing decisions: one test per route and per reason, each against the packaged policy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from docket.dedup.index import VendorHistory, prior_document
from docket.enrich import enrich_document
from docket.model import DocumentEnriched, DuplicateCandidate, Finding, PartyMatch, PoMatch
from docket.routing.decide import RoutingContext, RoutingDecision, decide_route
from docket.routing.policy import PolicyBook
from docket.routing.stage import context_from
from tests.unit.routing.routing_builders import NOW, OTHER_IBAN, extracted, invoice_fields, reference

BOOK = PolicyBook.load()
KNOWN_VENDOR = RoutingContext(prior_documents_from_vendor=3)


def good(document_id: str = "d1", **fields: str) -> DocumentEnriched:
    return enrich_document(extracted(document_id, {**invoice_fields("RE-1"), **fields}), reference(), now=NOW)


def decide(document: DocumentEnriched, context: RoutingContext = KNOWN_VENDOR) -> RoutingDecision:
    return decide_route(document, BOOK.for_document("LE1", document.record.document_type), context)


def codes(decision: RoutingDecision) -> list[str]:
    return [r.code for r in decision.reasons]


def test_clean_invoice_from_a_known_vendor_posts() -> None:
    decision = decide(good())
    assert (decision.route, decision.reasons) == ("post", [])
    assert (decision.posting_type, decision.post_state) == ("supplier_invoice", "posted")
    assert decision.policy_version == BOOK.for_document("LE1", "invoice").version


def test_credit_note_posts_as_supplier_credit_note_and_amendment_is_no_duplicate() -> None:
    credit = good(total="1.190,00").model_copy(update={
        "record": good().record.model_copy(update={"document_type": "credit_note", "amends_number": "RE-0"}),
        "duplicates": [DuplicateCandidate(document_id="d0", kind="amends", reason="amends RE-0", score=1.0)]})
    decision = decide(credit)
    assert (decision.route, decision.posting_type) == ("post", "supplier_credit_note")


def test_unsupported_document_type_is_rejected() -> None:
    statement = good().model_copy(update={"record": good().record.model_copy(update={"document_type": "other"})})
    decision = decide(statement)
    assert (decision.route, codes(decision)) == ("reject", ["UNSUPPORTED_DOCUMENT_TYPE"])


def test_document_without_any_amount_is_rejected() -> None:
    empty = good().record.model_copy(update={"total": None, "net_total": None, "tax_total": None, "lines": []})
    decision = decide(good().model_copy(update={"record": empty}))
    assert (decision.route, codes(decision)) == ("reject", ["NO_AMOUNT"])


def test_exact_or_content_duplicate_routes_duplicate() -> None:
    for kind in ("exact", "content"):
        dup = DuplicateCandidate(document_id="d0", kind=kind, reason="same", score=1.0)
        decision = decide(good().model_copy(update={"duplicates": [dup]}))
        assert (decision.route, codes(decision), decision.duplicate_of) == ("duplicate", ["DUPLICATE"], "d0")


def test_fuzzy_duplicate_goes_to_review() -> None:
    dup = DuplicateCandidate(document_id="d0", kind="fuzzy", reason="same total", score=0.6)
    decision = decide(good().model_copy(update={"duplicates": [dup]}))
    assert (decision.route, codes(decision)) == ("review", ["POSSIBLE_DUPLICATE"])


def test_low_confidence_text_layer_field_goes_to_review_naming_the_field() -> None:
    doc = good().model_copy(update={"field_confidence": {**good().field_confidence, "total": 0.7}})
    decision = decide(doc)
    assert (decision.route, codes(decision)) == ("review", ["LOW_CONFIDENCE"])
    assert decision.reasons[0].fields == ["total"]


def test_low_confidence_ocr_field_is_reextracted_once_then_reviewed() -> None:
    doc = good().model_copy(update={"field_confidence": {**good().field_confidence, "invoice_number": 0.6}})
    first = decide(doc, RoutingContext(prior_documents_from_vendor=3, read_by_ocr=True))
    assert (first.route, first.reextract_fields) == ("reextract", ["invoice_number"])
    second = decide(doc, RoutingContext(prior_documents_from_vendor=3, read_by_ocr=True, reextracted=True))
    assert (second.route, codes(second)) == ("review", ["LOW_CONFIDENCE"])


def test_hopeless_ocr_confidence_skips_reextraction() -> None:
    doc = good().model_copy(update={"field_confidence": {**good().field_confidence, "total": 0.1}})
    assert decide(doc, RoutingContext(prior_documents_from_vendor=3, read_by_ocr=True)).route == "review"


def test_missing_required_field_goes_to_review() -> None:
    confidence = {k: v for k, v in good().field_confidence.items() if k != "invoice_number"}
    decision = decide(good().model_copy(update={"field_confidence": confidence}))
    assert codes(decision) == ["REQUIRED_FIELD_MISSING"]
    assert decision.reasons[0].fields == ["invoice_number"]


def test_bank_details_differing_from_master_data_force_review_despite_full_confidence() -> None:
    doc = enrich_document(extracted("d1", invoice_fields("RE-1", iban=OTHER_IBAN),
                                    confidence=dict.fromkeys(invoice_fields("x"), 1.0)), reference(), now=NOW)
    decision = decide(doc)
    assert (decision.route, codes(decision)) == ("review", ["BANK_DETAILS_CHANGED"])


def test_first_invoice_from_a_vendor_forces_review_unknown_history_does_not() -> None:
    assert codes(decide(good(), RoutingContext(prior_documents_from_vendor=0))) == ["FIRST_INVOICE_FROM_VENDOR"]
    assert decide(good(), RoutingContext(prior_documents_from_vendor=None)).route == "post"


def test_amount_above_entity_limit_and_currency_without_limit() -> None:
    above = decide(good(total="11.900,00", net_total="10.000,00", tax_total="1.900,00", tax_1_amount="1.900,00"))
    assert codes(above) == ["AMOUNT_ABOVE_LIMIT"]
    yen = good().model_copy(update={"record": good().record.model_copy(update={"currency": "JPY"})})
    assert "NO_AUTO_POST_LIMIT" in codes(decide(yen))


def test_unmatched_and_weakly_matched_vendors_go_to_review() -> None:
    none = good().model_copy(update={"vendor": PartyMatch(role="vendor", method="none", score=0.0)})
    assert codes(decide(none)) == ["VENDOR_NOT_MATCHED"]
    weak = good().model_copy(update={"vendor": PartyMatch(role="vendor", party_id="V-MUELLER", method="name",
                                                          score=0.92)})
    assert codes(decide(weak)) == ["VENDOR_MATCH_WEAK"]
    strong_name = weak.model_copy(update={"vendor": weak.vendor.model_copy(update={"score": 0.99})} if weak.vendor
                                  else {})
    assert decide(strong_name).route == "post"


def test_error_findings_force_review_warnings_only_when_listed() -> None:
    error = Finding(rule_id="TOTALS_MISMATCH", severity="error", message="off by 1", fields=["total"])
    decision = decide(good().model_copy(update={"findings": [error]}))
    assert (codes(decision), decision.reasons[0].fields) == (["VALIDATION_FAILED"], ["total"])
    warning = Finding(rule_id="DUE_TOO_FAR", severity="warning", message="far")
    assert decide(good().model_copy(update={"findings": [warning]})).route == "post"
    listed = Finding(rule_id="NORMALIZE_DATE_AMBIGUOUS", severity="warning", message="ambiguous")
    assert decide(good().model_copy(update={"findings": [listed]})).route == "review"


def test_po_mismatch_and_unknown_po_force_review() -> None:
    mismatch = PoMatch(po_number="PO-1", status="mismatch", differences=["line 0: price 11.00 vs PO 10.00"])
    decision = decide(good().model_copy(update={"po_match": mismatch}))
    assert (codes(decision), decision.reasons[0].message) == (["PO_MISMATCH"], "line 0: price 11.00 vs PO 10.00")
    missing = PoMatch(po_number="PO-1", status="not_found")
    assert codes(decide(good().model_copy(update={"po_match": missing}))) == ["PO_NOT_FOUND"]


def test_context_is_read_from_envelope_versions_and_history() -> None:
    ocr = enrich_document(extracted("d9", invoice_fields("RE-9"), versions={"ocr_engine": "rapidocr-3.10"}),
                          reference(), now=NOW)
    history = VendorHistory().with_document(prior_document(good("d1"), now=NOW))
    context = context_from(ocr, history)
    assert (context.prior_documents_from_vendor, context.read_by_ocr, context.reextracted) == (1, True, False)
    again = enrich_document(extracted("d9", invoice_fields("RE-9"),
                                      versions={"ocr_engine": "rapidocr-3.10", "capture_pass": "2"}),
                            reference(), now=NOW)
    assert context_from(again, history).reextracted


def test_enrichment_fills_vendor_defaults() -> None:
    doc = good()
    assert (doc.gl_account, doc.tax_code, doc.cost_center) == ("6815", "VST19", "CC-100")
    assert doc.record.payment_terms == "30 Tage netto"
    assert doc.record.due_date == date(2025, 5, 3)
    assert doc.record.total == Decimal("1190")


def test_any_ocr_field_below_its_own_threshold_may_be_reextracted() -> None:
    doc = good().model_copy(update={"field_confidence": {**good().field_confidence, "total": 0.9}})
    decision = decide(doc, RoutingContext(prior_documents_from_vendor=3, read_by_ocr=True))
    assert (decision.route, decision.reextract_fields) == ("reextract", ["total"])
    assert decide(doc).route == "review"  # a text-layer document has nothing to gain from a re-read


def test_currency_from_vendor_master_data_counts_as_present() -> None:
    fields = {k: v for k, v in invoice_fields("RE-1").items() if k != "currency"}
    doc = enrich_document(extracted("d1", fields), reference(), now=NOW)
    assert doc.record.currency == "EUR"
    assert decide(doc).route == "post"
    no_default = doc.model_copy(update={"normalizations": [n for n in doc.normalizations if n.field != "currency"]})
    assert codes(decide(no_default)) == ["REQUIRED_FIELD_MISSING"]
