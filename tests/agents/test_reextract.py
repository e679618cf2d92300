"""The re-extraction loop: routing sends a low-confidence OCR document back for a finer pass."""

from __future__ import annotations

from agents import capture, route
from docket.dedup.index import VendorHistory
from docket.routing.stage import CAPTURE_PASS_KEY, OCR_VERSION_KEY, context_from
from tests import factories


def test_routing_sends_the_document_back_to_capture_for_pass_two() -> None:
    versions = {OCR_VERSION_KEY: "rapidocr", CAPTURE_PASS_KEY: "1"}
    document = factories.enriched(envelope=factories.envelope(versions=versions))
    again = route.recapture_request(document, ["total", "invoice_date"], now=factories.NOW, producer="p",
                                    size_bytes=1234)
    assert again.envelope.document_id == document.envelope.document_id
    assert again.blob_uri == document.blob_uri and again.sha256 == document.sha256 and again.size_bytes == 1234
    assert again.metadata == {CAPTURE_PASS_KEY: "2", "reextract_fields": "total,invoice_date"}
    assert capture.capture_pass(again) == 2
    options = capture.options_for(again)
    assert options is not None and options.dpi == 300
    assert capture.options_for(factories.received()) is None


def test_pass_two_is_marked_so_routing_does_not_ask_a_third_time() -> None:
    received = factories.received(channel="reextract", metadata={CAPTURE_PASS_KEY: "2"})
    from docket.capture import CapturedDocument

    captured = CapturedDocument(document_type="invoice", type_confidence=0.9, language="en", page_count=1,
                                page_range="1", reading="ocr", fields=[], missing=[], line_items=[], template=None,
                                engine="rapidocr-3.10.0/PP-OCRv6-small", timings={})
    extracted = capture.extracted_event(received, captured, index=0, total=1, stage=capture.stage)
    assert extracted.envelope.versions[CAPTURE_PASS_KEY] == "2"
    assert extracted.envelope.versions[OCR_VERSION_KEY] == captured.engine
    enriched = factories.enriched(envelope=extracted.envelope)
    context = context_from(enriched, VendorHistory())
    assert context.read_by_ocr and context.reextracted


def test_a_capture_pass_on_an_outside_arrival_is_ignored() -> None:
    forged = factories.received(channel="http", metadata={CAPTURE_PASS_KEY: "2"})
    assert capture.capture_pass(forged) == 1
    assert capture.options_for(forged) is None


def test_a_garbled_capture_pass_counts_as_the_first() -> None:
    garbled = factories.received(channel="reextract", metadata={CAPTURE_PASS_KEY: "two"})
    assert capture.capture_pass(garbled) == 1
