"""Extracted fields to one normalized :class:`InvoiceRecord`, keeping every raw value.

Values are read from ``raw_text`` (what stood on the page) with the issuer's conventions; the
extractor's canonical ``value`` is used only where the raw text is unreadable, so an upstream
misreading never passes silently. A field that cannot be normalized becomes an error finding
(``NORMALIZE_*``) and stays empty in the record: one bad field sends the document to review, it
never fails the stage. Credit notes printed with negative totals become positive amounts with
``document_type`` ``credit_note``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from docket.model import (
    DocumentExtracted,
    ExtractedField,
    Finding,
    InvoiceLine,
    InvoiceRecord,
    LineItem,
    Normalization,
    TaxLine,
)
from docket.records.amounts import read_amount, read_percent, read_quantity
from docket.records.currency import normalize_currency
from docket.records.dates import DateReading, read_date, resolve_dates
from docket.records.errors import RecordsError
from docket.records.identifiers import compact_tax_number, normalize_bic, normalize_iban, normalize_vat_id
from docket.records.locales import decimal_separator
from docket.records.text import display_text

T = TypeVar("T")

NUMBER_FIELDS = ("invoice_number", "credit_note_number", "order_number", "receipt_number", "document_number")
ISSUE_DATE_FIELDS = ("invoice_date", "credit_note_date", "order_date", "receipt_date", "document_date")
_CANONICAL_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_CANONICAL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TERMS_DAYS = re.compile(
    r"(?:net|netto|within|innerhalb|sous|entro|dentro de)?\s*(\d{1,3})\s*"
    r"(?:days?|tage?n?|jours?|d[ií]as|giorni|dagen|dagar|dage|net)\b", re.IGNORECASE)
_NET_DAYS = re.compile(r"\b(?:net|netto)\s*(\d{1,3})\b", re.IGNORECASE)
_MAX_TAX_LINES = 9


@dataclass
class _Collector:
    """What normalization learned about one document besides the record itself."""

    normalizations: list[Normalization] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)

    def normalized(self, name: str, raw: str, value: object, rule: str) -> None:
        self.normalizations.append(Normalization(field=name, raw=raw, value=str(value), rule=rule))

    def failed(self, name: str, error: RecordsError, severity: str = "error") -> None:
        rule_id = "NORMALIZE_" + error.code.removeprefix("RECORDS_")
        self.findings.append(Finding(rule_id=rule_id, severity=severity, message=error.message, fields=[name]))


@dataclass(frozen=True)
class NormalizedDocument:
    """The normalized record, how each value was obtained, normalization findings, and the
    extractor's confidence per field (keys are extracted names; line fields ``line[i].name``)."""

    record: InvoiceRecord
    normalizations: list[Normalization]
    findings: list[Finding]
    field_confidence: dict[str, float]


def _structured(f: ExtractedField, pattern: re.Pattern[str]) -> str | None:
    """The canonical value of a field read from a structured file (an e-invoice's XML states
    ``1234.500`` with a dot whatever the locale), or None for a printed reading."""
    value = f.value.strip()
    return value if f.method == "structured" and pattern.match(value) else None


def _amount(f: ExtractedField, name: str, separator: str | None, out: _Collector, *,
            quantity: bool = False) -> Decimal | None:
    if (canonical := _structured(f, _CANONICAL_DECIMAL)) is not None:
        out.normalized(name, f.raw_text, Decimal(canonical), "amount_structured")
        return Decimal(canonical)
    try:
        value = (read_quantity(f.raw_text, locale_separator=separator) if quantity
                 else read_amount(f.raw_text, locale_separator=separator).value)
    except RecordsError as error:
        if _CANONICAL_DECIMAL.match(f.value.strip()):
            value = Decimal(f.value.strip())
            out.normalized(name, f.raw_text, value, "amount_from_extractor_value")
            return value
        out.failed(name, error)
        return None
    out.normalized(name, f.raw_text, value, "amount")
    return value


def _text(f: ExtractedField | None) -> str | None:
    if f is None:
        return None
    shown = display_text(f.value or f.raw_text)
    return shown or None


def _first(fields: dict[str, ExtractedField], names: tuple[str, ...]) -> ExtractedField | None:
    return next((fields[n] for n in names if n in fields), None)


