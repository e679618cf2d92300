"""Batch files for legacy systems: CSV (through a field map) or UBL 2.1 Invoice / CreditNote XML.

One file per posting, named after the idempotency key, written atomically into ``directory``:
the content goes to a hidden temp file, is fsynced, then hard-linked to its final name, which
fails if the name exists. So a reader never sees half a file, and of two writers racing on one
key only one file appears. A repeat is detected by the name, in ``directory`` or in any of
``archive_dirs`` (where the legacy import moves files it has read).

Document text is hostile input: CSV cells that a spreadsheet would run as a formula (starting
with ``= + - @``, tab or carriage return) are prefixed with ``'`` (the OWASP rule; plain numbers
such as ``-12.50`` stay as they are), and characters XML 1.0 cannot hold (most C0 controls,
NUL) are dropped from UBL text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from babel.numbers import get_currency_precision, list_currencies
from lxml import etree

from connectors.base import PostingOutcome, PostingRejected, SinkBase, TargetUnavailable, redact
from connectors.mapping import FieldMap, MappingInvalid, select_field_map
from docket.model import InvoiceLine, InvoiceRecord, PostingRequested

UBL_VERSION = "ubl-2.1/2"
"""Recorded as the mapping version of UBL files: bump it when the XML written changes."""

EN16931 = "urn:cen.eu:en16931:2017"
"""BT-24, the specification the UBL files follow."""
_NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
_NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_UNIT_CODE = re.compile(r"^[A-Z0-9]{2,3}$")
_NOT_XML_CHARACTER = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_ISO_CURRENCIES = frozenset(list_currencies())
_MANDATORY = {"number": "cbc:ID", "issue_date": "cbc:IssueDate", "currency": "cbc:DocumentCurrencyCode",
              "total": "cbc:PayableAmount"}

FileFormat = Literal["csv", "ubl"]


def file_name_for(idempotency_key: str, extension: str) -> str:
    """A file name that is safe on every file system and unique per key (readable part + hash)."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", idempotency_key).strip("._")[:100]
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:12]
    return f"{readable}.{digest}.{extension}"


