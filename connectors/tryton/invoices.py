"""How a Docket posting becomes a Tryton ``account.invoice``: pure functions, values in, values out.

The sink (:mod:`connectors.tryton.sink`) looks the ids up in Tryton; this module decides what the
invoice holds. Tryton states credit notes as invoices with negative quantities, so a supplier
credit note is an ``in`` invoice whose lines are negated; amounts in Docket are always positive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from connectors.base import PostingRejected
from docket.model import InvoiceRecord, PostingRequested

# posting_type -> (Tryton invoice type, sign of quantities)
INVOICE_KINDS: dict[str, tuple[str, int]] = {
    "supplier_invoice": ("in", 1),
    "supplier_credit_note": ("in", -1),
    "customer_invoice": ("out", 1),
    "customer_credit_note": ("out", -1),
}
MARKER_PREFIX = "docket-key:"
TOTAL_TOLERANCE = Decimal("0.02")
_PRICE_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class PlannedLine:
    """One invoice line as Docket states it (positive amounts; ``tax_rate`` in percent)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal | None
    sku: str | None = None


@dataclass(frozen=True)
class ResolvedLine:
    """A planned line with the Tryton ids it needs: account, taxes, optional product and PO line."""

    line: PlannedLine
    account_id: int
    tax_ids: tuple[int, ...]
    product_id: int | None = None
    unit_id: int | None = None
    origin: str | None = None


@dataclass(frozen=True)
class InvoiceHeader:
    """The Tryton ids of the invoice head, looked up by the sink."""

    company_id: int
    party_id: int
    address_id: int
    account_id: int
    journal_id: int
    currency_id: int
    description: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def invoice_kind(request: PostingRequested) -> tuple[str, int]:
    """``(tryton_type, sign)`` for the request; rejects posting types Tryton invoices cannot hold."""
    kind = INVOICE_KINDS.get(request.posting_type)
    if kind is None:
        raise PostingRejected(f"posting type {request.posting_type!r} is not an invoice Tryton can take",
                              details={"reason": "unsupported_posting_type"})
    return kind


def require_record(request: PostingRequested) -> InvoiceRecord:
    """The request's invoice record; a posting without one cannot become an invoice."""
    if request.record is None:
        raise PostingRejected("posting carries no invoice record", details={"reason": "no_record"})
    record = request.record
    kind, _ = invoice_kind(request)
    if kind == "in" and request.post_state == "posted" and record.issue_date is None:
        raise PostingRejected("a supplier invoice needs its invoice date to be posted",
                              details={"reason": "no_issue_date"})
    return record


def marker(idempotency_key: str) -> str:
    """The text stored in the invoice ``comment`` that finds it again by idempotency key."""
    return f"{MARKER_PREFIX}{idempotency_key}"


