"""The CRM side in Tryton: opportunities won by order forms, subscriptions from contracts, party changes.

Three posting types, each on Tryton's own CRM models (``sale_opportunity``, ``sale_subscription``,
``party``):

* ``order_form`` — the matching open opportunity (``sale.opportunity``) of the customer: the one
  whose number or reference is the form's quote/opportunity reference, else the only open one whose
  amount is the form's net amount. Its lines become the form's lines, it is converted (Tryton makes
  the sale, ``origin`` = the opportunity), and the sale is quoted and confirmed, which makes Tryton
  mark the opportunity won with the sale's amount. The sale carries the form's number as reference
  and ``docket-key:<key>`` in its comment.
* ``contract`` — a ``sale.subscription`` of the customer with the contract number as reference: its
  start and end date, the invoice recurrence of the billing frequency, one line of the subscription
  service at the value per billing period; renewal and notice dates in its description. A contract
  number Tryton already holds (an amendment) updates that subscription.
* ``customer_change`` — the party's address and e-mail/phone contact mechanisms. Bank details are
  applied only with a reviewer's approval on the record (``crm.bank_change_approved_by``); without
  it the posting is refused and nothing changes.

The customer is the posting's party: by its Tryton id when the posting carries the cross-reference
(``party_xrefs["tryton.customer"]``, checked against the party code), else by its code.

Idempotency: the ledger answers repeated keys; in Tryton, the marker on the sale / subscription
and the business keys (form number on the won opportunity's sale, contract number, a party that
already holds the change) find what an earlier posting made.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from connectors.base import PostingOutcome, PostingRejected, SinkBase, redact, refuse_unapproved_bank_change
from connectors.tryton.batch import jsonable
from connectors.tryton.client import TrytonClient
from connectors.tryton.invoices import TOTAL_TOLERANCE, like_pattern, marker, planned_lines
from connectors.tryton.lookups import TrytonLookups
from docket.crm.terms import contract_terms, describe_terms
from docket.model import CrmRecord, InvoiceRecord, PostingRequested

ORDER_FORM, CONTRACT, CUSTOMER_CHANGE = "order_form", "contract", "customer_change"
POSTING_TYPES = (ORDER_FORM, CONTRACT, CUSTOMER_CHANGE)
SERVICE_PRODUCT_CODE = "S-100"
SUBSCRIPTION_SERVICE_CODE = "SUB-100"
TRYTON_PARTY_SYSTEM = "tryton.customer"
"""The cross-reference system of Tryton's party ids (published by the master-data sync)."""
RECURRENCE_NAMES = {"monthly": "Monthly", "quarterly": "Quarterly", "yearly": "Yearly"}
_OPEN = ("lead", "opportunity")
_OPPORTUNITY_FIELDS = ["number", "reference", "state", "amount", "party", "sales", "lines"]
_SUBSCRIPTION_FIELDS = ["number", "reference", "state", "start_date", "end_date", "description", "lines"]


def require_crm(request: PostingRequested) -> tuple[InvoiceRecord, CrmRecord]:
    """The record and its CRM part, checked to be a CRM posting this sink makes."""
    if request.posting_type not in POSTING_TYPES:
        raise PostingRejected(f"posting type {request.posting_type!r} is not a CRM posting",
                              details={"reason": "unsupported_posting_type"})
    if request.record is None:
        raise PostingRejected("posting carries no record", details={"reason": "no_record"})
    return request.record, request.record.crm or CrmRecord()


def form_amount(record: InvoiceRecord) -> Decimal | None:
    """The amount an order form wins its opportunity with: the net total, else the total."""
    return record.net_total if record.net_total is not None else record.total


