"""ISO 20022 bank-to-customer statements (camt.053) and notifications (camt.054), any version.

Versions differ in namespace and in a few paths (``Dbtr/Nm`` in .02, ``Dbtr/Pty/Nm`` from .08;
``BIC`` vs ``BICFI``; ``TxDtls/AmtDtls`` vs ``TxDtls/Amt``), so elements are found by local name
and each field tries the known paths in order. Booked entries only: a pending (``PDNG``) or
information (``INFO``) entry comes back booked in a later statement.
"""

from __future__ import annotations

from datetime import date as date_type
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from docket.cashapp.errors import StatementError
from docket.cashapp.statements.line import (
    StatementLine,
    clean_text,
    creditor_reference_in_text,
    normalise_account,
    valid_creditor_reference,
)

_CONTAINERS = {
    "BkToCstmrStmt": ("camt.053", "Stmt"),
    "BkToCstmrDbtCdtNtfctn": ("camt.054", "Ntfctn"),
    "BkToCstmrAcctRpt": ("camt.052", "Rpt"),
}
_NOT_BOOKED = {"PDNG", "INFO", "FUTR"}

Element = Any  # lxml ships no type stubs here; elements are duck-typed


def _parser() -> etree.XMLParser:
    # untrusted bytes: no entities, no network, no DTD
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _path(local: str) -> str:
    return "/".join(f"{{*}}{part}" for part in local.split("/"))


def _text(node: Element, *paths: str) -> str | None:
    """Text of the first of ``paths`` (local names joined by ``/``) present under ``node``."""
    for local in paths:
        found = node.find(_path(local))
        if found is not None and found.text and found.text.strip():
            return str(found.text).strip()
    return None


def _texts(node: Element, local: str) -> list[str]:
    return [el.text.strip() for el in node.iterfind(_path(local)) if el.text and el.text.strip()]


def _date(node: Element, parent: str) -> date_type | None:
    raw = _text(node, f"{parent}/Dt", f"{parent}/DtTm")
    if raw is None:
        return None
    try:
        return date_type.fromisoformat(raw[:10])
    except ValueError as exc:
        raise StatementError(f"bad date {raw!r} in {parent}", details={"format": "camt"}) from exc


def _amount(node: Element, *paths: str) -> tuple[Decimal, str] | None:
    for local in paths:
        found = node.find(_path(local))
        if found is None or not found.text:
            continue
        try:
            value = Decimal(found.text.strip())
        except InvalidOperation as exc:
            raise StatementError(f"bad amount {found.text!r}", details={"format": "camt"}) from exc
        currency = found.get("Ccy")
        if not currency:
            raise StatementError("amount without Ccy", details={"format": "camt"})
        return value, currency
    return None


def _booked(entry: Element) -> bool:
    status = _text(entry, "Sts/Cd", "Sts")
    return status is None or status.upper() not in _NOT_BOOKED


def _counterparty(tx: Element | None, credit: bool) -> tuple[str | None, str | None, str | None]:
    """Name, account and BIC of the other side: the debtor of a credit, the creditor of a debit."""
    if tx is None:
        return None, None, None
    side, agent = ("Dbtr", "DbtrAgt") if credit else ("Cdtr", "CdtrAgt")
    name = _text(tx, f"RltdPties/{side}/Nm", f"RltdPties/{side}/Pty/Nm", f"RltdPties/Ultmt{side}/Nm",
                 f"RltdPties/Ultmt{side}/Pty/Nm")
    account = _text(tx, f"RltdPties/{side}Acct/Id/IBAN", f"RltdPties/{side}Acct/Id/Othr/Id")
    bic = _text(tx, f"RltdAgts/{agent}/FinInstnId/BICFI", f"RltdAgts/{agent}/FinInstnId/BIC")
    return name, normalise_account(account), bic


def _remittance(tx: Element | None, entry: Element) -> tuple[str | None, str | None]:
    """(valid creditor reference, free text) from RmtInf, with referred document numbers in the text."""
    if tx is None:
        return None, clean_text([_text(entry, "AddtlNtryInf")])
    structured_raw = _texts(tx, "RmtInf/Strd/CdtrRefInf/Ref")
    unstructured = _texts(tx, "RmtInf/Ustrd")
    documents = _texts(tx, "RmtInf/Strd/RfrdDocInf/Nb")
    extra = _texts(tx, "RmtInf/Strd/AddtlRmtInf")
    text = clean_text([*unstructured, *documents, *extra])
    if text is None:
        text = clean_text([_text(tx, "AddtlTxInf"), _text(entry, "AddtlNtryInf")])
    structured = next((v for v in map(valid_creditor_reference, structured_raw) if v), None)
    if structured is None:
        structured = creditor_reference_in_text(text)
    if structured is None and structured_raw:
        # a national or invalid reference is still evidence text for the matcher
        text = clean_text([*structured_raw, text])
    return structured, text