def _first_valid(field: ExtractedField, normalizer: Callable[[str], T]) -> tuple[str, T]:
    """Normalize an identifier from what stood on the page, else from the extractor's reading.

    The raw text of a box can hold more than the identifier (``IBAN DE89 ... BIC COBA...``),
    which the extractor has already cut out; the checksum decides, so neither is trusted blindly.
    Raises the raw text's error when neither validates.
    """
    try:
        return field.raw_text, normalizer(field.raw_text or field.value)
    except RecordsError:
        if not field.value or field.value == field.raw_text:
            raise
        try:
            return field.value, normalizer(field.value)
        except RecordsError:
            pass
        raise


def _identifiers(fields: dict[str, ExtractedField], country: str | None, out: _Collector) -> dict[str, str | None]:
    """VAT ID, tax number, IBAN, BIC and the issuer country they (or the caller) establish."""
    found: dict[str, str | None] = {"supplier_country": country}
    vat_country = iban_country = None
    for name in ("supplier_vat_id", "buyer_vat_id"):
        if name in fields:
            vat_country_hint = country if name == "supplier_vat_id" else None
            try:
                raw, tax_id = _first_valid(fields[name], functools.partial(normalize_vat_id, country=vat_country_hint))
            except RecordsError as error:
                out.failed(name, error)
                continue
            found[name] = tax_id.value
            vat_country = tax_id.country if name == "supplier_vat_id" else vat_country
            out.normalized(name, raw, tax_id.value, "vat_id" if tax_id.validated else "vat_id_unchecked")
    if "supplier_tax_number" in fields:
        raw = fields["supplier_tax_number"].raw_text
        found["supplier_tax_number"] = compact_tax_number(raw) or None
    if "supplier_iban" in fields:
        try:
            raw, (found["supplier_iban"], iban_country) = _first_valid(fields["supplier_iban"], normalize_iban)
            out.normalized("supplier_iban", raw, found["supplier_iban"], "iban")
        except RecordsError as error:
            out.failed("supplier_iban", error)
    if "supplier_bic" in fields:
        try:
            raw, found["supplier_bic"] = _first_valid(fields["supplier_bic"], normalize_bic)
            out.normalized("supplier_bic", raw, found["supplier_bic"], "bic")
        except RecordsError as error:
            out.failed("supplier_bic", error, severity="warning")
    stated = fields["supplier_country"].value.strip().upper() if "supplier_country" in fields else ""
    # An e-invoice states the seller's country (BT-40); a printed reading has no such field.
    found["supplier_country"] = country or vat_country or iban_country or (stated if len(stated) == 2 else None)
    buyer_vat = found.get("buyer_vat_id")
    found["buyer_country"] = buyer_vat[:2].replace("EL", "GR") if buyer_vat and buyer_vat[:2].isalpha() else None
    return found


def _currency(fields: dict[str, ExtractedField], country: str | None, out: _Collector) -> str | None:
    source = fields.get("currency")
    if source is not None:
        for text in (source.raw_text, source.value):
            try:
                code = normalize_currency(text, country=country)
            except RecordsError:
                continue
            out.normalized("currency", source.raw_text, code, "currency")
            return code
        out.failed("currency", RecordsError(f"unknown currency {source.raw_text!r}",
                                            code="RECORDS_CURRENCY_UNKNOWN"))
        return None
    # No currency field: a symbol printed next to the total is the next best evidence.
    for name in ("total", "net_total"):
        if name in fields:
            try:
                code = normalize_currency(re.sub(r"[\d.,\s'()\-]+", " ", fields[name].raw_text), country=country)
            except RecordsError:
                continue
            out.normalized("currency", fields[name].raw_text, code, "currency_from_amount")
            return code
    return None


def _dates(fields: dict[str, ExtractedField], country: str | None, language: str | None,
           out: _Collector) -> dict[str, date]:
    roles = {"issue": _first(fields, ISSUE_DATE_FIELDS), "due": fields.get("due_date"),
             "delivery": fields.get("delivery_date")}
    readings: dict[str, DateReading] = {}
    for role, source in roles.items():
        if source is None:
            continue
        if (canonical := _structured(source, _CANONICAL_DATE)) is not None:
            readings[role] = read_date(canonical)
            continue
        try:
            readings[role] = read_date(source.raw_text)
        except RecordsError as error:
            if _CANONICAL_DATE.match(source.value.strip()):
                readings[role] = read_date(source.value.strip())
            else:
                out.failed(source.name, error)
    resolved = resolve_dates(readings, country=country, language=language)
    for role, chosen in resolved.items():
        source = roles[role]
        assert source is not None  # a reading exists only for a present field
        out.normalized(source.name, readings[role].raw, chosen.value.isoformat(), f"date_{chosen.evidence}")
        if chosen.evidence == "default":
            out.findings.append(Finding(
                rule_id="NORMALIZE_DATE_AMBIGUOUS", severity="warning", fields=[source.name],
                message=f"{readings[role].raw!r} reads both day-first and month-first; day-first assumed"))
    return {role: chosen.value for role, chosen in resolved.items()}


