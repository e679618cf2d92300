"""FileSink: CSV through a field map, UBL 2.1 Invoice / CreditNote, atomic and idempotent writes."""

from __future__ import annotations

import csv
import io
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from connectors.base import PostingOutcome, PostingRejected, PostingSink, SinkClosed, TargetUnavailable
from connectors.files import CAC, CBC, UBL_VERSION, FileSink, file_name_for, ubl_document
from connectors.mapping import MappingFailed, MappingInvalid, load_field_map
from docket.model import TaxLine
from docket.understanding.einvoice import capture_einvoice
from tests import factories
from tests.unit.connectors.sink_requests import make_request

NS = {"cac": CAC, "cbc": CBC}
CSV_MAP = load_field_map("csv_invoice.v1")


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";"))


def test_csv_has_one_row_per_line_with_the_header_repeated(tmp_path: Path) -> None:
    sink = FileSink(tmp_path, file_format="csv", maps=CSV_MAP)
    assert isinstance(sink, PostingSink)
    request = make_request("doc-1", target="files")
    outcome = sink.post(request)
    path = tmp_path / file_name_for(request.idempotency_key, "csv")
    assert outcome.status == "posted" and outcome.erp_reference == path.name
    assert outcome.request["mapping_version"] == "csv_invoice/1"
    rows = _rows(path)
    assert [row["LINE_AMOUNT"] for row in rows] == ["100.00", "23.45"]
    assert {row["INVOICE_NO"] for row in rows} == {"RE-2026-0042"}
    assert {row["INVOICE_DATE"] for row in rows} == {"20261103"}
    assert {row["GROSS"] for row in rows} == {"146.91"}
    assert rows[0]["DOC_TYPE"] == "INV" and rows[0]["QTY"] == "10"


def test_csv_document_without_lines_still_gets_a_row(tmp_path: Path) -> None:
    request = make_request("doc-2", lines=[])
    FileSink(tmp_path, file_format="csv", maps=CSV_MAP).post(request)
    rows = _rows(tmp_path / file_name_for(request.idempotency_key, "csv"))
    assert len(rows) == 1 and rows[0]["LINE_AMOUNT"] == "" and rows[0]["GROSS"] == "146.91"


def test_repeat_is_detected_by_name_also_after_the_file_was_archived(tmp_path: Path) -> None:
    inbox, archive = tmp_path / "inbox", tmp_path / "processed"
    archive.mkdir()
    sink = FileSink(inbox, file_format="csv", maps=CSV_MAP, archive_dirs=[archive])
    request = make_request("doc-3")
    first = sink.post(request)
    written = inbox / first.erp_reference  # type: ignore[operator]
    content = written.read_bytes()
    assert sink.post(request).status == "already_posted"
    written.rename(archive / written.name)  # the legacy import has read it
    again = FileSink(inbox, file_format="csv", maps=CSV_MAP, archive_dirs=[archive]).post(request)
    assert again.status == "already_posted" and again.erp_reference == first.erp_reference
    assert list(inbox.iterdir()) == []
    assert (archive / written.name).read_bytes() == content


def test_concurrent_writers_of_one_key_leave_one_complete_file(tmp_path: Path) -> None:
    request = make_request("doc-4")
    sinks = [FileSink(tmp_path, file_format="ubl") for _ in range(8)]
    barrier = threading.Barrier(len(sinks))
    outcomes: list[PostingOutcome] = []

    def write(sink: FileSink) -> None:
        barrier.wait()
        outcomes.append(sink.post(request))

    threads = [threading.Thread(target=write, args=(sink,)) for sink in sinks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcome.status for outcome in outcomes).count("posted") == 1
    files = list(tmp_path.iterdir())
    assert [path.name for path in files] == [file_name_for(request.idempotency_key, "xml")]
    assert etree.parse(str(files[0])).getroot().tag.endswith("Invoice")  # complete, parseable


