"""The value every statement parser returns: one booked line, ready to become ``PaymentReceived``."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from stdnum import iso11649

from docket.model.common import Envelope
from docket.model.payments import PaymentReceived

_RF_IN_TEXT = re.compile(r"\bRF\s?\d{2}(?:\s?[0-9A-Z]){1,21}\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class StatementLine:
    """The fields of :class:`~docket.model.payments.PaymentReceived` without the envelope.

    ``amount`` is signed as booked (credit positive, debit negative). ``payment_id`` is stable
    for the same line of the same statement (statement id + entry reference or position), so a
    replayed file yields the same ids and the application stays idempotent.
    ``remittance_structured`` holds only a creditor reference that passed validation.
    ``bank_reference`` is the bank's best reference of the line; camt lines also keep their
    ``end_to_end_id`` (the payer's, ``NOTPROVIDED`` dropped) and ``account_servicer_reference``.
    """

    payment_id: str
    amount: Decimal
    currency: str
    source_format: str
    statement_id: str | None = None
    value_date: date | None = None
    booking_date: date | None = None
    payer_name: str | None = None
    payer_account: str | None = None
    payer_bic: str | None = None
    remittance_structured: str | None = None
    remittance_text: str | None = None
    bank_reference: str | None = None
    end_to_end_id: str | None = None
    account_servicer_reference: str | None = None

    @property
    def is_credit(self) -> bool:
        """True for money received (the lines cash application cares about)."""
        return self.amount > 0

    def as_fields(self) -> dict[str, Any]:
        """The line as a plain dict of ``PaymentReceived`` field names to values."""
        return asdict(self)

    def to_event(self, envelope: Envelope) -> PaymentReceived:
        """The ``payments.received`` event for this line under ``envelope``."""
        return PaymentReceived(envelope=envelope, **self.as_fields())


def valid_creditor_reference(raw: str | None) -> str | None:
    """``raw`` compacted (``RF18539007547034``) when it is a valid ISO 11649 reference, else None.

    A reference that fails its check digits is not evidence of anything, so it is dropped here
    and the text it came from still goes to the unstructured remittance.
    """
    if not raw:
        return None
    compact: str = iso11649.compact(raw)
    return compact if iso11649.is_valid(compact) else None


def creditor_reference_in_text(text: str | None) -> str | None:
    """The first valid ISO 11649 reference written inside free text, if any."""
    if not text:
        return None
    for found in _RF_IN_TEXT.finditer(text):
        candidate = found.group(0)
        # the greedy pattern can swallow a following word; shrink until the check digits hold
        compact = re.sub(r"\s", "", candidate).upper()
        for end in range(len(compact), 4, -1):
            valid = valid_creditor_reference(compact[:end])
            if valid:
                return valid
    return None


def normalise_account(raw: str | None) -> str | None:
    """An account identifier without spaces, upper case (IBANs compare equal however written)."""
    if not raw:
        return None
    compact = re.sub(r"[\s\-]", "", raw).upper()
    return compact or None


def clean_text(parts: list[str | None]) -> str | None:
    """Non-empty parts joined by single spaces, or None when there is nothing."""
    joined = " ".join(p.strip() for p in parts if p and p.strip())
    return re.sub(r"\s+", " ", joined) or None