def due_from_terms(terms: str | None, issue: date | None) -> date | None:
    """The due date payment terms such as ``net 30`` or ``30 Tage netto`` give, or None."""
    if not terms or issue is None:
        return None
    match = _NET_DAYS.search(terms) or _TERMS_DAYS.search(terms)
    return issue + timedelta(days=int(match.group(1))) if match else None


def _tax_lines(fields: dict[str, ExtractedField], separator: str | None, out: _Collector) -> list[TaxLine]:
    lines: list[TaxLine] = []
    for n in range(1, _MAX_TAX_LINES + 1):
        rate_f, base_f, amount_f = (fields.get(f"tax_{n}_{part}") for part in ("rate", "base", "amount"))
        if rate_f is None and amount_f is None:
            continue
        rate = _percent(rate_f, out) if rate_f else None
        amount = _amount(amount_f, amount_f.name, separator, out) if amount_f else None
        base = _amount(base_f, base_f.name, separator, out) if base_f else None
        if rate is None or amount is None:
            out.findings.append(Finding(rule_id="NORMALIZE_TAX_LINE_INCOMPLETE", severity="warning",
                                        message=f"tax line {n} lacks a rate or an amount",
                                        fields=[f"tax_{n}_rate", f"tax_{n}_amount"]))
            continue
        lines.append(TaxLine(rate=rate, base=base, amount=amount))
    return lines


def _percent(f: ExtractedField, out: _Collector) -> Decimal | None:
    if (canonical := _structured(f, _CANONICAL_DECIMAL)) is not None:
        out.normalized(f.name, f.raw_text, Decimal(canonical), "percent_structured")
        return Decimal(canonical)
    try:
        value = read_percent(f.raw_text)
    except RecordsError as error:
        out.failed(f.name, error)
        return None
    out.normalized(f.name, f.raw_text, value, "percent")
    return value


def _line(item: LineItem, separator: str | None, out: _Collector) -> InvoiceLine:
    cells = {f.name: f for f in item.fields}
    for cell in item.fields:
        out.confidence[f"line[{item.index}].{cell.name}"] = cell.confidence

    def money(name: str) -> Decimal | None:
        if name not in cells:
            return None
        return _amount(cells[name], f"line[{item.index}].{name}", separator, out, quantity=name == "quantity")

    rate = _percent(cells["tax_rate"], out) if "tax_rate" in cells else None
    return InvoiceLine(index=item.index, description=_text(cells.get("description")) or "",
                       quantity=money("quantity"), unit=_text(cells.get("unit")),
                       unit_price=money("unit_price"), amount=money("amount"), tax_rate=rate,
                       sku=_text(cells.get("sku")))


def _positive(record: InvoiceRecord, out: _Collector) -> InvoiceRecord:
    """A document printed with a negative total is a credit note stated in positive amounts."""
    signed = record.total if record.total is not None else record.net_total
    if signed is None or signed >= 0:
        return record
    document_type = "credit_note" if record.document_type == "invoice" else record.document_type
    if document_type != record.document_type:
        out.normalized("document_type", record.document_type, document_type, "negative_total_is_credit_note")
    out.normalized("total", str(signed), str(abs(signed)), "negative_amounts_stated_positive")

    def flip(value: Decimal | None) -> Decimal | None:
        return abs(value) if value is not None else None

    return record.model_copy(update={
        "document_type": document_type, "net_total": flip(record.net_total),
        "tax_total": flip(record.tax_total), "total": flip(record.total),
        "tax_lines": [t.model_copy(update={"base": flip(t.base), "amount": abs(t.amount)}) for t in record.tax_lines],
        "lines": [_turned(line) for line in record.lines],
    })


