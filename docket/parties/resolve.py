"""Which master-data party a document names, in order of evidence, with ranked candidates.

Evidence order: a printed reference (a customer number: the party's own id, or its id in one of
the ``reference_systems`` of the cross-reference table, e.g. the CRM account id), then VAT ID,
then IBAN, then a learned or master-data alias, then fuzzy name + address. An identifier pointing
at exactly one active party decides; several parties sharing an identifier (branches under one VAT
ID) are told apart by the weaker evidence. The fuzzy match decides only above ``min_name_score``
and with a clear margin over the runner-up; otherwise the party stays unresolved and the
candidates go to review.

One identity, never by name alone when an id exists: a reference and a VAT ID that name two
different parties resolve to nobody (method ``conflict``, both as candidates); a printed reference
that names no party leaves a name-only match at :data:`UNKNOWN_REFERENCE_NAME_SCORE` at most, below
any straight-through threshold, so a person looks. The resolved party carries its ids in the
other systems (``PartyMatch.xrefs``: the ERP party, the CRM account, an external CRM's id).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic

from docket.model import PartyCandidate, PartyMatch
from docket.parties.directory import FuzzyHit, P, PartyDirectory

METHOD_SCORES = {"customer_number": 1.0, "vat_id": 1.0, "iban": 0.97, "alias": 0.95}
UNKNOWN_REFERENCE_NAME_SCORE = 0.8
"""The most a name-only match scores when the document prints a reference that names no party."""
REFERENCE_SYSTEMS = ("crm",)
"""Cross-reference systems whose ids documents print as the customer number (the CRM account id)."""


@dataclass(frozen=True)
class PartyQuery:
    """What a document says about one party (normalized values)."""

    name: str | None = None
    address: str | None = None
    vat_id: str | None = None
    iban: str | None = None
    country: str | None = None
    reference: str | None = None
    """A printed customer number / account id (``Customer number: C-2001``)."""


@dataclass(frozen=True)
class Resolution(Generic[P]):
    """The match as the event carries it, plus the master-data record it points at."""

    match: PartyMatch
    party: P | None


def _candidate(party: P, method: str, score: float) -> PartyCandidate:
    return PartyCandidate(party_id=party.party_id, name=party.name, method=method, score=round(score, 4))


def _narrow(parties: list[P], hits: list[FuzzyHit[P]]) -> P | None:
    """One of several parties sharing an identifier, picked by name and address similarity (None if a tie)."""
    ids = {p.party_id for p in parties}
    ranked = [h for h in hits if h.party.party_id in ids]
    if ranked and (len(ranked) == 1 or ranked[0].score - ranked[1].score >= 0.05):
        return ranked[0].party
    return None


def _conflict(query: PartyQuery, directory: PartyDirectory[P], legal_entity: str,
              by_reference: list[P]) -> list[P] | None:
    """The parties a printed reference and VAT ID name when they name different ones, else None."""
    if len(by_reference) != 1 or not query.vat_id:
        return None
    by_vat: list[P] = directory.by_vat_id(legal_entity, query.vat_id)
    if not by_vat or any(p.party_id == by_reference[0].party_id for p in by_vat):
        return None
    return by_reference + by_vat


def resolve_party(query: PartyQuery, directory: PartyDirectory[P], *, legal_entity: str, role: str,
                  min_name_score: float = 0.9, min_margin: float = 0.05,
                  reference_systems: tuple[str, ...] = REFERENCE_SYSTEMS) -> Resolution[P]:
    """Resolve one party; never raises. ``role`` is ``vendor`` or ``customer``.

    ``PartyMatch.bank_account_known`` is None when the document prints no IBAN, else whether the
    printed IBAN is on record for the resolved party (False for an unresolved party).
    """
    by_reference = [party for party, _ in directory.by_reference(legal_entity, query.reference, reference_systems)] \
        if query.reference else []
    conflicting = _conflict(query, directory, legal_entity, by_reference)
    if conflicting is not None:
        methods = ["customer_number"] + ["vat_id"] * (len(conflicting) - 1)
        named = [_candidate(party, method, METHOD_SCORES[method]) for party, method in zip(conflicting, methods,
                                                                                             strict=True)]
        return Resolution(PartyMatch(role=role, method="conflict", score=0.0, candidates=named,
                                     bank_account_known=None if query.iban is None else False), None)
    fuzzy_hits: list[FuzzyHit[P]] | None = None

    def hits() -> list[FuzzyHit[P]]:
        # Fuzzy search is the expensive step: run it only when identifiers did not settle the party.
        nonlocal fuzzy_hits
        if fuzzy_hits is None:
            fuzzy_hits = directory.fuzzy(legal_entity, query.name, query.address) if query.name else []
        return fuzzy_hits

    candidates: dict[str, PartyCandidate] = {}
    chosen: tuple[P, str, float] | None = None
    evidence = [("customer_number", by_reference),
                ("vat_id", directory.by_vat_id(legal_entity, query.vat_id) if query.vat_id else []),
                ("iban", directory.by_iban(legal_entity, query.iban) if query.iban else []),
                ("alias", directory.by_alias(legal_entity, query.name) if query.name else [])]
    for method, parties in evidence:
        for party in parties:
            candidates.setdefault(party.party_id, _candidate(party, method, METHOD_SCORES[method]))
        if chosen is None and parties:
            picked = parties[0] if len(parties) == 1 else _narrow(parties, hits())
            if picked is not None:
                score = METHOD_SCORES[method] if len(parties) == 1 else METHOD_SCORES[method] - 0.05
                chosen = (picked, method, score)
    if chosen is None:
        for hit in hits():
            candidates.setdefault(hit.party.party_id, _candidate(hit.party, "name", hit.score))
        ranked_hits = hits()
        runner_up = ranked_hits[1].score if len(ranked_hits) > 1 else 0.0
        if ranked_hits and ranked_hits[0].score >= min_name_score and ranked_hits[0].score - runner_up >= min_margin:
            chosen = (ranked_hits[0].party, "name", ranked_hits[0].score)
    ranked = sorted(candidates.values(), key=lambda c: (-c.score, c.party_id))[:5]
    if chosen is None:
        known = None if query.iban is None else False
        return Resolution(PartyMatch(role=role, method="none", score=0.0, candidates=ranked,
                                     bank_account_known=known), None)
    party, method, score = chosen
    if query.reference and not by_reference and method in ("alias", "name"):
        # The document names its id, and that id is nobody's: a name (a learned alias is one) does not decide.
        method, score = "name", min(score, UNKNOWN_REFERENCE_NAME_SCORE)
    bank_known = None if query.iban is None else directory.knows_iban(party, query.iban)
    match = PartyMatch(role=role, party_id=party.party_id, name=party.name, method=method,
                       score=round(min(score, 1.0), 4), candidates=ranked, bank_account_known=bank_known,
                       xrefs=directory.xrefs_of(legal_entity, party.party_id))
    return Resolution(match, party)
