"""An e-invoice's business terms as the capture result every stage downstream already reads.

The EN 16931 terms map onto the field names the PDF capture emits (``invoice_number`` for BT-1,
``total`` for BT-112, ``tax_1_rate`` for BT-119 of the first VAT breakdown ...); terms the
printed capture has no name for keep a name of their own (``buyer_reference`` BT-10,
``amount_due`` BT-115 ...). Every value has confidence 1.0, method ``structured``, and its
business-term id and XML path as provenance. Document-level allowances and charges (BG-20/21)
also become line items (negative / positive amounts), so the lines add up to BT-109 and an ERP
posting from the lines reaches the invoice's total.
"""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from docket.model import ExtractedField, LineItem, MissingField
from docket.reading.einvoice.document import EInvoice, Group, Term
from docket.reading.einvoice.read import parse_xml, read_tree, syntax_of
from docket.reading.einvoice.rules import check_einvoice
from docket.reading.einvoice.schema import schema_findings
from docket.understanding.document import CapturedDocument

CORE_FIELDS = ("invoice_number", "invoice_date", "currency", "supplier_name", "supplier_vat_id", "buyer_name",
               "net_total", "tax_total", "total", "amount_due")
_INTERNAL = frozenset({"_currency"})
_CENT = Decimal("0.02")


def _field(term: Term, name: str | None = None, value: str | None = None, engine: str = "") -> ExtractedField:
    return ExtractedField(name=name or term.name, value=term.value if value is None else value, raw_text=term.raw,
                          confidence=1.0, method="structured", engine=engine, business_term=term.bt,
                          xml_path=term.path)


def _address(invoice: EInvoice, party: str, engine: str) -> ExtractedField | None:
    """BG-5 / BG-8 as one text, the way the printed capture reads an address block."""
    header = invoice.header
    parts = [header.get(f"{party}_{key}") for key in ("street", "street_2", "postcode", "city", "country")]
    present = [p for p in parts if p is not None]
    if not present:
        return None
    street = ", ".join(p.value for p in parts[:2] if p is not None)
    town = " ".join(p.value for p in parts[2:4] if p is not None)
    text = ", ".join(t for t in (street, town, parts[4].value if parts[4] else "") if t)
    path = present[0].path.rsplit("/", 1)[0]
    return ExtractedField(name=f"{party}_address", value=text, raw_text=text, confidence=1.0, method="structured",
                          engine=engine, business_term="BG-5" if party == "supplier" else "BG-8", xml_path=path)


def _group_fields(groups: list[Group], prefix: str, engine: str) -> list[ExtractedField]:
    return [_field(term, f"{prefix}_{n}_{name}", engine=engine)
            for n, group in enumerate(groups, start=1) for name, term in group.items() if name not in _INTERNAL]


def _decimal(term: Term | None) -> Decimal | None:
    if term is None or not term.valid:
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def _unit_price(line: Group, engine: str) -> ExtractedField | None:
    """BT-146 / BT-149 when quantity x that price gives the line amount. When it does not (line
    allowances or charges, BG-27/28, or a price stated gross of an insurance tax) the price is
    left out and a posting takes amount / quantity, so the ERP's line totals stay the XML's; the
    rule ``EN16931-LINE-NET`` records the difference."""
    price, base = line.get("net_price"), line.get("price_base_quantity")
    price_value, base_value = _decimal(price), _decimal(base)
    quantity, amount = _decimal(line.get("quantity")), _decimal(line.get("amount"))
    if price is None or price_value is None:
        return None
    unit = price_value / base_value if base_value not in (None, Decimal(0)) else price_value
    if quantity is not None and amount is not None and abs(quantity * unit - amount) > _CENT:
        return None
    bt = "BT-146/BT-149" if base_value not in (None, Decimal(1)) else "BT-146"
    return ExtractedField(name="unit_price", value=format(unit.normalize(), "f"), raw_text=price.raw, confidence=1.0,
                          method="structured", engine=engine, business_term=bt, xml_path=price.path)


def _line_item(index: int, line: Group, engine: str) -> LineItem:
    fields = [_field(term, "description" if name == "name" else name, engine=engine)
              for name, term in line.items() if name not in _INTERNAL]
    if "name" not in line and "item_description" in line:
        fields.append(_field(line["item_description"], "description", engine=engine))
    price = _unit_price(line, engine)
    if price is not None:
        fields.append(price)
    return LineItem(index=index, fields=fields)


