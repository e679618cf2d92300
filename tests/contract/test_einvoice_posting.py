"""E-invoices post into a real Tryton (the demo ERP) with the XML's totals: allowances and charges
are lines, 7 % and 19 % lines take their taxes, and the original XML (or the Factur-X PDF carrying
it) is attached. The demo's XRechnung and Factur-X samples are among them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.tryton import TrytonSink
from docket.capture import capture_document
from docket.enrich import ReferenceData, enrich_document
from docket.model import idempotency_key
from tests import factories
from tests.contract.tryton_server import TrytonServer, running_tryton
from tests.unit.einvoice.builders import DATA, VALID_VAT_ID

RABATTE = DATA / "drafthorse" / "zugferd_2p1_EN16931_Rabatte.xml"
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "documents"


@pytest.fixture(scope="module")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-einvoice")) as server:
        yield server


@pytest.mark.integration
def test_an_xml_invoice_with_allowances_and_charges_posts_with_the_xml_total(tryton: TrytonServer,
                                                                             tmp_path: Path) -> None:
    if tryton.instance is None:
        pytest.fail(f"Tryton could not start: {tryton.error}")
    # The demo ERP's vendor V-1001 and a date inside its fiscal year; amounts as the XML states them.
    xml = RABATTE.read_bytes().replace(b">DE123456789<", f">{VALID_VAT_ID}<".encode()) \
        .replace(b">20180605<", b">20250502<")
    (captured,) = capture_document(xml, "rabatte.xml")
    assert not [f for f in captured.findings if f.severity == "error"]
    reference = ReferenceData()
    reference.vendors.upsert(factories.vendor(name="Lieferant GmbH"))
    extracted = factories.extracted(fields=captured.fields, line_items=captured.line_items, findings=captured.findings,
                                    document_type=captured.document_type, reading=captured.reading, language=None)
    enriched = enrich_document(extracted, reference, now=factories.NOW)
    assert enriched.vendor is not None and enriched.vendor.party_id == "V-1001"
    sha = hashlib.sha256(xml).hexdigest()
    key = idempotency_key(f"einvoice-{sha[:12]}", 0, "tryton")
    request = factories.posting_requested(record=enriched.record, blob_uri=f"blob:sha256:{sha}", sha256=sha,
                                          gl_account=None, idempotency_key=key)
    sink = TrytonSink(tryton.client(timeout=60.0), blob_reader=lambda uri: xml)
    try:
        outcome = sink.post(request)
    finally:
        sink.close()
    reader = tryton.client()
    try:
        (invoice,) = reader.search_read("account.invoice", [("id", "=", int(str(outcome.erp_id)))],
                                        ["total_amount", "untaxed_amount", "tax_amount", "state"])
        attachments = reader.search_read("ir.attachment", [("resource", "=", f"account.invoice,{outcome.erp_id}")],
                                         ["name"])
    finally:
        reader.close()
    assert Decimal(str(invoice["untaxed_amount"])) == Decimal("193.77")  # BT-109: lines - allowances + charge
    assert Decimal(str(invoice["total_amount"])) == Decimal("215.07")  # BT-112
    assert invoice["state"] == "posted"
    assert [a["name"] for a in attachments] == ["471102.xml"]


@pytest.mark.integration
@pytest.mark.parametrize(("name", "vendor", "attachment"), [
    ("09-nordlicht-xrechnung.xml", {"party_id": "V-1003", "name": "Nordlicht Logistik AG", "vat_id": "DE812526315",
                                    "ibans": ["DE02120300000000202051"]}, "NL-44187.xml"),
    ("10-acme-facturx.pdf", {"party_id": "V-1001", "name": "Acme Office Supplies GmbH"}, "AC-2026-1203.pdf"),
])
def test_the_demo_e_invoices_post(tryton: TrytonServer, name: str, vendor: dict[str, object], attachment: str) -> None:
    if tryton.instance is None:
        pytest.fail(f"Tryton could not start: {tryton.error}")
    data = (SAMPLES / name).read_bytes()
    (captured,) = capture_document(data, name)
    assert captured.findings == [], captured.findings
    reference = ReferenceData()
    reference.vendors.upsert(factories.vendor(**vendor))
    extracted = factories.extracted(fields=captured.fields, line_items=captured.line_items, findings=captured.findings,
                                    document_type=captured.document_type, reading=captured.reading, language=None)
    enriched = enrich_document(extracted, reference, now=factories.NOW)
    assert enriched.findings == [] and enriched.vendor is not None and enriched.vendor.party_id == vendor["party_id"]
    sha = hashlib.sha256(data).hexdigest()
    request = factories.posting_requested(record=enriched.record, blob_uri=f"blob:sha256:{sha}", sha256=sha,
                                          gl_account=None, party_id=str(vendor["party_id"]),
                                          idempotency_key=idempotency_key(f"demo-{sha[:12]}", 0, "tryton"))
    sink = TrytonSink(tryton.client(timeout=60.0), blob_reader=lambda uri: data)
    try:
        outcome = sink.post(request)
    finally:
        sink.close()
    reader = tryton.client()
    try:
        (invoice,) = reader.search_read("account.invoice", [("id", "=", int(str(outcome.erp_id)))],
                                        ["total_amount", "state"])
        attachments = reader.search_read("ir.attachment", [("resource", "=", f"account.invoice,{outcome.erp_id}")],
                                         ["name"])
    finally:
        reader.close()
    assert Decimal(str(invoice["total_amount"])) == Decimal("529.87") and invoice["state"] == "posted"
    assert [a["name"] for a in attachments] == [attachment]
