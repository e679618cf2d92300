"""Names and addresses: trimmed for display, canonicalised for matching.

The canonical form is what alias lookups and fuzzy matching compare: case-folded, accents
removed, punctuation dropped, legal forms (GmbH, Ltd, S.A.R.L., ...) removed and common address
words abbreviated one way, so ``Müller GmbH & Co. KG`` and ``MUELLER`` meet.
"""

from __future__ import annotations

import re
import unicodedata

_LEGAL_FORM_WORDS = (
    "gmbh mbh ag kg ohg ug gbr ev kgaa se co corp corporation inc incorporated llc llp lp ltd limited "
    "plc pty pte bv nv vof sa sas sasu sarl eurl sca snc spa srl sro as asa ab oy oyj aps kft zrt bhd "
    "sdn pvt lda ltda sl slu sociedad company cie")
_LEGAL_FORMS = frozenset(_LEGAL_FORM_WORDS.split())
_ADDRESS_WORDS = {
    "strasse": "str", "straße": "str", "str": "str", "street": "st", "st": "st", "avenue": "ave",
    "av": "ave", "ave": "ave", "road": "rd", "rd": "rd", "boulevard": "blvd", "blvd": "blvd",
    "platz": "pl", "place": "pl", "pl": "pl", "weg": "weg", "allee": "allee", "suite": "ste",
    "ste": "ste", "floor": "fl", "fl": "fl", "rue": "rue", "via": "via", "drive": "dr", "dr": "dr",
    "lane": "ln", "ln": "ln", "square": "sq", "sq": "sq", "building": "bldg", "bldg": "bldg",
}
_GERMAN_FOLDS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}


def display_text(text: str) -> str:
    """``text`` trimmed, with runs of whitespace (line breaks included) collapsed to one space."""
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """Case-folded ASCII-ish text: German umlauts spelled out, other accents removed."""
    lowered = text.casefold()
    for umlaut, spelled in _GERMAN_FOLDS.items():
        lowered = lowered.replace(umlaut, spelled)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _tokens(text: str) -> list[str]:
    folded = fold(text).replace("&", " and ")
    # "S.A.R.L." and "G.m.b.H." read as one token once their dots go.
    folded = re.sub(r"\b((?:[a-z]\.){2,}[a-z]?\.?)", lambda m: m.group(1).replace(".", ""), folded)
    return re.findall(r"[a-z0-9]+", folded)


def canonical_name(name: str) -> str:
    """The matching form of a party name; never empty for a name holding a letter or digit."""
    tokens = _tokens(name)
    kept = [t for t in tokens if t not in _LEGAL_FORMS and t != "and"]
    return " ".join(kept or tokens)


def canonical_address(address: str) -> str:
    """The matching form of an address: folded, punctuation dropped, street words abbreviated."""
    tokens = _tokens(address)
    words = []
    for token in tokens:
        for suffix in ("strasse", "str"):
            if token.endswith(suffix) and token != suffix:
                # "Hauptstrasse" and "Haupt Str." compare equal.
                token = token[: -len(suffix)] + " str"
                break
        words.append(_ADDRESS_WORDS.get(token, token))
    return " ".join(words)
