"""Order forms, contracts and customer change forms: classified by title words, read by labels.

Small and general on purpose: a CRM form is recognised by its title near the top (English and
German words in :data:`TITLES`), and its fields are ``Label: value`` lines (or a label and the
value on the next line) for the labels in :data:`LABELS`. Values come out in the canonical text
forms every extractor uses (ISO dates, plain decimals, compact IBANs), with the exact text read as
``raw_text`` and a confidence that says how the value was found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from docket.model import ExtractedField, MissingField
from docket.understanding.values import parse_amount, parse_bic, parse_currency, parse_date, parse_iban

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


@dataclass(frozen=True)
class CrmClassification:
    """A CRM ``document_type`` and how sure the title makes it (0..1)."""

    document_type: str
    confidence: float


def fold(text: str) -> str:
    """Lower case without accents and with single spaces: how labels and titles are compared."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def _has_words(line: str, words: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(fold(words))}(?!\w)", line) is not None


def classify_crm(lines: Sequence[str]) -> CrmClassification | None:
    """The CRM type whose title stands in the first lines, or None (then it is no CRM form).

    A line that is the title alone is surest; a line that starts with the title and goes on a
    little (``Service Agreement 2026``) less so. A label such as ``Contract no: 4711`` on an
    invoice is no title (it has a colon). The title nearest the top wins.
    """
    for index, line in enumerate(fold(line) for line in lines[:_TOP_LINES]):
        for kind, titles in TITLES.items():
            for title in sorted(titles, key=len, reverse=True):
                folded = fold(title)
                if line == folded:
                    return CrmClassification(kind, 0.95)
                if line.startswith(folded) and _has_words(line, title) and ":" not in line \
                        and len(line) <= len(folded) + 20:
                    return CrmClassification(kind, 0.8 if index < 3 else 0.7)
    return None


def _parse_months(text: str) -> str | None:
    match = re.search(r"(\d{1,3})\s*(months?|monate?n?|years?|jahre?n?)", fold(text))
    if not match:
        return None
    count = int(match.group(1))
    return str(count * 12 if match.group(2).startswith(("year", "jahr")) else count)


def _parse_days(text: str) -> str | None:
    folded = fold(text)
    match = re.search(r"(\d{1,3})\s*(days?|tage?n?|months?|monate?n?|weeks?|wochen?)", folded)
    if not match:
        return None
    count, unit = int(match.group(1)), match.group(2)
    return str(count * 30 if unit.startswith(("month", "monat")) else count * 7 if unit.startswith(("week", "woche"))
               else count)


def _parse_renewal(text: str) -> str | None:
    folded = fold(text)
    if re.search(r"(?<!\w)(no|none|nicht|keine|does not)(?!\w)", folded):
        return "none"
    if re.search(r"automatic|auto|renews|verlangert sich|automatisch|yes|ja", folded):
        return "auto"
    return None


def _parse_frequency(text: str) -> str | None:
    folded = fold(text)
    for name, words in (("monthly", ("monthly", "monatlich", "per month")),
                        ("quarterly", ("quarterly", "vierteljahrlich", "quartalsweise", "per quarter")),
                        ("yearly", ("yearly", "annually", "annual", "jahrlich", "per year"))):
        if any(word in folded for word in words):
            return name
    return None


def _plain(text: str) -> str | None:
    value = text.strip().strip(":").strip()
    return value or None


def _email(text: str) -> str | None:
    match = re.search(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", text)
    return match.group(0).lower() if match else None


def _country(text: str) -> str | None:
    value = text.strip().upper()
    names = {"GERMANY": "DE", "DEUTSCHLAND": "DE", "NETHERLANDS": "NL", "FRANCE": "FR", "AUSTRIA": "AT",
             "ÖSTERREICH": "AT", "SWITZERLAND": "CH", "SCHWEIZ": "CH"}
    return value if re.fullmatch(r"[A-Z]{2}", value) else names.get(value)


def _amount(text: str) -> str | None:
    return parse_amount(text)


PARSERS: dict[str, Callable[[str], str | None]] = {
    "signature_date": parse_date, "start_date": parse_date, "end_date": parse_date,
    "total": _amount, "net_total": _amount, "value": _amount, "currency": parse_currency,
    "term_months": _parse_months, "notice_period": _parse_days, "renewal": _parse_renewal,
    "billing_frequency": _parse_frequency, "new_iban": parse_iban, "old_iban": parse_iban, "new_bic": parse_bic,
    "email": _email, "country": _country,
}


def _label_at(line: str, names: Sequence[str]) -> tuple[str, str] | None:
    """The field whose label starts ``line`` (folded) and the text after it, longest label first."""
    folded = fold(line)
    best: tuple[int, str, str] | None = None
    for name in names:
        for label in LABELS[name]:
            if re.match(rf"{re.escape(label)}(?!\w)\s*[:#.\-]?", folded) and (best is None or len(label) > best[0]):
                rest = re.sub(rf"^{re.escape(label)}\s*[:#.\-]?\s*", "", folded)
                # Keep the value's own spelling: cut the same number of characters from the original line.
                original = line.strip()[len(line.strip()) - len(rest):] if rest else ""
                best = (len(label), name, original)
    return (best[1], best[2]) if best else None


def extract_crm(lines: Sequence[str], document_type: str) -> tuple[list[ExtractedField], list[MissingField]]:
    """The labelled fields of a CRM form of ``document_type`` read from its text ``lines``.

    A value beside its label is surer than one on the next line; the first reading of a field wins.
    Missing fields the type needs (:data:`WANTED`) are reported with a reason.
    """
    names = _TYPE_FIELDS.get(document_type, ())
    found: dict[str, ExtractedField] = {}
    for index, line in enumerate(lines):
        hit = _label_at(line, names)
        if hit is None or hit[0] in found:
            continue
        name, text = hit
        confidence = _LABELLED
        if not text.strip() and index + 1 < len(lines):
            text, confidence = lines[index + 1], _NEXT_LINE
        value = PARSERS.get(name, _plain)(text)
        if value is None:
            continue
        found[name] = ExtractedField(name=name, value=value, raw_text=text.strip(), confidence=confidence,
                                     method="layout", engine="text_layer")
    missing = [MissingField(name=name, reason=f"no '{LABELS[name][0]}' label on the {document_type.replace('_', ' ')}")
               for name in WANTED.get(document_type, ()) if name not in found]
    return list(found.values()), missing
