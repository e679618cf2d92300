"""Customer orders into Tryton as sales orders (``sale.sale``), and the customer invoice made from them.

A ``sales_order`` posting becomes a sale for the customer party (``request.party_id``), one sale line
per line item of the record (its SKU's product when Tryton sells one under that code, else the
demo service product :data:`SERVICE_PRODUCT_CODE`, else no product), with the sale tax of the line's
rate and the customer's order number as the sale ``reference``. The sink then quotes and confirms
it; confirming processes the sale, and with the invoice method ``order`` Tryton itself creates the
customer invoice. When the request's ``post_state`` is ``posted`` that invoice is posted too.

Idempotency has two locks, as for invoices: the sale ``comment`` carries ``docket-key:<key>``, and a
sale of the same party and reference (not cancelled) counts as the same order. A sale found half
way (still a draft or a quotation after a crash) is carried on from where it stopped.

A batch costs a fixed handful of calls whatever its size: one search, one ``create``, ``quote``,
``confirm``, one read of sales and of their invoices, one invoice ``post``. When Tryton refuses a
bulk call, the step is repeated per sale so a bad request fails alone and its draft is removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connectors.base import BatchSinkBase, PostingOutcome, PostingRejected, redact
from connectors.tryton.batch import jsonable, repeat_answer, settle_each
from connectors.tryton.client import TrytonClient
from connectors.tryton.invoices import TOTAL_TOLERANCE, PlannedLine, like_pattern, marker, planned_lines
from connectors.tryton.lookups import TrytonLookups
from docket.errors import DocketError
from docket.model import InvoiceRecord, PostingRequested

SERVICE_PRODUCT_CODE = "S-100"
POSTING_TYPE = "sales_order"
_SALE_FIELDS = ["number", "state", "reference", "party", "comment", "invoices", "total_amount", "currency.code"]
_INVOICE_FIELDS = ["number", "state", "total_amount", "sales"]
_PROGRESS = ("draft", "quotation", "confirmed", "processing", "done")  # a sale's states, in order


@dataclass
class _Sale:
    """One request on its way through a batch."""

    request: PostingRequested
    party_id: int = 0
    values: dict[str, Any] = field(default_factory=dict)
    sale_id: int | None = None
    state: str = "draft"
    existed: bool = False
    repeat_of: _Sale | None = None
    result: PostingOutcome | DocketError | None = None

    @property
    def reference(self) -> str | None:
        record = self.request.record
        return record.number if record is not None else None


def require_order(request: PostingRequested) -> InvoiceRecord:
    """The request's record, checked to be a sales order Docket can create."""
    if request.posting_type != POSTING_TYPE:
        raise PostingRejected(f"posting type {request.posting_type!r} is not a sales order",
                              details={"reason": "unsupported_posting_type"})
    if request.record is None:
        raise PostingRejected("posting carries no order record", details={"reason": "no_record"})
    return request.record


def sale_line_values(line: PlannedLine, *, tax_ids: Sequence[int], product: dict[str, Any] | None) -> dict[str, Any]:
    """The ``sale.line`` create values of one planned line (``product`` as read by the lookups)."""
    values: dict[str, Any] = {
        "type": "line", "description": line.description,
        # Tryton's quantity is a float field; prices stay Decimal.
        "quantity": float(line.quantity), "unit_price": line.unit_price, "taxes": [["add", list(tax_ids)]],
    }
    if product is not None:
        values["product"] = int(product["id"])
        values["unit"] = int(product["default_uom"])
    return values


