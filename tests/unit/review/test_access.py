"""Roles, entities and field masking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docket.review.errors import ReviewError
from docket.review.masking import mask, masked_values, unmasking
from docket.review.permissions import check_approve, check_manage_users, check_view
from docket.review.tasks import ADMINISTRATOR, User
from tests.unit.review.builders import T0, anna, otto, paul, rita, task

IBAN = "DE89370400440532013000"
admin = User("ada", ADMINISTRATOR, frozenset({"*"}))


def test_a_reviewer_sees_only_their_entities() -> None:
    check_view(rita, task(legal_entity="DE01"))
    with pytest.raises(ReviewError) as caught:
        check_view(paul, task(legal_entity="DE01"))
    assert caught.value.code == "REVIEW_NOT_PERMITTED"


def test_an_auditor_reads_every_entity_and_an_administrator_no_task() -> None:
    check_view(otto, task(legal_entity="FR01"))
    with pytest.raises(ReviewError):
        check_view(admin, task())
    check_manage_users(admin)
    for user in (rita, anna, otto):
        with pytest.raises(ReviewError):
            check_manage_users(user)


def test_a_reviewer_without_a_limit_approves_only_documents_without_an_amount() -> None:
    no_limit = User("nina", "reviewer", frozenset({"DE01"}))
    check_approve(no_limit, task(), None)
    with pytest.raises(ReviewError) as caught:
        check_approve(no_limit, task(), Decimal("0.01"))
    assert caught.value.code == "REVIEW_ABOVE_LIMIT"
    check_approve(rita, task(), Decimal("1000"))  # the limit itself is allowed


def test_masking_keeps_the_last_four_characters() -> None:
    assert mask("DE89 3704 0044 0532 0130 00") == "•" * 18 + "3000"
    assert mask("12") == "••"


def test_bank_details_are_masked_unless_an_approver_unmasked_them() -> None:
    values = {"supplier_iban": IBAN, "total": "119.00", "supplier_tax_number": "21/815/08150"}
    for user in (rita, otto, admin):
        shown = masked_values(values, user, frozenset({"supplier_iban"}))
        assert shown["supplier_iban"] != IBAN and shown["supplier_iban"].endswith("3000")
        assert shown["total"] == "119.00" and shown["supplier_tax_number"].endswith("8150")
    assert masked_values(values, anna)["supplier_iban"] != IBAN
    assert masked_values(values, anna, frozenset({"supplier_iban"}))["supplier_iban"] == IBAN


def test_only_approvers_may_unmask_and_only_protected_fields() -> None:
    entry = unmasking(anna, "doc-1", "supplier_iban", T0)
    assert (entry.login, entry.document_id, entry.field, entry.at) == ("anna", "doc-1", "supplier_iban", T0)
    with pytest.raises(ReviewError) as refused:
        unmasking(rita, "doc-1", "supplier_iban", T0)
    assert refused.value.code == "REVIEW_NOT_PERMITTED"
    with pytest.raises(ReviewError) as plain:
        unmasking(anna, "doc-1", "total", T0)
    assert plain.value.code == "REVIEW_FIELD_NOT_PROTECTED"


def test_iban_words_are_found_whole_or_in_groups_and_nothing_else() -> None:
    from docket.review.masking import bank_account_words

    assert bank_account_words(["Bank:", "IBAN", IBAN, "BIC", "COBADEFFXXX"]) == {2}
    grouped = ["IBAN", "DE89", "3704", "0044", "0532", "0130", "00", "BIC", "COBADEFFXXX"]
    assert bank_account_words(grouped) == {1, 2, 3, 4, 5, 6}
    # A checksum that does not hold, an invoice number that starts like a country code: kept.
    assert bank_account_words(["DE89370400440532013001", "DE12-2026", "DE12"]) == set()


@pytest.mark.parametrize(("words", "hidden"), [
    (["IBAN:DE89370400440532013000", "BIC"], {0}),
    (["Konto", "iban:de89370400440532013000."], {1}),
    (["IBAN", "DE89-3704-0044-0532-0130-00"], {1}),
    (["IBAN:", "DE89-3704-0044", "0532-0130-00", "Betrag"], {1, 2}),
    (["IBAN:DE89", "3704", "0044", "0532", "0130", "00"], {0, 1, 2, 3, 4, 5}),
    (["DE89\u20133704\u20130044\u20130532\u20130130\u201300"], {0}),  # en dashes
    (["IBANDE89370400440532013000"], {0}),  # the label glued on by OCR
    (["Rechnung:DE12-2026", "IBAN:DE89370400440532013001"], set()),  # no valid checksum: kept
])
def test_iban_words_with_a_label_or_dashes_are_found(words: list[str], hidden: set[int]) -> None:
    from docket.review.masking import bank_account_words

    assert bank_account_words(words) == hidden
