"""The Tryton posting sink: supplier invoices, supplier credit notes and customer invoices.

Idempotency has two locks. The invoice ``comment`` carries ``docket-key:<idempotency key>``, and
before creating anything the sink also looks for an invoice of the same type, party and reference
(Tryton's own notion of a similar invoice). Either hit answers ``already_posted`` with that invoice.
Two attempts of one posting racing each other can both create a draft; the invoice with the lowest
id wins, and Tryton's similar-invoice warning met while posting is that race seen from inside
Tryton — settled the same way, never a refusal (see :meth:`TrytonSink._settle_similar`).

A batch is a handful of calls whatever its size: one search for its parties and products, one
search for existing invoices, one ``create``, one ``ir.attachment`` create, one read, one ``post``.
If Tryton refuses the bulk call, the batch falls back to one call per invoice so a bad request
fails alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connectors.base import BatchSinkBase, PostingOutcome, PostingRejected, PostingSink, redact
from connectors.tryton.batch import jsonable, repeat_answer, settle_each
from connectors.tryton.client import TrytonClient
from connectors.tryton.invoices import (
    InvoiceHeader,
    ResolvedLine,
    invoice_kind,
    invoice_values,
    like_pattern,
    marker,
    match_po_lines,
    planned_lines,
    require_record,
    tax_adjustments,
    total_mismatch,
)
from connectors.tryton.lookups import TrytonLookups
from docket.errors import DocketError
from docket.model import PostingRequested
from docket.reading import sniff

BlobReader = Callable[[str], bytes]
CONFIRMABLE_WARNINGS = (".invoice_taxes",)
SIMILAR_WARNING = ".invoice_similar"
SETTLED_STATES = ("posted", "paid")
_READ_FIELDS = ["number", "state", "reference", "party", "type", "comment", "total_amount", "currency.code"]


@dataclass
class _Item:
    """One request on its way through a batch."""

    request: PostingRequested
    kind: str = ""
    party_id: int = 0
    values: dict[str, Any] = field(default_factory=dict)
    attachment: bytes | None = None
    invoice_id: int | None = None
    existed: bool = False
    state: str = "draft"
    repeat_of: _Item | None = None
    purchase_id: int | None = None
    result: PostingOutcome | DocketError | None = None

    @property
    def natural_key(self) -> tuple[str, int, str] | None:
        record = self.request.record
        return (self.kind, self.party_id, record.number) if record and record.number else None


class TrytonSink(BatchSinkBase):
    """Posts invoices into Tryton through ``client``; ``blob_reader(uri)`` gives the source document.

    ``delegates`` maps other posting types (``payment``, ``sales_order``) to the sinks that post
    them into the same Tryton; a batch is split by type and the answers come back in request order.
    """

    def __init__(self, client: TrytonClient, *, blob_reader: BlobReader | None = None,
                 target: str = "tryton", delegates: Mapping[str, PostingSink] | None = None) -> None:
        super().__init__()
        self.target = target
        self._client = client
        self._blob_reader = blob_reader
        self._lookups = TrytonLookups(client)
        self._confirmed: set[str] = set()
        self._delegates = dict(delegates or {})

    def post_batch(self, requests: Sequence[PostingRequested]) -> list[PostingOutcome | DocketError]:
        self._ensure_open()
        by_sink: dict[str, list[int]] = {}
        for index, request in enumerate(requests):
            kind = request.posting_type if request.posting_type in self._delegates else ""
            by_sink.setdefault(kind, []).append(index)
        answers: list[PostingOutcome | DocketError | None] = [None] * len(requests)
        for kind, indexes in by_sink.items():
            subset = [requests[index] for index in indexes]
            results = self._delegates[kind].post_batch(subset) if kind else self._post_invoices(subset)
            for index, result in zip(indexes, results, strict=True):
                answers[index] = result
        return [answer for answer in answers if answer is not None]

    def _post_invoices(self, requests: Sequence[PostingRequested]) -> list[PostingOutcome | DocketError]:
        items = [_Item(request) for request in requests]
        firsts = _first_by_key(items)
        try:
            self._run(list(firsts.values()))
        except DocketError as error:
            # Whatever was not settled when the target failed fails with it (retry finds the rest).
            for item in items:
                if item.result is None:
                    item.result = error
        for item in items:
            if item.result is None:
                item.result = repeat_answer((item.repeat_of or firsts[item.request.idempotency_key]).result,
                                           item.request.idempotency_key, "posting")
        return [item.result for item in items if item.result is not None]

    def connect(self) -> None:
        """Log in and read the reference data every invoice needs (company, currencies, journals,
        taxes, default accounts); the delegates connect too."""
        self._ensure_open()
        self._lookups.prime()
        for delegate in {id(sink): sink for sink in self._delegates.values()}.values():
            delegate.connect()

    def flush(self) -> None:
        self._ensure_open()
        for delegate in self._delegates.values():
            delegate.flush()

    def close(self) -> None:
        if not self._closed:
            for delegate in self._delegates.values():
                delegate.close()
            self._client.close()
        self._closed = True

    # -- the steps of a batch -------------------------------------------------------------

    def _run(self, items: list[_Item]) -> None:
        records = [item.request.record for item in items if item.request.record is not None]
        self._lookups.preload([item.request.party_id for item in items],
                              [line.sku for record in records for line in record.lines])
        try:
            self._run_steps(items)
        finally:
            self._lookups.end_batch()

    def _run_steps(self, items: list[_Item]) -> None:
        live = settle_each(items, self._identify)
        self._find_existing(live)
        fresh = [item for item in live if item.result is None and item.invoice_id is None]
        fresh = settle_each(fresh, self._prepare)
        fresh = _drop_natural_duplicates(fresh)
        self._create(fresh)
        self._yield_to_earlier([item for item in fresh if item.invoice_id is not None])
        created = [item for item in fresh if item.invoice_id is not None and not item.existed]
        self._attach(created)
        self._settle_tax_rounding(created)
        self._check_totals(created)
        self._post([item for item in live if item.invoice_id is not None and item.result is None])
        self._conclude([item for item in live if item.invoice_id is not None and item.result is None])

    def _identify(self, item: _Item) -> None:
        require_record(item.request)
        item.kind, _ = invoice_kind(item.request)
        item.party_id = int(self._lookups.party(item.request.party_id)["id"])

    def _find_existing(self, items: list[_Item]) -> None:
        for item, hit in zip(items, self._earlier_invoices(items), strict=True):
            if hit is not None:
                item.invoice_id, item.existed, item.state = int(hit["id"]), True, hit["state"]

    def _yield_to_earlier(self, items: list[_Item]) -> None:
        """Close the race of two workers posting the same request at once: after creating, the
        invoice with the lowest id wins and a later twin (still a draft) is deleted."""
        twins = [(item, hit) for item, hit in zip(items, self._earlier_invoices(items), strict=True)
                 if hit is not None and int(hit["id"]) < (item.invoice_id or 0)]
        self._delete_drafts([item for item, _ in twins])
        for item, hit in twins:
            item.invoice_id, item.existed, item.state = int(hit["id"]), True, hit["state"]

    def _earlier_invoices(self, items: list[_Item]) -> list[dict[str, Any] | None]:
        """Per item, the oldest invoice carrying its idempotency marker or its type, party and
        reference (not cancelled), or None. One search for the whole batch."""
        if not items:
            return []
        clauses: list[Any] = ["OR"]
        for item in items:
            clauses.append(("comment", "like", like_pattern(marker(item.request.idempotency_key))))
            if item.natural_key:
                clauses.append([("type", "=", item.kind), ("party", "=", item.party_id),
                                ("reference", "=", item.natural_key[2]), ("state", "!=", "cancelled")])
        found = self._client.search_read("account.invoice", [clauses], _READ_FIELDS, order=[["id", "ASC"]])
        hits: list[dict[str, Any] | None] = []
        for item in items:
            tag = marker(item.request.idempotency_key)
            hit = next((row for row in found if tag in (row.get("comment") or "").splitlines()), None)
            if hit is None and item.natural_key:
                hit = next((row for row in found if row["state"] != "cancelled"
                            and (row["type"], row["party"], row["reference"]) == item.natural_key), None)
            hits.append(hit)
        return hits

    def _prepare(self, item: _Item) -> None:
        request, lookups = item.request, self._lookups
        record = require_record(request)
        party = lookups.party(request.party_id)
        planned = planned_lines(record)
        purchase = lookups.purchase(record.po_number, item.party_id) if item.kind == "in" else None
        origins = match_po_lines(planned, purchase[1]) if purchase else [None] * len(planned)
        resolved = []
        for line, origin in zip(planned, origins, strict=True):
            product = lookups.product(line.sku)
            resolved.append(ResolvedLine(
                line=line, account_id=lookups.line_account(item.kind, request.gl_account, product),
                tax_ids=lookups.taxes(item.kind, line.tax_rate, request.tax_code),
                product_id=int(product["id"]) if product else None,
                unit_id=int(product["default_uom"]) if product else None,
                origin=f"purchase.line,{origin}" if origin is not None else None))
        header = InvoiceHeader(
            company_id=lookups.company_id, party_id=item.party_id, address_id=int(party["addresses"][0]),
            account_id=lookups.party_account(party, item.kind), journal_id=lookups.journal(item.kind),
            currency_id=lookups.currency(record.currency), description=_description(request, purchase))
        item.values = invoice_values(request, header, resolved)
        item.purchase_id = int(purchase[0]["id"]) if purchase else None
        if request.blob_uri and self._blob_reader is not None:
            item.attachment = self._blob_reader(request.blob_uri)

    def _create(self, items: list[_Item]) -> None:
        if not items:
            return
        try:
            ids = self._client.model("account.invoice", "create", [item.values for item in items])
        except PostingRejected:
            if len(items) == 1:
                raise
            for item in items:  # isolate the request Tryton refused
                settle_each([item], lambda one: self._create([one]))
            return
        for item, invoice_id in zip(items, ids, strict=True):
            item.invoice_id = int(invoice_id)

    def _attach(self, items: list[_Item]) -> None:
        values = [{"name": _attachment_name(item.request, item.attachment),
                   "resource": f"account.invoice,{item.invoice_id}",
                   "type": "data", "data": item.attachment} for item in items if item.attachment is not None]
        if values:
            self._client.model("ir.attachment", "create", values)

    def _settle_tax_rounding(self, items: list[_Item]) -> None:
        if not items:
            return
        rows = self._client.search_read("account.invoice.tax", [("invoice", "in", [i.invoice_id for i in items])],
                                        ["invoice", "amount", "manual", "tax.rate"])
        writes: list[Any] = []
        for item in items:
            own = [row for row in rows if row["invoice"] == item.invoice_id]
            for tax_line, amount in tax_adjustments(item.request, own).items():
                writes.extend([[tax_line], {"amount": amount}])
        if writes:
            self._client.model("account.invoice.tax", "write", *writes)

    def _check_totals(self, items: list[_Item]) -> None:
        if not items:
            return
        rows = {row["id"]: row for row in self._client.model(
            "account.invoice", "read", [item.invoice_id for item in items], ["total_amount"])}
        wrong = []
        for item in items:
            reason = total_mismatch(item.request, Decimal(rows[item.invoice_id]["total_amount"]))
            if reason is not None:
                item.result = PostingRejected(reason, details={"reason": "total_mismatch"})
                wrong.append(item)
        self._delete_drafts(wrong)

    def _post(self, items: list[_Item]) -> None:
        to_post = [item for item in items
                   if item.request.post_state == "posted" and item.state in ("draft", "validated")]
        if not to_post:
            return
        try:
            self._client.model("account.invoice", "post", [item.invoice_id for item in to_post])
        except PostingRejected as error:
            if len(to_post) > 1:
                for item in to_post:
                    self._post([item])
            elif self._confirm_warning(error):
                self._post(to_post)
            elif not self._landed_anyway(to_post[0], error):
                to_post[0].result = error
                self._delete_drafts(to_post)

    def _landed_anyway(self, item: _Item, error: PostingRejected) -> bool:
        """Whether the posting Tryton refused for ``item`` landed all the same: a twin attempt's
        invoice (the similar-invoice warning), or the draft it found posted meanwhile by another."""
        return self._settle_similar(item, error) or (item.existed and self._posted_meanwhile(item))

    def _settle_similar(self, item: _Item, error: PostingRejected) -> bool:
        """Settle Tryton's similar-invoice warning met posting ``item``; True when it was settled.

        Another invoice of the same type, supplier and reference that is not cancelled is this
        posting landing twice (a redelivery beside a retry). The winner is the posted twin, else
        the one with the lowest id: when that is ``item``'s invoice, the later drafts yield to it
        (their attempts delete them), so the warning is confirmed and the invoice posted; otherwise
        ``item`` drops its own draft and answers with the winner (``already_posted``), posting it
        if it is still a draft (its attempt may have died). False when only cancelled invoices are
        similar: that stays Tryton's refusal, for a person to decide.
        """
        warning = str(error.details.get("warning", ""))
        if not warning.endswith(SIMILAR_WARNING) or item.natural_key is None or item.invoice_id is None:
            return False
        twins = self._client.search_read("account.invoice", [
            ("type", "=", item.kind), ("party", "=", item.party_id), ("reference", "=", item.natural_key[2]),
            ("state", "!=", "cancelled"), ("id", "!=", item.invoice_id)], ["id", "state"], order=[["id", "ASC"]])
        if not twins:
            return False
        posted = [twin for twin in twins if twin["state"] in SETTLED_STATES]
        winner = posted[0] if posted else twins[0]
        if not posted and item.invoice_id < int(winner["id"]):
            if warning in self._confirmed:
                return False
            self._confirmed.add(warning)
            self._client.model("res.user.warning", "skip", warning, False)
            self._post([item])
            return True
        self._delete_drafts([item])
        item.invoice_id, item.existed, item.state = int(winner["id"]), True, str(winner["state"])
        self._post([item])
        return True

    def _posted_meanwhile(self, item: _Item) -> bool:
        """Whether another worker posted the invoice this one found (and tried to post) as a draft."""
        row, = self._client.model("account.invoice", "read", [item.invoice_id], ["state"])
        return row["state"] in ("posted", "paid")

    def _confirm_warning(self, error: PostingRejected) -> bool:
        """Confirm a Tryton warning the document settles (as a user clicking "yes" would); True if done.

        ``invoice_taxes``: the line taxes differ from the product's defaults. The document states
        the tax that was charged, so it wins. A similar invoice is settled by :meth:`_settle_similar`;
        any other warning stays a refusal.
        """
        warning = error.details.get("warning", "")
        if not warning.endswith(CONFIRMABLE_WARNINGS) or warning in self._confirmed:
            return False
        self._confirmed.add(warning)
        self._client.model("res.user.warning", "skip", warning, False)
        return True

    def _delete_drafts(self, items: list[_Item]) -> None:
        """Remove invoices this batch created and could not finish, so a retry starts clean."""
        ids = [item.invoice_id for item in items if item.invoice_id is not None and not item.existed]
        if ids:
            self._client.model("account.invoice", "delete", ids)
        for item in items:
            if not item.existed:
                item.invoice_id = None

    def _conclude(self, items: list[_Item]) -> None:
        if not items:
            return
        rows = {row["id"]: row for row in self._client.model(
            "account.invoice", "read", [item.invoice_id for item in items], _READ_FIELDS)}
        for item in items:
            row = rows[item.invoice_id]
            response = {"invoice_id": row["id"], "number": row["number"], "state": row["state"],
                        "reference": row["reference"], "total_amount": str(row["total_amount"]),
                        "currency": row.get("currency.", {}).get("code"), "purchase_id": item.purchase_id,
                        "attachment": item.attachment is not None}
            item.result = PostingOutcome(
                idempotency_key=item.request.idempotency_key, target=self.target,
                status="already_posted" if item.existed else "posted",
                erp_reference=row["number"], erp_id=str(row["id"]),
                request=redact(jsonable(item.values or {"existing_invoice": row["id"]})),
                response=redact(response))


def _first_by_key(items: list[_Item]) -> dict[str, _Item]:
    firsts: dict[str, _Item] = {}
    for item in items:
        firsts.setdefault(item.request.idempotency_key, item)
    return firsts


def _drop_natural_duplicates(items: list[_Item]) -> list[_Item]:
    """Keep the first of several new requests for the same party and reference; the rest repeat it."""
    seen: dict[tuple[str, int, str], _Item] = {}
    kept = []
    for item in items:
        key = item.natural_key
        if key is not None and key in seen:
            item.repeat_of = seen[key]
            continue
        if key is not None:
            seen[key] = item
        kept.append(item)
    return kept


def _description(request: PostingRequested, purchase: tuple[dict[str, Any], list[Any]] | None) -> str | None:
    record = request.record
    parts = []
    if purchase:
        parts.append(f"PO {purchase[0]['number']}")
    elif record and record.po_number:
        parts.append(f"PO {record.po_number} (not found)")
    if record and record.amends_number:
        parts.append(f"credits {record.amends_number}")
    return "; ".join(parts) or None


_SUFFIXES = {sniff.PDF: ".pdf", sniff.PNG: ".png", sniff.JPEG: ".jpg", sniff.TIFF: ".tiff", sniff.UBL: ".xml",
             sniff.CII: ".xml"}


def _attachment_name(request: PostingRequested, data: bytes | None = None) -> str:
    """``<number>.<ext>``: the extension of the blob's name, else of its content (an e-invoice's
    original XML is attached as ``.xml``), else ``.pdf``."""
    tail = (request.blob_uri or "").rstrip("/").rsplit("/", 1)[-1]
    suffix = tail[tail.rfind("."):] if "." in tail else _suffix_of(data)
    number = request.record.number if request.record and request.record.number else request.envelope.document_id
    return f"{number}{suffix}"


def _suffix_of(data: bytes | None) -> str:
    if not data:
        return ".pdf"
    try:
        return _SUFFIXES.get(sniff.sniff_media_type(data), ".pdf")
    except DocketError:
        return ".pdf"
