"""Shared reading of commercial documents (invoices, credit notes, orders): header fields by
label, the two parties, the tax breakdown, line items, and the document currency."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from docket.model import ExtractedField, LineItem, MissingField
from docket.understanding.extract.base import Context, Found, assemble, line_items
from docket.understanding.extract.fields import read_labelled
from docket.understanding.extract.headings import heading_party, terms_due_date, title_line_fields
from docket.understanding.extract.parties import address_after, footer_address, issuer, party_block
from docket.understanding.extract.table import find_table, read_rows
from docket.understanding.extract.taxes import tax_breakdown
from docket.understanding.extract.totals import reconcile_totals
from docket.understanding.values import (
    KNOWN_CURRENCIES,
    parse_bic,
    parse_iban,
    parse_labelled_iban,
    parse_vat_id,
    strip_currency,
)

LINE_COLUMNS = frozenset({"description", "quantity", "unit", "unit_price", "amount", "tax_rate", "sku"})


@dataclass
class Extraction:
    """What an extractor found: fields, missing fields with reasons, line items."""

    fields: list[ExtractedField]
    missing: list[MissingField]
    line_items: list[LineItem]
    found: dict[str, Found] = field(default_factory=dict)


def renamed(found: Found, name: str) -> Found:
    return Found(name, found.value, found.words, found.page, found.method, found.confidence, found.raw_text)


def read_parties(ctx: Context, found: dict[str, Found], *, issuer_role: str, other_role: str,
                 other_label: str, address_field: str | None) -> None:
    """Issuer from the letterhead, the other party from its labelled block (fills ``found``)."""
    headed = heading_party(ctx, other_label)
    other = (headed[0], headed[1]) if headed is not None else party_block(ctx, other_label)
    skip: set[int] = set()
    if other is not None:
        found[f"{other_role}_name"] = renamed(other[0], f"{other_role}_name")
        skip = {other[1], other[1] - 1}
    # A block headed "Verkäufer" / "Seller" names the issuer outright; the letterhead is the fallback.
    head = heading_party(ctx, "supplier") if issuer_role == "supplier" else None
    head = head or issuer(ctx, skip)
    if head is not None:
        found[f"{issuer_role}_name"] = renamed(head[0], f"{issuer_role}_name")
        if address_field is not None:
            address = address_after(ctx, head[1], head[2]) or footer_address(ctx, head[0].value, head[1])
            if address is not None:
                found[address_field] = renamed(address, address_field)


def read_currency(ctx: Context, found: dict[str, Found]) -> None:
    """The currency label's value, else the code or symbol printed most often next to amounts."""
    if "currency" in found:
        return
    counts: Counter[str] = Counter()
    where: dict[str, tuple[Any, int]] = {}
    for line in ctx.lines:
        previous = ""
        for word in line.words:
            code = _currency_of_word(word.text)
            legal_form = previous.rstrip(".").upper() in _LEGAL_FORM_BEFORE_CODE
            previous = word.text
            if code is not None and not legal_form:
                counts[code] += 1
                where.setdefault(code, (word, line.page))
    if counts:
        code, seen = counts.most_common(1)[0]
        word, page = where[code]
        found["currency"] = Found("currency", code, (word,), page, "pattern", _currency_confidence(seen, counts))


# "SDN BHD" (Sendirian Berhad) is the Malaysian legal form, not Bahraini dinars.
_LEGAL_FORM_BEFORE_CODE = frozenset({"SDN", "SDN.", "S/B"})


def _currency_confidence(seen: int, counts: Counter[str]) -> float:
    """How sure a currency read from codes and symbols is: the same one printed beside several
    amounts and no other one anywhere is as good as a label; a lone mention less so; competing
    currencies on one document (a converted total, a foreign fee) least."""
    if len(counts) > 1:
        return 0.6
    return 0.95 if seen >= 2 else 0.8


def _currency_of_word(text: str) -> str | None:
    stripped = text.strip(".,:;()")
    if stripped in KNOWN_CURRENCIES:
        return stripped
    rest, code = strip_currency(text)
    return code if code is not None and (not rest or re.fullmatch(r"[\d.,\-\s]+", rest)) else None