def _line(entry: Element, tx: Element | None, *, kind: str, statement_id: str, account: str,
          position: str) -> StatementLine:
    amount = None
    if tx is not None:
        amount = _amount(tx, "Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt")
    if amount is None:
        amount = _amount(entry, "Amt")
    if amount is None:
        raise StatementError(f"entry {position} has no amount",
                             details={"format": kind, "statement": statement_id, "entry": position})
    value, currency = amount
    indicator = (_text(tx, "CdtDbtInd") if tx is not None else None) or _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise StatementError(f"entry {position} has no credit/debit indicator",
                             details={"format": kind, "statement": statement_id, "entry": position})
    credit = indicator == "CRDT"
    name, payer_account, bic = _counterparty(tx, credit)
    structured, text = _remittance(tx, entry)
    bank_ref = None
    if tx is not None:
        bank_ref = _text(tx, "Refs/AcctSvcrRef", "Refs/EndToEndId", "Refs/TxId")
    bank_ref = bank_ref or _text(entry, "AcctSvcrRef", "NtryRef")
    servicer = (_text(tx, "Refs/AcctSvcrRef") if tx is not None else None) or _text(entry, "AcctSvcrRef")
    end_to_end = _text(tx, "Refs/EndToEndId") if tx is not None else None
    return StatementLine(
        payment_id=f"{kind}:{account}:{statement_id}:{position}",
        statement_id=statement_id, amount=value if credit else -value, currency=currency,
        value_date=_date(entry, "ValDt"), booking_date=_date(entry, "BookgDt"),
        payer_name=name, payer_account=payer_account, payer_bic=bic,
        remittance_structured=structured, remittance_text=text, bank_reference=bank_ref,
        source_format=kind, end_to_end_id=None if end_to_end == "NOTPROVIDED" else end_to_end,
        account_servicer_reference=servicer)


def _check_entry_count(statement: Element, found: int, kind: str, statement_id: str) -> None:
    """The bank's own entry count (``TxsSummry/TtlNtries/NbOfNtries``), when given, must match:
    a cut or edited file would otherwise lose payments without a trace."""
    stated = _text(statement, "TxsSummry/TtlNtries/NbOfNtries")
    if stated is not None and stated.isdigit() and int(stated) != found:
        raise StatementError(f"statement says {stated} entries, file holds {found}",
                             details={"format": kind, "statement": statement_id})


def _statement_lines(statement: Element, kind: str) -> list[StatementLine]:
    statement_id = _text(statement, "Id")
    if statement_id is None:
        raise StatementError("statement without Id", details={"format": kind})
    account = normalise_account(_text(statement, "Acct/Id/IBAN", "Acct/Id/Othr/Id")) or "-"
    entries = list(statement.iterfind(_path("Ntry")))
    _check_entry_count(statement, len(entries), kind, statement_id)
    lines: list[StatementLine] = []
    for n, entry in enumerate(entries, start=1):
        if not _booked(entry):
            continue
        transactions = list(entry.iterfind(_path("NtryDtls/TxDtls")))
        if len(transactions) <= 1:
            tx = transactions[0] if transactions else None
            lines.append(_line(entry, tx, kind=kind, statement_id=statement_id, account=account,
                               position=str(n)))
            continue
        for t, tx in enumerate(transactions, start=1):
            if _amount(tx, "Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt") is None:
                # a batch booked as one amount cannot be split into payments without each amount
                raise StatementError(f"batch entry {n} has a transaction without amount",
                                     details={"format": kind, "statement": statement_id, "entry": str(n)})
            lines.append(_line(entry, tx, kind=kind, statement_id=statement_id, account=account,
                               position=f"{n}.{t}"))
    return lines


def parse_camt(data: bytes) -> list[StatementLine]:
    """Every booked line of a camt.052/.053/.054 document, in file order.

    Raises :class:`StatementError` (``CASHAPP_STATEMENT_MALFORMED``) for XML that does not parse,
    a document that is not a bank-to-customer message, or an entry without amount or direction.
    """
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise StatementError(f"camt XML does not parse: {exc}", details={"format": "camt"}) from exc
    for container_name, (kind, statement_name) in _CONTAINERS.items():
        container = root.find(_path(container_name))
        if container is None and etree.QName(root).localname == container_name:
            container = root
        if container is None:
            continue
        statements = list(container.iterfind(_path(statement_name)))
        if not statements:
            raise StatementError(f"{kind} without {statement_name}", details={"format": kind})
        return [line for st in statements for line in _statement_lines(st, kind)]
    raise StatementError(f"not a bank-to-customer camt message: {etree.QName(root).localname}",
                         details={"format": "camt"})
