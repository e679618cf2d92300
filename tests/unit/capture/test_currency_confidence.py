"""How sure a currency read from the codes printed beside amounts is."""

from __future__ import annotations

from collections import Counter

from docket.understanding.extract.commercial import _currency_confidence


def test_one_currency_printed_beside_several_amounts_is_trusted() -> None:
    assert _currency_confidence(3, Counter({"EUR": 3})) >= 0.95


def test_a_lone_mention_is_less_sure_and_competing_currencies_least() -> None:
    lone = _currency_confidence(1, Counter({"EUR": 1}))
    competing = _currency_confidence(3, Counter({"EUR": 3, "USD": 1}))
    assert competing < lone < 0.9
