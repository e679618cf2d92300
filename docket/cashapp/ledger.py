"""The receivables a payment can be applied to, indexed for matching, and payer resolution."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz, process, utils

from docket.cashapp.references import InvoiceNumberIndex
from docket.cashapp.statements.line import normalise_account, valid_creditor_reference
from docket.model.masterdata import CrossReference, Customer, OpenItem

_LEGAL_FORMS = re.compile(
    r"\b(gmbh|ag|kg|ohg|ug|se|sa|sas|sarl|srl|spa|bv|nv|ltd|limited|plc|llc|inc|corp|corporation|co|"
    r"company|oy|ab|as|aps|kft|sp z o o|s l|s a|pty)\b")


def normalise_name(name: str) -> str:
    """A party name for comparison: lower case, punctuation and legal forms dropped."""
    # "B.V." and "S.A." must read as the legal forms "bv" and "sa", not as stray letters
    simple = utils.default_process(name.replace(".", "").replace("&", " "))
    return re.sub(r"\s+", " ", _LEGAL_FORMS.sub(" ", simple)).strip()


@dataclass(frozen=True, slots=True)
class PayerMatch:
    """Who paid: ``method`` is ``payer_account`` (a known bank account) or ``payer_name`` (fuzzy
    name match, ``score`` 0..1); ``runner_up`` is the next best customer by name, if any."""

    customer_id: str
    method: str
    score: float
    runner_up: str | None = None
    runner_up_score: float = 0.0


@dataclass
class Ledger:
    """Open items, customers and bank-account cross references of one legal entity.

    Built once per batch of payments (the agent rebuilds it from its tables); lookups are by
    item id, customer, structured reference and invoice number.
    """

    items: dict[str, OpenItem] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    by_customer: dict[str, list[OpenItem]] = field(default_factory=lambda: defaultdict(list))
    by_reference: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    numbers: InvoiceNumberIndex = field(default_factory=InvoiceNumberIndex)
    accounts: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    by_amount: dict[tuple[str, Decimal], list[str]] = field(default_factory=lambda: defaultdict(list))
    name_owners: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    name_keys: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(cls, items: Iterable[OpenItem], customers: Iterable[Customer] = (),
              xrefs: Iterable[CrossReference] = ()) -> Ledger:
        """Index items with something left open, customers' names, aliases and IBANs, and
        ``bank_account`` cross references (a cross reference wins over a customer's IBAN list)."""
        ledger = cls()
        for item in items:
            if item.amount_open <= 0:
                continue
            ledger.items[item.item_id] = item
            ledger.by_customer[item.customer_id].append(item)
            ledger.numbers.add(item.item_id, item.invoice_number)
            ledger.by_amount[(item.currency, item.amount_open.normalize())].append(item.item_id)
            reference = valid_creditor_reference(item.structured_reference) or item.structured_reference
            if reference:
                ledger.by_reference[reference.replace(" ", "").upper()].append(item.item_id)
        for customer in customers:
            ledger.customers[customer.party_id] = customer
            for label in (customer.name, *customer.aliases):
                key = normalise_name(label)
                if key:
                    ledger.names.setdefault(key, customer.party_id)
                    if customer.party_id not in ledger.name_owners[key]:
                        ledger.name_owners[key].append(customer.party_id)
                        ledger.name_keys[customer.party_id].append(key)
            for iban in customer.ibans:
                account = normalise_account(iban)
                if account:
                    ledger.accounts[account] = customer.party_id
        for xref in xrefs:
            account = normalise_account(xref.external_id)
            if xref.kind == "bank_account" and account:
                ledger.accounts[account] = xref.party_id
        return ledger

    def items_of(self, customer_id: str) -> list[OpenItem]:
        """The customer's open items, oldest invoice first."""
        return sorted(self.by_customer.get(customer_id, []), key=lambda i: (i.invoice_date, i.item_id))

    def items_with_amount(self, currency: str, amount: Decimal) -> list[OpenItem]:
        """Items open for exactly ``amount`` in ``currency``, whoever the customer."""
        return [self.items[i] for i in self.by_amount.get((currency, amount.normalize()), [])]

    def items_with_reference(self, reference: str | None) -> list[OpenItem]:
        """Items whose structured reference equals ``reference`` (spacing and case ignored)."""
        if not reference:
            return []
        return [self.items[i] for i in self.by_reference.get(reference.replace(" ", "").upper(), [])]

    def resolve_payer(self, account: str | None, name: str | None, *, min_name_score: float = 0.88
                      ) -> PayerMatch | None:
        """The customer behind a payment: by known bank account first, else by fuzzy name.

        Name matching uses token-set similarity on normalised names (legal forms dropped); below
        ``min_name_score`` there is no match. Returns None when neither identifies a customer.
        """
        known = self.accounts.get(normalise_account(account) or "")
        if known:
            return PayerMatch(customer_id=known, method="payer_account", score=1.0)
        if not name or not self.names:
            return None
        query = normalise_name(name)
        if not query:
            return None
        best = process.extract(query, self.names.keys(), scorer=fuzz.token_sort_ratio, limit=5,
                               score_cutoff=min_name_score * 100 - 20)
        if not best:
            return None
        top_name, top_score, _ = best[0]
        if top_score < min_name_score * 100:
            return None
        customer_id = self.names[top_name]
        others = [(self.names[n], sc) for n, sc, _ in best[1:] if self.names[n] != customer_id]
        return PayerMatch(customer_id=customer_id, method="payer_name", score=top_score / 100,
                          runner_up=others[0][0] if others else None,
                          runner_up_score=others[0][1] / 100 if others else 0.0)

    def name_score(self, customer_id: str, name: str | None) -> float:
        """How well ``name`` matches the customer's name or aliases (0..1, token-sort similarity of
        normalised names); 0 without a name."""
        query = normalise_name(name) if name else ""
        keys = self.name_keys.get(customer_id, [])
        if not query or not keys:
            return 0.0
        return max(fuzz.token_sort_ratio(query, key) for key in keys) / 100

    def name_candidates(self, name: str | None, *, min_score: float) -> list[tuple[str, float]]:
        """Customers whose name matches ``name`` at ``min_score`` or better, best first; customers
        sharing one legal name all appear (with the same score)."""
        query = normalise_name(name) if name else ""
        if not query or not self.name_owners:
            return []
        found: dict[str, float] = {}
        for key, score, _ in process.extract(query, self.name_owners.keys(), scorer=fuzz.token_sort_ratio,
                                             limit=5, score_cutoff=min_score * 100):
            for customer_id in self.name_owners[key]:
                found[customer_id] = max(found.get(customer_id, 0.0), score / 100)
        return sorted(found.items(), key=lambda p: (-p[1], p[0]))

    def account_owner(self, account: str | None) -> str | None:
        """The customer a payer bank account is known to belong to (cross references, IBAN lists)."""
        return self.accounts.get(normalise_account(account) or "")
