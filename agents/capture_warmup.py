"""What a capture process does once, before its first document: read two tiny documents.

A fresh process pays for its imports, the PDF library's start, the OCR models' load and the
extraction's compiled patterns on its first document — about a second that the first documents
after a worker starts would otherwise wait. :func:`warm_up_capture` reads a one-page text-layer
PDF and a small image of printed words (both made here, no file needed) so each capture process
starts warm. It never raises: a warm-up that fails leaves the process as cold as before, no worse.
"""

from __future__ import annotations

import io

import structlog

from docket.capture import capture_document

log = structlog.get_logger(__name__)
WARM_UP_WORDS = ("INVOICE No 1001", "Date 2026-01-05", "Total EUR 10.00")


def text_layer_pdf(lines: tuple[str, ...] = WARM_UP_WORDS) -> bytes:
    """A valid one-page PDF whose text layer holds ``lines`` (Helvetica, ASCII only)."""
    shown = " ".join(f"({_pdf_escape(line)}) Tj 0 -28 Td" for line in lines)
    content = f"BT /F1 18 Tf 72 760 Td {shown} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def printed_image(lines: tuple[str, ...] = WARM_UP_WORDS) -> bytes:
    """A small PNG of ``lines`` in black on white, for the OCR models' first run."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (640, 60 + 60 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=28)
    for row, line in enumerate(lines):
        draw.text((20, 20 + 60 * row), line, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def warm_up_capture() -> None:
    """Read a text-layer PDF and a scanned-looking image once (see the module doc); never raises."""
    for name, data, media_type in (("warm-up.pdf", text_layer_pdf(), "application/pdf"),
                                   ("warm-up.png", printed_image(), "image/png")):
        try:
            capture_document(data, name, media_type)
        except Exception as error:  # a cold process still works; say why and go on
            log.warning("capture_warm_up_failed", document=name, error=f"{type(error).__name__}: {error}")


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
