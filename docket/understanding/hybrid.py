"""Hybrid PDFs (Factur-X, ZUGFeRD, XRechnung with a visual copy): the XML is the invoice, and the
printed page is held against it.

Each core field the printed capture found — number, issue date, totals, IBAN, seller VAT id — is
compared with the XML's value. A difference is a ``PRINTED_XML_MISMATCH`` finding naming both
values, which sends the document to review: a tampering and fraud signal. The printed reading can
itself be wrong (a label read next to the wrong amount), so a difference only counts when the
XML's value is printed nowhere on the pages and the printed amount is none of the XML's other
amounts (a label read beside the wrong total); for number, date and total, a printed page that
nowhere shows the XML's value is a mismatch even when the printed capture found no such field.
Where print and XML agree, the XML field takes the printed field's box, so review shows where
the value stands on the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from docket.model import ExtractedField, Finding
from docket.reading.page import Page
from docket.understanding.document import CapturedDocument
from docket.understanding.values import NumberStyle, parse_amount, parse_date

MISMATCH = "PRINTED_XML_MISMATCH"
_ALNUM = re.compile(r"[^0-9A-Z]")
_STYLES = (NumberStyle("."), NumberStyle(","))
_BREAKDOWN = re.compile(r"^tax_\d+_(amount|base)$")  # a VAT breakdown row printed without a VAT total
_XML_AMOUNTS = frozenset({"line_total", "allowance_total", "charge_total", "net_total", "tax_total", "total",
                          "prepaid_amount", "amount_due"})


@dataclass(frozen=True)
class PrintedText:
    """What the pages show, in the forms the comparison looks for."""

    compact: str
    dates: frozenset[str]
    amounts: frozenset[Decimal]

    @classmethod
    def of(cls, pages: Sequence[Page]) -> PrintedText:
        words = [w.text for p in pages for w in p.words]
        compact = _ALNUM.sub("", " ".join(words).upper())
        dates: set[str] = set()
        amounts: set[Decimal] = set()
        for size in (1, 2, 3):
            for start in range(len(words) - size + 1):
                text = " ".join(words[start:start + size]).strip(":;()")
                for day_first in (True, False):
                    found = parse_date(text, day_first=day_first) if any(c.isdigit() for c in text) else None
                    if found:
                        dates.add(found)
                if size <= 2:
                    amounts.update(_amounts(text))
        return cls(compact=compact, dates=frozenset(dates), amounts=frozenset(amounts))


def _amounts(text: str) -> set[Decimal]:
    found = set()
    for style in _STYLES:
        value = parse_amount(text, style)
        if value is not None:
            try:
                found.add(abs(Decimal(value)))
            except InvalidOperation:
                continue
    return found


def _key(text: str) -> str:
    return _ALNUM.sub("", text.upper())


def _same_amount(a: str, b: str) -> bool:
    try:
        return abs(Decimal(a)) == abs(Decimal(b))
    except InvalidOperation:
        return False


@dataclass(frozen=True)
class Check:
    """How one core field is compared and looked for on the page."""

    name: str
    same: Callable[[str, str], bool]
    printed: Callable[[str, PrintedText], bool]
    must_print: bool


def _amount_printed(value: str, text: PrintedText) -> bool:
    try:
        return abs(Decimal(value)) in text.amounts
    except InvalidOperation:
        return False


CHECKS = (
    Check("invoice_number", lambda a, b: _key(a) == _key(b), lambda v, t: bool(_key(v)) and _key(v) in t.compact,
          must_print=True),
    Check("invoice_date", lambda a, b: a == b, lambda v, t: v in t.dates, must_print=True),
    Check("total", _same_amount, _amount_printed, must_print=True),
    Check("net_total", _same_amount, _amount_printed, must_print=False),
    Check("tax_total", _same_amount, _amount_printed, must_print=False),
    Check("supplier_iban", lambda a, b: _key(a) == _key(b), lambda v, t: _key(v) in t.compact, must_print=False),
    Check("supplier_vat_id", lambda a, b: _key(a) == _key(b), lambda v, t: _key(v) in t.compact, must_print=False),
)


def compare_printed(xml: CapturedDocument, printed: CapturedDocument, pages: Sequence[Page]
                    ) -> tuple[list[ExtractedField], list[Finding]]:
    """The XML fields (with printed boxes where print and XML agree) and the mismatch findings."""
    xml_fields = {f.name: f for f in xml.fields}
    printed_fields = {f.name: f for f in printed.fields}
    text = PrintedText.of(pages)
    boxes: dict[str, ExtractedField] = {}
    findings: list[Finding] = []
    xml_amounts = [f.value for name, f in xml_fields.items() if name in _XML_AMOUNTS or _BREAKDOWN.match(name)]
    for check in CHECKS:
        ours = xml_fields.get(check.name)
        if ours is None:
            continue
        theirs = printed_fields.get(check.name)
        if theirs is not None and check.same(theirs.value, ours.value):
            boxes[check.name] = theirs
            continue
        if check.printed(ours.value, text):
            continue
        if theirs is not None and check.same is _same_amount and any(_same_amount(theirs.value, v)
                                                                     for v in xml_amounts):
            continue  # the printed reading took another of the invoice's amounts: a label misread, not a mismatch
        if theirs is None and not check.must_print:
            continue
        shown = repr(theirs.raw_text or theirs.value) if theirs is not None else "nothing"
        findings.append(Finding(
            rule_id=MISMATCH, severity="error", fields=[check.name],
            message=f"{check.name}: the printed page shows {shown}, the XML ({ours.business_term}) says "
                    f"{ours.value!r}"))
    fields = [replace_box(f, boxes[f.name]) if f.name in boxes else f for f in xml.fields]
    return fields, findings


def replace_box(field: ExtractedField, printed: ExtractedField) -> ExtractedField:
    """``field`` with the printed field's box (the value stays the XML's)."""
    return field.model_copy(update={"bbox": printed.bbox})


def hybrid_document(xml: CapturedDocument, printed: CapturedDocument, pages: Sequence[Page]) -> CapturedDocument:
    """The hybrid PDF's capture result: the XML's fields and line items, the printed page's page
    count and language, the XML's rule findings plus the print-versus-XML mismatches."""
    fields, mismatches = compare_printed(xml, printed, pages)
    timings = {key: round(xml.timings.get(key, 0.0) + printed.timings.get(key, 0.0), 6)
               for key in {*xml.timings, *printed.timings}}
    return replace(xml, fields=fields, findings=[*xml.findings, *mismatches], page_count=printed.page_count,
                   page_range=printed.page_range, language=printed.language,
                   engine=f"{xml.engine}+{printed.engine}", timings=timings, notes=printed.notes)
