"""Writing camt.053 bank statements (version 08): demo data, tests, and replaying a ledger as a bank would.

The output is what :func:`docket.cashapp.statements.camt.parse_camt` and capture's statement
classifier read: one ``Stmt`` with opening and closing booked balances, an entry count, and one
``Ntry`` per payment with its counterparty and remittance information.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


@dataclass(frozen=True)
class CamtEntry:
    """One booked entry: ``amount`` positive for money received (credit), negative for a debit.
    ``reference`` is a structured creditor reference (ISO 11649), ``text`` unstructured remittance."""

    amount: Decimal
    booking_date: date
    payer_name: str | None = None
    payer_iban: str | None = None
    reference: str | None = None
    text: str | None = None
    value_date: date | None = None
    bank_reference: str | None = None


def _add(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attributes)
    if text is not None:
        node.text = text
    return node


def _path(parent: etree._Element, tags: str, text: str | None = None, **attributes: str) -> etree._Element:
    """``A/B/C`` under ``parent``, the last one with ``text`` and ``attributes``."""
    node = parent
    names = tags.split("/")
    for name in names[:-1]:
        node = _add(node, name)
    return _add(node, names[-1], text, **attributes)


def _balance(parent: etree._Element, code: str, amount: Decimal, currency: str, on: date) -> None:
    balance = _add(parent, "Bal")
    _path(balance, "Tp/CdOrPrtry/Cd", code)
    _add(balance, "Amt", f"{abs(amount):.2f}", Ccy=currency)
    _add(balance, "CdtDbtInd", "CRDT" if amount >= 0 else "DBIT")
    _path(balance, "Dt/Dt", on.isoformat())


def _entry(parent: etree._Element, entry: CamtEntry, currency: str, number: int) -> None:
    node = _add(parent, "Ntry")
    indicator = "CRDT" if entry.amount >= 0 else "DBIT"
    _add(node, "Amt", f"{abs(entry.amount):.2f}", Ccy=currency)
    _add(node, "CdtDbtInd", indicator)
    _path(node, "Sts/Cd", "BOOK")
    _path(node, "BookgDt/Dt", entry.booking_date.isoformat())
    _path(node, "ValDt/Dt", (entry.value_date or entry.booking_date).isoformat())
    _add(node, "AcctSvcrRef", entry.bank_reference or f"E{number:06d}")
    _path(node, "BkTxCd/Domn/Cd", "PMNT")
    tx = _path(node, "NtryDtls/TxDtls")
    _path(tx, "Refs/EndToEndId", "NOTPROVIDED")
    side = "Dbtr" if indicator == "CRDT" else "Cdtr"
    parties = _add(tx, "RltdPties")
    if entry.payer_name:
        _path(parties, f"{side}/Pty/Nm", entry.payer_name)
    if entry.payer_iban:
        _path(parties, f"{side}Acct/Id/IBAN", entry.payer_iban.replace(" ", ""))
    if entry.reference or entry.text:
        remittance = _add(tx, "RmtInf")
        if entry.text:
            _add(remittance, "Ustrd", entry.text)
        if entry.reference:
            _path(remittance, "Strd/CdtrRefInf/Ref", entry.reference.replace(" ", ""))


def render_camt053(statement_id: str, account_iban: str, currency: str, entries: Sequence[CamtEntry], *,
                   created: datetime, opening_balance: Decimal = Decimal(0)) -> bytes:
    """A camt.053.001.08 document (UTF-8 bytes with XML declaration) holding one statement."""
    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    container = _add(root, "BkToCstmrStmt")
    header = _add(container, "GrpHdr")
    _add(header, "MsgId", f"MSG-{statement_id}")
    _add(header, "CreDtTm", created.replace(microsecond=0).isoformat())
    statement = _add(container, "Stmt")
    _add(statement, "Id", statement_id)
    _add(statement, "CreDtTm", created.replace(microsecond=0).isoformat())
    account = _add(statement, "Acct")
    _path(account, "Id/IBAN", account_iban.replace(" ", ""))
    _add(account, "Ccy", currency)
    first = min((e.booking_date for e in entries), default=created.date())
    last = max((e.booking_date for e in entries), default=created.date())
    _balance(statement, "OPBD", opening_balance, currency, first)
    _balance(statement, "CLBD", opening_balance + sum((e.amount for e in entries), Decimal(0)), currency, last)
    _path(statement, "TxsSummry/TtlNtries/NbOfNtries", str(len(entries)))
    for number, entry in enumerate(entries, start=1):
        _entry(statement, entry, currency, number)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
