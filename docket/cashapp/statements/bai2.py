"""BAI2 cash-management files (US banks), read with the ``bai2`` package.

Amounts in BAI2 are integers in the currency's minor unit; the currency comes from the account
record or, failing that, the group header. Control totals and record counts are checked by the
library, so a truncated or edited file is refused rather than read in part.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision
from bai2 import bai2 as bai2_reader
from bai2.constants import TypeCodeTransaction

from docket.cashapp.errors import StatementError
from docket.cashapp.statements.line import (
    StatementLine,
    clean_text,
    creditor_reference_in_text,
    normalise_account,
)

_LABELS = r"(?:ORIG ID|ORIG CO ID|DESC|DESC DATE|ENTRY DESCR|CO ENTRY DESCR|SEC|IND ID|IND NAME|TRN|EFF DATE|" \
    r"REF|OBI|BNF|ORG|ADDENDA)"
_PAYER_NAME = (
    re.compile(rf"(?:ORIG(?:INATOR)?(?: CO)? NAME|ORIGINATOR|REMITTER|PAYER)\s*[:=]\s*(.+?)(?=\s+{_LABELS}\b|$)"),
    re.compile(rf"(?:WIRE FROM|B/O|BY ORDER OF)\s*:?\s*(.+?)(?=\s+{_LABELS}\b|$)"),
)
_PAYER_ACCOUNT = re.compile(
    r"(?:ORIG(?:INATOR)? (?:ACCT|ACCOUNT)|DEBTOR ACCT|FROM ACCT)\s*[:=]\s*([A-Z0-9]+)")


def _minor_units(value: int, currency: str) -> Decimal:
    try:
        places = get_currency_precision(currency)
    except Exception:  # an unknown code still books in cents
        places = 2
    return Decimal(value).scaleb(-places)


def _value_date(detail: Any, fallback: date | None) -> date | None:
    availability = detail.availability or {}
    value = availability.get("date") if hasattr(availability, "get") else None
    return value if isinstance(value, date) else fallback


def _line(detail: Any, *, currency: str, as_of: date | None, statement_id: str, account: str,
          position: int) -> StatementLine:
    if detail.amount is None:
        raise StatementError(f"transaction {position} has no amount",
                             details={"format": "bai2", "statement": statement_id, "entry": str(position)})
    magnitude = _minor_units(int(detail.amount), currency)
    debit = detail.type_code.transaction == TypeCodeTransaction.debit
    text = clean_text([detail.text])
    name_match = next((m for p in _PAYER_NAME if (m := p.search(text or ""))), None)
    account_match = _PAYER_ACCOUNT.search(text or "")
    return StatementLine(
        payment_id=f"bai2:{account}:{statement_id}:{position}", statement_id=statement_id,
        amount=-magnitude if debit else magnitude, currency=currency,
        value_date=_value_date(detail, as_of), booking_date=as_of,
        payer_name=name_match.group(1).strip() if name_match else None,
        payer_account=normalise_account(account_match.group(1)) if account_match else None,
        remittance_structured=creditor_reference_in_text(text), remittance_text=text,
        bank_reference=detail.bank_reference or detail.customer_reference, source_format="bai2")


def parse_bai2(data: bytes) -> list[StatementLine]:
    """Every transaction detail (``16`` record) of a BAI2 file, in file order.

    Summary and status codes on the account record are balances, not payments, and are not
    returned. Raises :class:`StatementError` when the file does not parse or its totals do not add up.
    """
    text = data.decode("utf-8", errors="replace")
    try:
        parsed = bai2_reader.parse_from_string(text, check_integrity=True)
    except Exception as exc:  # ParsingException, IntegrityException, ValueError on a bad record code
        raise StatementError(f"BAI2 does not parse: {exc}", details={"format": "bai2"}) from exc
    file_id = parsed.header.file_id or "-"
    lines: list[StatementLine] = []
    for group in parsed.children:
        as_of = group.header.as_of_date
        statement_id = f"{file_id}/{as_of.isoformat() if as_of else '-'}"
        for acct in group.children:
            currency = acct.header.currency or group.header.currency or "USD"
            account = normalise_account(acct.header.customer_account_number) or "-"
            for n, detail in enumerate(acct.children, start=1):
                lines.append(_line(detail, currency=currency, as_of=as_of, statement_id=statement_id,
                                   account=account, position=n))
    return lines