def test_file_names_are_safe_and_distinct() -> None:
    first, second = file_name_for("a/b:0:files", "xml"), file_name_for("a_b:0:files", "xml")
    assert first != second
    assert "/" not in first and ":" not in first and not first.startswith(".")


def test_ubl_invoice_structure(tmp_path: Path) -> None:
    request = make_request("doc-5")
    outcome = FileSink(tmp_path, file_format="ubl").post(request)
    assert outcome.request["mapping_version"] == UBL_VERSION
    root = etree.parse(str(tmp_path / outcome.erp_reference)).getroot()  # type: ignore[operator]
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
    assert root.findtext("cbc:ID", namespaces=NS) == "RE-2026-0042"
    assert root.findtext("cbc:IssueDate", namespaces=NS) == "2026-11-03"
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "380"
    supplier = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    assert supplier is not None
    assert supplier.findtext("cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS) == "DE136695976"
    assert root.findtext("cac:TaxTotal/cbc:TaxAmount", namespaces=NS) == "23.46"
    assert root.findtext("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", namespaces=NS) == "19"
    totals = root.find("cac:LegalMonetaryTotal", NS)
    assert totals is not None
    assert totals.findtext("cbc:PayableAmount", namespaces=NS) == "146.91"
    assert totals.find("cbc:PayableAmount", NS).get("currencyID") == "EUR"
    lines = root.findall("cac:InvoiceLine", NS)
    assert [line.findtext("cbc:LineExtensionAmount", namespaces=NS) for line in lines] == ["100.00", "23.45"]
    assert lines[0].find("cbc:InvoicedQuantity", NS).get("unitCode") == "PK"
    # the schema fixes the order of children: supplier before customer before totals before lines
    order = [etree.QName(child).localname for child in root]
    assert order.index("AccountingSupplierParty") < order.index("AccountingCustomerParty") \
        < order.index("TaxTotal") < order.index("LegalMonetaryTotal") < order.index("InvoiceLine")


def test_ubl_credit_note_uses_the_credit_note_document(tmp_path: Path) -> None:
    request = make_request("doc-6", posting_type="supplier_credit_note", document_type="credit_note",
                           number="GS-17", amends_number="RE-2026-0042")
    root = etree.fromstring(ubl_document(request))
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert root.find("cbc:DueDate", NS) is None  # not part of UBL 2.1 CreditNote
    assert root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
                         namespaces=NS) == "RE-2026-0042"
    assert len(root.findall("cac:CreditNoteLine/cbc:CreditedQuantity", NS)) == 2
    assert root.findall("cac:InvoiceLine", NS) == []


def test_ubl_amounts_follow_the_currency_minor_unit() -> None:
    request = make_request("doc-7", currency="JPY", total=Decimal("11000"), net_total=Decimal("10000"),
                           tax_total=Decimal("1000"), lines=[],
                           tax_lines=[TaxLine(rate=Decimal("10"), base=Decimal("10000"), amount=Decimal("1000"))])
    root = etree.fromstring(ubl_document(request))
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "11000"
    # no line items read: one summary line carries the net amount
    lines = root.findall("cac:InvoiceLine", NS)
    assert len(lines) == 1 and lines[0].findtext("cbc:LineExtensionAmount", namespaces=NS) == "10000"


def test_ubl_refuses_what_the_format_cannot_express(tmp_path: Path) -> None:
    sink = FileSink(tmp_path, file_format="ubl")
    with pytest.raises(PostingRejected, match="cbc:IssueDate") as missing:
        sink.post(make_request("doc-8", issue_date=None))
    assert missing.value.code == "POSTING_REJECTED" and not missing.value.retryable
    with pytest.raises(PostingRejected, match="ISO 4217"):
        sink.post(make_request("doc-8", currency="EURO"))
    assert list(tmp_path.iterdir()) == []


def test_csv_mapping_failure_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(MappingFailed):
        FileSink(tmp_path, file_format="csv", maps=CSV_MAP).post(make_request("doc-8", number=None))
    assert list(tmp_path.iterdir()) == []