def sale_values(request: PostingRequested, *, company_id: int, party: dict[str, Any], currency_id: int,
                lines: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ``sale.sale`` create values: invoiced when processed, the customer's order number as reference."""
    record = require_order(request)
    comment = [marker(request.idempotency_key), f"document: {request.envelope.document_id}"]
    if request.sha256:
        comment.append(f"sha256: {request.sha256}")
    comment.append(f"mapping: {request.mapping_version}")
    address = int(party["addresses"][0])
    return {
        "company": company_id, "party": int(party["id"]), "invoice_address": address, "shipment_address": address,
        "currency": currency_id, "reference": record.number, "sale_date": record.issue_date,
        "description": f"Customer order {record.number}" if record.number else "Customer order",
        "invoice_method": "order", "comment": "\n".join(comment), "lines": [["create", list(lines)]],
    }


def total_mismatch(record: InvoiceRecord, tryton_total: Decimal) -> str | None:
    """Why the sale's total disagrees with the order's stated total, or None when they agree."""
    if record.total is None or abs(tryton_total - record.total) <= TOTAL_TOLERANCE:
        return None
    return f"Tryton computes a sale total of {tryton_total} where the order states {record.total}"


class TrytonSalesOrderSink(BatchSinkBase):
    """Posts ``sales_order`` requests into Tryton through ``client`` (a delegate of the Tryton sink)."""

    def __init__(self, client: TrytonClient, *, target: str = "tryton", lookups: TrytonLookups | None = None) -> None:
        super().__init__()
        self.target = target
        self._client = client
        self._lookups = lookups or TrytonLookups(client)
        self._service: dict[str, Any] | None = None

    def post_batch(self, requests: Sequence[PostingRequested]) -> list[PostingOutcome | DocketError]:
        self._ensure_open()
        sales = [_Sale(request) for request in requests]
        firsts: dict[str, _Sale] = {}
        for sale in sales:
            firsts.setdefault(sale.request.idempotency_key, sale)
        try:
            self._run(list(firsts.values()))
        except DocketError as error:
            for sale in sales:
                if sale.result is None and firsts[sale.request.idempotency_key] is sale:
                    sale.result = error
        answers: list[PostingOutcome | DocketError] = []
        for sale in sales:
            first = sale.repeat_of or firsts[sale.request.idempotency_key]
            if first is sale:
                answers.append(sale.result if sale.result is not None else PostingRejected(
                    "the sales order was not settled", details={"reason": "unsettled"}))
            else:
                answers.append(repeat_answer(first.result, sale.request.idempotency_key, "sales order"))
        return answers

    def close(self) -> None:
        # The client belongs to the Tryton sink that delegates here; it closes it.
        self._closed = True

    # -- the steps of a batch -------------------------------------------------------------

    def _run(self, sales: list[_Sale]) -> None:
        records = [sale.request.record for sale in sales if sale.request.record is not None]
        self._lookups.preload([sale.request.party_id for sale in sales],
                              [line.sku for record in records for line in record.lines])
        try:
            self._run_steps(sales)
        finally:
            self._lookups.end_batch()

    def _run_steps(self, sales: list[_Sale]) -> None:
        live = settle_each(sales, self._identify)
        self._find_existing(live)
        fresh = settle_each([sale for sale in live if sale.sale_id is None], self._prepare)
        fresh = self._drop_same_order(fresh)
        self._create(fresh)
        self._yield_to_earlier([sale for sale in fresh if sale.sale_id is not None])
        created = [sale for sale in fresh if sale.sale_id is not None and not sale.existed]
        self._check_totals(created)
        active = [sale for sale in live if sale.sale_id is not None and sale.result is None]
        self._advance(active, "draft", "quote")
        # Look again before the step that cannot be undone (confirming makes the invoice): a twin
        # whose create had not committed at the first look is visible by now.
        self._yield_to_earlier([sale for sale in created if sale.sale_id is not None and sale.result is None
                                and not sale.existed])
        self._advance(active, "quotation", "confirm")
        self._conclude([sale for sale in active if sale.result is None])

    def _identify(self, sale: _Sale) -> None:
        require_order(sale.request)
        sale.party_id = int(self._lookups.party(sale.request.party_id)["id"])

    def _find_existing(self, sales: list[_Sale]) -> None:
        for sale, hit in zip(sales, self._earlier_sales(sales), strict=True):
            if hit is not None:
                sale.sale_id, sale.state, sale.existed = int(hit["id"]), hit["state"], True

    def _earlier_sales(self, sales: list[_Sale]) -> list[dict[str, Any] | None]:
        """Per sale, the oldest one carrying its key or its party and reference (not cancelled),
        whichever is older."""
        if not sales:
            return []
        clauses: list[Any] = ["OR"]
        for sale in sales:
            clauses.append(("comment", "like", like_pattern(marker(sale.request.idempotency_key))))
            if sale.reference:
                clauses.append([("party", "=", sale.party_id), ("reference", "=", sale.reference),
                                ("state", "!=", "cancelled")])
        found = self._client.search_read("sale.sale", [clauses], _SALE_FIELDS, order=[["id", "ASC"]])
        hits: list[dict[str, Any] | None] = []
        for sale in sales:
            tag = marker(sale.request.idempotency_key)
            # The oldest by either lock: two posters of one order under two keys (a resend) must
            # agree on one sale, so neither may prefer its own by key.
            hit = next((row for row in found if tag in (row.get("comment") or "").splitlines()
                        or (sale.reference and row["state"] != "cancelled"
                            and (row["party"], row["reference"]) == (sale.party_id, sale.reference))), None)
            hits.append(hit)
        return hits

    def _prepare(self, sale: _Sale) -> None:
        record = require_order(sale.request)
        lookups = self._lookups
        lines = []
        for line in planned_lines(record):
            product = lookups.product(line.sku) or self._service_product()
            lines.append(sale_line_values(line, tax_ids=lookups.taxes("out", line.tax_rate, sale.request.tax_code),
                                          product=product))
        sale.values = sale_values(sale.request, company_id=lookups.company_id,
                                  party=lookups.party(sale.request.party_id),
                                  currency_id=lookups.currency(record.currency), lines=lines)

    def _service_product(self) -> dict[str, Any] | None:
        if self._service is None:
            self._service = self._lookups.product(SERVICE_PRODUCT_CODE) or {}
        return self._service or None

    @staticmethod
    def _drop_same_order(sales: list[_Sale]) -> list[_Sale]:
        """Keep the first of several new requests for the same party and order number; the others
        repeat it (as they would in a later batch, found by party and reference)."""
        seen: dict[tuple[int, str], _Sale] = {}
        kept = []
        for sale in sales:
            key = (sale.party_id, sale.reference) if sale.reference else None
            if key is not None and key in seen:
                sale.repeat_of = seen[key]
                continue
            if key is not None:
                seen[key] = sale
            kept.append(sale)
        return kept

    def _create(self, sales: list[_Sale]) -> None:
        if not sales:
            return
        try:
            ids = self._client.model("sale.sale", "create", [sale.values for sale in sales])
        except PostingRejected as error:
            if len(sales) == 1:
                sales[0].result = error
                return
            for sale in sales:  # isolate the request Tryton refused
                self._create([sale])
            return
        for sale, sale_id in zip(sales, ids, strict=True):
            sale.sale_id = int(sale_id)

    def _yield_to_earlier(self, sales: list[_Sale]) -> None:
        """Two workers posting the same order at once: the sale with the lowest id wins, the
        later twin (still a draft) is deleted."""
        twins = [(sale, hit) for sale, hit in zip(sales, self._earlier_sales(sales), strict=True)
                 if hit is not None and int(hit["id"]) < (sale.sale_id or 0)]
        self._delete_drafts([sale for sale, _ in twins])
        for sale, hit in twins:
            sale.sale_id, sale.state, sale.existed = int(hit["id"]), hit["state"], True

    def _check_totals(self, sales: list[_Sale]) -> None:
        if not sales:
            return
        rows = {row["id"]: row for row in self._client.model(
            "sale.sale", "read", [sale.sale_id for sale in sales], ["total_amount"])}
        wrong = []
        for sale in sales:
            reason = total_mismatch(require_order(sale.request), Decimal(rows[sale.sale_id]["total_amount"]))
            if reason is not None:
                sale.result = PostingRejected(reason, details={"reason": "total_mismatch"})
                wrong.append(sale)
        self._delete_drafts(wrong)

    def _advance(self, sales: list[_Sale], state: str, button: str) -> None:
        """Press ``button`` on the sales in ``state``; a refusal settles only the sale refused."""
        due = [sale for sale in sales if sale.result is None and sale.state == state]
        if not due:
            return
        try:
            self._client.model("sale.sale", button, [sale.sale_id for sale in due])
        except PostingRejected as error:
            if len(due) > 1:
                for sale in due:
                    self._advance([sale], state, button)
                return
            # Refused because the other poster of the same order (which found or yielded to
            # this sale) pressed the button first: carry on from the state it reached.
            if self._moved_on(due[0], state):
                return
            due[0].result = error
            self._delete_drafts(due)
            return
        for sale in due:
            sale.state = "quotation" if button == "quote" else "confirmed"

    def _moved_on(self, sale: _Sale, state: str) -> bool:
        """Whether another poster (working on the same sale at once) has taken it past ``state``
        meanwhile; then the sale's state is updated and this poster carries on from there."""
        row, = self._client.model("sale.sale", "read", [sale.sale_id], ["state"])
        if row["state"] in _PROGRESS and _PROGRESS.index(row["state"]) > _PROGRESS.index(state):
            sale.state = row["state"]
            return True
        return False

    def _delete_drafts(self, sales: list[_Sale]) -> None:
        """Remove sales this batch created and could not finish, so a retry starts clean."""
        ids = [sale.sale_id for sale in sales if sale.sale_id is not None and not sale.existed]
        if ids:
            quoted = [row["id"] for row in self._client.model("sale.sale", "read", ids, ["state"])
                      if row["state"] != "draft"]
            if quoted:
                self._client.model("sale.sale", "draft", quoted)
            self._client.model("sale.sale", "delete", ids)
        for sale in sales:
            if not sale.existed:
                sale.sale_id = None

    def _conclude(self, sales: list[_Sale]) -> None:
        if not sales:
            return
        rows = {row["id"]: row for row in self._client.model(
            "sale.sale", "read", [sale.sale_id for sale in sales], _SALE_FIELDS)}
        invoice_ids = sorted({invoice for row in rows.values() for invoice in row["invoices"]})
        invoices = {row["id"]: row for row in self._client.model(
            "account.invoice", "read", invoice_ids, _INVOICE_FIELDS)} if invoice_ids else {}
        invoice_error = self._post_invoices(sales, rows, invoices)
        for sale in sales:
            row = rows[sale.sale_id]
            invoice = next((invoices[i] for i in row["invoices"] if invoices[i]["state"] != "cancelled"), None)
            response = {
                "sale_id": row["id"], "number": row["number"], "state": row["state"], "reference": row["reference"],
                "total_amount": str(row["total_amount"]), "currency": (row.get("currency.") or {}).get("code"),
                "invoice_id": invoice["id"] if invoice else None,
                "invoice_number": invoice["number"] if invoice else None,
                "invoice_state": invoice["state"] if invoice else None}
            if invoice_error and invoice is not None and invoice["state"] == "draft":
                response["invoice_error"] = invoice_error
            sale.result = PostingOutcome(
                idempotency_key=sale.request.idempotency_key, target=self.target,
                status="already_posted" if sale.existed else "posted", erp_reference=row["number"],
                erp_id=str(row["id"]), request=redact(jsonable(sale.values or {"existing_sale": row["id"]})),
                response=redact(response))

    def _post_invoices(self, sales: list[_Sale], rows: dict[int, Any], invoices: dict[int, Any]) -> str | None:
        """Post the draft invoices of the sales whose request asks for ``posted`` (``invoices`` is
        updated); Tryton's refusal text when it would not post them, else None."""
        wanted = {sale.sale_id for sale in sales if sale.request.post_state == "posted" and sale.sale_id is not None}
        drafts = [invoice_id for sale_id in wanted for invoice_id in rows[sale_id]["invoices"]
                  if invoices[invoice_id]["state"] in ("draft", "validated")]
        if not drafts:
            return None
        refusal = None
        # The confirmed sale stands whatever happens to its invoice: a refused invoice stays a draft
        # for accounting, and the outcome says why.
        try:
            self._client.model("account.invoice", "post", drafts)
        except PostingRejected as error:
            refusal = error.message
            for one in drafts if len(drafts) > 1 else []:
                try:
                    self._client.model("account.invoice", "post", [one])
                except PostingRejected as single:
                    refusal = single.message
        for row in self._client.model("account.invoice", "read", drafts, _INVOICE_FIELDS):
            invoices[row["id"]] = row
        return refusal
