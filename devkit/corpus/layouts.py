"""The layout families: fixed visual templates, each rendering every document of one type alike.

A layout is to the generator what a vendor's invoice template is in real life: where the parties,
the reference block, the line table, the totals and the bank details sit, which labels and font
it uses, which optional things it prints. About a third of the families are ``holdout``: the
extractor is tuned on ``dev`` families only and its headline accuracy is measured on the others.
Holdout families deliberately combine choices no dev family uses together (e.g. stacked labels in
a boxed grid, totals on the left, amounts with a trailing currency code).
"""

from __future__ import annotations

from dataclasses import dataclass

from docket.errors import DocketError


class UnknownLayoutError(DocketError):
    """No layout family with that id or for that document type."""

    code = "CORPUS_UNKNOWN_LAYOUT"


@dataclass(frozen=True)
class Layout:
    """One layout family. ``renderer`` is ``commercial``, ``receipt`` or ``remittance``.

    Style fields (read by the renderer): ``font`` (a FONT_SETS key), ``size`` (base point size),
    ``accent`` (RGB 0-1), ``header`` (logo_left, logo_right, banner, plain), ``title_align``,
    ``supplier_block`` (header, footer), ``buyer_side`` (left, right), ``meta`` (list_right,
    list_left, grid, inline), ``labels`` (colon, column, stacked), ``columns`` (line table columns
    in order), ``rules`` (grid, lines, zebra, none, header_fill), ``totals`` (right, boxed, left),
    ``tax_display`` (table, inline), ``bank`` (footer, below_totals), ``money`` (currency display of
    totals: none, symbol_before, symbol_after, code_before, code_after; ``none`` prints the currency
    code in the reference block), ``show`` (optional fields printed when the document has them).
    """

    id: str
    document_type: str
    split: str
    renderer: str = "commercial"
    font: str = "helvetica"
    size: float = 9.0
    accent: tuple[float, float, float] = (0.1, 0.2, 0.45)
    header: str = "logo_left"
    title_align: str = "right"
    supplier_block: str = "header"
    buyer_side: str = "left"
    meta: str = "list_right"
    labels: str = "colon"
    columns: tuple[str, ...] = ("pos", "description", "quantity", "unit", "unit_price", "amount")
    rules: str = "lines"
    totals: str = "right"
    tax_display: str = "table"
    bank: str = "footer"
    money: str = "none"
    show: frozenset[str] = frozenset({"supplier_vat_id", "supplier_iban", "supplier_bic", "due_date",
                                      "payment_terms", "po_number", "customer_number", "buyer_vat_id",
                                      "supplier_tax_number", "delivery_date"})


_ALL = frozenset({"supplier_vat_id", "supplier_iban", "supplier_bic", "due_date", "payment_terms",
                  "po_number", "customer_number", "buyer_vat_id", "supplier_tax_number", "delivery_date"})
_LEAN = frozenset({"supplier_vat_id", "supplier_iban", "due_date", "po_number"})

_INVOICE = (
    Layout("invoice-01", "invoice", "dev"),
    Layout("invoice-02", "invoice", "dev", font="times", header="logo_right", title_align="left",
           buyer_side="left", meta="list_left", labels="column", rules="grid", totals="boxed",
           columns=("pos", "sku", "description", "quantity", "unit_price", "tax_rate", "amount"),
           money="code_after"),
    Layout("invoice-03", "invoice", "dev", font="dejavu_sans", size=8.5, header="banner", title_align="left",
           meta="grid", rules="zebra", accent=(0.55, 0.1, 0.1), tax_display="inline", money="symbol_before",
           columns=("description", "quantity", "unit", "unit_price", "amount"), show=_LEAN),
    Layout("invoice-04", "invoice", "dev", font="helvetica", size=9.5, header="plain", title_align="center",
           supplier_block="footer", buyer_side="left", meta="inline", rules="header_fill",
           columns=("sku", "description", "quantity", "unit", "unit_price", "tax_rate", "amount"), bank="footer"),
    Layout("invoice-05", "invoice", "dev", font="dejavu_serif", size=8.5, header="logo_left", title_align="left",
           buyer_side="right", meta="list_left", labels="colon", rules="none", totals="right",
           tax_display="inline", bank="below_totals", money="code_before"),
    Layout("invoice-06", "invoice", "dev", font="dejavu_condensed", size=9.0, header="banner", title_align="right",
           accent=(0.05, 0.35, 0.3), meta="list_right", labels="column", rules="grid",
           columns=("pos", "description", "sku", "quantity", "unit", "unit_price", "amount"), totals="boxed",
           money="symbol_after", show=_ALL - {"customer_number"}),
    Layout("invoice-07", "invoice", "dev", font="times", size=10.0, header="plain", title_align="left",
           supplier_block="header", buyer_side="left", meta="grid", rules="lines",
           columns=("description", "quantity", "unit_price", "tax_rate", "amount"), tax_display="table",
           bank="below_totals"),
    Layout("invoice-08", "invoice", "dev", font="helvetica", size=8.0, header="logo_right", title_align="right",
           buyer_side="left", meta="inline", rules="zebra", accent=(0.3, 0.3, 0.3),
           columns=("pos", "sku", "description", "quantity", "unit", "unit_price", "tax_rate", "amount"),
           money="code_after", show=_LEAN | {"supplier_bic", "payment_terms"}),
    # holdout: combinations the dev families never use
    Layout("invoice-h1", "invoice", "holdout", font="dejavu_serif", size=9.0, header="banner", title_align="center",
           supplier_block="footer", buyer_side="right", meta="grid", labels="stacked", rules="none",
           totals="left", tax_display="table", bank="below_totals", money="symbol_after",
           columns=("description", "sku", "unit_price", "quantity", "amount")),
    Layout("invoice-h2", "invoice", "holdout", font="courier", size=8.5, header="plain", title_align="right",
           buyer_side="right", meta="list_left", labels="stacked", rules="grid", totals="boxed",
           columns=("pos", "quantity", "unit", "description", "unit_price", "amount"), money="code_before",
           accent=(0.0, 0.0, 0.0)),
    Layout("invoice-h3", "invoice", "holdout", font="dejavu_sans", size=9.5, header="logo_right", title_align="left",
           supplier_block="header", buyer_side="left", meta="inline", labels="column", rules="header_fill",
           accent=(0.45, 0.2, 0.55), tax_display="inline", totals="left", money="none",
           columns=("sku", "description", "tax_rate", "quantity", "unit_price", "amount")),
    Layout("invoice-h4", "invoice", "holdout", font="times", size=9.0, header="logo_left", title_align="center",
           supplier_block="footer", buyer_side="left", meta="list_right", labels="stacked", rules="zebra",
           totals="boxed", bank="below_totals", money="code_after", accent=(0.6, 0.35, 0.0),
           columns=("pos", "description", "quantity", "unit", "unit_price", "tax_rate", "amount")),
)