def _turned(line: InvoiceLine) -> InvoiceLine:
    """A line of a negative document stated from the credit's side: the amount changes sign (so a
    charge inside a credit note stays negative) and the quantity carries the direction, so that
    quantity x unit price keeps the amount's sign."""
    amount = -line.amount if line.amount is not None else None
    quantity, price = line.quantity, line.unit_price
    if price is not None and price < 0:
        price, quantity = -price, -quantity if quantity is not None else None
    if amount is not None and quantity is not None and quantity != 0 and (quantity < 0) != (amount < 0):
        quantity = -quantity
    return line.model_copy(update={"amount": amount, "quantity": quantity, "unit_price": price})


@dataclass(frozen=True)
class PartyFields:
    """The normalized party evidence of a document, read before the rest so the issuer's master
    data (its country) can steer the normalization of dates and amounts."""

    supplier_name: str | None
    supplier_address: str | None
    supplier_vat_id: str | None
    supplier_iban: str | None
    supplier_country: str | None
    buyer_name: str | None
    buyer_vat_id: str | None


def normalize_parties(extracted: DocumentExtracted) -> PartyFields:
    """Names, VAT IDs, IBAN and issuer country of ``extracted`` (invalid identifiers left out)."""
    fields = {f.name: f for f in extracted.fields}
    ids = _identifiers(fields, None, _Collector())
    return PartyFields(supplier_name=_text(fields.get("supplier_name")),
                       supplier_address=_text(fields.get("supplier_address")),
                       supplier_vat_id=ids.get("supplier_vat_id"), supplier_iban=ids.get("supplier_iban"),
                       supplier_country=ids.get("supplier_country"), buyer_name=_text(fields.get("buyer_name")),
                       buyer_vat_id=ids.get("buyer_vat_id"))


def normalize_document(extracted: DocumentExtracted, *, country: str | None = None) -> NormalizedDocument:
    """Normalize every field of ``extracted`` into an :class:`InvoiceRecord`.

    ``country`` (ISO alpha-2, e.g. from the matched vendor's master data) decides ambiguous dates
    and amounts; without it the VAT ID prefix or IBAN country is used. Never raises for bad field
    values: they become ``NORMALIZE_*`` findings.
    """
    out = _Collector()
    fields = {f.name: f for f in extracted.fields}
    out.confidence.update({f.name: f.confidence for f in extracted.fields})
    ids = _identifiers(fields, country, out)
    issuer_country = ids["supplier_country"]
    separator = decimal_separator(issuer_country, extracted.language)
    amounts = {name: _amount(fields[name], name, separator, out) if name in fields else None
               for name in ("net_total", "tax_total", "total")}
    # Orders are issued by the buyer: its country is the next best evidence for the date order.
    dates = _dates(fields, issuer_country or ids.get("buyer_country"), extracted.language, out)
    terms = _text(fields.get("payment_terms"))
    due = dates.get("due")
    if due is None and (due := due_from_terms(terms, dates.get("issue"))) is not None:
        out.normalized("due_date", terms or "", due.isoformat(), "due_from_payment_terms")
    record = InvoiceRecord(
        document_type=extracted.document_type.strip().lower(),
        number=_text(_first(fields, NUMBER_FIELDS)), issue_date=dates.get("issue"), due_date=due,
        payment_terms=terms, currency=_currency(fields, issuer_country, out),
        net_total=amounts["net_total"], tax_total=amounts["tax_total"], total=amounts["total"],
        supplier_name=_text(fields.get("supplier_name")), supplier_vat_id=ids.get("supplier_vat_id"),
        supplier_tax_number=ids.get("supplier_tax_number"), supplier_iban=ids.get("supplier_iban"),
        supplier_bic=ids.get("supplier_bic"), supplier_country=issuer_country,
        supplier_address=_text(fields.get("supplier_address")), buyer_name=_text(fields.get("buyer_name")),
        buyer_vat_id=ids.get("buyer_vat_id"), po_number=_text(fields.get("po_number")),
        amends_number=_text(fields.get("amends_number")),
        tax_lines=_tax_lines(fields, separator, out),
        lines=[_line(item, separator, out) for item in extracted.line_items],
    )
    record = _positive(record, out)
    return NormalizedDocument(record=record, normalizations=out.normalizations, findings=out.findings,
                              field_confidence=out.confidence)
