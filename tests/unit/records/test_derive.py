"""A single tax rate the document implies (net and tax printed, no rate)."""

from __future__ import annotations

from decimal import Decimal

from docket.model import InvoiceLine, InvoiceRecord, TaxLine
from docket.records.derive import derive_line_tax_rates, derive_single_tax_line
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


def _line(index: int, amount: str, rate: str | None = None) -> InvoiceLine:
    return InvoiceLine(index=index, description=f"item {index}", quantity=Decimal(1), unit_price=Decimal(amount),
                       amount=Decimal(amount), tax_rate=None if rate is None else Decimal(rate))


def _two_rates(lines: list[InvoiceLine], base_19: str, base_7: str, with_bases: bool = True) -> InvoiceRecord:
    b19, b7 = Decimal(base_19), Decimal(base_7)
    tax19, tax7 = (b19 * Decimal("0.19")).quantize(Decimal("0.01")), (b7 * Decimal("0.07")).quantize(Decimal("0.01"))
    return factories.record(lines=lines, net_total=b19 + b7, tax_total=tax19 + tax7, total=b19 + b7 + tax19 + tax7,
                            tax_lines=[TaxLine(rate=Decimal(19), base=b19 if with_bases else None, amount=tax19),
                                       TaxLine(rate=Decimal(7), base=b7 if with_bases else None, amount=tax7)])


def test_line_rates_follow_from_the_only_split_matching_the_tax_breakdown() -> None:
    lines = [_line(0, "120.50"), _line(1, "33.10"), _line(2, "80.00"), _line(3, "7.25")]
    for with_bases in (True, False):
        record = _two_rates(lines, base_19="200.50", base_7="40.35", with_bases=with_bases)
        derived, how = derive_line_tax_rates(record, _rules())
        assert [line.tax_rate for line in derived.lines] == [Decimal(19), Decimal(7), Decimal(19), Decimal(7)]
        assert {n.field for n in how} == {f"line_{i}_tax_rate" for i in range(4)}
        assert all(n.rule == "line_tax_rate_derived" for n in how)


def test_printed_line_rates_count_and_only_the_missing_ones_are_derived() -> None:
    lines = [_line(0, "50.00", "19"), _line(1, "50.00"), _line(2, "10.00")]
    derived, how = derive_line_tax_rates(_two_rates(lines, base_19="100.00", base_7="10.00"), _rules())
    assert [line.tax_rate for line in derived.lines] == [Decimal(19), Decimal(19), Decimal(7)]
    assert [n.field for n in how] == ["line_1_tax_rate", "line_2_tax_rate"]


def test_ambiguous_impossible_or_single_rate_documents_derive_nothing() -> None:
    ambiguous = _two_rates([_line(0, "10.00"), _line(1, "10.00")], base_19="10.00", base_7="10.00")
    impossible = _two_rates([_line(0, "10.00"), _line(1, "25.00")], base_19="20.00", base_7="15.00")
    single = factories.record(lines=[_line(0, "100.00")])
    for record in (ambiguous, impossible, single):
        assert derive_line_tax_rates(record, _rules()) == (record, [])


def test_without_bases_the_split_exact_to_the_cent_wins_over_one_inside_the_tolerance() -> None:
    # 620.62 at 19 % and 528.88 at 7 % print 117.92 and 37.02; lines 0,1,3,4 at 7 % and 2,5 at 19 %
    # (620.60 / 528.90) also come within 0.02 of both, but give 117.91.
    amounts = ["136.16", "52.52", "172.20", "259.74", "80.48", "448.40"]
    record = factories.record(lines=[_line(i, a) for i, a in enumerate(amounts)],
                              tax_lines=[TaxLine(rate=Decimal(19), amount=Decimal("117.92")),
                                         TaxLine(rate=Decimal(7), amount=Decimal("37.02"))])
    derived, _ = derive_line_tax_rates(record, _rules())
    assert [line.tax_rate for line in derived.lines] == [Decimal(r) for r in (19, 19, 19, 19, 7, 7)]
