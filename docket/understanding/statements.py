"""Bank statement files (camt.052/053/054, MT940, BAI2): recognised by content, checked to parse,
and summarised (account, statement id, currency, balances). Booking lines are read by the cash
application stage; capture only classifies and validates them."""

from __future__ import annotations

import time

from lxml import etree

from docket.model import ExtractedField, MissingField
from docket.reading import sniff
from docket.reading.errors import StructuredInvalidError
from docket.understanding.document import CapturedDocument

STATEMENT_FIELDS = ("account", "statement_id", "currency", "opening_balance", "closing_balance")


def capture_statement(data: bytes, media_type: str) -> CapturedDocument:
    """A CapturedDocument (``bank_statement``, reading ``structured``) for a statement file.

    Raises CAPTURE_STRUCTURED_INVALID when the file is recognised but does not parse.
    """
    started = time.perf_counter()
    readers = {sniff.CAMT: _camt, sniff.MT940: _mt940, sniff.BAI2: _bai2}
    try:
        values = readers[media_type](data)
    except StructuredInvalidError:
        raise
    except Exception as exc:  # each parser raises its own exception types
        raise StructuredInvalidError(f"{media_type} statement does not parse: {exc}") from exc
    engine = media_type.rsplit("/", 1)[-1]
    fields = [ExtractedField(name=name, value=value, raw_text=value, confidence=1.0, method="structured",
                             engine=engine) for name, value in values.items() if value]
    missing = [MissingField(name=name, reason="not in the statement file") for name in STATEMENT_FIELDS
               if not values.get(name)]
    return CapturedDocument(document_type="bank_statement", type_confidence=1.0, language=None, page_count=0,
                            page_range="", reading="structured", fields=fields, missing=missing, line_items=[],
                            template=None, engine=engine,
                            timings={"read": 0.0, "ocr": 0.0, "extract": round(time.perf_counter() - started, 6)})


def _camt(data: bytes) -> dict[str, str]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(data, parser)

    def first(path: str) -> str:
        found = root.xpath(path)
        return str(found[0]).strip() if found else ""

    balances = root.xpath("//*[local-name()='Bal']")
    values = {"account": first("//*[local-name()='Acct']/*[local-name()='Id']//text()[normalize-space()]"),
              "statement_id": first("(//*[local-name()='Stmt' or local-name()='Rpt' or local-name()='Ntfctn'])"
                                    "[1]/*[local-name()='Id']/text()"),
              "currency": first("//*[local-name()='Acct']/*[local-name()='Ccy']/text()")
              or first("(//@Ccy)[1]")}
    for balance in balances:
        code = "".join(balance.xpath(".//*[local-name()='Cd']/text()")).strip()
        amount = "".join(balance.xpath("./*[local-name()='Amt']/text()")).strip()
        sign = "".join(balance.xpath("./*[local-name()='CdtDbtInd']/text()")).strip()
        signed = f"-{amount}" if sign == "DBIT" and amount else amount
        if code in ("OPBD", "PRCD"):
            values.setdefault("opening_balance", signed)
        elif code in ("CLBD", "CLAV"):
            values.setdefault("closing_balance", signed)
    return values


def _mt940(data: bytes) -> dict[str, str]:
    import mt940

    transactions = mt940.models.Transactions()
    transactions.parse(data.decode("latin-1"))
    info = transactions.data
    if not info:
        raise StructuredInvalidError("MT940 file holds no statement")
    opening, closing = info.get("final_opening_balance") or info.get("opening_balance"), \
        info.get("final_closing_balance") or info.get("closing_balance")
    return {"account": str(info.get("account_identification", "")),
            "statement_id": str(info.get("transaction_reference", "")),
            "currency": str(getattr(getattr(opening, "amount", None), "currency", "") or ""),
            "opening_balance": str(opening.amount.amount) if opening is not None else "",
            "closing_balance": str(closing.amount.amount) if closing is not None else ""}


def _bai2(data: bytes) -> dict[str, str]:
    import bai2

    document = bai2.parse_from_string(data.decode("latin-1"), check_integrity=True)
    group = document.children[0] if document.children else None
    account = group.children[0] if group is not None and group.children else None
    return {"account": str(getattr(account.header, "customer_account_number", "")) if account else "",
            "statement_id": str(getattr(document.header, "file_id", "")),
            "currency": str(getattr(group.header, "currency", "") or "") if group is not None else ""}
