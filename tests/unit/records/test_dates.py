"""Dates: every reading kept until the document's evidence picks one."""

from __future__ import annotations

from datetime import date

import pytest

from docket.records.dates import read_date, resolve_dates
from docket.records.errors import DateUnreadableError


def test_ambiguous_numeric_date_keeps_both_readings() -> None:
    reading = read_date("03/04/2025")
    assert reading.ambiguous
    assert reading.day_first == date(2025, 4, 3)
    assert reading.month_first == date(2025, 3, 4)


@pytest.mark.parametrize(("country", "expected"), [("DE", date(2025, 4, 3)), ("GB", date(2025, 4, 3)),
                                                   ("FR", date(2025, 4, 3)), ("US", date(2025, 3, 4))])
def test_country_convention_resolves_ambiguity_both_ways(country: str, expected: date) -> None:
    resolved = resolve_dates({"issue": read_date("03/04/2025")}, country=country)
    assert resolved["issue"].value == expected
    assert resolved["issue"].evidence == "country"


def test_unambiguous_sibling_beats_the_country() -> None:
    # 25/04/2025 can only be day-first, so a US vendor's document is printed day-first here.
    readings = {"issue": read_date("03/04/2025"), "due": read_date("25/04/2025")}
    resolved = resolve_dates(readings, country="US")
    assert resolved["issue"].value == date(2025, 4, 3)
    assert resolved["issue"].evidence == "document"
    assert resolved["due"].evidence == "unambiguous"


def test_month_first_sibling_proves_month_first() -> None:
    readings = {"issue": read_date("03/04/2025"), "due": read_date("04/30/2025")}
    assert resolve_dates(readings, country="DE")["issue"].value == date(2025, 3, 4)


def test_due_date_consistency_decides_without_a_country() -> None:
    # Day-first would put the due date a month before the invoice date.
    readings = {"issue": read_date("03/04/2025"), "due": read_date("04/03/2025")}
    resolved = resolve_dates(readings, country=None)
    assert resolved["issue"].value == date(2025, 3, 4)
    assert resolved["due"].value == date(2025, 4, 3)
    assert resolved["issue"].evidence == "consistency"


def test_consistency_overrides_a_country_reading_that_makes_due_precede_issue() -> None:
    readings = {"issue": read_date("03/04/2025"), "due": read_date("04/03/2025")}
    resolved = resolve_dates(readings, country="DE")
    assert resolved["due"].value > resolved["issue"].value


def test_no_evidence_falls_back_to_day_first_and_says_so() -> None:
    resolved = resolve_dates({"issue": read_date("05/06/2025")}, country=None)
    assert resolved["issue"].value == date(2025, 6, 5)
    assert resolved["issue"].evidence == "default"


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-04-03", date(2025, 4, 3)), ("3. März 2025", date(2025, 3, 3)), ("April 3, 2025", date(2025, 4, 3)),
    ("03-Apr-25", date(2025, 4, 3)), ("1er janv. 2025", date(2025, 1, 1)), ("15 de agosto de 2024", date(2024, 8, 15)),
    ("20250403", date(2025, 4, 3)), ("31.12.24", date(2024, 12, 31)), ("Datum: 12.11.2025", date(2025, 11, 12)),
])
def test_unambiguous_forms(text: str, expected: date) -> None:
    reading = read_date(text)
    assert not reading.ambiguous
    assert resolve_dates({"issue": reading}, country="US")["issue"].value == expected


@pytest.mark.parametrize("text", ["", "soon", "31/31/2025", "Rechnung 12"])
def test_unreadable_dates_raise(text: str) -> None:
    with pytest.raises(DateUnreadableError) as caught:
        read_date(text)
    assert caught.value.code == "RECORDS_DATE_UNREADABLE"
