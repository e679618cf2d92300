"""The EN 16931 business terms read from one e-invoice, whatever its syntax.

Every :class:`Term` keeps its business-term id (``BT-112``), the XML path it was read from and the
text as it stood there, next to its canonical value (ISO date, plain decimal). Values that do not
convert (a date ``2024-13-45``, an amount ``12,5``) are kept with ``valid`` False: validation
turns them into findings, the reader never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Term:
    """One business term's value: ``value`` canonical, ``raw`` as in the XML."""

    name: str
    bt: str
    value: str
    raw: str
    path: str
    valid: bool = True


Group = dict[str, Term]


@dataclass
class EInvoice:
    """An e-invoice's terms. ``syntax`` is ``cii-d16b``, ``cii-zugferd1`` or ``ubl-2.1``;
    ``allowances`` and ``charges`` are the document-level BG-20 / BG-21; each line holds its
    ``line_allowance`` / ``line_charge`` sums (BG-27 / BG-28) when it has any."""

    syntax: str
    credit_note: bool
    header: Group = field(default_factory=dict)
    vat: list[Group] = field(default_factory=list)
    allowances: list[Group] = field(default_factory=list)
    charges: list[Group] = field(default_factory=list)
    lines: list[Group] = field(default_factory=list)

    def value(self, name: str) -> str | None:
        """The canonical value of header term ``name`` when present and valid."""
        term = self.header.get(name)
        return term.value if term is not None and term.valid else None

    @property
    def customization(self) -> str:
        """BT-24, the specification identifier (``urn:cen.eu:en16931:2017#compliant#...``), or ''."""
        return self.value("customization_id") or ""

    @property
    def is_xrechnung(self) -> bool:
        return "xrechnung" in self.customization.lower()

    @property
    def profile(self) -> str:
        """The Factur-X / ZUGFeRD profile the specification identifier names (``minimum``,
        ``basicwl``, ``basic``, ``en16931``, ``extended``, ``xrechnung``) or ``en16931``."""
        text = self.customization.lower()
        for key, name in (("xrechnung", "xrechnung"), ("minimum", "minimum"), ("basicwl", "basicwl"),
                          ("extended", "extended"), ("basic", "basic"), ("comfort", "en16931")):
            if key in text:
                return name
        return "en16931"
