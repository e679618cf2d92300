"""Capture: bytes of an uploaded file in, typed documents with fields and provenance out.

``capture_document`` reads the file (PDF text layer, OCR for scanned pages and images, or a
structured bank statement), splits it into documents, classifies each and extracts its fields.
It is pure (no network, no clock) and process-pool friendly: inputs and outputs pickle, and the
OCR engine loads its models lazily once per process. Every failure is a
:class:`~docket.reading.errors.CaptureError` with a stable code.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from docket.model import ExtractedField
from docket.reading import sniff
from docket.reading.einvoice.embedded import embedded_einvoice
from docket.reading.errors import CaptureBudgetExceededError, FileTooLargeError
from docket.reading.ocr import OcrEngine, RapidOcrEngine
from docket.reading.page import Page
from docket.reading.read import read_pages
from docket.review.positions import FieldPosition
from docket.understanding.classify import Classification, classify_pages
from docket.understanding.crm_forms import classify_crm_lines, extract_crm
from docket.understanding.document import CapturedDocument
from docket.understanding.einvoice import capture_einvoice
from docket.understanding.extract import Context, Extraction, extract_fields
from docket.understanding.extract.positions import read_at_positions
from docket.understanding.hybrid import hybrid_document
from docket.understanding.learn.confidence import FIELDS as MODEL_FIELDS
from docket.understanding.learn.confidence import OWN_CONFIDENCE_METHODS, example_of, shipped_model
from docket.understanding.learn.ranker import rank_receipt, shipped_ranker
from docket.understanding.split import split_documents
from docket.understanding.statements import capture_statement
from docket.understanding.templates import Template, apply_template, match_template

__all__ = ["CaptureOptions", "CapturedDocument", "capture_document"]


@dataclass(frozen=True)
class CaptureOptions:
    """How to capture: OCR engine (None: RapidOCR, created lazily per process), vendor templates,
    limits (bytes, pages, pixels per page), render dpi, and the word count under which a PDF page
    counts as scanned and is OCR'd. ``field_positions``: where the document's vendor printed fields before
    (learned from reviewers' corrections); ``keep_pages``: keep the read pages on each
    :class:`CapturedDocument`, for a second pass once the vendor is known."""

    ocr_engine: OcrEngine | None = None
    templates: tuple[Template, ...] = ()
    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 200
    max_pixels: int = 60_000_000
    dpi: int = 200
    min_text_words: int = 3
    force_ocr: bool = False
    confidence_model: bool = True
    candidate_ranker: bool = True
    field_positions: tuple[FieldPosition, ...] = ()
    keep_pages: bool = False


_ENGINE: OcrEngine | None = None


def default_engine() -> OcrEngine:
    """This process's RapidOCR engine (models load on first recognition, once per process)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = RapidOcrEngine()
    return _ENGINE


def capture_document(data: bytes, filename: str, media_type: str | None = None, *,
                     options: CaptureOptions | None = None) -> list[CapturedDocument]:
    """The documents in ``data`` (several documents in one file are split; pages stay together).

    ``filename`` and ``media_type`` are advisory: the type is decided from the bytes. Raises
    CAPTURE_EMPTY_FILE, CAPTURE_FILE_TOO_LARGE, CAPTURE_UNSUPPORTED_TYPE, CAPTURE_PDF_CORRUPT,
    CAPTURE_PDF_ENCRYPTED, CAPTURE_IMAGE_CORRUPT, CAPTURE_IMAGE_TOO_LARGE, CAPTURE_TOO_MANY_PAGES,
    CAPTURE_OCR_ENGINE_UNAVAILABLE, CAPTURE_OCR_FAILED, CAPTURE_STRUCTURED_INVALID,
    CAPTURE_EINVOICE_UNREADABLE, and CAPTURE_BUDGET_EXCEEDED when the document needs more memory
    than the process may have.

    An e-invoice (UBL, CII) is read from its XML; a PDF carrying e-invoice XML (Factur-X,
    ZUGFeRD, XRechnung hybrid) is one invoice read from that XML, with its printed pages read too
    and compared (``PRINTED_XML_MISMATCH`` findings).
    """
    try:
        return _capture(data, filename, media_type, options or CaptureOptions())
    except MemoryError:
        raise CaptureBudgetExceededError("capturing the document needs more memory than the process may have",
                                         details={"budget": "memory"}) from None


def _capture(data: bytes, filename: str, media_type: str | None, opts: CaptureOptions) -> list[CapturedDocument]:
    if len(data) > opts.max_bytes:
        raise FileTooLargeError(f"{len(data)} bytes exceed the limit of {opts.max_bytes}",
                                details={"size": str(len(data)), "limit": str(opts.max_bytes)})
    detected = sniff.sniff_media_type(data)
    if detected in sniff.STATEMENT_TYPES:
        return [capture_statement(data, detected)]
    if detected in sniff.EINVOICE_TYPES:
        return [capture_einvoice(data)]
    embedded = embedded_einvoice(data) if detected == sniff.PDF else None
    xml = capture_einvoice(embedded.data) if embedded is not None else None
    started = time.perf_counter()
    engine = opts.ocr_engine or default_engine()
    pages, ocr_seconds = read_pages(data, detected, engine=engine, max_pages=opts.max_pages,
                                    max_pixels=opts.max_pixels, dpi=opts.dpi, min_text_words=opts.min_text_words,
                                    force_ocr=opts.force_ocr)
    read_seconds = time.perf_counter() - started - ocr_seconds
    if xml is not None:
        # One invoice, whatever the page count: the XML says so.
        printed = _understand(pages, opts.templates, read_seconds, ocr_seconds)
        return [hybrid_document(xml, printed, pages)]
    groups = split_documents(pages)
    share = 1.0 / len(groups)
    documents = [_understand(group, opts.templates, read_seconds * share, ocr_seconds * share,
                             opts.confidence_model, opts.field_positions, opts.candidate_ranker) for group in groups]
    if opts.keep_pages:
        documents = [replace(document, pages=tuple(group)) for document, group in zip(documents, groups, strict=True)]
    return documents


def _understand(pages: Sequence[Page], templates: Sequence[Template], read_seconds: float,
                ocr_seconds: float, learned_confidence: bool = True,
                positions: Sequence[FieldPosition] = (), ranked: bool = True) -> CapturedDocument:
    started = time.perf_counter()
    ctx = Context.build(pages)
    classification = classify_pages(pages, ctx.lines, ctx.tokens)
    ctx.language = classification.language
    crm = classify_crm_lines(ctx.lines, classification.document_type, classification.confidence)
    if crm is not None:  # order forms, contracts, change forms: their own small labelled reader
        classification = Classification(crm.document_type, crm.confidence, classification.language)
        fields_read, missing_read = extract_crm([line.text for line in ctx.lines], crm.document_type, ctx.lines)
        extraction = Extraction(fields_read, missing_read, [])
    else:
        extraction = extract_fields(ctx, classification.document_type)
        if ranked:
            extraction = _ranked(ctx, classification.document_type, extraction)
    template = match_template(templates, "\n".join(line.text for line in ctx.lines))
    fields, missing, line_items = extraction.fields, extraction.missing, extraction.line_items
    if template is not None:
        fields, missing, line_items = apply_template(template, ctx, fields, missing, line_items)
    if positions:
        fields, missing = read_at_positions(ctx, classification.document_type, fields, missing, positions)
    engines = sorted({p.engine for p in pages})
    ocr_pages = any(p.source == "ocr" for p in pages)
    if learned_confidence and crm is None:  # the shipped model never saw a CRM form
        fields = _learned_confidence(fields, classification.document_type, classification.confidence, ocr_pages)
    notes = tuple(f"page {p.number}: {step}" for p in pages for step in p.notes)
    return CapturedDocument(
        document_type=classification.document_type, type_confidence=classification.confidence,
        language=classification.language, page_count=len(pages), page_range=_page_range(pages),
        reading="ocr" if ocr_pages else "text_layer", fields=fields, missing=missing,
        line_items=line_items, template=template.name if template is not None else None,
        engine="+".join(engines) if engines else "none",
        timings={"read": round(read_seconds, 6), "ocr": round(ocr_seconds, 6),
                 "extract": round(time.perf_counter() - started, 6)},
        notes=notes)


# A scan classified as an invoice takes the ranker's value (trained on till slips) only where it is sure.
SLIP_AS_INVOICE_MIN_PROBABILITY = 0.8


def _ranked(ctx: Context, document_type: str, extraction: Extraction) -> Extraction:
    """The fields as the shipped candidate ranker picks them: on receipts, and on scans classified as invoices
    (till slips often are) where its probability is at least 0.8 and, for the total, unless it took the
    invoice rules' net total for the total they found as net plus tax; the rules' value where it has no candidate."""
    ranker = shipped_ranker()
    if ranker is None or document_type not in {"receipt", "invoice"}:
        return extraction
    if document_type == "receipt":
        fields = rank_receipt(ctx, extraction.found, extraction.fields, ranker)
    elif ctx.fuzzy:  # read by OCR: the receipt rules' choices are the features the ranker was trained with
        ranked = rank_receipt(ctx, extract_fields(ctx, "receipt").found, extraction.fields, ranker,
                              min_probability=SLIP_AS_INVOICE_MIN_PROBABILITY, date_name="invoice_date")
        fields = ranked if not _net_taken_for_total(extraction.fields, ranked) else \
            [f if f.name != "total" else next(o for o in extraction.fields if o.name == "total") for f in ranked]
    else:
        return extraction
    names = {f.name for f in fields}
    return Extraction(fields, [m for m in extraction.missing if m.name not in names], extraction.line_items,
                      extraction.found)


def _net_taken_for_total(rules: Sequence[ExtractedField], ranked: Sequence[ExtractedField]) -> bool:
    """The ranker's total is the invoice rules' net total while the rules' total is that net plus their tax
    total: the ranker took the net for the gross (the arithmetic vouches for the rules)."""
    values = {f.name: f.value for f in rules}
    chosen = next((f.value for f in ranked if f.name == "total"), None)
    try:
        net = Decimal(values["net_total"])
        return chosen is not None and Decimal(chosen) == net and \
            Decimal(values["total"]) == net + Decimal(values["tax_total"]) != net
    except (KeyError, InvalidOperation):
        return False


def _learned_confidence(fields: list[ExtractedField], document_type: str, type_confidence: float,
                        ocr: bool) -> list[ExtractedField]:
    """Fields with the shipped confidence model's P(right) as confidence (template, vendor-position and ranked fields
    and fields the model does not know keep theirs; without a model every field keeps its rules' confidence)."""
    model = shipped_model()
    if model is None:
        return fields
    chosen = [i for i, f in enumerate(fields) if f.name in MODEL_FIELDS and f.method not in OWN_CONFIDENCE_METHODS]
    known = [fields[i] for i in chosen]
    examples = [example_of(f, document_type, type_confidence, ocr, len(known)) for f in known]
    updated = list(fields)
    for index, probability in zip(chosen, model.predict(examples), strict=True):
        updated[index] = fields[index].model_copy(update={"confidence": round(probability, 4)})
    return updated


def _page_range(pages: Sequence[Page]) -> str:
    first, last = pages[0].number, pages[-1].number
    return str(first) if first == last else f"{first}-{last}"
