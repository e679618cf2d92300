"""A single tax rate the document implies (net and tax printed, no rate)."""

from __future__ import annotations

from decimal import Decimal

from docket.records.derive import derive_single_tax_line
from docket.records.rules import RuleBook, RuleSet
from tests import factories


def _rules() -> RuleSet:
    return RuleBook.load().for_document("DE01", "invoice")


def test_the_one_rate_that_turns_net_into_tax_is_derived() -> None:
    record = factories.record(tax_lines=[], net_total=Decimal("92.00"), tax_total=Decimal("17.48"),
                              total=Decimal("109.48"), supplier_country="DE")
    derived, how = derive_single_tax_line(record, _rules())
    assert [(t.rate, t.base, t.amount) for t in derived.tax_lines] == [(Decimal("19"), Decimal("92"),
                                                                         Decimal("17.48"))]
    assert how[0].rule == "tax_rate_derived" and how[0].value == "19"


def test_nothing_is_derived_when_no_rate_fits_or_lines_exist() -> None:
    odd = factories.record(tax_lines=[], net_total=Decimal("100"), tax_total=Decimal("13.00"), supplier_country="DE")
    assert derive_single_tax_line(odd, _rules()) == (odd, [])
    printed = factories.record(supplier_country="DE")
    assert derive_single_tax_line(printed, _rules()) == (printed, [])
    unknown_country = factories.record(tax_lines=[], supplier_country=None)
    assert derive_single_tax_line(unknown_country, _rules()) == (unknown_country, [])
