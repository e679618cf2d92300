"""The page frame shared by the commercial renderers: geometry, the per-document drawing state,
labels, the footer (on every page) and page breaks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.pagesizes import A4

from devkit.corpus.content import DocumentContent
from devkit.corpus.formatting import collapse, format_date, money
from devkit.corpus.layouts import Layout
from devkit.corpus.pen import Pen
from devkit.corpus.vocabulary import label

PAGE_W, PAGE_H = float(A4[0]), float(A4[1])
LEFT, RIGHT, TOP = 50.0, PAGE_W - 50.0, PAGE_H - 40.0
BOTTOM = 105.0  # content stops above the footer
GRAY = (0.4, 0.4, 0.4)
WHITE = (1.0, 1.0, 1.0)


@dataclass
class Sheet:
    content: DocumentContent
    layout: Layout
    pen: Pen
    total_pages: int
    title_done: bool = False

    def label(self, key: str) -> str:
        return label(key, self.content.language, self.layout.id)

    @property
    def invoice_like(self) -> bool:
        return self.content.document_type in {"invoice", "credit_note"}

    def date(self, value: dt.date) -> str:
        return format_date(value, self.content.date_style, self.content.language)

    def money(self, value: Decimal) -> str:
        return money(self.content.number_format, value, self.content.currency, self.layout.money)


def title(page: Sheet) -> str:
    return page.label(f"title_{page.content.document_type}")


def issuer_fields(page: Sheet) -> tuple[str, str | None, str | None]:
    """Vocabulary names of the issuer's name, address and VAT ID for this document type."""
    if page.invoice_like:
        return "supplier_name", "supplier_address", "supplier_vat_id"
    return "buyer_name", None, "buyer_vat_id"


def labelled(page: Sheet, x: float, y: float, key: str, value: str, name: str | None, canonical: str,
              align: str = "left", size: float | None = None) -> None:
    page.pen.text(x, y, f"{page.label(key)}: {value}", align=align, size=size)
    if name:
        page.pen.record(name, value, canonical)


def bank_lines(page: Sheet) -> list[tuple[str, str | None, str, str]]:
    issuer, show = page.content.issuer, page.layout.show
    lines: list[tuple[str, str | None, str, str]] = []
    if issuer.iban and issuer.iban_printed and "supplier_iban" in show:
        lines.append(("iban", "supplier_iban", issuer.iban_printed, issuer.iban))
    if issuer.bic and "supplier_bic" in show:
        lines.append(("bic", "supplier_bic", issuer.bic, issuer.bic))
    return lines


def new_page(page: Sheet) -> float:
    pen = page.pen
    pen.text(RIGHT, BOTTOM - 8, page.label("continued"), size=page.layout.size - 1, align="right", color=GRAY)
    footer(page)
    pen.canvas.showPage()
    pen.page += 1
    pen.text(LEFT, TOP, page.content.issuer.name, bold=True)
    pen.text(RIGHT, TOP, f"{title(page)} {page.content.number} · {page.label('page')} {pen.page}", align="right")
    return TOP - 30


def footer(page: Sheet) -> None:
    content, layout, pen = page.content, page.layout, page.pen
    issuer, size = content.issuer, max(6.5, layout.size - 1.5)
    pen.canvas.setStrokeColorRGB(*layout.accent)
    pen.canvas.line(LEFT, 88, RIGHT, 88)
    _, address_field, vat_field = issuer_fields(page)
    if layout.supplier_block == "footer":
        y = 78.0
        for text in (issuer.name, *issuer.address_lines):
            pen.text(LEFT, y, text, size=size)
            y -= size + 2
        if address_field:
            pen.record(address_field, " ".join(issuer.address_lines), issuer.address)
        y = 78.0
        pen.text(LEFT + 175, y, issuer.email, size=size)
        y -= size + 2
        if vat_field and issuer.vat_id and issuer.vat_id_printed and vat_field in layout.show:
            labelled(page, LEFT + 175, y, "vat_id", issuer.vat_id_printed, vat_field, issuer.vat_id, size=size)
            y -= size + 2
        if page.invoice_like and issuer.tax_number and "supplier_tax_number" in layout.show:
            labelled(page, LEFT + 175, y, "tax_number", issuer.tax_number, "supplier_tax_number",
                      collapse(issuer.tax_number), size=size)
    if layout.bank == "footer" and page.invoice_like:
        y = 78.0
        pen.text(LEFT + 340, y, page.label("bank"), bold=True, size=size)
        for key, name, printed, canonical in bank_lines(page):
            y -= size + 2
            labelled(page, LEFT + 340, y, key, printed, name, canonical, size=size)
    if page.total_pages > 1:
        pen.text(PAGE_W / 2, 28, f"{page.label('page')} {pen.page} {page.label('of')} {page.total_pages}",
                 size=size, align="center", color=GRAY)
