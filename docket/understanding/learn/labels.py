"""Labels of real development documents: SROIE receipt keys and the invoice XML embedded in
hybrid e-invoice PDFs (ZUGFeRD / Factur-X / XRechnung CII, UBL).

The embedded XML labels what the page prints, so a PDF read as printed (text layer or a scan)
can be scored against it. Values come out in Docket's field vocabulary: ``supplier_name``,
``invoice_number``, ``invoice_date``, ``due_date`` (ISO dates), ``currency``, ``net_total``,
``tax_total``, ``total`` (Decimal strings), ``supplier_vat_id``, ``supplier_iban``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


@dataclass(frozen=True)
class LabelledDocument:
    """One real document: its file, the set it belongs to, the expected type and its labels."""

    path: Path
    set_name: str
    document_type: str
    labels: dict[str, str] = field(default_factory=dict)


def sroie_documents(root: Path) -> list[LabelledDocument]:
    """SROIE receipts under ``root`` (``img/NNN.jpg`` + ``key/NNN.json``), in file order."""
    documents = []
    for image in sorted((root / "img").glob("*.jpg")):
        key = root / "key" / f"{image.stem}.json"
        if not key.exists():
            continue
        raw = json.loads(key.read_text(encoding="utf-8"))
        labels = {"supplier_name": raw.get("company", ""), "supplier_address": raw.get("address", ""),
                  "receipt_date": _sroie_date(raw.get("date", "")) or "", "total": _decimal(raw.get("total", "")) or ""}
        documents.append(LabelledDocument(image, "sroie", "receipt", {k: v for k, v in labels.items() if v}))
    return documents


def corpus_documents(root: Path, types: tuple[str, ...] = ("receipt",)) -> list[LabelledDocument]:
    """Documents of the project's generated corpus under ``root`` (``*.truth.json`` beside each file), in
    file order, of the given document types; their labels are the truth's canonical field values."""
    documents = []
    for truth_path in sorted(root.glob("*.truth.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if truth.get("document_type") not in types:
            continue
        fields = {str(k): str(v) for k, v in (truth.get("fields") or {}).items() if v}
        documents.append(LabelledDocument(root / truth["file"], "generated", truth["document_type"], fields))
    return documents


_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
                                        "DEC"), start=1)}


def _sroie_date(text: str) -> str | None:
    """SROIE dates are printed day first (``19/10/2018``, ``25-12-17``, ``05 MAR 2018``, ``20180304``),
    a few month first (``12/28/2017``)."""
    text = text.strip().upper()
    if re.fullmatch(r"\d{8}", text):
        candidates = [(int(text[:4]), int(text[4:6]), int(text[6:])), (int(text[4:]), int(text[2:4]), int(text[:2]))]
    elif match := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text):
        candidates = [(int(match[1]), int(match[2]), int(match[3]))]
    elif match := re.fullmatch(r"(\d{1,2})[-/. ]*([A-Z]{3})[A-Z]*[-/. ]*(\d{2,4})", text):
        candidates = [(int(match[3]), _MONTHS.get(match[2], 0), int(match[1]))]
    elif match := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})", text):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
        candidates = [(year, month, day), (year, day, month)]
    else:
        return None
    for year, month, day in candidates:
        try:
            return dt.date(year + (2000 if year < 100 else 0), month, day).isoformat()
        except ValueError:
            continue
    return None


def _decimal(text: str) -> str | None:
    cleaned = re.sub(r"[^0-9.,-]", "", text or "").replace(",", "")
    try:
        return str(Decimal(cleaned)) if cleaned else None
    except InvalidOperation:
        return None


def embedded_xml(path: Path) -> bytes | None:
    """The invoice XML attached to the PDF at ``path`` (None when it carries none)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        found = {}
        for index in range(pdf.count_attachments()):
            attachment = pdf.get_attachment(index)
            found[attachment.get_name().lower()] = bytes(attachment.get_data())
    finally:
        pdf.close()
    for name in XML_NAMES:
        if name.lower() in found:
            return found[name.lower()]
    return next((data for name, data in found.items() if name.endswith(".xml")), None)


def einvoice_documents(root: Path) -> list[LabelledDocument]:
    """Hybrid PDFs under ``root`` whose embedded XML yields at least a number or a seller."""
    documents = []
    for path in sorted(root.rglob("*.pdf")):
        try:
            xml = embedded_xml(path)
        except Exception:  # a corrupt PDF is simply not part of the labelled set
            continue
        if xml is None:
            continue
        try:
            document_type, labels = xml_labels(xml)
        except etree.XMLSyntaxError:
            continue
        if labels.get("invoice_number") or labels.get("supplier_name"):
            documents.append(LabelledDocument(path, "einvoice", document_type, labels))
    return documents


def _text(root: etree._Element, path: str) -> str | None:
    found = root.xpath(path)
    for item in found:
        text = item if isinstance(item, str) else item.text
        if text and text.strip():
            return str(text).strip()
    return None


def _ln(*names: str) -> str:
    return "/".join(f"*[local-name()='{n}']" for n in names)


def xml_labels(xml: bytes) -> tuple[str, dict[str, str]]:
    """Document type (``invoice``/``credit_note``) and labels of a CII or UBL invoice."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    if etree.QName(root).localname in {"Invoice", "CreditNote"}:
        return _ubl_labels(root)
    return _cii_labels(root)


