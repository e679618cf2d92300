"""The same invoice as XML, as a hybrid PDF and as a scan of its print is one invoice to the
duplicate checks: each later arrival is an exact duplicate of the first."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import timedelta

import pypdfium2 as pdfium

from docket.capture import capture_document
from docket.dedup.index import DuplicateIndex
from docket.enrich import ReferenceData, enrich_document
from docket.model import DocumentEnriched
from tests import factories
from tests.unit.einvoice.builders import einfach_xml, hybrid_pdf, printed_invoice


def _scan_of(pdf_bytes: bytes) -> bytes:
    """The print rendered to a 200 dpi PNG: what a scanner makes of the paper copy."""
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        image = pdf[0].render(scale=200 / 72).to_pil()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.convert("L").save(out, format="PNG")
    return out.getvalue()


def _enriched(document_id: str, data: bytes, name: str, reference: ReferenceData) -> DocumentEnriched:
    (captured,) = capture_document(data, name)
    sha = hashlib.sha256(data).hexdigest()
    envelope = factories.envelope(event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, document_id)),
                                  document_id=document_id, correlation_id=document_id)
    extracted = factories.extracted(envelope=envelope, sha256=sha, blob_uri=f"blob:sha256:{sha}",
                                    fields=captured.fields, line_items=captured.line_items, missing=captured.missing,
                                    findings=captured.findings, document_type=captured.document_type,
                                    reading=captured.reading, language=captured.language)
    return enrich_document(extracted, reference, now=factories.NOW)


def test_xml_hybrid_and_scan_of_one_invoice_are_exact_duplicates() -> None:
    reference = ReferenceData()
    reference.vendors.upsert(factories.vendor(name="Lieferant GmbH", ibans=[]))
    xml = einfach_xml()
    arrivals = [("xml", xml, "invoice.xml"), ("hybrid", hybrid_pdf(xml), "invoice.pdf"),
                ("scan", _scan_of(printed_invoice({"number": "471102", "date": "15.11.2024",
                                                   "supplier": "Lieferant GmbH", "vat_id": "DE136695976",
                                                   "net": "473,00", "tax": "56,87", "total": "529,87"})),
                 "scan.png")]
    index = DuplicateIndex()
    found = {}
    for n, (document_id, data, name) in enumerate(arrivals):
        document = _enriched(document_id, data, name, reference)
        assert document.vendor is not None and document.vendor.party_id == "V-1001", document_id
        assert document.record.number == "471102", (document_id, document.record.number)
        now = factories.NOW + timedelta(minutes=n)
        found[document_id] = index.find(document, now=now)
        index.add(document, now=now)
    assert found["xml"] == []
    assert [(c.document_id, c.kind) for c in found["hybrid"]] == [("xml", "exact")]
    assert ("xml", "exact") in [(c.document_id, c.kind) for c in found["scan"]]