def like_pattern(text: str) -> str:
    """``text`` as a SQL LIKE pattern matching it anywhere (wildcards in it escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def planned_lines(record: InvoiceRecord) -> list[PlannedLine]:
    """The lines to post: the record's own lines, else one line per tax rate, else one net line.

    A line without unit price takes ``amount / quantity``; without a rate it takes the document's
    single tax rate when it has exactly one. Raises :class:`PostingRejected` when no amount at all
    can be found.
    """
    single_rate = _single_rate(record)
    if record.lines:
        return [_planned(line.description, line.quantity, line.unit_price, line.amount,
                         line.tax_rate if line.tax_rate is not None else single_rate, line.sku)
                for line in record.lines]
    label = f"Invoice {record.number}" if record.number else "Invoice"
    if record.tax_lines:
        return [_planned(f"{label} ({tax.rate.normalize():f} %)", None, None, _tax_base(tax.rate, tax.base,
                         tax.amount), tax.rate, None) for tax in record.tax_lines]
    net = record.net_total
    if net is None and record.total is not None and not record.tax_total:
        net = record.total
    if net is None:
        raise PostingRejected("record has neither lines, tax lines nor a net total",
                              details={"reason": "no_amounts"})
    return [_planned(label, None, None, net, single_rate, None)]


def _single_rate(record: InvoiceRecord) -> Decimal | None:
    rates = {tax.rate for tax in record.tax_lines}
    rates |= {line.tax_rate for line in record.lines if line.tax_rate is not None}
    return rates.pop() if len(rates) == 1 else None


def _tax_base(rate: Decimal, base: Decimal | None, amount: Decimal) -> Decimal | None:
    if base is not None:
        return base
    if rate:
        return (amount * 100 / rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return None


def _planned(description: str, quantity: Decimal | None, unit_price: Decimal | None, amount: Decimal | None,
             tax_rate: Decimal | None, sku: str | None) -> PlannedLine:
    qty = quantity if quantity not in (None, Decimal(0)) else Decimal(1)
    assert qty is not None
    if unit_price is None:
        if amount is None:
            raise PostingRejected(f"line {description!r} has neither unit price nor amount",
                                  details={"reason": "line_without_amount"})
        unit_price = (amount / qty).quantize(_PRICE_QUANTUM, rounding=ROUND_HALF_EVEN)
    return PlannedLine(description=description or "-", quantity=qty, unit_price=unit_price,
                       tax_rate=tax_rate, sku=sku)


def invoice_values(request: PostingRequested, header: InvoiceHeader,
                   lines: Sequence[ResolvedLine]) -> dict[str, Any]:
    """The ``account.invoice`` create values for ``request`` (lines nested as ``create`` actions)."""
    record = require_record(request)
    kind, sign = invoice_kind(request)
    comment = [marker(request.idempotency_key), f"document: {request.envelope.document_id}"]
    if request.sha256:
        comment.append(f"sha256: {request.sha256}")
    comment.append(f"mapping: {request.mapping_version}")
    values: dict[str, Any] = {
        "type": kind, "company": header.company_id, "party": header.party_id,
        "invoice_address": header.address_id, "account": header.account_id, "journal": header.journal_id,
        "currency": header.currency_id, "reference": record.number, "invoice_date": record.issue_date,
        "description": header.description, "comment": "\n".join(comment),
        "lines": [["create", [_line_values(resolved, header, kind, sign) for resolved in lines]]],
        **header.extra,
    }
    return values


def _line_values(resolved: ResolvedLine, header: InvoiceHeader, kind: str, sign: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "type": "line", "company": header.company_id, "currency": header.currency_id, "invoice_type": kind,
        "party": header.party_id, "account": resolved.account_id, "description": resolved.line.description,
        # Tryton's quantity is a float field; prices stay Decimal.
        "quantity": float(resolved.line.quantity * sign), "unit_price": resolved.line.unit_price,
        "taxes": [["add", list(resolved.tax_ids)]],
    }
    if resolved.product_id is not None:
        values["product"] = resolved.product_id
    if resolved.unit_id is not None:
        values["unit"] = resolved.unit_id
    if resolved.origin is not None:
        values["origin"] = resolved.origin
    return values


def total_mismatch(request: PostingRequested, tryton_total: Decimal) -> str | None:
    """Why Tryton's computed total disagrees with the document's, or None when they agree."""
    record = require_record(request)
    if record.total is None:
        return None
    _, sign = invoice_kind(request)
    expected = record.total * sign
    if abs(tryton_total - expected) <= TOTAL_TOLERANCE:
        return None
    return f"Tryton computes a total of {tryton_total} where the document states {expected}"


def tax_adjustments(request: PostingRequested, tryton_taxes: Sequence[Mapping[str, Any]]) -> dict[int, Decimal]:
    """Tax-line amounts to set so Tryton books the tax the document states: ``{tax line id: amount}``.

    Tryton rounds each tax half-even on the invoice; suppliers often round half-up or per line, so
    the two may differ by a cent or two. The document's amount (what the supplier will be paid)
    wins when the difference is within :data:`TOTAL_TOLERANCE`; larger gaps are left for the
    total check to refuse. ``tryton_taxes`` are ``account.invoice.tax`` rows with ``amount``,
    ``manual`` and ``tax.rate`` (a fraction).
    """
    record = require_record(request)
    _, sign = invoice_kind(request)
    stated = {tax.rate: tax.amount for tax in record.tax_lines}
    automatic = [row for row in tryton_taxes if not row.get("manual")]
    if not stated and record.tax_total is not None and len(automatic) == 1:
        stated = {Decimal(automatic[0]["tax."]["rate"]) * 100: record.tax_total}
    adjustments: dict[int, Decimal] = {}
    for row in automatic:
        rate = (Decimal(row["tax."]["rate"]) * 100).normalize()
        document = next((amount for key, amount in stated.items() if key.normalize() == rate), None)
        if document is None:
            continue
        gap = abs(document * sign - row["amount"])
        if Decimal(0) < gap <= TOTAL_TOLERANCE:
            adjustments[int(row["id"])] = (document * sign).quantize(Decimal("0.01"))
    return adjustments


def match_po_lines(lines: Sequence[PlannedLine], po_lines: Sequence[Mapping[str, Any]]) -> list[int | None]:
    """For each invoice line, the id of the purchase line it bills, or None.

    Lines pair by product code (``sku`` against the PO line's ``product.code``) first, then by
    position when both documents have the same number of lines; each PO line is used once.
    """
    free = {int(po["id"]): po for po in po_lines}
    matched: list[int | None] = []
    for line in lines:
        hit = next((pid for pid, po in free.items() if line.sku and _po_code(po) == line.sku), None)
        matched.append(hit)
        if hit is not None:
            del free[hit]
    if len(lines) == len(po_lines):
        ordered = [int(po["id"]) for po in po_lines]
        matched = [hit if hit is not None else (ordered[i] if ordered[i] in free else None)
                   for i, hit in enumerate(matched)]
    return matched


def _po_code(po_line: Mapping[str, Any]) -> str | None:
    product = po_line.get("product.")
    return product.get("code") if isinstance(product, Mapping) else None
