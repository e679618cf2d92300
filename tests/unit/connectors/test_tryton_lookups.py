"""Tryton id look-ups for a batch: one search for its parties, one for its products."""

from __future__ import annotations

from typing import Any, cast

import pytest

from connectors.base import PostingRejected
from connectors.tryton.client import TrytonClient
from connectors.tryton.lookups import TrytonLookups

PARTIES = [
    {"id": 7, "name": "Acme", "code": "V-1001", "addresses": [70], "account_payable": 1, "account_receivable": 2},
    {"id": 8, "name": "Bolt", "code": "V-1002", "addresses": [80], "account_payable": 1, "account_receivable": 2},
    {"id": 12, "name": "Coded 7", "code": "7", "addresses": [120], "account_payable": 1, "account_receivable": 2},
]
PRODUCTS = [{"id": 3, "code": "P-1", "default_uom": 1}, {"id": 4, "code": "P-2", "default_uom": 1}]


class RecordingClient:
    """Answers ``search_read`` for parties and products from the lists above, recording each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[Any]]] = []
        self.context = {"company": 1}

    def search_read(self, model: str, domain: list[Any], fields: list[str], **_: Any) -> list[dict[str, Any]]:
        self.calls.append((model, domain))
        rows = PARTIES if model == "party.party" else PRODUCTS
        return [dict(row) for row in rows if _matches(row, domain)]


def _matches(row: dict[str, Any], domain: list[Any]) -> bool:
    clauses = domain[1:] if domain and domain[0] == "OR" else domain
    for name, operator, value in clauses:
        values = value if operator == "in" else [value]
        if row[name] in values:
            return True
    return False


def _lookups() -> tuple[TrytonLookups, RecordingClient]:
    client = RecordingClient()
    return TrytonLookups(cast(TrytonClient, client)), client


def test_a_preloaded_batch_reads_its_parties_and_products_in_one_search_each() -> None:
    lookups, client = _lookups()
    lookups.preload(["V-1001", "V-1002", "V-1001", None], ["P-1", "P-2", "P-9", None])
    assert [model for model, _ in client.calls] == ["party.party", "product.product"]
    assert lookups.party("V-1002")["id"] == 8
    assert lookups.party("V-1001")["addresses"] == [70]
    assert lookups.product("P-2") == PRODUCTS[1]
    assert lookups.product("P-9") is None  # known to be absent: not searched again
    assert len(client.calls) == 2


def test_a_code_beats_an_id_among_preloaded_parties_as_in_a_single_search() -> None:
    lookups, _ = _lookups()
    lookups.preload(["7"], [])
    assert lookups.party("7")["name"] == "Coded 7"
    single, _ = _lookups()
    assert single.party("7")["name"] == "Coded 7"


def test_a_party_the_batch_did_not_find_is_refused_as_without_preloading() -> None:
    lookups, client = _lookups()
    lookups.preload(["V-404"], [])
    with pytest.raises(PostingRejected) as refused:
        lookups.party("V-404")
    assert refused.value.details["reason"] == "party_unknown"
    assert [model for model, _ in client.calls] == ["party.party", "party.party"]


def test_after_the_batch_parties_are_read_from_tryton_again() -> None:
    lookups, client = _lookups()
    lookups.preload(["V-1001"], [])
    lookups.end_batch()
    assert lookups.party("V-1001")["id"] == 7
    assert len(client.calls) == 2


def test_products_already_known_are_not_searched_in_the_next_batch() -> None:
    lookups, client = _lookups()
    lookups.preload([], ["P-1"])
    lookups.preload([], ["P-1"])
    assert client.calls == [("product.product", [("code", "in", ["P-1"])])]
