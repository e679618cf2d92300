"""Order forms, contracts and customer change forms: classified and read by general rules.

A CRM form is recognised by its title in the top of its first page (English and German words in
:data:`TITLES`, or a title whose head noun is theirs: :func:`head_type`), else by its content
(:func:`content_type`: bank details without amounts, durations with a billing period, a signed form
with amounts). Its fields are ``Label: value`` lines or a label with its value on the next line or
in the next column, for the labels in :data:`LABELS`; with the page geometry also values under
their labels, signature blocks, a letter's addressee and values of unmistakable shape
(:mod:`docket.understanding.crm_layout`). Values come out in the canonical text forms every
extractor uses (ISO dates, plain decimals, compact IBANs; see :mod:`docket.understanding.crm_values`),
with the exact text read as ``raw_text`` and a confidence that says how the value was found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from docket.model import ExtractedField, MissingField
from docket.understanding.crm_layout import addressee, body_values, is_place_date, place_date, stacked_pairs
from docket.understanding.crm_values import (
    PARSERS,
    country_names,
    email_address,
    fold,
    has_decimal_number,
    international_phone,
    money_amount,
    parse_duration,
    parse_frequency,
    plain_text,
)
from docket.understanding.layout import Line
from docket.understanding.values import parse_date, parse_iban

TITLES: dict[str, tuple[str, ...]] = {
    "order_form": ("signed order form", "quote acceptance", "acceptance of quotation",
                   "auftragsformular", "angebotsannahme", "auftragserteilung"),
    "contract": ("service agreement", "subscription agreement", "master services agreement", "contract",
                 "dienstleistungsvertrag", "wartungsvertrag", "vertrag"),
    "customer_change": ("change of customer details", "customer data change", "change of bank details",
                        "customer details change", "stammdatenänderung", "änderung der kundendaten",
                        "änderung der bankverbindung"),
}
_TOP_LINES = 6
# The head nouns of the titles above: a short title line whose head is one of them names the type
# even in wording not listed ("Software Licence Agreement", "Proposal Acceptance"); German titles
# are compounds whose last part is the head ("Rahmenvertrag", "Vertragsänderung").
HEADS: dict[str, tuple[str, ...]] = {
    "order_form": ("acceptance",), "contract": ("agreement", "contract"), "customer_change": ("change",)}
COMPOUND_HEADS: dict[str, tuple[str, ...]] = {
    "order_form": ("annahme",), "contract": ("vertrag",), "customer_change": ("anderung",)}
_OF_WORDS = frozenset({"of", "der", "des", "for"})
_TITLE_WORDS = 6
_TITLE_AREA = 0.4  # fraction of the first page's height where a title may stand
_WEAK = 0.7

# field name -> label words (folded: lower case, no accents). Longer labels are tried first.
LABELS: dict[str, tuple[str, ...]] = {
    "buyer_name": ("customer", "client", "kunde", "auftraggeber", "company name"),
    "customer_reference": ("customer number", "customer no", "kundennummer", "account number crm"),
    "opportunity_reference": ("quote reference", "quote number", "quote no", "quotation", "opportunity",
                              "angebotsnummer", "angebot"),
    "order_number": ("order form number", "order number", "order no", "form number", "auftragsnummer"),
    "signature_date": ("signature date", "signed on", "date signed", "unterschrieben am", "datum der unterschrift"),
    "total": ("total", "order total", "gesamtbetrag", "summe"),
    "net_total": ("net amount", "net total", "nettobetrag"),
    "currency": ("currency", "wahrung"),
    "contract_number": ("contract number", "contract no", "agreement number", "vertragsnummer"),
    "start_date": ("start date", "commencement date", "effective date", "vertragsbeginn", "beginn"),
    "end_date": ("end date", "expiry date", "vertragsende"),
    "term_months": ("initial term", "term", "laufzeit"),
    "renewal": ("renewal", "automatic renewal", "verlangerung"),
    "notice_period": ("notice period", "kundigungsfrist"),
    "value": ("contract value", "fee per period", "recurring fee", "monthly fee", "value", "entgelt"),
    "billing_frequency": ("billing frequency", "billing", "invoicing", "abrechnung"),
    "street": ("new street", "street", "strasse"),
    "postal_code": ("new postal code", "postal code", "zip code", "postleitzahl", "plz"),
    "city": ("new city", "city", "ort", "stadt"),
    "country": ("country", "land"),
    "email": ("new e-mail", "new email", "e-mail", "email"),
    "phone": ("new phone", "phone", "telephone", "telefon"),
    "new_iban": ("new iban", "neue iban"),
    "new_bic": ("new bic", "neue bic"),
    "old_iban": ("previous iban", "old iban", "bisherige iban", "alte iban"),
}
WANTED: dict[str, tuple[str, ...]] = {
    "order_form": ("buyer_name", "opportunity_reference", "order_number", "signature_date", "total", "currency"),
    "contract": ("buyer_name", "contract_number", "start_date", "value", "billing_frequency", "currency"),
    "customer_change": ("buyer_name",),
}
_TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "order_form": ("buyer_name", "customer_reference", "opportunity_reference", "order_number", "signature_date",
                   "total", "net_total", "currency"),
    "contract": ("buyer_name", "customer_reference", "contract_number", "start_date", "end_date", "term_months",
                 "renewal", "notice_period", "value", "billing_frequency", "currency", "signature_date"),
    "customer_change": ("buyer_name", "customer_reference", "street", "postal_code", "city", "country", "email",
                        "phone", "new_iban", "new_bic", "old_iban", "signature_date"),
}
_LABELLED = 0.9
_NEXT_LINE = 0.8
_SHAPED = 0.7  # found by where it stands (signature block, address window), not by a label
_GUESSED = 0.6  # found by its shape alone (the one IBAN or e-mail in the body of a change form)


@dataclass(frozen=True)
class CrmClassification:
    """A CRM ``document_type`` and how sure the title makes it (0..1)."""

    document_type: str
    confidence: float


def _has_words(line: str, words: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(fold(words))}(?!\w)", line) is not None


def classify_crm(lines: Sequence[str], top_lines: int = _TOP_LINES) -> CrmClassification | None:
    """The CRM type whose title stands in the first ``top_lines`` lines, or None (no CRM form).

    A line that is the title alone is surest; a line that starts with the title and goes on a
    little (``Service Agreement 2026``) less so; a short line whose head noun is a title's head
    (:func:`head_type`) less again. A label such as ``Contract no: 4711`` on an invoice is no title
    (it has a colon). The title nearest the top wins.
    """
    for index, line in enumerate(fold(line) for line in lines[:top_lines]):
        for kind, titles in TITLES.items():
            for title in sorted(titles, key=len, reverse=True):
                folded = fold(title)
                if line == folded:
                    return CrmClassification(kind, 0.95)
                if line.startswith(folded) and _has_words(line, title) and ":" not in line \
                        and len(line) <= len(folded) + 20:
                    return CrmClassification(kind, 0.8 if index < 3 else 0.7)
        headed = head_type(line)
        if headed is not None:
            return CrmClassification(headed, 0.7 if index < 3 else 0.6)
    return None


def classify_crm_lines(lines: Sequence[Line], printed_type: str = "other", printed_confidence: float = 0.0,
                       ) -> CrmClassification | None:
    """:func:`classify_crm` over a read document's lines: the title may also stand lower in the top
    of the first page (a letter's subject line under the address window and info block).

    A title found that far down, or only by its head noun, is weaker evidence than a document title
    the general classifier is sure of (``printed_type`` at ``printed_confidence`` >= 0.9, e.g. an
    invoice naming "Maintenance Agreement" in its header): then it is no CRM form.
    """
    texts = [line.text for line in lines]
    first = classify_crm(texts)
    if first is not None and first.confidence > _WEAK:
        return first
    top = [line.text for line in lines if line.page == lines[0].page and line.y0 < _TITLE_AREA] if lines else []
    found = first or classify_crm(top, top_lines=len(top)) or content_type(lines)
    if found is None or (printed_type != "other" and printed_confidence >= 0.9):
        return None
    return CrmClassification(found.document_type, min(found.confidence, _WEAK))


def content_type(lines: Sequence[Line]) -> CrmClassification | None:
    """The CRM type the content of an untitled (or unknown-titled) document shows, in any language:

    - bank details in the body of the page and no number with decimals anywhere: a customer change
      form (an invoice, an order or a statement always states amounts, with or without currency);
    - a signed form (place and date over the signature line, see :func:`place_date`) without any
      number with decimals: a customer change form too (new contacts or address, nothing to pay);
    - two or more durations ("24 Monate", "3 mois"), a billing period ("per maand") and an amount:
      a contract;
    - a signed form stating amounts of money and no duration: an order form (a signed quote;
      invoices, receipts and orders are not signed by the customer, and a purchase order's title
      is one the general classifier is sure of, which then wins).
    """
    body = body_values(lines, lambda text: text)
    if not body:
        return None
    amounts = [value for text, _ in body for value in [money_amount(text)] if value is not None]
    signed = place_date(lines) is not None
    if not any(has_decimal_number(line.text) for line in lines) and (signed or body_values(lines, parse_iban)):
        return CrmClassification("customer_change", 0.6)
    durations = sum(1 for text, _ in body if parse_duration(text) is not None)
    periodic = any(parse_frequency(text) is not None for text, _ in body)
    if amounts and durations >= 2 and periodic:
        return CrmClassification("contract", 0.6)
    if signed and amounts and not durations:
        return CrmClassification("order_form", 0.55)
    return None


def head_type(line: str) -> str | None:
    """The CRM type a short title line names by its head noun, or None.

    The head is the last word ("Maintenance Agreement"), or the word before "of"/"der"
    ("Change of Address", "Änderung der Anschrift"); a German compound's head is its last part
    ("Rahmenvertrag"). Lines with a colon or digits, or longer than a title, are no titles.
    """
    folded = fold(line)
    words = re.findall(r"[^\W\d_]+", folded)
    if not words or len(words) > _TITLE_WORDS or ":" in folded or re.search(r"\d", folded):
        return None
    heads = [words[-1]] + [words[i - 1] for i in range(1, len(words)) if words[i] in _OF_WORDS]
    for kind in TITLES:
        for head in heads:
            if head in HEADS[kind] or any(head.endswith(part) for part in COMPOUND_HEADS[kind]):
                return kind
    return None


_ABBREVIATED_NUMBER = re.compile(r"([^\W\d_]{3,})-?nr\.?(?!\w)")


def label_text(text: str) -> str:
    """``text`` folded with German "-Nr." abbreviations written out ("Kunden-Nr." is "kundennummer",
    "Vertragsnr." is "vertragsnummer"), as labels are compared."""
    return _ABBREVIATED_NUMBER.sub(r"\1nummer", fold(text))


def _label_at(line: str, names: Sequence[str]) -> tuple[str, str] | None:
    """The field whose label starts ``line`` (folded) and the text after it, longest label first."""
    folded = label_text(line)
    best: tuple[int, str, str] | None = None
    for name in names:
        for label in LABELS[name]:
            if re.match(rf"{re.escape(label)}(?!\w)\s*[:#.\-]?", folded) and (best is None or len(label) > best[0]):
                rest = re.sub(rf"^{re.escape(label)}\s*[:#.\-]?\s*", "", folded)
                if rest.startswith(","):
                    continue  # a list of captions ("Ort, Datum" under a signature line), not a label and its value
                # Keep the value's own spelling: cut the same number of characters from the original line.
                original = line.strip()[len(line.strip()) - len(rest):] if rest else ""
                best = (len(label), name, original)
    return (best[1], best[2]) if best else None


def _is_label(text: str, names: Sequence[str]) -> bool:
    """Whether ``text`` is one of the labels of ``names`` and nothing more (a colon may follow)."""
    folded = label_text(text).rstrip(":# ").strip()
    return any(folded == label for name in names for label in LABELS[name])


def _header_row(line: Line, names: Sequence[str]) -> bool:
    """A table's header row: two or more segments, every one a label (its values are in the row below)."""
    return len(line.segments) >= 2 and all(_is_label(segment.text, names) for segment in line.segments)


def _read_labelled(lines: Sequence[str], names: Sequence[str], found: dict[str, ExtractedField],
                   confidence: float, skip: frozenset[int] = frozenset(), next_line: bool = True) -> None:
    """Add to ``found`` the fields whose label starts a line (value after it, or on the next line)."""
    for index, line in enumerate(lines):
        if index in skip:
            continue
        hit = _label_at(line, names)
        if hit is None or hit[0] in found:
            continue
        name, text = hit
        certainty = confidence
        if not text.strip():
            if not next_line or index + 1 >= len(lines):
                continue
            text, certainty = lines[index + 1], _NEXT_LINE
        value = PARSERS.get(name, plain_text)(text)
        if value is None:
            continue
        found[name] = ExtractedField(name=name, value=value, raw_text=text.strip(), confidence=certainty,
                                     method="layout", engine="text_layer")


def _add(found: dict[str, ExtractedField], name: str, text: str | None, confidence: float) -> None:
    if name in found or text is None:
        return
    value = PARSERS.get(name, plain_text)(text)
    if value is not None:
        found[name] = ExtractedField(name=name, value=value, raw_text=text.strip(), confidence=confidence,
                                     method="layout", engine="text_layer")


def _column_texts(layout: Sequence[Line], names: Sequence[str]) -> list[str]:
    """Each column after a line's first, with the column beside it unless that is a label too: a
    label may start a column ("Kunden-Nr.  C-2001" right of an address line); a table's header row
    ("Customer  Customer number") has no values beside its labels."""
    texts = []
    for line in layout:
        segments = line.segments
        for k in range(1, len(segments)):
            beside = segments[k + 1].text if k + 1 < len(segments) and not _is_label(segments[k + 1].text, names) \
                else ""
            texts.append(f"{segments[k].text} {beside}".strip())
    return texts


def _from_layout(layout: Sequence[Line], document_type: str, names: Sequence[str],
                 found: dict[str, ExtractedField]) -> None:
    """The fields the page geometry gives when their label does not stand beside them."""
    _read_labelled(_column_texts(layout, names), names, found, _LABELLED, next_line=False)
    pairs = stacked_pairs(layout, lambda text: _is_label(text, names))
    _read_labelled([f"{label}: {value}" for label, value in pairs], names, found, _NEXT_LINE, next_line=False)
    if "signature_date" in names:
        _add(found, "signature_date", place_date(layout), _SHAPED)
    _add(found, "buyer_name", addressee(layout), _SHAPED)
    _from_shapes(layout, document_type, found)
    if document_type == "customer_change":
        known = {found[n].value for n in ("new_iban", "old_iban") if n in found}
        ibans = [text for text, value in body_values(layout, parse_iban) if value not in known]
        if len(ibans) == 1:  # the one account a change form names beside those read by label is the new one
            # (two unlabelled accounts stay unread: which one is the old is said only by words)
            _add(found, "new_iban", ibans[0], _GUESSED)
        emails = body_values(layout, email_address)
        if len({value for _, value in emails}) == 1:
            _add(found, "email", emails[0][0], _GUESSED)
        phones = body_values(layout, international_phone)
        if len({value for _, value in phones}) == 1:
            _add(found, "phone", phones[0][0], _GUESSED)


_MAX_VAT = Decimal("1.3")


def _from_shapes(layout: Sequence[Line], document_type: str, found: dict[str, ExtractedField]) -> None:
    """Unlabelled values a form's type explains by their shape alone.

    An order form's largest amount of money is its total, and a smaller one that the total exceeds
    by no more than a VAT rate (up to 30 %) its net amount; a contract stating one amount states its
    fee, and one billing period word its frequency; a change form naming one country names the new one.
    """
    amounts = body_values(layout, money_amount)
    if document_type == "order_form" and amounts and "total" not in found:
        text, top = max(amounts, key=lambda pair: Decimal(pair[1]))
        _add(found, "total", text, _GUESSED)
        nets = [(t, v) for t, v in amounts if Decimal(v) > 0 and Decimal(v) < Decimal(top) <= Decimal(v) * _MAX_VAT]
        if nets:
            _add(found, "net_total", max(nets, key=lambda pair: Decimal(pair[1]))[0], _GUESSED)
    if document_type == "contract":
        if len({value for _, value in amounts}) == 1:
            _add(found, "value", amounts[0][0], _GUESSED)
        periods = body_values(layout, parse_frequency)
        if len({value for _, value in periods}) == 1:
            _add(found, "billing_frequency", periods[0][0], _GUESSED)
    if document_type == "contract":
        _contract_dates(layout, found)
    if document_type == "customer_change":
        countries = body_values(layout, lambda text: country_names().get(fold(text)))
        if len({value for _, value in countries}) == 1:
            _add(found, "country", countries[0][0], _GUESSED)


def _contract_dates(layout: Sequence[Line], found: dict[str, ExtractedField]) -> None:
    """A contract's unlabelled dates besides the signature's (a "<place>, <date>" line is a
    signature or a letter's date): the earliest is its start and, when it states no term, the
    latest its end."""
    dated = [(text, value) for text, value in body_values(layout, parse_date) if not is_place_date(text)]
    signed = found["signature_date"].value if "signature_date" in found else None
    dated = [(text, value) for text, value in dated if value != signed]
    if not dated:
        return
    _add(found, "start_date", min(dated, key=lambda pair: pair[1])[0], _GUESSED)
    latest = max(dated, key=lambda pair: pair[1])
    if "term_months" not in found and latest[1] > found["start_date"].value:
        _add(found, "end_date", latest[0], _GUESSED)


def extract_crm(lines: Sequence[str], document_type: str, layout: Sequence[Line] | None = None,
                ) -> tuple[list[ExtractedField], list[MissingField]]:
    """The fields of a CRM form of ``document_type`` read from its text ``lines``.

    Labelled values first: a value beside its label is surer than one on the next line; the first
    reading of a field wins. With the page ``layout`` (the same lines with their geometry) a table's
    header row is not read as a label line, and values under their labels, a signature block's
    date, a letter's addressee, the currency of the amounts and unlabelled IBAN and e-mail of a
    change form follow (:mod:`docket.understanding.crm_layout`). Missing fields the type needs
    (:data:`WANTED`) are reported with a reason.
    """
    names = _TYPE_FIELDS.get(document_type, ())
    found: dict[str, ExtractedField] = {}
    headers = frozenset(i for i, line in enumerate(layout or ()) if _header_row(line, names))
    _read_labelled(lines, names, found, _LABELLED, skip=headers)
    if layout is not None:
        _from_layout(layout, document_type, names, found)
    money = next((found[n] for n in ("total", "net_total", "value") if n in found), None)
    if "currency" in names and money is not None:  # "400,00 EUR", "€ 1.200": the amount says its currency
        _add(found, "currency", money.raw_text, _LABELLED)
    missing = [MissingField(name=name, reason=f"no '{LABELS[name][0]}' label on the {document_type.replace('_', ' ')}")
               for name in WANTED.get(document_type, ()) if name not in found]
    return list(found.values()), missing
