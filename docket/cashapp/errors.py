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


class PaymentReviewError(DocketError):
    """A reviewer's verdict on a payment review task cannot be acted on; nothing is applied.

    Subclasses name the reason; ``details`` names the task and, where relevant, the items.
    """

    code = "CASH_REVIEW_INVALID"


class NotAPaymentTaskError(PaymentReviewError):
    """The task is not a payment review (no ``cash:`` task id or no proposed cash application)."""

    code = "CASH_REVIEW_NOT_A_PAYMENT_TASK"


class ReviewTaskStaleError(PaymentReviewError):
    """The verdict names another task than the one open for the payment."""

    code = "CASH_REVIEW_TASK_STALE"


class ReviewTaskUnknownError(PaymentReviewError):
    """No payment review task is known for the verdict (yet: the task may still be on its way)."""

    code = "CASH_REVIEW_TASK_UNKNOWN"
    retryable = True


class ReviewTaskDecidedError(PaymentReviewError):
    """Another verdict already decided the task: a payment is acted on once."""

    code = "CASH_REVIEW_TASK_DECIDED"


class ReviewDecisionUnknownError(PaymentReviewError):
    """The verdict's decision is not ``approve``, ``reject`` or ``duplicate``."""

    code = "CASH_REVIEW_DECISION_UNKNOWN"


class ReviewCorrectionUnknownError(PaymentReviewError):
    """A correction names a field a payment review does not have (only ``open_item_ids``, ``customer_id``)."""

    code = "CASH_REVIEW_CORRECTION_UNKNOWN_FIELD"


class ReviewNoItemsError(PaymentReviewError):
    """An approval names no open item and the proposal has no candidate to fall back on."""

    code = "CASH_REVIEW_NO_ITEMS"


class ReviewItemUnknownError(PaymentReviewError):
    """An approved item is not an open item of the legal entity's ledger (unknown, or paid by now)."""

    code = "CASH_REVIEW_ITEM_UNKNOWN"


class ReviewMixedCustomersError(PaymentReviewError):
    """The approved items belong to more than one customer."""

    code = "CASH_REVIEW_MIXED_CUSTOMERS"


class ReviewCustomerMismatchError(PaymentReviewError):
    """The reviewer's ``customer_id`` is not the customer the approved items belong to."""

    code = "CASH_REVIEW_CUSTOMER_MISMATCH"


class ReviewNotAReceiptError(PaymentReviewError):
    """An approval of money going out (a debit line): only receipts settle open items."""

    code = "CASH_REVIEW_NOT_A_RECEIPT"


class ReviewFxRateMissingError(PaymentReviewError):
    """The approved items are in another currency than the payment and no FX rate was given."""

    code = "CASH_REVIEW_FX_RATE_MISSING"


class ScorerModelError(DocketError):
    """The shipped claim scorer (``scorer_model.json``) is missing or malformed."""

    code = "CASHAPP_SCORER_INVALID"
