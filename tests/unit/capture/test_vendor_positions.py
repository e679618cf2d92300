"""Per-vendor learning closes its loop: after one corrected review, the vendor's next document is read
where the reviewer clicked, although no rule finds the field there."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from docket.capture import CaptureOptions, capture_document
from docket.model import BBox
from docket.review.positions import learned_position


def _vendor_invoice(number: str) -> bytes:
    """An invoice whose number stands under a label no dictionary knows ("Vorgang")."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    height = A4[1]
    pdf.drawString(50, height - 50, "Kaltenbrunner Feinmechanik GmbH")
    pdf.drawString(50, height - 64, "Industriestraße 4, 6020 Innsbruck")
    pdf.drawString(400, height - 50, "RECHNUNG")
    pdf.drawString(400, height - 90, "Vorgang")
    pdf.drawString(400, height - 104, number)
    pdf.drawString(50, height - 160, "Rechnungsdatum: 03.04.2025")
    pdf.drawString(300, height - 400, "Gesamtbetrag")
    pdf.drawString(480, height - 400, "1.190,00 EUR")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def test_a_position_learned_from_one_correction_reads_the_vendors_next_document() -> None:
    [first] = capture_document(_vendor_invoice("VG-2025-0417"), "first.pdf")
    assert "invoice_number" not in {f.name for f in first.fields}  # no rule reads "Vorgang"
    # The reviewer clicks the number on page 1; the review store learns the box (docket.review.positions).
    # The number's baseline stands 104 pt below the top edge, at x 400 pt (boxes are page fractions, origin top left).
    width, height = A4
    box = BBox(page=1, x0=396 / width, y0=93 / height, x1=490 / width, y1=108 / height)
    position = learned_position(None, legal_entity="acme", vendor_id="V-17", document_type=first.document_type,
                                field="invoice_number", box=box, now=datetime(2025, 4, 4, tzinfo=UTC))

    [second] = capture_document(_vendor_invoice("VG-2025-0522"), "second.pdf",
                                options=CaptureOptions(field_positions=(position,)))
    fields = {f.name: f for f in second.fields}
    assert fields["invoice_number"].value == "VG-2025-0522"
    assert fields["invoice_number"].method == "position"
    assert "invoice_number" not in {m.name for m in second.missing}
    # Without the learned position the same document stays unread: the position did the work.
    [unaided] = capture_document(_vendor_invoice("VG-2025-0522"), "second.pdf")
    assert "invoice_number" not in {f.name for f in unaided.fields}