def _allowance_item(index: int, group: Group, charge: bool, sign: int, engine: str) -> LineItem:
    kind = "charge" if charge else "allowance"
    reason = group.get("reason") or group.get("reason_code")
    label = f"{'Charge' if charge else 'Allowance'}: {reason.value if reason else 'document level'}"
    fields = [ExtractedField(name="kind", value=kind, raw_text=kind, confidence=1.0, method="structured",
                             engine=engine, business_term="BG-21" if charge else "BG-20",
                             xml_path=group["amount"].path.rsplit("/", 1)[0] if "amount" in group else None)]
    if reason is not None:
        fields.append(_field(reason, "description", label, engine=engine))
    else:
        fields.append(ExtractedField(name="description", value=label, raw_text=label, confidence=1.0,
                                     method="structured", engine=engine,
                                     business_term="BG-21" if charge else "BG-20"))
    amount = _decimal(group.get("amount"))
    if amount is not None:
        signed = abs(amount) * sign * (1 if charge else -1)
        fields.append(_field(group["amount"], "amount", format(signed, "f"), engine=engine))
    if "rate" in group:
        fields.append(_field(group["rate"], "tax_rate", engine=engine))
    if "category" in group:
        fields.append(_field(group["category"], "tax_category", engine=engine))
    return LineItem(index=index, fields=fields)


def einvoice_fields(invoice: EInvoice, engine: str) -> tuple[list[ExtractedField], list[LineItem]]:
    """The header fields and line items of ``invoice``."""
    fields = [_field(term, engine=engine) for name, term in invoice.header.items() if name not in _INTERNAL]
    for party in ("supplier", "buyer"):
        address = _address(invoice, party, engine)
        if address is not None:
            fields.append(address)
    fields += _group_fields(invoice.vat, "tax", engine)
    fields += _group_fields(invoice.allowances, "allowance", engine)
    fields += _group_fields(invoice.charges, "charge", engine)
    items = [_line_item(i, line, engine) for i, line in enumerate(invoice.lines)]
    net = _decimal(invoice.header.get("net_total")) or _decimal(invoice.header.get("line_total"))
    sign = -1 if net is not None and net < 0 else 1
    for group, charge in [*((g, False) for g in invoice.allowances), *((g, True) for g in invoice.charges)]:
        items.append(_allowance_item(len(items), group, charge, sign, engine))
    return fields, items


def captured_einvoice(invoice: EInvoice, *, page_count: int = 0, page_range: str = "",
                      engine: str | None = None, started: float | None = None) -> CapturedDocument:
    """The :class:`CapturedDocument` of ``invoice`` (reading ``structured``, confidence 1.0)."""
    begin = time.perf_counter() if started is None else started
    name = engine or invoice.syntax
    fields, items = einvoice_fields(invoice, name)
    present = {f.name for f in fields}
    missing = [MissingField(name=n, reason="not in the e-invoice XML") for n in CORE_FIELDS if n not in present]
    return CapturedDocument(
        document_type="credit_note" if invoice.credit_note else "invoice", type_confidence=1.0, language=None,
        page_count=page_count, page_range=page_range, reading="structured", fields=fields, missing=missing,
        line_items=items, template=None, engine=name,
        timings={"read": 0.0, "ocr": 0.0, "extract": round(time.perf_counter() - begin, 6)})


def capture_einvoice(xml: bytes) -> CapturedDocument:
    """Read the e-invoice ``xml`` and check it against its schema and the EN 16931 business rules:
    a CapturedDocument whose ``findings`` are what it breaks. Raises CAPTURE_EINVOICE_UNREADABLE."""
    started = time.perf_counter()
    root = parse_xml(xml)
    syntax = syntax_of(root)
    invoice = read_tree(root, syntax)
    captured = captured_einvoice(invoice, started=started)
    findings = [*schema_findings(root, invoice, syntax), *check_einvoice(invoice)]
    return replace(captured, findings=findings,
                   timings={**captured.timings, "extract": round(time.perf_counter() - started, 6)})
