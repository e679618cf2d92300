"""Finding invoice numbers inside remittance text, tolerant of OCR confusions and separators.

Customers write ``INV-2026-004512`` as ``inv 2026 004512``, ``INV2026004512`` or, after OCR of a
paper advice, ``INV-2O26-OO4512``. Both the ledger's numbers and the text are reduced to a
canonical key (upper case, separators dropped, look-alike characters folded to one symbol), so
those spellings meet exactly. One further edit (a typo or two swapped characters) is found through a deletion index and
reported as a weaker, ``fuzzy`` hit, since neighbouring numbers of a sequence differ by one
character too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA
from stdnum.iso7064 import mod_97_10

# characters OCR and people confuse, folded to the digit they are most often mistaken for
_LOOKALIKE = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "|": "1", "Z": "2",
                            "S": "5", "B": "8", "G": "6"})
_TOKEN = re.compile(r"[A-Za-z0-9|]+")
_MIN_KEY = 4
_MAX_JOIN = 4
_MIN_FUZZY = 7
_MIN_TAIL = 4
_MIN_DIGITS_KEY = 6


def canonical(number: str) -> str:
    """The comparison key of an invoice number: alphanumerics only, upper case, look-alikes folded."""
    return "".join(_TOKEN.findall(number)).upper().translate(_LOOKALIKE)


def numeric_tail(number: str) -> str | None:
    """The last run of digits without leading zeros (``INV-2026-004512`` → ``4512``), when long enough.

    People often quote only the running number; it is weak evidence on its own and is only used
    within the payer's own items.
    """
    runs = re.findall(r"\d+", number)
    if not runs:
        return None
    tail = runs[-1].lstrip("0")
    return tail if len(tail) >= _MIN_TAIL else None


def text_keys(text: str) -> set[str]:
    """Canonical keys of every run of up to four adjacent tokens in ``text``.

    Joining neighbours finds numbers split by spaces or separators (``INV 2026 004512``).
    """
    tokens = _TOKEN.findall(text)
    keys: set[str] = set()
    for start in range(len(tokens)):
        joined = ""
        for token in tokens[start:start + _MAX_JOIN]:
            joined += token
            key = joined.upper().translate(_LOOKALIKE)
            if len(key) >= _MIN_KEY:
                keys.add(key)
    return keys


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1:] for i in range(len(key))}


@dataclass(frozen=True, slots=True)
class ReferenceHit:
    """An item whose invoice number appears in the text; ``kind`` is ``exact``, ``fuzzy`` or ``tail``."""

    item_id: str
    kind: str


@dataclass
class InvoiceNumberIndex:
    """Open items by canonical invoice number, with a deletion index for one-edit matches."""

    exact: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    deletions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    tails: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    keys: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, numbers: Iterable[tuple[str, str]]) -> InvoiceNumberIndex:
        """An index of ``(item_id, invoice_number)`` pairs."""
        index = cls()
        for item_id, number in numbers:
            index.add(item_id, number)
        return index

    def add(self, item_id: str, number: str) -> None:
        """Index one more item."""
        key = canonical(number)
        if len(key) < _MIN_KEY:
            return
        self.keys[item_id] = key
        self.exact[key].add(item_id)
        digits = "".join(re.findall(r"\d+", number))
        if len(digits) >= _MIN_DIGITS_KEY and digits != key:
            # customers drop the prefix (``INV-2026-004512`` paid as ``2026-004512``)
            self.exact[digits].add(item_id)
        if len(key) >= _MIN_FUZZY:
            for variant in _deletions(key):
                self.deletions[variant].add(item_id)
        tail = numeric_tail(number)
        if tail:
            self.tails[tail].add(item_id)

    def find(self, text: str | None) -> list[ReferenceHit]:
        """Items named in ``text``: exact canonical hits, then one-edit (``fuzzy``) and ``tail`` hits.

        An item appears once, with its strongest kind. Order is stable (by kind, then item id).
        """
        if not text:
            return []
        keys = text_keys(text)
        found: dict[str, str] = {}
        for key in keys:
            for item_id in self.exact.get(key, ()):
                found[item_id] = "exact"
        matched = {key for key in keys if key in self.exact}
        for key in keys - matched:
            # a key that named an item exactly says nothing about that item's neighbours
            if len(key) < _MIN_FUZZY:
                continue
            for probe in {key, *_deletions(key)}:
                for item_id in self.deletions.get(probe, set()) | self.exact.get(probe, set()):
                    if item_id in found:
                        continue
                    if OSA.distance(key, self.keys[item_id], score_cutoff=1) <= 1:
                        found[item_id] = "fuzzy"
        for token in re.findall(r"\d+", text):
            for item_id in self.tails.get(token.lstrip("0"), ()):
                found.setdefault(item_id, "tail")
        rank = {"exact": 0, "fuzzy": 1, "tail": 2}
        return [ReferenceHit(i, k) for i, k in sorted(found.items(), key=lambda p: (rank[p[1]], p[0]))]


def creditor_reference(payload: str) -> str:
    """The ISO 11649 reference (``RF`` + check digits + payload) for an alphanumeric payload."""
    body = "".join(_TOKEN.findall(payload)).upper()[:21]
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"
