"""An incrementally updated, in-memory directory of vendors or customers with fast lookups.

Master data arrives one record at a time from compacted topics (upserts, and deletes as
``remove``); cross-references (ERP ids, learned name aliases, bank accounts) arrive the same
way. Lookups by VAT ID, IBAN, alias and external id are dictionary hits. Fuzzy name lookups go
through a blocking index (name tokens plus 4-character prefixes and suffixes of longer tokens,
so one OCR slip in a word still meets its block) and score only the few hundred parties sharing
the rarest keys with rapidfuzz, which keeps 100k parties fast.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

from docket.model import CrossReference, Customer, Vendor
from docket.records.errors import RecordsError
from docket.records.identifiers import normalize_vat_id
from docket.records.text import canonical_address, canonical_name

P = TypeVar("P", Vendor, Customer)
NAME_ALIAS_SYSTEM = "name_alias"
MAX_CANDIDATES = 400
_EntityKey = tuple[str, str]


def vat_key(vat_id: str, country: str | None = None) -> str:
    """The index form of a VAT ID: the canonical form of :func:`normalize_vat_id` (compact, upper case,
    country prefix, no Swiss/Norwegian suffix), computed without the check-digit test when the ID
    already carries a plain prefix; invalid IDs are indexed compacted."""
    compact = "".join(ch for ch in vat_id.upper() if ch.isalnum())
    if compact[:2].isalpha() and not compact.startswith(("CH", "NO")):
        return compact
    try:
        return normalize_vat_id(vat_id, country=country).value
    except RecordsError:
        return "".join(ch for ch in vat_id.upper() if ch.isalnum())


def iban_key(iban: str) -> str:
    """The index form of an IBAN: compact upper case (checksums are the normalizer's business)."""
    return "".join(ch for ch in iban.upper() if ch.isalnum())


def blocking_keys(name: str) -> set[str]:
    """The keys under which a canonical name is filed for fuzzy candidate search."""
    keys: set[str] = set()
    for token in name.split():
        if len(token) >= 2:
            keys.add(token)
        if len(token) >= 5:
            keys.add("<" + token[:4])
            keys.add(">" + token[-4:])
    return keys


@dataclass(frozen=True)
class _Entry(Generic[P]):
    party: P
    name: str
    address: str
    keys: frozenset[str]
    vat: str | None
    ibans: frozenset[str]
    aliases: frozenset[str]


@dataclass(frozen=True)
class FuzzyHit(Generic[P]):
    """A party found by name: ``name_score`` and ``address_score`` in 0..1 (address None if not compared)."""

    party: P
    name_score: float
    address_score: float | None

    @property
    def score(self) -> float:
        """Name and address combined (address weighs a quarter when both sides have one)."""
        if self.address_score is None:
            return self.name_score
        return 0.75 * self.name_score + 0.25 * self.address_score


class PartyDirectory(Generic[P]):
    """Vendors or customers of all legal entities, indexed for resolution.

    ``kind`` is ``vendor`` or ``customer``: the cross-reference kind this directory accepts
    (``bank_account`` cross-references are accepted by both).
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[_EntityKey, _Entry[P]] = {}
        self._vat: dict[_EntityKey, set[str]] = defaultdict(set)
        self._iban: dict[_EntityKey, set[str]] = defaultdict(set)
        self._alias: dict[_EntityKey, set[str]] = defaultdict(set)
        self._block: dict[_EntityKey, set[str]] = defaultdict(set)
        self._xrefs: dict[tuple[str, str, str], CrossReference] = {}
        self._external: dict[tuple[str, str, str], str] = {}
        # The way back: (legal entity, party id) -> {system: external id}; (legal entity, id) -> systems.
        self._ids_of: dict[_EntityKey, dict[str, str]] = defaultdict(dict)
        self._systems_of_id: dict[_EntityKey, set[tuple[str, str]]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._entries)

    # -- master data -----------------------------------------------------------------------
    def upsert(self, party: P) -> None:
        """Add ``party`` or replace the stored version of it (keyed legal entity + party id)."""
        self.remove(party.legal_entity, party.party_id)
        le = party.legal_entity
        name = canonical_name(party.name)
        entry = _Entry(
            party=party, name=name, address=canonical_address(party.address or ""),
            keys=frozenset(blocking_keys(name)),
            vat=vat_key(party.vat_id, party.country) if party.vat_id else None,
            ibans=frozenset(iban_key(i) for i in party.ibans),
            aliases=frozenset(a for a in (canonical_name(x) for x in party.aliases) if a))
        self._entries[(le, party.party_id)] = entry
        self._index(le, party.party_id, entry, add=True)

    def remove(self, legal_entity: str, party_id: str) -> None:
        """Forget a party (a tombstone on the compacted topic); unknown ids are ignored."""
        entry = self._entries.pop((legal_entity, party_id), None)
        if entry is not None:
            self._index(legal_entity, party_id, entry, add=False)

    def _index(self, le: str, party_id: str, entry: _Entry[P], *, add: bool) -> None:
        postings = [(self._vat, entry.vat)] if entry.vat else []
        postings += [(self._iban, i) for i in entry.ibans]
        postings += [(self._alias, a) for a in entry.aliases]
        postings += [(self._block, k) for k in entry.keys]
        for index, key in postings:
            if add:
                index[(le, key)].add(party_id)
            else:
                index[(le, key)].discard(party_id)
                if not index[(le, key)]:
                    del index[(le, key)]

    def get(self, legal_entity: str, party_id: str) -> P | None:
        """The party with ``party_id``, or None."""
        entry = self._entries.get((legal_entity, party_id))
        return entry.party if entry else None

    # -- cross-references ------------------------------------------------------------------
    def add_xref(self, xref: CrossReference) -> bool:
        """Store a cross-reference of this directory's kind (or a bank account); False if not ours."""
        if xref.kind not in (self.kind, "bank_account"):
            return False
        self.remove_xref(xref.legal_entity, xref.system, xref.external_id)
        key = (xref.legal_entity, xref.system, xref.external_id)
        self._xrefs[key] = xref
        if xref.system == NAME_ALIAS_SYSTEM:
            self._alias[(xref.legal_entity, canonical_name(xref.external_id))].add(xref.party_id)
        elif xref.kind == "bank_account":
            self._iban[(xref.legal_entity, iban_key(xref.external_id))].add(xref.party_id)
        else:
            self._external[key] = xref.party_id
            self._ids_of[(xref.legal_entity, xref.party_id)][xref.system] = xref.external_id
            self._systems_of_id[(xref.legal_entity, xref.external_id)].add((xref.system, xref.party_id))
        return True

    def remove_xref(self, legal_entity: str, system: str, external_id: str) -> None:
        """Forget a cross-reference (tombstone keyed ``legal_entity:system:external_id``)."""
        xref = self._xrefs.pop((legal_entity, system, external_id), None)
        if xref is None:
            return
        if self._external.pop((legal_entity, system, external_id), None) is not None:
            ids = self._ids_of[(legal_entity, xref.party_id)]
            if ids.get(system) == external_id:
                del ids[system]
            if not ids:
                del self._ids_of[(legal_entity, xref.party_id)]
            systems = self._systems_of_id[(legal_entity, external_id)]
            systems.discard((system, xref.party_id))
            if not systems:
                del self._systems_of_id[(legal_entity, external_id)]
        if system == NAME_ALIAS_SYSTEM:
            self._alias[(legal_entity, canonical_name(external_id))].discard(xref.party_id)
        elif xref.kind == "bank_account":
            self._iban[(legal_entity, iban_key(external_id))].discard(xref.party_id)

    # -- lookups ---------------------------------------------------------------------------
    def _parties(self, le: str, ids: set[str] | None, *, active_only: bool = True) -> list[P]:
        found = [self._entries[(le, pid)].party for pid in sorted(ids or ()) if (le, pid) in self._entries]
        return [p for p in found if p.active or not active_only]

    def by_vat_id(self, legal_entity: str, vat_id: str) -> list[P]:
        """Active parties with this VAT ID (any printed form)."""
        return self._parties(legal_entity, self._vat.get((legal_entity, vat_key(vat_id))))

    def by_iban(self, legal_entity: str, iban: str) -> list[P]:
        """Active parties paid through (or paying from) this IBAN, from master data or bank xrefs."""
        return self._parties(legal_entity, self._iban.get((legal_entity, iban_key(iban))))

    def by_alias(self, legal_entity: str, name: str) -> list[P]:
        """Active parties with ``name`` as a master-data or learned alias (compared canonically)."""
        return self._parties(legal_entity, self._alias.get((legal_entity, canonical_name(name))))

    def by_external_id(self, legal_entity: str, system: str, external_id: str) -> P | None:
        """The party another system knows as ``external_id``."""
        party_id = self._external.get((legal_entity, system, external_id))
        return self.get(legal_entity, party_id) if party_id else None

    def by_reference(self, legal_entity: str, reference: str, systems: tuple[str, ...]) -> list[tuple[P, str]]:
        """Active parties a printed reference (a customer number, a CRM account id) names, with how:
        ``party_id`` when it is the party's own id (the ERP's customer number), else the system of
        ``systems`` whose cross-reference holds it. Compared as printed, spaces removed."""
        printed = "".join(reference.split())
        if not printed:
            return []
        found: list[tuple[P, str]] = []
        own = self.get(legal_entity, printed)
        if own is not None and own.active:
            found.append((own, "party_id"))
        for system, party_id in sorted(self._systems_of_id.get((legal_entity, printed), ())):
            party = self.get(legal_entity, party_id)
            if system in systems and party is not None and party.active and \
                    all(party.party_id != known.party_id for known, _ in found):
                found.append((party, system))
        return found

    def xrefs_of(self, legal_entity: str, party_id: str) -> dict[str, str]:
        """The ids ``party_id`` has in other systems (``{"tryton.customer": "23", "crm": "ACC-9"}``);
        learned name aliases and bank accounts are not ids and are left out."""
        return dict(sorted(self._ids_of.get((legal_entity, party_id), {}).items()))

    def knows_iban(self, party: P, iban: str) -> bool:
        """Whether ``iban`` is on record for ``party`` (master data or a bank-account xref)."""
        return party.party_id in self._iban.get((party.legal_entity, iban_key(iban)), set())

    def _candidates(self, le: str, name: str) -> set[str]:
        postings = [self._block[(le, k)] for k in blocking_keys(name) if (le, k) in self._block]
        postings.sort(key=len)
        found: set[str] = set()
        for posting in postings:
            if found and len(found) + len(posting) > MAX_CANDIDATES:
                break
            found |= posting
        return found

    def fuzzy(self, legal_entity: str, name: str, address: str | None = None, *,
              limit: int = 5, min_score: float = 0.6) -> list[FuzzyHit[P]]:
        """Active parties whose name (and address) resemble the given ones, best first."""
        query = canonical_name(name)
        if not query:
            return []
        candidates = self._candidates(legal_entity, query)
        choices = {pid: self._entries[(legal_entity, pid)].name for pid in candidates}
        scored = process.extract(query, choices, scorer=fuzz.token_sort_ratio, limit=max(limit * 3, 10),
                                 score_cutoff=min_score * 100)
        query_address = canonical_address(address) if address else ""
        hits: list[FuzzyHit[P]] = []
        for _, name_score, pid in scored:
            entry = self._entries[(legal_entity, str(pid))]
            if not entry.party.active:
                continue
            address_score = (fuzz.token_set_ratio(query_address, entry.address) / 100
                             if query_address and entry.address else None)
            hits.append(FuzzyHit(entry.party, name_score / 100, address_score))
        hits.sort(key=lambda h: (-h.score, h.party.party_id))
        return hits[:limit]


class VendorDirectory(PartyDirectory[Vendor]):
    """The vendors of all legal entities (``masterdata.vendors`` plus vendor and bank xrefs)."""

    def __init__(self) -> None:
        super().__init__("vendor")


class CustomerDirectory(PartyDirectory[Customer]):
    """The customers of all legal entities (``masterdata.customers`` plus customer and bank xrefs)."""

    def __init__(self) -> None:
        super().__init__("customer")
