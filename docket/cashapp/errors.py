"""Cash-application failures, each with a stable ``CASHAPP_*`` code."""

from __future__ import annotations

from docket.errors import DocketError


class StatementError(DocketError):
    """A statement file could not be read completely; nothing is returned from it.

    ``details`` names the format and, where known, the entry or line that failed, so an operator
    can fix the file and replay it: a statement is all or nothing, never silently partial.
    """

    code = "CASHAPP_STATEMENT_MALFORMED"


class UnknownStatementFormatError(StatementError):
    """The bytes are not any statement format Docket reads."""

    code = "CASHAPP_STATEMENT_UNKNOWN_FORMAT"


class CsvLayoutError(DocketError):
    """A CSV statement layout (column map, formats) is missing or inconsistent."""

    code = "CASHAPP_CSV_LAYOUT_INVALID"


class OpenItemsError(DocketError):
    """An open-items file could not be read."""

    code = "CASHAPP_OPEN_ITEMS_INVALID"


class RemittanceError(DocketError):
    """A remittance advice is missing what a payment needs (amount, currency, payer)."""

    code = "CASHAPP_REMITTANCE_INVALID"


class FxRateMissingError(DocketError):
    """No FX rate was given to compare a payment with an item in another currency."""

    code = "CASHAPP_FX_RATE_MISSING"


class MetricsInputError(DocketError):
    """A metric was asked for with inputs that make it meaningless (e.g. no sales in the period)."""

    code = "CASHAPP_METRICS_INPUT_INVALID"