def test_csv_sink_requires_a_field_map(tmp_path: Path) -> None:
    with pytest.raises(MappingInvalid):
        FileSink(tmp_path, file_format="csv")


def test_unwritable_directory_is_retryable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    sink = FileSink(blocker / "inbox", file_format="ubl")
    with pytest.raises(TargetUnavailable) as caught:
        sink.post(make_request("doc-12"))
    assert caught.value.retryable
    sink.close()  # nothing was written: closing a sink whose share is down does not fail


def test_batch_and_close(tmp_path: Path) -> None:
    sink = FileSink(tmp_path, file_format="ubl")
    results = sink.post_batch([make_request("doc-9"), make_request("doc-10", total=None), make_request("doc-9")])
    assert [getattr(result, "status", getattr(result, "code", None)) for result in results] == [
        "posted", "POSTING_REJECTED", "already_posted"]
    sink.close()
    with pytest.raises(SinkClosed):
        sink.post(make_request("doc-11"))


def test_the_ubl_written_follows_en16931_and_its_schema() -> None:
    for request in (factories.posting_requested(),
                    factories.posting_requested(posting_type="supplier_credit_note",
                                                record=factories.record(document_type="credit_note",
                                                                        amends_number="RE-2026-0800"))):
        read = capture_einvoice(ubl_document(request, buyer_country="DE"))
        assert read.findings == [], [f.message for f in read.findings]
        fields = {f.name: f.value for f in read.fields}
        assert fields["customization_id"] == "urn:cen.eu:en16931:2017" and fields["buyer_country"] == "DE"
        assert fields["invoice_number"] == request.record.number  # type: ignore[union-attr]
    without_country = capture_einvoice(ubl_document(factories.posting_requested()))
    assert [f.rule_id for f in without_country.findings] == ["BR-11"]


def test_ubl_drops_the_control_characters_xml_cannot_hold(tmp_path: Path) -> None:
    from docket.model import InvoiceLine

    line = InvoiceLine(index=0, description="Toner\x1b[31m black\x00", quantity=Decimal("1"),
                       unit_price=Decimal("10"), amount=Decimal("10"))
    request = make_request("doc-ctl", supplier_name="Muster\x00 Bürobedarf\x07 GmbH\tBerlin", lines=[line],
                           net_total=Decimal("10"), tax_total=Decimal("0"), total=Decimal("10"), tax_lines=[])
    root = etree.fromstring(ubl_document(request))
    assert root.findtext("cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name",
                         namespaces=NS) == "Muster Bürobedarf GmbH\tBerlin"
    assert root.findtext("cac:InvoiceLine/cac:Item/cbc:Name", namespaces=NS) == "Toner[31m black"
    results = FileSink(tmp_path, file_format="ubl").post_batch([request, make_request("doc-ok")])
    assert [getattr(result, "status", None) for result in results] == ["posted", "posted"]


def test_csv_cells_that_would_start_a_formula_are_neutralised(tmp_path: Path) -> None:
    from docket.model import InvoiceLine

    hostile = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
    lines = [InvoiceLine(index=i, description=text, quantity=Decimal("1"), unit_price=Decimal("-5"),
                         amount=Decimal("-5")) for i, text in enumerate(hostile)]
    request = make_request("doc-csv", supplier_name="=1+1", po_number="@evil", lines=lines,
                           total=Decimal("-30.00"))
    FileSink(tmp_path, file_format="csv", maps=CSV_MAP).post(request)
    content = (tmp_path / file_name_for(request.idempotency_key, "csv")).read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(content, newline=""), delimiter=";"))
    assert [row["LINE_TEXT"] for row in rows] == ["'" + text for text in hostile]
    assert {row["VENDOR_NAME"] for row in rows} == {"'=1+1"} and {row["PO_NUMBER"] for row in rows} == {"'@evil"}
    assert {row["GROSS"] for row in rows} == {"-30.00"} and {row["LINE_AMOUNT"] for row in rows} == {"-5.00"}
