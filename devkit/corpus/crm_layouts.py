"""Layout families of the CRM forms: how an order form, contract or change form is arranged.

``dev`` families are what the CRM extractor was developed on: English or German words, one
``Label: value`` per line or the value on the line under its label. ``holdout`` families combine
what no dev family does: other wording and languages (English, German, French, Dutch, Spanish
words the extractor has no list of), tables with a header row over a value row, labels above
values in a two-column grid, label and value columns without a colon, a DIN 5008 letter with
address window and info block, footers with the issuer's register data, a signature block with
place and date over the line, and dates as "1st April 2026", "1. April 2026", "01/04/2026".
"""

from __future__ import annotations

from dataclasses import dataclass

from devkit.corpus.layouts import UnknownLayoutError


@dataclass(frozen=True)
class CrmLayout:
    """One CRM family (it renders all three CRM types).

    ``arrangement``: ``colon`` (``Label: value`` lines), ``next_line`` (label, value below),
    ``columns`` (label column, value column, no colon), ``table`` (header row of labels over a value
    row), ``grid`` (label above value, two columns), ``letter`` (DIN 5008 letter: address window,
    info block, subject line, body in columns). ``dates``: ``dmy_dot``, ``iso``, ``dmy_slash``,
    ``long`` (``1 April 2026`` / ``1. April 2026`` / ``1 de abril de 2026``), ``ordinal`` (``1st April
    2026``, ``1er avril 2026``), ``month_first`` (``April 1, 2026``). ``split``: ``dev``, ``holdout``,
    or ``holdout2`` (the second holdout). ``money``: as :func:`devkit.corpus.formatting.money`; ``numbers``:
    a NUMBER_STYLES key. ``combined``: the fee and its frequency in one phrase (``EUR 400.00 every
    month``). ``signature``: a place-and-date signature block; ``register``: the issuer's register
    data, directors, VAT number and bank account in the footer.
    """

    id: str
    split: str
    vocabulary: str
    arrangement: str
    dates: str
    numbers: str
    money: str
    font: str = "helvetica"
    size: float = 10.0
    combined: bool = False
    signature: bool = False
    register: bool = False


CRM_LAYOUTS: tuple[CrmLayout, ...] = (
    CrmLayout("crm-01", "dev", "dev_en", "colon", "long", "comma_dot", "code_after"),
    CrmLayout("crm-02", "dev", "dev_de", "colon", "dmy_dot", "dot_comma", "code_after", font="times"),
    CrmLayout("crm-03", "dev", "dev_de", "next_line", "iso", "dot_comma", "code_after", font="dejavu_sans",
              size=9.5),
    CrmLayout("crm-04", "dev", "dev_en", "next_line", "dmy_dot", "comma_dot", "code_after", font="times"),
    # holdout: wording, languages and arrangements the extractor was not developed on
    CrmLayout("crm-h1", "holdout", "ho_en", "table", "ordinal", "comma_dot", "code_before", signature=True),
    CrmLayout("crm-h2", "holdout", "fr", "grid", "ordinal", "space_comma", "symbol_after", font="dejavu_serif",
              size=9.5, combined=True, register=True),
    CrmLayout("crm-h3", "holdout", "ho_de", "letter", "long", "dot_comma", "code_after", font="dejavu_sans",
              size=9.5, signature=True, register=True),
    CrmLayout("crm-h4", "holdout", "nl", "table", "long", "dot_comma", "symbol_before", combined=True,
              signature=True),
    CrmLayout("crm-h5", "holdout", "es", "columns", "dmy_slash", "dot_comma", "symbol_after", font="times",
              signature=True, register=True),
    CrmLayout("crm-h6", "holdout", "ho_en", "letter", "dmy_slash", "comma_dot", "symbol_before", font="times",
              combined=True, signature=True, register=True),
    # a second holdout, added once the CRM reader's rules were written and measured on it only
    # afterwards: new wording again, in arrangements recombined
    CrmLayout("crm-b1", "holdout2", "hb_en", "columns", "month_first", "comma_dot", "symbol_before",
              font="dejavu_sans", size=9.5, signature=True, register=True),
    CrmLayout("crm-b2", "holdout2", "hb_de", "grid", "dmy_dot", "dot_comma", "code_after", combined=True,
              signature=True),
    CrmLayout("crm-b3", "holdout2", "hb_fr", "letter", "long", "space_comma", "symbol_after", font="times",
              signature=True, register=True),
    CrmLayout("crm-b4", "holdout2", "hb_en", "table", "iso", "comma_dot", "code_after", font="dejavu_serif",
              size=9.0, combined=True),
)


def crm_layouts(split: str | None = None) -> tuple[CrmLayout, ...]:
    """The CRM families (only ``dev`` or ``holdout`` ones when ``split`` is given)."""
    return tuple(layout for layout in CRM_LAYOUTS if split is None or layout.split == split)


def crm_layout(layout_id: str) -> CrmLayout:
    """The CRM family called ``layout_id``."""
    for layout in CRM_LAYOUTS:
        if layout.id == layout_id:
            return layout
    raise UnknownLayoutError(f"no CRM layout {layout_id!r}")
