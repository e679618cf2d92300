"""Failures of the records stage (normalize, validate), each with a stable code.

The normalizer catches the value-level ones per field and turns them into findings, so one
unreadable field sends a document to review instead of failing the whole stage.
"""

from __future__ import annotations

from docket.errors import DocketError


class RecordsError(DocketError):
    """Base of the records stage failures."""

    code = "RECORDS_INVALID"


class AmountUnreadableError(RecordsError):
    """Text that holds no amount (no digits, several numbers, broken grouping)."""

    code = "RECORDS_AMOUNT_UNREADABLE"


class DateUnreadableError(RecordsError):
    """Text that holds no calendar date."""

    code = "RECORDS_DATE_UNREADABLE"


class CurrencyUnknownError(RecordsError):
    """A currency symbol, name or code that maps to no ISO 4217 code."""

    code = "RECORDS_CURRENCY_UNKNOWN"


class IdentifierInvalidError(RecordsError):
    """A VAT ID, IBAN or BIC that fails its format or check digits."""

    code = "RECORDS_IDENTIFIER_INVALID"


class RulesInvalidError(RecordsError):
    """A validation rules file that does not fit the expected shape."""

    code = "RECORDS_RULES_INVALID"
