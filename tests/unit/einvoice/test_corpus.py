"""Every committed real e-invoice: read with all its business terms found, or — the deliberately
broken ones — ending as findings or a coded rejection, never a crash.

"All terms found" is checked independently of the reader's path tables: the XML is walked by
element name, and every core term element present in it must come out as its field with the
same value.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from docket.capture import capture_document
from docket.errors import DocketError
from docket.reading.einvoice.embedded import embedded_einvoice
from tests.unit.einvoice.builders import DATA

FILES = sorted(p for p in DATA.rglob("*") if p.suffix in (".xml", ".pdf"))
REJECTED = {"IT01234567890_FPA01.xml": "CAPTURE_UNSUPPORTED_TYPE", "order-x-basic.xml": "CAPTURE_UNSUPPORTED_TYPE",
            "factur-x-invalid-xml-encoding-attribute.pdf": "CAPTURE_EINVOICE_UNREADABLE"}
# Element (local name) → field, with the local name of the parent it must stand in (None: any).
CII_TERMS = {("ExchangedDocument", "ID"): "invoice_number", ("HeaderExchangedDocument", "ID"): "invoice_number",
             (None, "InvoiceCurrencyCode"): "currency", (None, "BuyerReference"): "buyer_reference",
             (None, "GrandTotalAmount"): "total", (None, "DuePayableAmount"): "amount_due",
             (None, "TaxBasisTotalAmount"): "net_total", (None, "TotalPrepaidAmount"): "prepaid_amount",
             ("SellerTradeParty", "Name"): "supplier_name", ("BuyerTradeParty", "Name"): "buyer_name",
             ("PayeePartyCreditorFinancialAccount", "IBANID"): "supplier_iban"}
UBL_TERMS = {("Invoice", "ID"): "invoice_number", ("CreditNote", "ID"): "invoice_number",
             (None, "DocumentCurrencyCode"): "currency", (None, "BuyerReference"): "buyer_reference",
             (None, "IssueDate"): "invoice_date", (None, "TaxInclusiveAmount"): "total",
             (None, "PayableAmount"): "amount_due", (None, "TaxExclusiveAmount"): "net_total",
             ("LegalMonetaryTotal", "LineExtensionAmount"): "line_total", (None, "PrepaidAmount"): "prepaid_amount"}
LINES = {"IncludedSupplyChainTradeLineItem", "InvoiceLine", "CreditNoteLine"}
LINE_TERMS = {"LineTotalAmount", "LineExtensionAmount", "BilledQuantity", "InvoicedQuantity", "CreditedQuantity",
              "Name"}


def _local(element: Any) -> str:
    return str(etree.QName(element).localname)


def _expected_terms(xml: bytes) -> tuple[dict[str, str], int]:
    root = etree.fromstring(xml.lstrip(b"\xef\xbb\xbf"), etree.XMLParser(resolve_entities=False, no_network=True))
    table = UBL_TERMS if "ubl" in str(root.tag) else CII_TERMS
    namespaces = {ns for ns in root.nsmap.values() if ns}
    found: dict[str, str] = {}
    for element in root.iter(etree.Element):
        if etree.QName(element).namespace not in namespaces:
            continue  # an element outside the syntax's namespaces is no business term (the schema check says so)
        parent = element.getparent()
        name, parent_name = _local(element), _local(parent) if parent is not None else ""
        field = table.get((parent_name, name)) or table.get((None, name))
        text = " ".join("".join(element.itertext()).split())
        if field and text and field not in found and not (name == "ID" and parent is not root and
                                                          parent_name not in ("ExchangedDocument",
                                                                              "HeaderExchangedDocument")):
            found[field] = text
    lines = sum(1 for e in root.iter(etree.Element) if _local(e) in LINES
                and any(_local(c) in LINE_TERMS for c in e.iter(etree.Element)))
    return found, lines


def _same(field: str, expected: str, value: str) -> bool:
    if field in ("total", "amount_due", "net_total", "prepaid_amount", "line_total"):
        return Decimal(expected) == Decimal(value)
    return expected == value


def _xml_of(path: Path) -> bytes | None:
    data = path.read_bytes()
    if path.suffix == ".pdf":
        embedded = embedded_einvoice(data)
        return embedded.data if embedded is not None else None
    return data


# A broken sample whose defect none of the checks Docket runs (XSD, the rules of en16931.yaml)
# detects: its sums, VAT breakdown and mandatory terms are consistent. Listed, not hidden.
UNDETECTED = {"not_validating_full_invoice_based_onTest_EeISI_300_CENfullmodel.cii.xml"}


def _broken(path: Path) -> bool:
    return ("/fail/" in path.as_posix() or path.name.startswith("not_validating")) and path.name not in UNDETECTED


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(DATA)) for p in FILES])
def test_every_file_is_read_with_its_terms_or_rejected_with_a_code(path: Path) -> None:
    try:
        documents = capture_document(path.read_bytes(), path.name)
    except DocketError as error:
        assert REJECTED.get(path.name) == error.code, f"{path.name}: {error.code}"
        return
    assert path.name not in REJECTED, f"{path.name} should have been rejected"
    (document,) = documents
    assert document.document_type in ("invoice", "credit_note")
    xml = _xml_of(path)
    assert xml is not None
    expected, line_count = _expected_terms(xml)
    fields = {f.name: f for f in document.fields}
    for field, value in expected.items():
        assert field in fields, f"{field} ({value!r}) not read"
        assert _same(field, value, fields[field].value), f"{field}: {fields[field].value!r} != {value!r}"
        assert fields[field].business_term and fields[field].xml_path and fields[field].confidence == 1.0
    read_lines = [item for item in document.line_items if not any(f.name == "kind" for f in item.fields)]
    assert len(read_lines) == line_count
    if _broken(path):
        assert document.findings, f"{path.name} is in a fail folder but broke no rule"


def test_the_corpus_covers_every_syntax_and_profile() -> None:
    engines, profiles = set(), set()
    for path in FILES:
        try:
            (document,) = capture_document(path.read_bytes(), path.name)
        except DocketError:
            continue
        engines.add(document.engine.split("+")[0])
        fields = {f.name: f.value for f in document.fields}
        profiles.add(fields.get("customization_id", "").lower())
    assert engines == {"cii-d16b", "cii-zugferd1", "ubl-2.1"}
    for marker in ("minimum", "basicwl", "basic", "extended", "xrechnung", "peppol", "en16931"):
        assert any(marker in p for p in profiles), marker