def _cii_labels(root: etree._Element) -> tuple[str, dict[str, str]]:
    header = f"//{_ln('ExchangedDocument')} | //{_ln('HeaderExchangedDocument')}"
    doc = root.xpath(header)
    labels: dict[str, str] = {}
    type_code = None
    if doc:
        labels["invoice_number"] = _text(doc[0], _ln("ID")) or ""
        type_code = _text(doc[0], _ln("TypeCode"))
        labels["invoice_date"] = _cii_date(_text(doc[0], f"{_ln('IssueDateTime', 'DateTimeString')}")) or ""
    seller = root.xpath(f"//{_ln('SellerTradeParty')}")
    if seller:
        labels["supplier_name"] = _text(seller[0], _ln("Name")) or ""
        for registration in seller[0].xpath(_ln("SpecifiedTaxRegistration", "ID")):
            if registration.get("schemeID") == "VA" and registration.text:
                labels["supplier_vat_id"] = registration.text.strip()
                break
    labels["supplier_iban"] = _text(root, f"//{_ln('PayeePartyCreditorFinancialAccount', 'IBANID')}") or ""
    labels["due_date"] = _cii_date(_text(root, f"//{_ln('SpecifiedTradePaymentTerms', 'DueDateDateTime')}"
                                               f"/{_ln('DateTimeString')}")) or ""
    labels["currency"] = _text(root, f"//{_ln('InvoiceCurrencyCode')}") or ""
    summation = root.xpath(f"//{_ln('SpecifiedTradeSettlementHeaderMonetarySummation')} | "
                           f"//{_ln('SpecifiedTradeSettlementMonetarySummation')}")
    if summation:
        labels["total"] = _decimal(_text(summation[0], _ln("GrandTotalAmount")) or "") or ""
        labels["net_total"] = _decimal(_text(summation[0], _ln("TaxBasisTotalAmount")) or "") or ""
        taxes = summation[0].xpath(_ln("TaxTotalAmount"))
        chosen = [t for t in taxes if t.get("currencyID") in (None, labels["currency"])] or taxes
        if chosen and chosen[0].text:
            labels["tax_total"] = _decimal(chosen[0].text) or ""
    kind = "credit_note" if type_code in {"381", "396", "532"} else "invoice"
    return kind, {k: v for k, v in labels.items() if v}


def _cii_date(text: str | None) -> str | None:
    if not text:
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 8:
        try:
            return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])).isoformat()
        except ValueError:
            return None
    return None


def _ubl_labels(root: etree._Element) -> tuple[str, dict[str, str]]:
    labels: dict[str, str] = {
        "invoice_number": _text(root, _ln("ID")) or "",
        "invoice_date": _text(root, _ln("IssueDate")) or "",
        "due_date": _text(root, _ln("DueDate")) or _text(root, f"{_ln('PaymentMeans', 'PaymentDueDate')}") or "",
        "currency": _text(root, _ln("DocumentCurrencyCode")) or "",
    }
    party = root.xpath(_ln("AccountingSupplierParty", "Party"))
    if party:
        labels["supplier_name"] = (_text(party[0], _ln("PartyLegalEntity", "RegistrationName"))
                                   or _text(party[0], _ln("PartyName", "Name")) or "")
        for scheme in party[0].xpath(_ln("PartyTaxScheme")):
            if (_text(scheme, _ln("TaxScheme", "ID")) or "").upper() == "VAT":
                labels["supplier_vat_id"] = _text(scheme, _ln("CompanyID")) or ""
    labels["supplier_iban"] = _text(root, _ln("PaymentMeans", "PayeeFinancialAccount", "ID")) or ""
    totals = root.xpath(_ln("LegalMonetaryTotal"))
    if totals:
        labels["net_total"] = _decimal(_text(totals[0], _ln("TaxExclusiveAmount")) or "") or ""
        labels["total"] = _decimal(_text(totals[0], _ln("TaxInclusiveAmount")) or "") or ""
    labels["tax_total"] = _decimal(_text(root, f"{_ln('TaxTotal', 'TaxAmount')}") or "") or ""
    kind = "credit_note" if etree.QName(root).localname == "CreditNote" else "invoice"
    return kind, {k: v for k, v in labels.items() if v}


def without_attachments(data: bytes) -> bytes:
    """The PDF with its embedded files removed, so it can only be read as printed."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        for index in reversed(range(pdf.count_attachments())):
            pdf.del_attachment(index)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
    finally:
        pdf.close()


def page_text(data: bytes) -> str:
    """The text layer of every page (used only to tell whether a label is printed)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
