"""Finding Tryton's ids for what a posting names: party, accounts, taxes, journal, currency, PO.

Reference data that rarely changes (journals, taxes, currencies, configuration defaults) is
read once per sink; parties, products and purchase orders are read when asked for — or, for a
batch, all at once beforehand (:meth:`TrytonLookups.preload`: one search for the batch's parties,
one for its products, where each was a call of its own). Anything a posting names that Tryton does
not know raises :class:`~connectors.base.PostingRejected`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import cached_property
from typing import Any

from connectors.base import PostingRejected
from connectors.tryton.client import TrytonClient

_TAX_GROUP_KIND = {"in": "purchase", "out": "sale"}
_JOURNAL_TYPE = {"in": "expense", "out": "revenue"}
_PARTY_FIELDS = ["name", "code", "addresses", "account_payable", "account_receivable"]
_PRODUCT_FIELDS = ["code", "default_uom", "account_category.account_expense", "account_category.account_revenue"]


def _names(party: dict[str, Any], party_ref: str) -> bool:
    """Whether ``party_ref`` (a party code, or a Tryton id in digits) names ``party``."""
    return bool(party.get("code") == party_ref or (party_ref.isdigit() and int(party["id"]) == int(party_ref)))


class TrytonLookups:
    """Id look-ups against one Tryton database through ``client``."""

    def __init__(self, client: TrytonClient) -> None:
        self._client = client
        self._accounts: dict[str, int] = {}
        self._products: dict[str, dict[str, Any] | None] = {}
        self._batch_parties: list[dict[str, Any]] = []

    @cached_property
    def company_id(self) -> int:
        if not self._client.context:
            self._client.login()
        return int(self._client.context["company"])

    @cached_property
    def company_currency_id(self) -> int:
        company, = self._client.model("company.company", "read", [self.company_id], ["currency"])
        return int(company["currency"])

    @cached_property
    def _defaults(self) -> dict[str, Any]:
        rows = self._client.search_read("account.configuration", [], [
            "default_account_payable", "default_account_receivable",
            "default_category_account_expense", "default_category_account_revenue"], limit=1)
        return rows[0] if rows else {}

    @cached_property
    def _journals(self) -> dict[str, int]:
        rows = self._client.search_read("account.journal", [], ["type"], order=[["id", "ASC"]])
        journals: dict[str, int] = {}
        for row in rows:
            journals.setdefault(row["type"], int(row["id"]))
        return journals

    @cached_property
    def _currencies(self) -> dict[str, int]:
        rows = self._client.search_read("currency.currency", [], ["code"])
        return {row["code"]: int(row["id"]) for row in rows}

    @cached_property
    def _taxes(self) -> list[dict[str, Any]]:
        return self._client.search_read(
            "account.tax", [("type", "=", "percentage"), ("parent", "=", None)],
            ["name", "description", "rate", "group.kind"], order=[["id", "ASC"]])

    def prime(self) -> None:
        """Log in and read the reference data now (each is read once per sink anyway)."""
        for name in ("company_id", "company_currency_id", "_defaults", "_journals", "_currencies", "_taxes"):
            getattr(self, name)

    def preload(self, party_refs: Iterable[str | None], product_codes: Iterable[str | None]) -> None:
        """Read the parties and the not yet known products a batch names, one search each.

        Until :meth:`end_batch`, :meth:`party` answers the parties read here (a batch sees one
        state of its parties); a reference that found nothing is searched again alone, so its
        refusal is the same as without preloading. Products join the sink's product cache.
        """
        refs = sorted({ref for ref in party_refs if ref})
        self._batch_parties = self._search_parties(refs) if refs else []
        codes = sorted({code for code in product_codes if code and code not in self._products})
        if codes:
            rows = self._client.search_read("product.product", [("code", "in", codes)], _PRODUCT_FIELDS)
            found = {row["code"]: row for row in rows}
            self._products.update({code: found.get(code) for code in codes})

    def end_batch(self) -> None:
        """Forget the parties :meth:`preload` read: the next look-up reads Tryton again."""
        self._batch_parties = []

    def _search_parties(self, refs: list[str]) -> list[dict[str, Any]]:
        ids = [int(ref) for ref in refs if ref.isdigit()]
        domain: list[Any] = [("code", "in", refs)]
        if ids:
            domain = ["OR", ("code", "in", refs), ("id", "in", ids)]
        return self._client.search_read("party.party", domain, _PARTY_FIELDS)

    def party(self, party_ref: str | None) -> dict[str, Any]:
        """The party a posting names by Tryton id or party code, with its first address."""
        if not party_ref:
            raise PostingRejected("posting names no party; Tryton parties are never created by Docket",
                                  details={"reason": "party_missing"})
        rows = [row for row in self._batch_parties if _names(row, party_ref)]
        if not rows:
            rows = self._search_parties([party_ref])
        rows.sort(key=lambda row: row.get("code") != party_ref)
        if not rows:
            raise PostingRejected(f"party {party_ref!r} is unknown in Tryton", details={"reason": "party_unknown"})
        if not rows[0]["addresses"]:
            raise PostingRejected(f"party {party_ref!r} has no address in Tryton",
                                  details={"reason": "party_without_address"})
        return rows[0]

    def party_account(self, party: dict[str, Any], kind: str) -> int:
        """The payable (``in``) or receivable (``out``) account of ``party``, else the company default."""
        name = "account_payable" if kind == "in" else "account_receivable"
        account = party.get(name) or self._defaults.get(f"default_{name}")
        if not account:
            raise PostingRejected(f"no {name.replace('_', ' ')} for party {party['name']!r}",
                                  details={"reason": "no_party_account"})
        return int(account)

    def journal(self, kind: str) -> int:
        journal = self._journals.get(_JOURNAL_TYPE[kind])
        if journal is None:
            raise PostingRejected(f"Tryton has no {_JOURNAL_TYPE[kind]} journal", details={"reason": "no_journal"})
        return journal

    def currency(self, code: str | None) -> int:
        if code is None:
            return self.company_currency_id
        currency = self._currencies.get(code.upper())
        if currency is None:
            raise PostingRejected(f"currency {code} is not set up in Tryton", details={"reason": "currency_unknown"})
        return currency

    def account(self, code: str) -> int:
        """The id of the account with ``code`` (a GL account number)."""
        if code not in self._accounts:
            rows = self._client.search_read("account.account", [("code", "=", code)], ["code"], limit=1)
            if not rows:
                raise PostingRejected(f"GL account {code!r} does not exist in Tryton",
                                      details={"reason": "gl_account_unknown"})
            self._accounts[code] = int(rows[0]["id"])
        return self._accounts[code]

    def product(self, code: str | None) -> dict[str, Any] | None:
        """The product with ``code`` (with its category's accounts), or None when there is none."""
        if not code:
            return None
        if code not in self._products:
            rows = self._client.search_read("product.product", [("code", "=", code)], _PRODUCT_FIELDS, limit=1)
            self._products[code] = rows[0] if rows else None
        return self._products[code]

    def line_account(self, kind: str, gl_account: str | None, product: dict[str, Any] | None) -> int:
        """The account of a line: the posting's GL account, else the product's, else the default."""
        if gl_account:
            return self.account(gl_account)
        side = "expense" if kind == "in" else "revenue"
        category = (product or {}).get("account_category.") or {}
        account = category.get(f"account_{side}") or self._defaults.get(f"default_category_account_{side}")
        if not account:
            raise PostingRejected(f"no {side} account for the line and no default in Tryton",
                                  details={"reason": "no_line_account"})
        return int(account)

    def taxes(self, kind: str, rate_percent: Decimal | None, tax_code: str | None) -> tuple[int, ...]:
        """The tax for ``rate_percent`` on the purchase (``in``) or sale (``out``) side; () for none.

        Where several taxes share the rate, ``tax_code`` picks the one whose name or description
        it equals; otherwise the oldest one wins.
        """
        if rate_percent is None:
            return ()
        fraction = rate_percent / 100
        candidates = [tax for tax in self._taxes
                      if (tax.get("group.") or {}).get("kind") in (_TAX_GROUP_KIND[kind], "both")
                      and abs(Decimal(tax["rate"]) - fraction) < Decimal("0.000001")]
        if not candidates:
            raise PostingRejected(f"Tryton has no {_TAX_GROUP_KIND[kind]} tax at {rate_percent.normalize():f} %",
                                  details={"reason": "tax_unknown"})
        named = [tax for tax in candidates if tax_code and tax_code in (tax["name"], tax.get("description"))]
        return (int((named or candidates)[0]["id"]),)

    def purchase(self, po_number: str | None, party_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """The confirmed purchase ``po_number`` of ``party_id`` and its lines, or None."""
        if not po_number:
            return None
        rows = self._client.search_read("purchase.purchase", [
            ["OR", ("number", "=", po_number), ("reference", "=", po_number)],
            ("party", "=", party_id), ("state", "in", ["confirmed", "processing", "done"])],
            ["number", "reference"], limit=1)
        if not rows:
            return None
        lines = self._client.search_read("purchase.line", [("purchase", "=", rows[0]["id"]), ("type", "=", "line")],
                                         ["product.code", "quantity", "unit_price", "description"],
                                         order=[["sequence", "ASC"], ["id", "ASC"]])
        return rows[0], lines
