"""SWIFT MT940 customer statements, read with the ``mt-940`` package.

The ``:86:`` information field has no single layout: German banks use ``?NN`` subfields
(``?20``-``?29`` purpose, ``?30`` BIC, ``?31`` account, ``?32``/``?33`` name), Dutch and many
other banks ``/CODE/value`` pairs (``/NAME/``, ``/IBAN/``, ``/REMI/``, ``/EREF/``), others free
text. All three are read here; the library's own ``:86:`` processors are switched off because
they concatenate purpose lines without separators, which glues invoice numbers together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import mt940

from docket.cashapp.errors import StatementError
from docket.cashapp.statements.line import (
    StatementLine,
    clean_text,
    creditor_reference_in_text,
    normalise_account,
    valid_creditor_reference,
)

_SUBFIELD = re.compile(r"\?(\d{2})")
_SLASH_CODE = re.compile(r"/(NAME|IBAN|BIC|REMI|EREF|ORDP|BENM|TRTP|CSID|MARF|ACCW|ID|ADDR|CNTP)/")
_SEPA_PREFIX = re.compile(r"^(SVWZ|EREF|KREF|MREF|CRED|DEBT|ABWA|ABWE|IBAN|BIC)\+")
_TAG_61 = re.compile(r"(?m)^:61:")
_CHUNK = 27


@dataclass(frozen=True, slots=True)
class _Details:
    name: str | None = None
    account: str | None = None
    bic: str | None = None
    text: str | None = None
    reference: str | None = None


def _german_subfields(raw: str) -> _Details:
    parts = _SUBFIELD.split(raw.replace("\n", ""))
    fields: dict[str, list[str]] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        fields.setdefault(code, []).append(value)
    purpose = ""
    reference = None
    previous_length = 0
    for code in [f"{n}" for n in range(20, 30)] + [f"{n}" for n in range(60, 64)]:
        for value in fields.get(code, []):
            prefix = _SEPA_PREFIX.match(value)
            if prefix and prefix.group(1) == "EREF":
                reference = value[prefix.end():].strip() or reference
            chunk = value[prefix.end():] if prefix else value
            # banks cut the purpose into 27-character subfields mid-word: a full one continues
            glue = "" if prefix is None and previous_length >= _CHUNK else " "
            purpose = f"{purpose}{glue}{chunk}" if purpose else chunk
            previous_length = len(value)
    names = [v for c in ("32", "33") for v in fields.get(c, [])]
    return _Details(name=clean_text(list(names)), account=normalise_account(_first(fields, "31")),
                    bic=_first(fields, "30"), text=clean_text([purpose]),
                    reference=reference)


def _first(fields: dict[str, list[str]], code: str) -> str | None:
    values = fields.get(code)
    return values[0].strip() or None if values else None


def _slash_codes(raw: str) -> _Details:
    flat = raw.replace("\n", "")
    pieces = _SLASH_CODE.split(flat)
    fields: dict[str, str] = {}
    for code, value in zip(pieces[1::2], pieces[2::2], strict=False):
        fields.setdefault(code, value.strip().strip("/"))
    text = clean_text([fields.get("REMI"), fields.get("EREF")]) or clean_text([pieces[0]])
    return _Details(name=fields.get("NAME"), account=normalise_account(fields.get("IBAN")),
                    bic=fields.get("BIC"), text=text, reference=fields.get("EREF"))


def _details(raw: str | None) -> _Details:
    if not raw:
        return _Details()
    if _SUBFIELD.search(raw):
        return _german_subfields(raw)
    if _SLASH_CODE.search(raw):
        return _slash_codes(raw)
    return _Details(text=clean_text([raw]))


def _plain_date(value: Any) -> date | None:
    # the library returns its own date subclass; events carry plain dates
    return date(value.year, value.month, value.day) if value is not None else None


def _line(data: dict[str, Any], *, statement_id: str, account: str, position: int) -> StatementLine:
    amount = data.get("amount")
    currency = data.get("currency")
    if amount is None or not currency:
        raise StatementError(f"transaction {position} has no amount or currency",
                             details={"format": "mt940", "statement": statement_id, "entry": str(position)})
    details = _details(data.get("transaction_details"))
    structured = valid_creditor_reference(details.reference) or creditor_reference_in_text(details.text)
    customer_ref = data.get("customer_reference")
    bank_ref = data.get("bank_reference") or (customer_ref if customer_ref != "NONREF" else None)
    return StatementLine(
        payment_id=f"mt940:{account}:{statement_id}:{position}", statement_id=statement_id,
        amount=Decimal(amount.amount), currency=str(currency),
        value_date=_plain_date(data.get("date")),
        booking_date=_plain_date(data.get("entry_date") or data.get("date")),
        payer_name=details.name, payer_account=details.account, payer_bic=details.bic,
        remittance_structured=structured, remittance_text=details.text, bank_reference=bank_ref,
        source_format="mt940")


def parse_mt940(data: bytes) -> list[StatementLine]:
    """Every ``:61:`` line of every statement in an MT940 file, in file order.

    ``value_date`` is the ``:61:`` value date, ``booking_date`` its entry date. Raises
    :class:`StatementError` when the file has no statement, a tag does not parse, or fewer
    transactions come out than ``:61:`` tags went in.
    """
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    expected = len(_TAG_61.findall(text))
    try:
        statements = mt940.parse_statements(text, processors={"post_transaction_details": []})
    except Exception as exc:  # the library raises bare RuntimeError/ValueError on bad tags
        raise StatementError(f"MT940 does not parse: {str(exc).splitlines()[0][:200]}",
                             details={"format": "mt940"}) from exc
    if not statements or not any(s.data.get("transaction_reference") for s in statements):
        raise StatementError("no MT940 statement (:20:) found", details={"format": "mt940"})
    lines: list[StatementLine] = []
    for statement in statements:
        info = statement.data
        reference = info.get("transaction_reference") or "-"
        number = info.get("statement_number")
        statement_id = f"{reference}/{number}" if number else str(reference)
        account = normalise_account(info.get("account_identification")) or "-"
        for n, transaction in enumerate(statement, start=1):
            lines.append(_line(transaction.data, statement_id=statement_id, account=account, position=n))
    if len(lines) != expected:
        raise StatementError(f"{expected} :61: tags but {len(lines)} transactions parsed",
                             details={"format": "mt940"})
    return lines
