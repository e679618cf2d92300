"""Tax IDs, IBANs and BICs: validated (check digits included) and put in one canonical form.

Canonical forms are what the party directory indexes, so a VAT ID printed ``DE 136 695 976`` and
one stored ``de136695976`` meet: VAT IDs are compact upper case with their country prefix
(``DE136695976``, ``CHE123456788``), IBANs compact upper case, BICs 11 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

from docket.records.errors import IdentifierInvalidError

_EU_PREFIX_LIST = "AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI"
_EU_PREFIXES = frozenset(_EU_PREFIX_LIST.split())
_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}
_COUNTRY_PREFIX = {"GR": "EL"}


@dataclass(frozen=True)
class TaxId:
    """A canonical tax ID. ``validated`` is False when no checker exists for ``country``
    (the value is then only compacted)."""

    value: str
    country: str | None
    validated: bool


def _compact(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


def _vat_module(prefix: str) -> Any:
    """The stdnum module checking ``prefix``'s VAT numbers, or None (stdnum modules are untyped)."""
    if prefix in _EU_PREFIXES:
        return eu_vat
    try:
        return get_cc_module(prefix.lower(), "vat")
    except (ImportError, ValueError):
        return None


def normalize_vat_id(text: str, *, country: str | None = None) -> TaxId:
    """Validate and canonicalise a VAT ID; ``country`` (ISO alpha-2) is used when no prefix is printed.

    Raises :class:`IdentifierInvalidError` when a checker exists and rejects the number.
    """
    compact = _compact(text)
    if not compact:
        raise IdentifierInvalidError("empty VAT ID", code="RECORDS_VAT_ID_INVALID")
    prefix = compact[:2] if compact[:2].isalpha() else None
    if prefix is None and country:
        prefix = _COUNTRY_PREFIX.get(country.upper(), country.upper())
        compact = prefix + compact if prefix in _EU_PREFIXES else compact
    if prefix is None:
        return TaxId(compact, None, validated=False)
    module = _vat_module(prefix)
    resolved_country = _PREFIX_COUNTRY.get(prefix, prefix)
    if module is None:
        return TaxId(compact, resolved_country, validated=False)
    if compact.startswith("CHE") and compact[3:].isdigit():
        compact += "MWST"  # the UID alone is the same number; stdnum checks it with a suffix
    try:
        number = str(module.validate(compact))
    except ValidationError as exc:
        raise IdentifierInvalidError(f"invalid VAT ID ({exc})", code="RECORDS_VAT_ID_INVALID",
                                     details={"country": resolved_country}) from exc
    canonical = number if number[:2].isalpha() else prefix + number
    # Swiss and Norwegian numbers print a language-dependent suffix; the number alone identifies.
    canonical = re.sub(r"(MWST|TVA|IVA|MVA)$", "", canonical)
    return TaxId(canonical, resolved_country, validated=True)


def normalize_iban(text: str) -> tuple[str, str]:
    """The compact IBAN and its country; raises :class:`IdentifierInvalidError` on a bad checksum."""
    try:
        iban = IBAN(_compact(text))
    except (SchwiftyException, ValueError) as exc:
        raise IdentifierInvalidError(f"invalid IBAN ({exc})", code="RECORDS_IBAN_INVALID") from exc
    return str(iban.compact), str(iban.country_code)


def normalize_bic(text: str) -> str:
    """The 11-character BIC (``XXX`` branch added to 8-character ones)."""
    try:
        bic = BIC(_compact(text))
    except (SchwiftyException, ValueError) as exc:
        raise IdentifierInvalidError(f"invalid BIC ({exc})", code="RECORDS_BIC_INVALID") from exc
    compact = str(bic.compact)
    return compact if len(compact) == 11 else compact + "XXX"


def compact_tax_number(text: str) -> str:
    """A national tax number with spaces and punctuation removed (no checker: formats vary by state)."""
    return _compact(text)