def read_bank_and_ids(ctx: Context, found: dict[str, Found], *, vat_field: str | None) -> None:
    """IBAN, BIC and VAT ID found by their patterns anywhere when no label gave them."""
    for line in ctx.lines:
        text = line.text
        if "supplier_iban" not in found and (iban := parse_iban(text)):
            found["supplier_iban"] = Found("supplier_iban", iban, line.words, line.page, "pattern", 0.9)
    for line in ctx.lines:
        # A compound label ("Verkäufer-IBAN :") is no dictionary label; the word IBAN on the line is.
        if "supplier_iban" in found:
            break
        after = re.split(r"\bIBAN\b", line.text, maxsplit=1, flags=re.IGNORECASE)
        if len(after) == 2 and (iban := parse_labelled_iban(after[1])):
            found["supplier_iban"] = Found("supplier_iban", iban, line.words, line.page, "pattern", 0.5)
    for line in ctx.lines:
        text = line.text
        if "supplier_bic" not in found and re.search(r"\b(bic|swift)\b", text, re.I) and (bic := parse_bic(text)):
            found["supplier_bic"] = Found("supplier_bic", bic, line.words, line.page, "pattern", 0.85)
    if vat_field is not None and vat_field not in found:
        for line in ctx.lines:
            taken = {f.value for f in found.values()}
            vat = parse_vat_id(line.text)
            if vat and vat not in taken:
                found[vat_field] = Found(vat_field, vat, line.words, line.page, "pattern", 0.7)
                break


_TERMS = re.compile(r"\b\d{1,3}\s*(?:days?|tage|tagen|jours|d[ií]as|dagen)\b", re.IGNORECASE)


def read_payment_terms(ctx: Context, found: dict[str, Found]) -> None:
    """Unlabelled payment terms ("Paiement à 30 jours", "Zahlungsziel 14 Tage"): the segment
    stating a number of days."""
    if "payment_terms" in found:
        return
    for line in ctx.lines:
        for segment in line.segments:
            if _TERMS.search(segment.text) and not re.search(r"\d[.,]\d{2}\b", segment.text):
                words = segment.words
                found["payment_terms"] = Found("payment_terms", " ".join(w.text for w in words), words,
                                               line.page, "pattern", 0.7)
                return


def read_line_items(ctx: Context, columns: frozenset[str] = LINE_COLUMNS) -> tuple[list[dict[str, Found]], int]:
    """Rows of the line-item table and the index of the first line after it (0: no table)."""
    table = find_table(ctx, columns)
    if table is None:
        return [], 0
    return read_rows(ctx, table, columns)


def read_commercial(ctx: Context, wanted: list[str], *, issuer_role: str, other_role: str,
                    other_label: str, address_field: str | None, own_vat: str, other_vat: str,
                    rename: dict[str, str] | None = None) -> Extraction:
    """Header fields, parties, IDs, taxes and line items of an invoice-like document.

    ``rename`` maps a label-read field to the field it means for this type (an order's issuer
    VAT ID is printed under the labels an invoice uses for the supplier's).
    """
    found = read_labelled(ctx, wanted + list(rename or {}))
    if "invoice_number" in wanted:
        for name, heading in title_line_fields(ctx, "invoice_number", "invoice_date").items():
            found.setdefault(name, heading)
    if "due_date" in wanted and "due_date" not in found and (due := terms_due_date(ctx, "due_date")) is not None:
        found["due_date"] = due
    _assign_vat_ids(found, own_vat, other_vat)
    for source, target in (rename or {}).items():
        value = found.pop(source, None)
        if value is not None and target not in found:
            found[target] = renamed(value, target)
    read_parties(ctx, found, issuer_role=issuer_role, other_role=other_role, other_label=other_label,
                 address_field=address_field)
    read_currency(ctx, found)
    read_bank_and_ids(ctx, found, vat_field=own_vat if own_vat in wanted else None)
    read_payment_terms(ctx, found)
    rows, after_table = read_line_items(ctx)
    found.update(tax_breakdown(ctx, after_table))
    _derive_tax_total(found)
    reconcile_totals(ctx, found)
    wanted_all = wanted + sorted(n for n in found if n.startswith("tax_") and n not in wanted)
    found = {name: value for name, value in found.items() if name in wanted_all}
    fields, missing = assemble(found, wanted_all, ctx.engine)
    return Extraction(fields, missing, line_items(rows, ctx.engine), found)


def _assign_vat_ids(found: dict[str, Found], own_vat: str, other_vat: str) -> None:
    """Two different VAT IDs read under one generic label are not both the issuer's."""
    if own_vat in found and other_vat in found and found[own_vat].value == found[other_vat].value:
        del found[own_vat]


def _derive_tax_total(found: dict[str, Found]) -> None:
    if "tax_total" in found:
        return
    amounts = [f for name, f in found.items() if re.fullmatch(r"tax_\d+_amount", name)]
    if len(amounts) == 1:
        only = amounts[0]
        found["tax_total"] = Found("tax_total", only.value, only.words, only.page, "derived",
                                   0.8 * only.confidence)
