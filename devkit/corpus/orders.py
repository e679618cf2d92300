"""Customer orders from a named customer, for tests and the demo: the corpus generator's order
content with the buyer replaced and every line at one VAT rate (a sale tax the ERP has)."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal

from devkit.corpus.content import DocumentContent, make_content, tax_rows
from devkit.corpus.layouts import layouts_for
from devkit.corpus.render import render_pdf


def customer_order(seed: str, *, buyer: str, vat_id: str, country: str = "DE", rate: Decimal = Decimal("19"),
                   max_lines: int = 3) -> tuple[bytes, DocumentContent]:
    """A rendered customer order PDF from ``buyer`` and the content it shows (the truth).

    Deterministic per ``seed``: the same seed gives the same lines, amounts and layout (a layout
    of the ``dev`` split, so holdout layouts stay unseen)."""
    rng = random.Random(seed)
    base = make_content("customer_order", "en", rng)
    lines = tuple(dataclasses.replace(line, tax_rate=rate) for line in base.lines[:max_lines])
    (row,) = tax_rows(lines)  # one rate: one row
    issuer = dataclasses.replace(base.issuer, name=buyer, vat_id=vat_id, vat_id_printed=vat_id, country=country)
    content = dataclasses.replace(base, issuer=issuer, currency="EUR", lines=lines, net_total=row.base,
                                  tax_total=row.amount, total=row.base + row.amount, taxes=(row,))
    layouts = layouts_for("customer_order", "dev")
    return render_pdf(content, layouts[rng.randrange(len(layouts))]).pdf, content
