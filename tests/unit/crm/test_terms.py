"""Contract dates from what a contract states."""

from __future__ import annotations

from datetime import date

from docket.crm.terms import add_months, contract_terms, describe_terms
from docket.model import CrmRecord


def test_months_are_added_with_the_day_clipped_to_the_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_a_term_in_months_ends_the_day_before_its_anniversary_and_renews_the_next_day() -> None:
    terms = contract_terms(CrmRecord(start_date=date(2026, 4, 1), term_months=24, auto_renewal=True, notice_days=30))

    assert terms is not None
    assert (terms.end_date, terms.renewal_date, terms.notice_date) == (
        date(2028, 3, 31), date(2028, 4, 1), date(2028, 3, 1))
    assert describe_terms(terms) == "renews 2028-04-01; notice by 2028-03-01"


def test_a_stated_end_date_wins_and_a_contract_that_does_not_renew_just_ends() -> None:
    terms = contract_terms(CrmRecord(start_date=date(2026, 4, 1), end_date=date(2026, 12, 31), term_months=12,
                                     auto_renewal=False))

    assert terms is not None
    assert (terms.end_date, terms.renewal_date, terms.notice_date) == (date(2026, 12, 31), None, None)
    assert describe_terms(terms) == "ends 2026-12-31"


def test_no_start_date_means_no_terms_and_no_end_means_open_ended() -> None:
    assert contract_terms(CrmRecord(term_months=12)) is None
    open_ended = contract_terms(CrmRecord(start_date=date(2026, 4, 1)))
    assert open_ended is not None and describe_terms(open_ended) == "open-ended"
