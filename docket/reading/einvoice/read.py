"""E-invoice XML to :class:`EInvoice`: parse safely, recognise the syntax, read every term.

Parsing forbids entities, DTDs and network access (no XXE, no billion laughs). Every XPath is
compiled once per process. Raises ``CAPTURE_EINVOICE_UNREADABLE`` for bytes that are not
well-formed XML or whose root is not an invoice syntax of :mod:`docket.reading.einvoice.paths`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from lxml import etree

from docket.reading.einvoice.document import EInvoice, Group, Term
from docket.reading.einvoice.paths import (
    AMOUNT_FIELDS,
    DATE_FIELDS,
    IN_INVOICE_CURRENCY,
    IN_TAX_CURRENCY,
    SYNTAXES,
    Spec,
    Syntax,
)
from docket.reading.errors import EinvoiceUnreadableError

CREDIT_NOTE_TYPES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})
"""UNTDID 1001 codes of credit notes (BT-3); every other code is an invoice (380, 384, 389, 326 ...)."""

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_SPACE = re.compile(r"\s+")
_XPath = Callable[[Any], Any]


def parse_xml(data: bytes) -> Any:
    """The root element of ``data`` (raises CAPTURE_EINVOICE_UNREADABLE when not well-formed)."""
    try:
        root = etree.fromstring(data.lstrip(b"\xef\xbb\xbf \t\r\n"), _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise EinvoiceUnreadableError(f"the e-invoice is not well-formed XML: {exc}") from exc
    if root is None:
        raise EinvoiceUnreadableError("the e-invoice XML has no root element")
    return root


def syntax_of(root: Any) -> Syntax:
    """The syntax of the document under ``root`` (raises CAPTURE_EINVOICE_UNREADABLE)."""
    syntax = SYNTAXES.get(str(root.tag))
    if syntax is None:
        raise EinvoiceUnreadableError(f"XML root {root.tag!r} is not a UBL or CII invoice",
                                      details={"root": str(root.tag)[:200]})
    return syntax


def read_einvoice(data: bytes) -> EInvoice:
    """Every business term of the e-invoice in ``data`` (UBL 2.1 Invoice/CreditNote, CII D16B,
    ZUGFeRD 1.0)."""
    root = parse_xml(data)
    return read_tree(root, syntax_of(root))


def read_tree(root: Any, syntax: Syntax) -> EInvoice:
    """The terms of a parsed document of ``syntax``."""
    compiled = _compiled(syntax.name, syntax.root)
    header = _read_scope(root, syntax.header, compiled, prefix="")
    currencies = (header["currency"].value if "currency" in header else None,
                  header["tax_currency"].value if "tax_currency" in header else None)
    _pick_currency_amounts(root, syntax, compiled, header, currencies)
    invoice = EInvoice(syntax=syntax.name, credit_note=syntax.credit_note_root, header=header)
    type_code = invoice.value("type_code")
    invoice.credit_note = invoice.credit_note or (type_code in CREDIT_NOTE_TYPES)
    invoice.vat = [g for g in _groups(root, syntax.vat, syntax.vat_terms, compiled)
                   if _in_currency(g, currencies[0])]
    for group, node, _ in _groups_with_nodes(root, syntax.allowances, syntax.allowance_terms, compiled):
        charge = _indicator(compiled(syntax.charge_indicator)(node))
        picked = {name: _one_term(term, charge) for name, term in group.items()}
        (invoice.charges if charge else invoice.allowances).append(picked)
    if syntax.logistics is not None:
        invoice.charges += _groups(root, syntax.logistics, syntax.logistics_terms, compiled)
    for group, node, path in _groups_with_nodes(root, syntax.lines, syntax.line_terms, compiled):
        if not ({"amount", "name", "quantity"} & group.keys()):
            continue  # a text-only line (a note between positions) carries no business terms
        group.update(_line_allowances(node, path, syntax, compiled))
        invoice.lines.append(group)
    return invoice


def _one_term(term: Term, charge: bool) -> Term:
    """An allowance/charge term with its own business-term id (``BT-92/BT-99`` → ``BT-99`` for a charge)."""
    if "/" not in term.bt:
        return term
    allowance_bt, charge_bt = term.bt.split("/", 1)
    return Term(term.name, charge_bt if charge else allowance_bt, term.value, term.raw, term.path, term.valid)


def _indicator(nodes: Any) -> bool:
    text = _text(nodes[0]) if nodes else ""
    return text.lower() in ("true", "1")


@cache
def _compiled(syntax_name: str, root: str) -> Callable[[str], _XPath]:
    syntax = next(s for s in SYNTAXES.values() if s.name == syntax_name and s.root == root)
    cache_: dict[str, _XPath] = {}

    def get(path: str) -> _XPath:
        found = cache_.get(path)
        if found is None:
            found = cache_[path] = etree.XPath(path, namespaces=syntax.namespaces)
        return found
    return get


def _text(node: Any) -> str:
    if isinstance(node, str):
        return _SPACE.sub(" ", node).strip()
    return _SPACE.sub(" ", "".join(node.itertext())).strip()


def _read_scope(node: Any, specs: tuple[Spec, ...], compiled: Callable[[str], _XPath], *, prefix: str) -> Group:
    group: Group = {}
    for name, bt, path in specs:
        if name in group or name in IN_INVOICE_CURRENCY or name in IN_TAX_CURRENCY:
            continue
        found = compiled(path)(node)
        for item in found if isinstance(found, list) else []:
            raw = _text(item)
            if raw:
                group[name] = _term(name, bt, raw, prefix + path, item)
                break
    return group


def _pick_currency_amounts(root: Any, syntax: Syntax, compiled: Callable[[str], _XPath], header: Group,
                           currencies: tuple[str | None, str | None]) -> None:
    """BT-110 is the VAT total in the invoice currency, BT-111 the one in the VAT accounting currency."""
    invoice_currency, tax_currency = currencies
    for name, bt, path in syntax.header:
        if name not in IN_INVOICE_CURRENCY and name not in IN_TAX_CURRENCY:
            continue
        wanted = invoice_currency if name in IN_INVOICE_CURRENCY else tax_currency
        if name in IN_TAX_CURRENCY and (tax_currency is None or tax_currency == invoice_currency):
            continue
        for node in compiled(path)(root):
            currency = node.get("currencyID")
            first_without_currency = name in IN_INVOICE_CURRENCY and (currency is None or wanted is None)
            if (currency == wanted or first_without_currency) and _text(node):
                header[name] = _term(name, bt, _text(node), path, node)
                break


def _in_currency(group: Group, currency: str | None) -> bool:
    return True if currency is None else group.get("_currency") is None or group["_currency"].value == currency


def _groups(root: Any, path: str, specs: tuple[Spec, ...], compiled: Callable[[str], _XPath]) -> list[Group]:
    return [g for g, _, _ in _groups_with_nodes(root, path, specs, compiled)]


def _groups_with_nodes(root: Any, path: str, specs: tuple[Spec, ...],
                       compiled: Callable[[str], _XPath]) -> list[tuple[Group, Any, str]]:
    found = []
    for index, node in enumerate(compiled(path)(root), start=1):
        where = f"{path}[{index}]/"
        group = _read_scope(node, specs, compiled, prefix=where)
        amount_node = next(iter(compiled(specs[0][2])(node)), None)
        currency = amount_node.get("currencyID") if amount_node is not None and hasattr(amount_node, "get") else None
        if currency:
            group["_currency"] = Term("_currency", "", currency, currency, where)
        found.append((group, node, where))
    return found


def _line_allowances(node: Any, path: str, syntax: Syntax, compiled: Callable[[str], _XPath]) -> Group:
    sums = {"line_allowance": Decimal(0), "line_charge": Decimal(0)}
    seen = set()
    for item in compiled(syntax.line_allowances)(node):
        amount = next(iter(compiled(syntax.line_allowance_amount)(item)), None)
        value = _decimal(_text(amount)) if amount is not None else None
        if value is None:
            continue
        name = "line_charge" if _indicator(compiled(syntax.line_charge_indicator)(item)) else "line_allowance"
        sums[name] += value
        seen.add(name)
    bts = {"line_allowance": "BG-27", "line_charge": "BG-28"}
    return {name: Term(name, bts[name], _plain(sums[name]), _plain(sums[name]), path + syntax.line_allowances)
            for name in seen}


def _term(name: str, bt: str, raw: str, path: str, node: Any) -> Term:
    if name in AMOUNT_FIELDS:
        value = _decimal(raw)
        return Term(name, bt, _plain(value) if value is not None else raw, raw, path, value is not None)
    if name in DATE_FIELDS:
        fmt = node.get("format") if hasattr(node, "get") else None
        iso = _date(raw, fmt)
        return Term(name, bt, iso or raw, raw, path, iso is not None)
    if name in ("currency", "tax_currency", "type_code") or name.endswith("_country") or name.endswith("category"):
        return Term(name, bt, raw.upper(), raw, path)
    return Term(name, bt, raw, raw, path)


def _decimal(text: str) -> Decimal | None:
    cleaned = text.strip()
    if not _DECIMAL.match(cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _plain(value: Decimal) -> str:
    return format(value, "f")


def _date(text: str, fmt: str | None) -> str | None:
    """ISO date of CII format 102 (``20240131``), ISO text (``2024-01-31``, with a time too), or None."""
    cleaned = text.strip()
    if fmt not in (None, "102") and not re.match(r"^\d{4}-\d{2}-\d{2}", cleaned):
        return None
    match = re.match(r"^(\d{4})(\d{2})(\d{2})$", cleaned) or re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:$|T|[+-Z ])",
                                                                       cleaned)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return None
