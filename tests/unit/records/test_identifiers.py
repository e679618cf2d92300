"""VAT IDs, IBANs and BICs: check digits verified, one canonical form."""

from __future__ import annotations

import pytest

from docket.records.currency import normalize_currency
from docket.records.errors import CurrencyUnknownError, IdentifierInvalidError
from docket.records.identifiers import normalize_bic, normalize_iban, normalize_vat_id
from docket.records.text import canonical_address, canonical_name


@pytest.mark.parametrize(("text", "country", "expected"), [
    ("DE 136 695 976", None, "DE136695976"), ("de136695976", None, "DE136695976"), ("136695976", "DE", "DE136695976"),
    ("ATU 13585627", None, "ATU13585627"), ("GB 980 7806 84", None, "GB980780684"),
    ("EL 094259216", None, "EL094259216"), ("CHE-123.456.788 MWST", None, "CHE123456788"),
    ("CHE-123.456.788 TVA", None, "CHE123456788"),
])
def test_vat_ids_canonicalise(text: str, country: str | None, expected: str) -> None:
    tax_id = normalize_vat_id(text, country=country)
    assert tax_id.value == expected
    assert tax_id.validated


def test_greek_prefix_maps_to_iso_country() -> None:
    assert normalize_vat_id("EL094259216").country == "GR"


def test_vat_id_with_a_wrong_check_digit_is_rejected() -> None:
    with pytest.raises(IdentifierInvalidError) as caught:
        normalize_vat_id("DE136695977")
    assert caught.value.code == "RECORDS_VAT_ID_INVALID"


def test_country_without_a_checker_is_compacted_but_not_validated() -> None:
    tax_id = normalize_vat_id("12-3456789", country="US")
    assert tax_id.value == "123456789"
    assert not tax_id.validated


def test_iban_is_compacted_and_checked() -> None:
    assert normalize_iban("de89 3704 0044 0532 0130 00") == ("DE89370400440532013000", "DE")
    with pytest.raises(IdentifierInvalidError) as caught:
        normalize_iban("DE89 3704 0044 0532 0130 01")
    assert caught.value.code == "RECORDS_IBAN_INVALID"


def test_bic_gets_its_branch_code() -> None:
    assert normalize_bic("COBA DE FF") == "COBADEFFXXX"
    assert normalize_bic("DEUTDEFF500") == "DEUTDEFF500"
    with pytest.raises(IdentifierInvalidError):
        normalize_bic("12345")


@pytest.mark.parametrize(("text", "country", "expected"), [
    ("€", None, "EUR"), ("EUR", None, "EUR"), ("eur", None, "EUR"), ("Euro", None, "EUR"), ("£", None, "GBP"),
    ("US$", None, "USD"), ("$", "US", "USD"), ("$", "CA", "CAD"), ("$", "AU", "AUD"), ("kr", "SE", "SEK"),
    ("kr", "NO", "NOK"), ("Fr.", None, "CHF"), ("Schweizer Franken", None, "CHF"), ("US dollar", None, "USD"),
    ("zł", None, "PLN"), ("Amount in €", None, "EUR"), ("¥", "CN", "CNY"), ("¥", "JP", "JPY"),
])
def test_currency_symbols_and_names(text: str, country: str | None, expected: str) -> None:
    assert normalize_currency(text, country=country) == expected


@pytest.mark.parametrize("text", ["", "XYZ", "money"])
def test_unknown_currency_raises(text: str) -> None:
    with pytest.raises(CurrencyUnknownError) as caught:
        normalize_currency(text)
    assert caught.value.code == "RECORDS_CURRENCY_UNKNOWN"


def test_names_meet_across_spelling_legal_form_and_case() -> None:
    assert canonical_name("Müller GmbH & Co. KG") == canonical_name("MUELLER gmbh")
    assert canonical_name("S.A.R.L. Dupont Frères") == canonical_name("dupont freres sarl")
    assert canonical_name("  ACME\nLtd. ") == "acme"
    assert canonical_name("GmbH") == "gmbh"  # a name of legal form only keeps it rather than vanish


def test_addresses_meet_across_street_spellings() -> None:
    assert canonical_address("Hauptstraße 5, 10115 Berlin") == canonical_address("Haupt Str. 5\n10115 BERLIN")
    assert canonical_address("12 Main Street") == canonical_address("12 main st.")