def _variants(document_type: str, prefix: str) -> tuple[Layout, ...]:
    """Three dev and one holdout family for a commercial document type other than the invoice."""
    return (
        Layout(f"{prefix}-01", document_type, "dev", font="helvetica", header="logo_left", meta="list_right"),
        Layout(f"{prefix}-02", document_type, "dev", font="times", header="banner", title_align="left",
               meta="grid", labels="column", rules="grid", totals="boxed", money="code_after",
               columns=("pos", "sku", "description", "quantity", "unit_price", "tax_rate", "amount")),
        Layout(f"{prefix}-03", document_type, "dev", font="dejavu_sans", size=8.5, header="plain",
               title_align="center", supplier_block="footer", meta="inline", rules="zebra", tax_display="inline",
               money="symbol_before", accent=(0.1, 0.4, 0.2),
               columns=("sku", "description", "quantity", "unit", "unit_price", "amount")),
        Layout(f"{prefix}-h1", document_type, "holdout", font="dejavu_serif", size=9.5, header="logo_right",
               title_align="left", buyer_side="right", meta="list_left", labels="stacked", rules="none",
               totals="left", bank="below_totals", money="symbol_after", accent=(0.5, 0.1, 0.3),
               columns=("description", "sku", "quantity", "unit_price", "amount")),
    )


_RECEIPTS = (
    Layout("receipt-01", "receipt", "dev", renderer="receipt", font="courier", size=8.0),
    Layout("receipt-02", "receipt", "dev", renderer="receipt", font="dejavu_condensed", size=8.5, header="banner",
           labels="column", money="symbol_after"),
    Layout("receipt-h1", "receipt", "holdout", renderer="receipt", font="dejavu_mono", size=7.5, header="plain",
           labels="stacked", money="code_before"),
)
_REMITTANCES = (
    Layout("remittance-01", "remittance_advice", "dev", renderer="remittance", font="helvetica",
           columns=("invoice_number", "invoice_date", "invoice_amount", "deduction", "amount_paid")),
    Layout("remittance-02", "remittance_advice", "dev", renderer="remittance", font="times", header="banner",
           meta="grid", rules="grid", money="code_after", columns=("invoice_number", "amount_paid")),
    Layout("remittance-h1", "remittance_advice", "holdout", renderer="remittance", font="dejavu_sans",
           header="logo_right", meta="inline", labels="stacked", rules="zebra", money="symbol_before",
           columns=("invoice_date", "invoice_number", "deduction", "amount_paid")),
)

LAYOUTS: tuple[Layout, ...] = (
    *_INVOICE, *_variants("credit_note", "credit"), *_variants("purchase_order", "po"),
    *_variants("customer_order", "order"), *_RECEIPTS, *_REMITTANCES,
)


def layouts_for(document_type: str, split: str | None = None) -> tuple[Layout, ...]:
    """The families of ``document_type`` (only ``dev`` or ``holdout`` ones when ``split`` is given)."""
    found = tuple(layout for layout in LAYOUTS
                  if layout.document_type == document_type and (split is None or layout.split == split))
    if not found:
        raise UnknownLayoutError(f"no layout for {document_type!r} (split {split!r})")
    return found


def layout_by_id(layout_id: str) -> Layout:
    """The family called ``layout_id``."""
    for layout in LAYOUTS:
        if layout.id == layout_id:
            return layout
    raise UnknownLayoutError(f"no layout {layout_id!r}")