class TrytonCrmSink(SinkBase):
    """Posts ``order_form``, ``contract`` and ``customer_change`` requests into Tryton via ``client``."""

    def __init__(self, client: TrytonClient, *, target: str = "crm", lookups: TrytonLookups | None = None,
                 own_client: bool = True) -> None:
        super().__init__()
        self.target = target
        self._client = client
        self._lookups = lookups or TrytonLookups(client)
        self._own_client = own_client

    def post(self, request: PostingRequested) -> PostingOutcome:
        self._ensure_open()
        record, crm = require_crm(request)
        party = self._party(request)
        if request.posting_type == ORDER_FORM:
            return self._order_form(request, record, crm, party)
        if request.posting_type == CONTRACT:
            return self._contract(request, record, crm, party)
        return self._customer_change(request, crm, party)

    def _party(self, request: PostingRequested) -> dict[str, Any]:
        """The Tryton party of the posting: by its Tryton id from the cross-references when the posting
        carries one (checked to be the party the posting names), else by the party code."""
        erp_id = request.party_xrefs.get(TRYTON_PARTY_SYSTEM)
        if not erp_id or not erp_id.isdigit():
            return self._lookups.party(request.party_id)
        rows = self._client.search_read("party.party", [("id", "=", int(erp_id))], [
            "name", "code", "addresses", "account_payable", "account_receivable"])
        if not rows:
            raise PostingRejected(f"Tryton party {erp_id} of the cross-references does not exist",
                                  details={"reason": "party_unknown"})
        party = rows[0]
        if request.party_id and str(party.get("code") or party["id"]) != request.party_id:
            raise PostingRejected(f"the cross-references name Tryton party {erp_id} ({party.get('code')}), "
                                  f"the posting party {request.party_id}", details={"reason": "party_xref_mismatch"})
        if not party["addresses"]:
            raise PostingRejected(f"party {party.get('code') or erp_id!r} has no address in Tryton",
                                  details={"reason": "party_without_address"})
        return party

    def close(self) -> None:
        if not self._closed and self._own_client:
            self._client.close()
        self._closed = True

    def _outcome(self, request: PostingRequested, *, existed: bool, reference: str | None, erp_id: int,
                 sent: dict[str, Any], response: dict[str, Any]) -> PostingOutcome:
        return PostingOutcome(
            idempotency_key=request.idempotency_key, target=self.target,
            status="already_posted" if existed else "posted", erp_reference=reference, erp_id=str(erp_id),
            request=redact(jsonable(sent)), response=redact(jsonable(response)))

    def _comment(self, request: PostingRequested) -> str:
        lines = [marker(request.idempotency_key), f"document: {request.envelope.document_id}"]
        if request.sha256:
            lines.append(f"sha256: {request.sha256}")
        lines.append(f"mapping: {request.mapping_version}")
        return "\n".join(lines)

    # -- order forms ------------------------------------------------------------------------

    def _order_form(self, request: PostingRequested, record: InvoiceRecord, crm: CrmRecord,
                    party: dict[str, Any]) -> PostingOutcome:
        earlier = self._earlier_sale(request, record, int(party["id"]))
        if earlier is not None:
            return self._won(request, earlier, existed=True, sent={"existing_sale": earlier["id"]})
        opportunity = self._matching_opportunity(record, crm, int(party["id"]))
        values = self._opportunity_values(record, [int(line) for line in opportunity["lines"]])
        self._client.model("sale.opportunity", "write", [opportunity["id"]], values)
        self._client.model("sale.opportunity", "convert", [opportunity["id"]])
        row, = self._client.model("sale.opportunity", "read", [opportunity["id"]], ["sales"])
        if not row["sales"]:
            raise PostingRejected(f"Tryton made no sale converting opportunity {opportunity['number']}",
                                  details={"reason": "no_sale"})
        sale_id = int(row["sales"][-1])
        self._price_sale_lines(sale_id, record)
        self._client.model("sale.sale", "write", [sale_id], {
            "reference": record.number, "comment": self._comment(request),
            "sale_date": crm.signature_date or record.issue_date,
            "description": f"Order form {record.number}" if record.number else "Signed order form"})
        self._client.model("sale.sale", "quote", [sale_id])
        self._client.model("sale.sale", "confirm", [sale_id])
        sale, = self._client.model("sale.sale", "read", [sale_id], ["number", "state", "origin", "untaxed_amount"])
        return self._won(request, sale, existed=False, sent={"opportunity": opportunity["number"], **values})

    def _price_sale_lines(self, sale_id: int, record: InvoiceRecord) -> None:
        """The form's prices on the sale Tryton made from the opportunity's lines (which carry
        products and quantities only), so the sale, and the opportunity won by it, hold the form's amount."""
        sale, = self._client.model("sale.sale", "read", [sale_id], ["lines"])
        rows = self._client.model("sale.line", "read", list(sale["lines"]), ["sequence"])
        rows.sort(key=lambda row: (row["sequence"] is None, row["sequence"], row["id"]))
        for row, line in zip(rows, planned_lines(record), strict=True):
            self._client.model("sale.line", "write", [row["id"]], {
                "unit_price": line.unit_price, "description": line.description})

    def _earlier_sale(self, request: PostingRequested, record: InvoiceRecord, party_id: int) -> dict[str, Any] | None:
        """A sale an earlier posting of this form made: by key, or the form's number on an opportunity's sale."""
        clauses: list[Any] = ["OR", ("comment", "like", like_pattern(marker(request.idempotency_key)))]
        if record.number:
            clauses.append([("party", "=", party_id), ("reference", "=", record.number),
                            ("origin", "like", "sale.opportunity,%"), ("state", "!=", "cancelled")])
        rows = self._client.search_read("sale.sale", [clauses], ["number", "state", "origin", "untaxed_amount"],
                                        order=[["id", "ASC"]])
        return rows[0] if rows else None

    def _matching_opportunity(self, record: InvoiceRecord, crm: CrmRecord, party_id: int) -> dict[str, Any]:
        """The customer's opportunity the form accepts; refused when none or several match."""
        ref = crm.opportunity_reference
        if ref:
            rows = self._client.search_read("sale.opportunity", [
                ("party", "=", party_id), ["OR", ("number", "=", ref), ("reference", "=", ref)]],
                _OPPORTUNITY_FIELDS)
            if not rows:
                raise PostingRejected(f"no opportunity {ref!r} for this customer in Tryton",
                                      details={"reason": "opportunity_unknown"})
            if rows[0]["state"] not in _OPEN:
                raise PostingRejected(f"opportunity {rows[0]['number']} is {rows[0]['state']}, not open",
                                      details={"reason": "opportunity_closed"})
            return rows[0]
        amount = form_amount(record)
        open_rows = self._client.search_read("sale.opportunity", [
            ("party", "=", party_id), ("state", "in", list(_OPEN))], _OPPORTUNITY_FIELDS)
        hits = [row for row in open_rows if amount is not None and row["amount"] is not None
                and abs(Decimal(row["amount"]) - amount) <= TOTAL_TOLERANCE]
        if len(hits) != 1:
            raise PostingRejected(f"{len(hits)} open opportunities of this customer have the amount {amount}; "
                                  "the form must name its quote", details={"reason": "opportunity_ambiguous"})
        return hits[0]

    def _opportunity_values(self, record: InvoiceRecord, old_lines: list[int]) -> dict[str, Any]:
        """The opportunity's new lines (the form's, replacing ``old_lines``) and amount, before converting it."""
        service = self._lookups.product(SERVICE_PRODUCT_CODE)
        lines = []
        for line in planned_lines(record):
            product = self._lookups.product(line.sku) or service
            if product is None:
                raise PostingRejected("Tryton has no product for the order form's lines",
                                      details={"reason": "no_product"})
            lines.append({"product": int(product["id"]), "unit": int(product["default_uom"]),
                          "quantity": float(line.quantity), "description": line.description})
        values: dict[str, Any] = {"lines": [["delete", old_lines], ["create", lines]]}
        amount = form_amount(record)
        if amount is not None:
            values["amount"] = amount.quantize(Decimal("0.01"))
        return values

    def _won(self, request: PostingRequested, sale: dict[str, Any], *, existed: bool,
             sent: dict[str, Any]) -> PostingOutcome:
        origin = str(sale.get("origin") or "")
        opportunity_id = int(origin.split(",")[1]) if origin.startswith("sale.opportunity,") else None
        response: dict[str, Any] = {"sale_id": sale["id"], "sale_number": sale["number"],
                                    "sale_state": sale["state"], "sale_untaxed_amount": str(sale["untaxed_amount"])}
        if opportunity_id is not None:
            row, = self._client.model("sale.opportunity", "read", [opportunity_id], ["number", "state", "amount"])
            response.update(opportunity_id=opportunity_id, opportunity_number=row["number"],
                            opportunity_state=row["state"], opportunity_amount=str(row["amount"]))
        reference = response.get("opportunity_number") or sale["number"]
        return self._outcome(request, existed=existed, reference=reference, erp_id=int(sale["id"]),
                             sent=sent, response=response)

    # -- contracts --------------------------------------------------------------------------

    def _contract(self, request: PostingRequested, record: InvoiceRecord, crm: CrmRecord,
                  party: dict[str, Any]) -> PostingOutcome:
        number = crm.contract_number or record.number
        terms = contract_terms(crm)
        if not number or terms is None:
            raise PostingRejected("a contract needs its number and start date",
                                  details={"reason": "contract_incomplete"})
        tag = marker(request.idempotency_key)
        rows = self._client.search_read("sale.subscription", [
            ["OR", ("description", "like", like_pattern(tag)),
             [("party", "=", int(party["id"])), ("reference", "=", number), ("state", "!=", "cancelled")]]],
            _SUBSCRIPTION_FIELDS, order=[["id", "ASC"]])
        values = self._subscription_values(request, record, crm, party, number)
        if rows and tag in (rows[0]["description"] or ""):
            return self._subscription_outcome(request, int(rows[0]["id"]), existed=True, sent=values)
        if rows:
            subscription_id = int(rows[0]["id"])
            self._update_subscription(subscription_id, rows[0], values)
        else:
            subscription_id = int(self._client.model("sale.subscription", "create", [values])[0])
        try:
            self._client.model("sale.subscription", "quote", [subscription_id])
            self._client.model("sale.subscription", "run", [subscription_id])
        except PostingRejected:
            if not rows:
                self._client.model("sale.subscription", "delete", [subscription_id])
            raise
        return self._subscription_outcome(request, subscription_id, existed=False, sent=values)

    def _subscription_values(self, request: PostingRequested, record: InvoiceRecord, crm: CrmRecord,
                             party: dict[str, Any], number: str) -> dict[str, Any]:
        terms = contract_terms(crm)
        assert terms is not None  # checked by the caller
        frequency = (crm.billing_frequency or "monthly").lower()
        recurrence = self._recurrence(frequency)
        service = self._subscription_service()
        price = crm.value if crm.value is not None else form_amount(record)
        line: dict[str, Any] = {"service": service["id"], "unit": service["unit"], "quantity": 1.0,
                                "unit_price": price if price is not None else Decimal(0),
                                "start_date": terms.start_date, "description": f"Contract {number}"}
        if terms.end_date is not None:
            line["end_date"] = terms.end_date
        description = f"Contract {number}: {describe_terms(terms)} [{marker(request.idempotency_key)}]"
        return {"company": self._lookups.company_id, "party": int(party["id"]),
                "invoice_address": int(party["addresses"][0]), "currency": self._lookups.currency(record.currency),
                "reference": number, "start_date": terms.start_date, "end_date": terms.end_date,
                "invoice_recurrence": recurrence, "description": description[:255],
                "lines": [["create", [line]]]}

    def _update_subscription(self, subscription_id: int, row: dict[str, Any], values: dict[str, Any]) -> None:
        """An amended contract: back to draft, its dates, description and lines replaced."""
        if row["state"] in ("running", "quotation"):
            self._client.model("sale.subscription", "draft", [subscription_id])
        # The start date is fixed once invoicing has begun: written only when it changes.
        fixed = ("company", "party", "lines") + (("start_date",) if row["start_date"] == values["start_date"] else ())
        update = {key: value for key, value in values.items() if key not in fixed}
        update["lines"] = [["delete", list(row["lines"])], *values["lines"]]
        self._client.model("sale.subscription", "write", [subscription_id], update)

    def _recurrence(self, frequency: str) -> int:
        name = RECURRENCE_NAMES.get(frequency)
        rows = self._client.search_read("sale.subscription.recurrence.rule.set", [("name", "=", name)], ["id"]) \
            if name else []
        if not rows:
            raise PostingRejected(f"Tryton has no invoice recurrence for billing {frequency!r}",
                                  details={"reason": "recurrence_unknown"})
        return int(rows[0]["id"])

    def _subscription_service(self) -> dict[str, Any]:
        product = self._lookups.product(SUBSCRIPTION_SERVICE_CODE)
        rows = self._client.search_read("sale.subscription.service", [("product", "=", int(product["id"]))],
                                        ["id"]) if product else []
        if not rows or product is None:
            raise PostingRejected(f"Tryton has no subscription service {SUBSCRIPTION_SERVICE_CODE}",
                                  details={"reason": "no_subscription_service"})
        return {"id": int(rows[0]["id"]), "unit": int(product["default_uom"])}

    def _subscription_outcome(self, request: PostingRequested, subscription_id: int, *, existed: bool,
                              sent: dict[str, Any]) -> PostingOutcome:
        row, = self._client.model("sale.subscription", "read", [subscription_id], _SUBSCRIPTION_FIELDS)
        response = {key: row[key] for key in ("id", "number", "reference", "state", "start_date", "end_date",
                                              "description")}
        return self._outcome(request, existed=existed, reference=row["number"] or row["reference"],
                             erp_id=subscription_id, sent=sent, response=response)

    # -- customer changes -------------------------------------------------------------------

    def _customer_change(self, request: PostingRequested, crm: CrmRecord, party: dict[str, Any]) -> PostingOutcome:
        refuse_unapproved_bank_change(request)
        party_id = int(party["id"])
        changed: dict[str, Any] = {}
        address = self._address_change(crm, int(party["addresses"][0]))
        if address:
            self._client.model("party.address", "write", [int(party["addresses"][0])], address)
            changed["address"] = address
        contacts = self._contact_changes(crm, party_id)
        if contacts:
            self._client.model("party.contact_mechanism", "create", contacts)
            changed["contacts"] = contacts
        if crm.new_iban and self._add_bank_account(crm, party_id):
            changed["bank_account"] = {"iban": crm.new_iban, "approved_by": crm.bank_change_approved_by}
        return self._outcome(request, existed=not changed, reference=party.get("code"), erp_id=party_id,
                             sent=changed, response={"party_id": party_id, "changed": sorted(changed)})

    def _address_change(self, crm: CrmRecord, address_id: int) -> dict[str, Any]:
        row, = self._client.model("party.address", "read", [address_id],
                                  ["street", "postal_code", "city", "country.code"])
        wanted: dict[str, Any] = {}
        for name in ("street", "postal_code", "city"):
            value = getattr(crm, name)
            if value and value != (row.get(name) or ""):
                wanted[name] = value
        if crm.country and crm.country.upper() != ((row.get("country.") or {}).get("code") or ""):
            found = self._client.search_read("country.country", [("code", "=", crm.country.upper())], ["id"])
            if not found:
                raise PostingRejected(f"country {crm.country} is unknown in Tryton", details={"reason": "country"})
            wanted["country"] = int(found[0]["id"])
        return wanted

    def _contact_changes(self, crm: CrmRecord, party_id: int) -> list[dict[str, Any]]:
        present = {(row["type"], row["value"]) for row in self._client.search_read(
            "party.contact_mechanism", [("party", "=", party_id)], ["type", "value"])}
        wanted = [(kind, value) for kind, value in (("email", crm.email), ("phone", crm.phone)) if value]
        return [{"party": party_id, "type": kind, "value": value} for kind, value in wanted
                if (kind, value) not in present]

    def _add_bank_account(self, crm: CrmRecord, party_id: int) -> bool:
        """The approved new account as the party's first bank account; False when it already is one."""
        iban = (crm.new_iban or "").replace(" ", "").upper()
        known = self._client.search_read("bank.account.number", [
            ("type", "=", "iban"), ("number_compact", "=", iban)], ["account.owners"])
        if known and party_id in ((known[0].get("account.") or {}).get("owners") or []):
            return False
        if known:
            raise PostingRejected("the new bank account belongs to another party in Tryton",
                                  details={"reason": "iban_of_another_party"})
        banks = self._client.search_read("bank", [("bic", "=", crm.new_bic)], ["id"]) if crm.new_bic else []
        values: dict[str, Any] = {"owners": [["add", [party_id]]], "numbers": [["create", [{"type": "iban",
                                                                                          "number": iban}]]]}
        if banks:
            values["bank"] = int(banks[0]["id"])
        self._client.model("bank.account", "create", [values])
        return True
