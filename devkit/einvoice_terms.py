"""What an e-invoice's XML holds, found by element name — independent of the reader's path
tables — so a test or a coverage run can check that capture found every term that is there.

Only elements in the document's own namespaces count: an element in no or a foreign namespace
is no business term (the schema check reports it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lxml import etree

# (local name of the parent, or None for any) + local name → extracted field name.
CII_TERMS = {("IssueDateTime", "DateTimeString"): "invoice_date",
             ("ExchangedDocument", "ID"): "invoice_number", ("HeaderExchangedDocument", "ID"): "invoice_number",
             (None, "InvoiceCurrencyCode"): "currency", (None, "BuyerReference"): "buyer_reference",
             (None, "GrandTotalAmount"): "total", (None, "DuePayableAmount"): "amount_due",
             (None, "TaxBasisTotalAmount"): "net_total", (None, "TotalPrepaidAmount"): "prepaid_amount",
             ("SellerTradeParty", "Name"): "supplier_name", ("BuyerTradeParty", "Name"): "buyer_name",
             ("PayeePartyCreditorFinancialAccount", "IBANID"): "supplier_iban",
             ("BuyerOrderReferencedDocument", "IssuerAssignedID"): "po_number",
             ("InvoiceReferencedDocument", "IssuerAssignedID"): "amends_number"}
UBL_TERMS = {("Invoice", "ID"): "invoice_number", ("CreditNote", "ID"): "invoice_number",
             (None, "DocumentCurrencyCode"): "currency", (None, "BuyerReference"): "buyer_reference",
             ("Invoice", "IssueDate"): "invoice_date", ("CreditNote", "IssueDate"): "invoice_date",
             (None, "TaxInclusiveAmount"): "total", (None, "PayableAmount"): "amount_due",
             (None, "TaxExclusiveAmount"): "net_total", ("LegalMonetaryTotal", "LineExtensionAmount"): "line_total",
             (None, "PrepaidAmount"): "prepaid_amount", ("OrderReference", "ID"): "po_number",
             ("InvoiceDocumentReference", "ID"): "amends_number"}
AMOUNTS = frozenset({"total", "amount_due", "net_total", "prepaid_amount", "line_total"})
LINES = frozenset({"IncludedSupplyChainTradeLineItem", "InvoiceLine", "CreditNoteLine"})
LINE_TERMS = frozenset({"LineTotalAmount", "LineExtensionAmount", "BilledQuantity", "InvoicedQuantity",
                        "CreditedQuantity", "Name"})


def _local(element: Any) -> str:
    return str(etree.QName(element).localname)


def expected_terms(xml: bytes) -> tuple[dict[str, str], int]:
    """The core terms the XML holds (field name → text) and its number of lines."""
    root = etree.fromstring(xml.lstrip(b"\xef\xbb\xbf \r\n\t"),
                            etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    table = UBL_TERMS if "ubl" in str(root.tag) else CII_TERMS
    namespaces = {ns for ns in root.nsmap.values() if ns}
    header_parents = ("ExchangedDocument", "HeaderExchangedDocument", "OrderReference", "InvoiceDocumentReference")
    found: dict[str, str] = {}
    for element in root.iter(etree.Element):
        if etree.QName(element).namespace not in namespaces:
            continue
        parent = element.getparent()
        name, parent_name = _local(element), _local(parent) if parent is not None else ""
        field = table.get((parent_name, name)) or table.get((None, name))
        if field is None or field in found or any(_local(a) in LINES for a in element.iterancestors()):
            continue  # EXTENDED lines carry their own totals (a line's GrandTotalAmount is no BT-112)
        grandparent = parent.getparent() if parent is not None else None
        if field == "invoice_date" and (grandparent is None or _local(grandparent) not in (
                "ExchangedDocument", "HeaderExchangedDocument")):
            continue  # another document's date (an order's, a preceding invoice's)
        if name == "ID" and parent is not root and parent_name not in header_parents:
            continue
        if field == "po_number" and _local(parent.getparent()) not in ("ApplicableHeaderTradeAgreement", "Invoice",
                                                                       "CreditNote"):
            continue  # a line's order reference is BT-132, not BT-13
        text = " ".join("".join(element.itertext()).split())
        if text:
            found[field] = text
    lines = sum(1 for e in root.iter(etree.Element) if _local(e) in LINES
                and any(_local(c) in LINE_TERMS for c in e.iter(etree.Element)))
    return found, lines


def same_value(field: str, expected: str, value: str) -> bool:
    """Whether the extracted ``value`` is the XML's ``expected`` text (amounts compared as numbers)."""
    if field == "invoice_date":  # CII states 20240131, UBL 2024-01-31; both read as ISO
        return expected.replace("-", "") == value.replace("-", "")
    if field in AMOUNTS:
        try:
            return Decimal(expected) == Decimal(value)
        except ArithmeticError:
            return False
    return expected == value
