"""Master data read from Tryton: parties as vendors and customers, purchase orders, open receivables.

The ``*_from_*`` functions are pure: they turn records shaped like Tryton's ``search_read``
answers (dotted fields arrive as ``"name.": {...}``) into Docket models. The ``fetch_*``
functions do the reading. A party's Docket id is its Tryton party code (its id when it has none),
the same reference :class:`~connectors.tryton.sink.TrytonSink` resolves ``party_id`` against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connectors.tryton.client import TrytonClient
from docket.model import Customer, OpenItem, PurchaseOrder, PurchaseOrderLine, Vendor

Row = Mapping[str, Any]
_TAX_NUMBER_TYPES = ("de_stnr", "fr_siren", "fr_siret", "at_tin", "ch_uid")
_PO_STATUS = {"confirmed": "open", "processing": "open", "done": "closed", "cancelled": "cancelled"}


def _nested(row: Row, name: str, key: str) -> Any:
    value = row.get(f"{name}.")
    return value.get(key) if isinstance(value, Mapping) else None


def _bic(bank_number: Row) -> str | None:
    bank = _nested(bank_number, "account", "bank.")
    return bank.get("bic") if isinstance(bank, Mapping) else None


def party_ref(party: Row) -> str:
    """The id Docket uses for a Tryton party: its code, else its numeric id."""
    return str(party.get("code") or party["id"])


def _vat_id(identifiers: Sequence[Row]) -> str | None:
    return next((row["code"] for row in identifiers if str(row.get("type") or "").endswith("vat")), None)


def _tax_number(identifiers: Sequence[Row]) -> str | None:
    return next((row["code"] for row in identifiers if row.get("type") in _TAX_NUMBER_TYPES), None)


def vendor_from_party(party: Row, *, identifiers: Sequence[Row], addresses: Sequence[Row],
                      bank_numbers: Sequence[Row], legal_entity: str, updated_at: datetime) -> Vendor:
    """A :class:`Vendor` from a party row, its identifiers, addresses and IBAN rows."""
    return Vendor(
        party_id=party_ref(party), legal_entity=legal_entity, name=party["name"],
        vat_id=_vat_id(identifiers), tax_number=_tax_number(identifiers),
        country=_nested(addresses[0], "country", "code") if addresses else None,
        address=(addresses[0].get("full_address") or None) if addresses else None,
        ibans=[row["number_compact"] for row in bank_numbers],
        bic=next((bic for bic in map(_bic, bank_numbers) if bic), None),
        payment_terms=_nested(party, "supplier_payment_term", "name"),
        erp_id=str(party["id"]), active=bool(party.get("active", True)), updated_at=updated_at)


def customer_from_party(party: Row, *, identifiers: Sequence[Row], addresses: Sequence[Row],
                        bank_numbers: Sequence[Row], legal_entity: str, updated_at: datetime) -> Customer:
    """A :class:`Customer` from a party row, its identifiers, addresses and IBAN rows."""
    return Customer(
        party_id=party_ref(party), legal_entity=legal_entity, name=party["name"], vat_id=_vat_id(identifiers),
        country=_nested(addresses[0], "country", "code") if addresses else None,
        address=(addresses[0].get("full_address") or None) if addresses else None,
        ibans=[row["number_compact"] for row in bank_numbers],
        payment_terms=_nested(party, "customer_payment_term", "name"),
        erp_id=str(party["id"]), active=bool(party.get("active", True)), updated_at=updated_at)


def purchase_order_from_tryton(purchase: Row, lines: Sequence[Row], tax_rates: Mapping[int, Decimal], *,
                               legal_entity: str, updated_at: datetime) -> PurchaseOrder:
    """A :class:`PurchaseOrder` from a ``purchase.purchase`` row and its line rows.

    ``tax_rates`` maps Tryton tax ids to their rate as a fraction (0.19); a line's rate is the
    sum of its taxes' rates, in percent.
    """
    return PurchaseOrder(
        po_number=str(purchase["number"]), legal_entity=legal_entity,
        vendor_id=str(_nested(purchase, "party", "code") or purchase["party"]),
        currency=str(_nested(purchase, "currency", "code")), order_date=purchase.get("purchase_date"),
        status=_PO_STATUS.get(str(purchase.get("state")), str(purchase.get("state"))),
        lines=[_po_line(number, line, tax_rates) for number, line in enumerate(lines, start=1)],
        total=purchase.get("total_amount"), erp_id=str(purchase["id"]), updated_at=updated_at)


def _po_line(number: int, line: Row, tax_rates: Mapping[int, Decimal]) -> PurchaseOrderLine:
    taxes = [tax_rates[tax] for tax in line.get("taxes", []) if tax in tax_rates]
    return PurchaseOrderLine(
        line_no=number, description=str(line.get("description") or _nested(line, "product", "name") or ""),
        quantity=Decimal(str(line["quantity"])), unit_price=line["unit_price"],
        sku=_nested(line, "product", "code"), tax_rate=sum(taxes, Decimal(0)) * 100 if taxes else None)


def open_item_from_invoice(invoice: Row, *, due_date: date | None, legal_entity: str,
                           updated_at: datetime) -> OpenItem:
    """An :class:`OpenItem` from a posted customer invoice row with ``amount_to_pay``."""
    return OpenItem(
        item_id=str(invoice["number"]), legal_entity=legal_entity,
        customer_id=str(_nested(invoice, "party", "code") or invoice["party"]),
        invoice_number=str(invoice["number"]), invoice_date=invoice["invoice_date"], due_date=due_date,
        currency=str(_nested(invoice, "currency", "code")), amount_total=invoice["total_amount"],
        amount_open=invoice["amount_to_pay"], structured_reference=invoice.get("customer_payment_reference"),
        erp_id=str(invoice["id"]), updated_at=updated_at)


# -- reading ------------------------------------------------------------------------------------


def _by_party(rows: Sequence[Row], key: str = "party") -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[int(row[key])].append(row)
    return grouped


def _party_data(client: TrytonClient) -> tuple[Sequence[Row], dict[int, list[Row]], dict[int, list[Row]],
                                                dict[int, list[Row]]]:
    company = client.model("company.company", "read", [int(client.context.get("company") or 1)], ["party"])
    # The company and the banks are parties too, but neither supplies nor buys.
    excluded = [int(company[0]["party"])] + [int(row["party"]) for row in client.search_read("bank", [], ["party"])]
    parties = client.search_read("party.party", [("id", "not in", excluded)], [
        "name", "code", "active", "supplier_payment_term.name", "customer_payment_term.name"])
    ids = [int(row["id"]) for row in parties]
    identifiers = client.search_read("party.identifier", [("party", "in", ids)], ["party", "type", "code"])
    addresses = client.search_read("party.address", [("party", "in", ids)],
                                   ["party", "full_address", "country.code"], order=[["sequence", "ASC"]])
    numbers = client.search_read("bank.account.number", [("type", "=", "iban"), ("account.owners", "in", ids)],
                                 ["number_compact", "account.owners", "account.bank.bic"])
    ibans: dict[int, list[Row]] = defaultdict(list)
    for row in numbers:
        for owner in _nested(row, "account", "owners") or []:
            ibans[int(owner)].append(row)
    return parties, _by_party(identifiers), _by_party(addresses), ibans


def fetch_vendors(client: TrytonClient, *, legal_entity: str, now: datetime) -> list[Vendor]:
    """Every party but the company and banks, as vendors (Tryton parties have no supplier flag)."""
    parties, identifiers, addresses, ibans = _party_data(client)
    return [vendor_from_party(party, identifiers=identifiers.get(party["id"], []),
                              addresses=addresses.get(party["id"], []), bank_numbers=ibans.get(party["id"], []),
                              legal_entity=legal_entity, updated_at=now) for party in parties]


def fetch_customers(client: TrytonClient, *, legal_entity: str, now: datetime) -> list[Customer]:
    """Every party but the company and banks, as customers."""
    parties, identifiers, addresses, ibans = _party_data(client)
    return [customer_from_party(party, identifiers=identifiers.get(party["id"], []),
                                addresses=addresses.get(party["id"], []), bank_numbers=ibans.get(party["id"], []),
                                legal_entity=legal_entity, updated_at=now) for party in parties]


def fetch_purchase_orders(client: TrytonClient, *, legal_entity: str, now: datetime,
                          states: Sequence[str] = ("confirmed", "processing")) -> list[PurchaseOrder]:
    """Purchase orders in ``states`` (open ones by default) with their lines."""
    purchases = client.search_read("purchase.purchase", [("state", "in", list(states))], [
        "number", "party", "party.code", "currency.code", "purchase_date", "state", "total_amount"])
    lines = client.search_read(
        "purchase.line", [("purchase", "in", [row["id"] for row in purchases]), ("type", "=", "line")],
        ["purchase", "description", "product.code", "product.name", "quantity", "unit_price", "taxes"],
        order=[["sequence", "ASC"], ["id", "ASC"]])
    taxes = client.search_read("account.tax", [("type", "=", "percentage")], ["rate"])
    rates = {int(row["id"]): Decimal(row["rate"]) for row in taxes}
    grouped = _by_party(lines, key="purchase")
    return [purchase_order_from_tryton(row, grouped.get(row["id"], []), rates, legal_entity=legal_entity,
                                       updated_at=now) for row in purchases if row.get("number")]


def fetch_open_receivables(client: TrytonClient, *, legal_entity: str, now: datetime) -> list[OpenItem]:
    """Posted customer invoices with an amount still to pay, with the earliest maturity as due date."""
    invoices = client.search_read("account.invoice", [("type", "=", "out"), ("state", "=", "posted")], [
        "number", "party", "party.code", "invoice_date", "currency.code", "total_amount", "amount_to_pay",
        "customer_payment_reference", "lines_to_pay"])
    open_invoices = [row for row in invoices if row["amount_to_pay"] and row["amount_to_pay"] > 0]
    line_ids = [line for row in open_invoices for line in row["lines_to_pay"]]
    maturities = {int(row["id"]): row["maturity_date"] for row in client.model(
        "account.move.line", "read", line_ids, ["maturity_date"])} if line_ids else {}
    items = []
    for row in open_invoices:
        dates = [maturities[line] for line in row["lines_to_pay"] if maturities.get(line)]
        items.append(open_item_from_invoice(row, due_date=min(dates) if dates else None,
                                            legal_entity=legal_entity, updated_at=now))
    return items