class FileSink(SinkBase):
    """Writes one CSV or UBL file per posting into ``directory`` (created if missing).

    ``maps`` is required for CSV (its ``lines_key`` list gives one row per line) and unused for
    UBL. ``erp_reference`` and ``erp_id`` of an outcome are the file name: what an operator
    looks for. A document UBL cannot express (no number, no ISO 4217 currency...) is refused
    with :class:`PostingRejected`: for a file target, the format's rules are the target's rules.
    """

    def __init__(self, directory: str | Path, *, file_format: FileFormat, maps: FieldMap | Sequence[FieldMap] = (),
                 target: str = "files", archive_dirs: Sequence[str | Path] = (), delimiter: str = ";",
                 encoding: str = "utf-8", lines_key: str = "lines", buyer_country: str | None = None) -> None:
        super().__init__()
        self._buyer_country = buyer_country
        self.target = target
        self._directory = Path(directory)
        self._format = file_format
        self._maps = [maps] if isinstance(maps, FieldMap) else list(maps)
        if file_format == "csv" and not self._maps:
            raise MappingInvalid("a CSV file sink needs a field map")
        self._archives = [Path(path) for path in archive_dirs]
        self._delimiter = delimiter
        self._encoding = encoding
        self._lines_key = lines_key

    def post(self, request: PostingRequested) -> PostingOutcome:
        self._ensure_open()
        name = file_name_for(request.idempotency_key, "csv" if self._format == "csv" else "xml")
        field_map = select_field_map(self._maps, request) if self._format == "csv" else None
        version = field_map.version if field_map else UBL_VERSION
        if self._already_written(name):
            return self._outcome(request, name, "already_posted", version, None)
        content = self._csv(field_map, request) if field_map else ubl_document(request,
                                                                                buyer_country=self._buyer_country)
        try:
            # Created on use, not in __init__: a share that is down now may be back for the retry.
            self._directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TargetUnavailable(f"{self.target}: cannot create {self._directory}: {error.strerror}") from error
        created = self._write_atomically(name, content)
        return self._outcome(request, name, "posted" if created else "already_posted", version, content)

    def flush(self) -> None:
        super().flush()
        if not self._directory.is_dir():
            return  # nothing was ever written
        # Renames and links are durable only once the directory entry itself is on disk.
        descriptor = os.open(self._directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def _already_written(self, name: str) -> bool:
        return any((folder / name).exists() for folder in [self._directory, *self._archives])

    def _write_atomically(self, name: str, content: bytes) -> bool:
        """Write ``name``; False if another writer created it first."""
        temporary = self._directory / f".{name}.{uuid.uuid4().hex}.tmp"
        try:
            with open(temporary, "xb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, self._directory / name)
            except FileExistsError:
                return False
            return True
        except OSError as error:
            raise TargetUnavailable(f"{self.target}: cannot write {name}: {error.strerror}") from error
        finally:
            temporary.unlink(missing_ok=True)

    def _csv(self, field_map: FieldMap, request: PostingRequested) -> bytes:
        payload = field_map.apply(request)
        lines = payload.pop(self._lines_key, None) or []
        line_columns = field_map.line_field_names(self._lines_key) if self._lines_key in field_map.fields else []
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self._delimiter, lineterminator="\r\n")
        writer.writerow([*payload, *line_columns])
        for line in lines or [{}]:
            writer.writerow([_cell(value) for value in payload.values()] +
                            [_cell(line.get(column)) for column in line_columns])
        return buffer.getvalue().encode(self._encoding)

    def _outcome(self, request: PostingRequested, name: str, status: str, version: str,
                 content: bytes | None) -> PostingOutcome:
        written: dict[str, Any] = {"file": name, "format": self._format, "directory": str(self._directory),
                                   "mapping_version": version}
        if content is not None:
            written |= {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        return PostingOutcome(idempotency_key=request.idempotency_key, target=self.target, status=status,
                              erp_reference=name, erp_id=name, request=redact(written), response={})


class FileSetSink(SinkBase):
    """Several :class:`FileSink` behind one target: each posting writes one file per format.

    The outcome is ``posted`` when any file was new (a crash between two formats is finished by
    the retry), ``already_posted`` when every one was there; its ``erp_reference`` is the first
    file's name, ``erp_id`` every name. Put the strictest format first: a request it refuses is
    refused before anything is written.
    """

    def __init__(self, sinks: Sequence[FileSink], *, target: str = "files") -> None:
        super().__init__()
        if not sinks:
            raise MappingInvalid("a file set needs at least one format")
        self.target = target
        self._sinks = list(sinks)

    def post(self, request: PostingRequested) -> PostingOutcome:
        self._ensure_open()
        outcomes = [sink.post(request) for sink in self._sinks]
        names = [str(outcome.erp_reference) for outcome in outcomes]
        status = "posted" if any(outcome.status == "posted" for outcome in outcomes) else "already_posted"
        return PostingOutcome(idempotency_key=request.idempotency_key, target=self.target, status=status,
                              erp_reference=names[0], erp_id=",".join(names),
                              request={"files": [dict(outcome.request) for outcome in outcomes]}, response={})

    def flush(self) -> None:
        super().flush()
        for sink in self._sinks:
            sink.flush()

    def close(self) -> None:
        if self._closed:
            return
        super().close()  # flushes every file sink while they are open
        for sink in self._sinks:
            sink.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise_formula(str(value))


def neutralise_formula(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would evaluate it (CSV injection), else as is."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (lxml refuses them with a ValueError)."""
    return _NOT_XML_CHARACTER.sub("", text)


# ---------------------------------------------------------------------------------------------
# UBL 2.1


def ubl_document(request: PostingRequested, *, buyer_country: str | None = None) -> bytes:
    """A UBL 2.1 ``Invoice`` (or ``CreditNote`` for credit notes) for ``request.record``, following
    EN 16931 (BT-24 ``urn:cen.eu:en16931:2017``). The buyer's country (BT-55) is its VAT id's
    prefix, else ``buyer_country`` (the legal entity's country, from the target's settings).

    Elements follow the order of the UBL 2.1 schemas. Amounts carry ``currencyID`` and are
    rounded to the currency's minor unit. Raises :class:`PostingRejected` when the record lacks
    what UBL requires (number, issue date, ISO 4217 currency, total).
    """
    record = request.record
    if record is None:
        raise PostingRejected("UBL 2.1 needs a document record; this posting has none")
    for name, element in _MANDATORY.items():
        if getattr(record, name) is None:
            raise PostingRejected(f"UBL 2.1 needs the document's {name} ({element})", details={"field": name})
    if str(record.currency).upper() not in _ISO_CURRENCIES:
        raise PostingRejected(f"UBL 2.1 needs an ISO 4217 currency code, not {record.currency!r}",
                              details={"field": "currency"})
    credit = request.posting_type.endswith("credit_note") or record.document_type == "credit_note"
    kind = "CreditNote" if credit else "Invoice"
    root = etree.Element(f"{{{_NS_CREDIT_NOTE if credit else _NS_INVOICE}}}{kind}",
                         nsmap={None: _NS_CREDIT_NOTE if credit else _NS_INVOICE, "cac": CAC, "cbc": CBC})
    money = _Money(str(record.currency))
    _cbc(root, "UBLVersionID", "2.1")
    _cbc(root, "CustomizationID", EN16931)
    _cbc(root, "ID", record.number)
    _cbc(root, "IssueDate", record.issue_date)
    if not credit:
        _cbc(root, "DueDate", record.due_date)
    _cbc(root, f"{kind}TypeCode", "381" if credit else "380")
    _cbc(root, "DocumentCurrencyCode", money.currency)
    _cbc(root, "AccountingCost", request.gl_account)
    if record.po_number:
        _cbc(_cac(root, "OrderReference"), "ID", record.po_number)
    if record.amends_number:
        _cbc(_cac(_cac(root, "BillingReference"), "InvoiceDocumentReference"), "ID", record.amends_number)
    _party(_cac(root, "AccountingSupplierParty"), request.party_id, record.supplier_name,
           record.supplier_vat_id, record.supplier_address, record.supplier_country)
    _party(_cac(root, "AccountingCustomerParty"), None, record.buyer_name, record.buyer_vat_id, None,
           _country_of_vat_id(record.buyer_vat_id) or buyer_country)
    _payment(root, record)
    lines = _lines_of(record)
    _tax_total(root, record, money)
    _totals(root, record, lines, money)
    for line in lines:
        _line(root, kind, line, money, request.gl_account)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _country_of_vat_id(vat_id: str | None) -> str | None:
    """The ISO country of an EU VAT id's prefix (``EL`` is Greece, ``GR``), for BT-55."""
    if not vat_id or not vat_id[:2].isalpha():
        return None
    prefix = vat_id[:2].upper()
    return "GR" if prefix == "EL" else prefix


class _Money:
    def __init__(self, currency: str) -> None:
        self.currency = currency.upper()
        try:
            self.places = int(get_currency_precision(self.currency))
        except (KeyError, ValueError):
            self.places = 2

    def text(self, amount: Decimal) -> str:
        return format(amount.quantize(Decimal(1).scaleb(-self.places)), "f")


def _cbc(parent: etree._Element, name: str, value: Any, **attributes: str) -> etree._Element | None:
    if value is None or value == "":
        return None
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attributes)
    element.text = value.isoformat() if isinstance(value, date) else xml_text(str(value))
    return element


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _amount(parent: etree._Element, name: str, value: Decimal, money: _Money) -> None:
    _cbc(parent, name, money.text(value), currencyID=money.currency)


def _party(holder: etree._Element, party_id: str | None, name: str | None, vat_id: str | None,
           address: str | None, country: str | None) -> None:
    party = _cac(holder, "Party")
    if party_id:
        _cbc(_cac(party, "PartyIdentification"), "ID", party_id)
    if name:
        _cbc(_cac(party, "PartyName"), "Name", name)
    if address or country:
        postal = _cac(party, "PostalAddress")
        if address:
            _cbc(_cac(postal, "AddressLine"), "Line", address)
        if country:
            _cbc(_cac(postal, "Country"), "IdentificationCode", country.upper())
    if vat_id:
        scheme = _cac(party, "PartyTaxScheme")
        _cbc(scheme, "CompanyID", vat_id)
        _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
    if name:
        _cbc(_cac(party, "PartyLegalEntity"), "RegistrationName", name)


def _payment(root: etree._Element, record: InvoiceRecord) -> None:
    if record.supplier_iban:
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", "30")  # UNCL 4461: credit transfer
        account = _cac(means, "PayeeFinancialAccount")
        _cbc(account, "ID", record.supplier_iban.replace(" ", ""))
        if record.supplier_bic:
            _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", record.supplier_bic)
    if record.payment_terms:
        _cbc(_cac(root, "PaymentTerms"), "Note", record.payment_terms)


def _lines_of(record: InvoiceRecord) -> list[InvoiceLine]:
    if record.lines:
        return list(record.lines)
    # UBL needs at least one line: a document read without line items becomes one summary line.
    net = record.net_total if record.net_total is not None else Decimal(record.total or 0) - (record.tax_total or 0)
    rate = record.tax_lines[0].rate if len(record.tax_lines) == 1 else None
    return [InvoiceLine(index=0, description=f"Document {record.number}", quantity=Decimal(1),
                        unit_price=net, amount=net, tax_rate=rate)]


def _line_amount(line: InvoiceLine) -> Decimal:
    if line.amount is not None:
        return line.amount
    if line.quantity is not None and line.unit_price is not None:
        return line.quantity * line.unit_price
    raise PostingRejected(f"UBL 2.1 needs an amount for line {line.index + 1}", details={"line": str(line.index)})


def _tax_category(parent: etree._Element, name: str, rate: Decimal | None) -> None:
    category = _cac(parent, name)
    _cbc(category, "ID", "S" if rate else "Z" if rate is not None else "O")  # UNCL 5305
    if rate is not None:
        _cbc(category, "Percent", format(rate.normalize(), "f"))
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")


def _tax_total(root: etree._Element, record: InvoiceRecord, money: _Money) -> None:
    total = record.tax_total
    if total is None:
        total = sum((tax.amount for tax in record.tax_lines), Decimal(0))
    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", total, money)
    for tax in record.tax_lines:
        subtotal = _cac(tax_total, "TaxSubtotal")
        if tax.base is not None:
            _amount(subtotal, "TaxableAmount", tax.base, money)
        _amount(subtotal, "TaxAmount", tax.amount, money)
        _tax_category(subtotal, "TaxCategory", tax.rate)


def _totals(root: etree._Element, record: InvoiceRecord, lines: list[InvoiceLine], money: _Money) -> None:
    assert record.total is not None  # checked by ubl_document
    line_sum = sum((_line_amount(line) for line in lines), Decimal(0))
    totals = _cac(root, "LegalMonetaryTotal")
    _amount(totals, "LineExtensionAmount", line_sum, money)
    net = record.net_total if record.net_total is not None else line_sum
    _amount(totals, "TaxExclusiveAmount", net, money)
    _amount(totals, "TaxInclusiveAmount", record.total, money)
    _amount(totals, "PayableAmount", record.total, money)


def _line(root: etree._Element, kind: str, line: InvoiceLine, money: _Money, gl_account: str | None) -> None:
    element = _cac(root, f"{kind}Line")
    _cbc(element, "ID", line.index + 1)
    quantity_name = "CreditedQuantity" if kind == "CreditNote" else "InvoicedQuantity"
    unit = (line.unit or "").upper()
    _cbc(element, quantity_name, format((line.quantity or Decimal(1)).normalize(), "f"),
         unitCode=unit if _UNIT_CODE.match(unit) else "C62")  # UN/ECE Rec 20: C62 = one
    _amount(element, "LineExtensionAmount", _line_amount(line), money)
    _cbc(element, "AccountingCost", gl_account)
    item = _cac(element, "Item")
    if len(line.description) > 100:
        _cbc(item, "Description", line.description)
    _cbc(item, "Name", line.description[:100] or f"Line {line.index + 1}")
    if line.sku:
        _cbc(_cac(item, "SellersItemIdentification"), "ID", line.sku)
    _tax_category(item, "ClassifiedTaxCategory", line.tax_rate)
    if line.unit_price is not None:
        _cbc(_cac(element, "Price"), "PriceAmount", format(line.unit_price.normalize(), "f"),
             currencyID=money.currency)
