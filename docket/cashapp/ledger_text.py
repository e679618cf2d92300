"""Names and remittance wording for the generated ledger, with the damage people and OCR do to them."""

from __future__ import annotations

import random

_FIRST = ("Acme", "Nordic", "Baltic", "Alpine", "Rhein", "Hanse", "Atlas", "Orion", "Vega", "Delta", "Summit",
          "Pioneer", "Harbor", "Cedar", "Maple", "Granite", "Silver", "Blue", "Green", "Red", "Golden", "Iron",
          "Crystal", "Eagle", "Falcon", "Lion", "Polar", "Solar", "Lunar", "Metro", "Urban", "Royal", "Prime",
          "Vertex", "Apex", "Nova", "Zenith", "Coastal", "Northern", "Western", "Eastern", "Central", "Union")
_SECOND = ("Logistics", "Foods", "Textiles", "Machines", "Systems", "Trading", "Chemicals", "Pharma", "Retail",
           "Steel", "Energy", "Optics", "Electronics", "Furniture", "Paper", "Plastics", "Motors", "Tools",
           "Software", "Media", "Farms", "Brewing", "Construction", "Medical", "Garden", "Marine", "Aviation")
_FORMS = ("GmbH", "AG", "B.V.", "Ltd", "SAS", "S.A.", "Inc.", "LLC", "GmbH & Co. KG", "plc", "")
_OCR = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G", "O": "0", "I": "1", "S": "5"}
_TEXT_FORMS = ("{n}", "INV {n}", "Invoice {n}", "Rechnung {n}", "RE {n}", "Inv.No. {n}", "payment {n}",
               "/INV/{n}", "Facture {n}", "ref {n}")


def company_name(rng: random.Random) -> str:
    """A plausible company name with a legal form."""
    name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
    if rng.random() < 0.3:
        name = f"{name} {rng.choice(_SECOND)}"
    form = rng.choice(_FORMS)
    return f"{name} {form}".strip()


def garble_name(rng: random.Random, name: str) -> str:
    """The name as a bank field shows it: upper-cased, legal form changed, truncated or one typo."""
    damage = rng.random()
    words = name.split()
    if damage < 0.3:
        return name.upper()
    if damage < 0.5 and len(words) > 2:
        return " ".join(words[:-1])
    if damage < 0.7:
        return name[:min(len(name), 18)].upper()
    return typo(rng, name)


def typo(rng: random.Random, text: str) -> str:
    """One substitution, deletion or swap of neighbours at a random alphanumeric position."""
    positions = [k for k, ch in enumerate(text) if ch.isalnum()]
    if len(positions) < 3:
        return text
    k = rng.choice(positions[1:-1])
    kind = rng.random()
    if kind < 0.4:
        return text[:k] + rng.choice("0123456789") + text[k + 1:]
    if kind < 0.7:
        return text[:k] + text[k + 1:]
    return text[:k] + text[k + 1] + text[k] + text[k + 2:] if k + 1 < len(text) else text


def ocr_confuse(rng: random.Random, text: str) -> str:
    """One or two characters swapped for a look-alike, as OCR of a paper advice does."""
    out = list(text)
    positions = [k for k, ch in enumerate(out) if ch in _OCR]
    for k in rng.sample(positions, min(len(positions), rng.choice((1, 2)))):
        out[k] = _OCR[out[k]]
    return "".join(out)


def reformat_number(rng: random.Random, number: str) -> str:
    """The invoice number as a customer writes it: separators changed or dropped, case changed."""
    choice = rng.random()
    if choice < 0.45:
        return number
    if choice < 0.6:
        return number.replace("-", "")
    if choice < 0.75:
        return number.replace("-", " ")
    if choice < 0.85:
        return number.replace("-", "/").lower()
    return number.split("-", 1)[-1]


def remittance_text(rng: random.Random, numbers: list[str]) -> str:
    """Free remittance text naming ``numbers`` in one of the usual wordings."""
    if len(numbers) == 1:
        return rng.choice(_TEXT_FORMS).format(n=numbers[0])
    separator = rng.choice([", ", " ", "; ", " + ", "/"])
    return rng.choice(("{n}", "Invoices {n}", "INV {n}", "Payment for {n}")).format(n=separator.join(numbers))
