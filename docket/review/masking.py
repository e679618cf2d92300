"""Field-level protection: bank details and personal data are masked unless a role needs them.

Masked values keep their last four characters (enough to compare with a phone call or a
statement, not enough to pay). Only approvers may unmask a field, one field of one document
at a time, and the caller must log each unmasking (:class:`Unmasking`) before showing it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from docket.review import errors
from docket.review.tasks import APPROVER, User

BANK_FIELDS = frozenset({"supplier_iban", "supplier_bic", "iban", "bic", "account_number", "payer_account",
                         "bank_account", "payer_bic"})
PERSONAL_FIELDS = frozenset({"supplier_tax_number", "tax_number", "date_of_birth", "personal_id"})
PROTECTED_FIELDS = BANK_FIELDS | PERSONAL_FIELDS
UNMASKING_ROLES = frozenset({APPROVER})
VISIBLE_TAIL = 4


@dataclass(frozen=True)
class Unmasking:
    """One protected value shown in clear: who, when, which field of which document."""

    login: str
    document_id: str
    field: str
    at: datetime


def is_protected(field: str) -> bool:
    return field in PROTECTED_FIELDS


def mask(value: str) -> str:
    """``value`` with all but its last four non-space characters replaced by ``•``."""
    compact = "".join(value.split())
    if len(compact) <= VISIBLE_TAIL:
        return "•" * len(compact)
    return "•" * (len(compact) - VISIBLE_TAIL) + compact[-VISIBLE_TAIL:]


def may_unmask(user: User) -> bool:
    return user.role in UNMASKING_ROLES


def masked_values(values: Mapping[str, Any], user: User, unmasked: frozenset[str] = frozenset()) -> dict[str, Any]:
    """``values`` (field → value) as ``user`` may see them: protected fields masked unless the
    user may unmask and the field is in ``unmasked`` (fields they asked to see, already logged)."""
    shown: dict[str, Any] = {}
    for name, value in values.items():
        clear = may_unmask(user) and name in unmasked
        shown[name] = value if value is None or not is_protected(name) or clear else mask(str(value))
    return shown


def unmasking(user: User, document_id: str, field: str, now: datetime) -> Unmasking:
    """The log entry for ``user`` seeing ``field`` of ``document_id`` in clear; raises
    REVIEW_NOT_PERMITTED when their role may not, REVIEW_FIELD_NOT_PROTECTED for a plain field."""
    if not may_unmask(user):
        raise errors.not_permitted(user.login, f"unmask {field}")
    if not is_protected(field):
        raise errors.ReviewError(f"{field} is not a protected field", code="REVIEW_FIELD_NOT_PROTECTED")
    return Unmasking(login=user.login, document_id=document_id, field=field, at=now)


_IBAN_START = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]*$")
_IBAN_GROUP = re.compile(r"^[A-Z0-9]{1,30}$")
_DASHES = re.compile("[-\u2010\u2011\u2012\u2013\u2014\u2212]")
_GLUED_LABEL = re.compile(r"^IBAN(?=[A-Z]{2}[0-9]{2})")


def _valid_iban(text: str) -> bool:
    try:
        IBAN(text)
    except (SchwiftyException, ValueError):
        return False
    return True


def _iban_part(word: str) -> str:
    """What of ``word`` could be (part of) an IBAN: upper case, without a ``label:`` in front (also
    ``IBAN`` glued on by OCR), surrounding punctuation or dashes between groups."""
    text = word.upper().rsplit(":", 1)[-1].strip(".,;:()[]")
    return _DASHES.sub("", _GLUED_LABEL.sub("", text))


def bank_account_words(words: Sequence[str]) -> set[int]:
    """Indexes of the words (in reading order) that spell a valid IBAN, whole or printed in groups
    (``DE89 3704 0044 ...``, ``DE89-3704-...``), with or without a label (``IBAN:DE89...``): a page
    image shows them unless the viewer may unmask. Works on text-layer and OCR words alike."""
    parts = [_iban_part(word) for word in words]
    hidden: set[int] = set()
    for start, text in enumerate(parts):
        if start in hidden or not _IBAN_START.match(text):
            continue
        run, spelled = [start], [text]
        for index in range(start + 1, min(start + 9, len(words))):
            if _valid_iban("".join(spelled)) or not _IBAN_GROUP.match(parts[index]):
                break
            run.append(index)
            spelled.append(parts[index])
        while run and not _valid_iban("".join(spelled)):
            run.pop()
            spelled.pop()
        hidden.update(run)
    return hidden
