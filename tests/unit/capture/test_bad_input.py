"""Bad input raises a CaptureError with a stable code, before any expensive work."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from docket.capture import CaptureOptions, capture_document
from docket.errors import DocketError
from docket.reading.images import decode_image_pages
from docket.reading.sniff import CAMT, JPEG, MT940, PDF, PNG, TIFF, sniff_media_type
from tests.unit.capture.builders import InvoiceSpec, blank_pdf, invoice_pdf


def _code(data: bytes, options: CaptureOptions | None = None) -> str:
    with pytest.raises(DocketError) as caught:
        capture_document(data, "upload.bin", options=options)
    return caught.value.code


def test_zero_bytes_and_whitespace_are_empty() -> None:
    assert _code(b"") == "CAPTURE_EMPTY_FILE"
    assert _code(b"  \n\t ") == "CAPTURE_EMPTY_FILE"


def test_unknown_bytes_are_unsupported() -> None:
    assert _code(b"PK\x03\x04 this is a zip file, not a document") == "CAPTURE_UNSUPPORTED_TYPE"
    assert _code(b"Rechnung Nr. 1, plain text") == "CAPTURE_UNSUPPORTED_TYPE"


def test_truncated_and_garbage_pdfs_are_corrupt() -> None:
    assert _code(b"%PDF-1.7\n garbage that is not a pdf body") == "CAPTURE_PDF_CORRUPT"


def test_password_protected_pdf_is_encrypted() -> None:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt=pdfencrypt.StandardEncryption("s3cret", ownerPassword="owner"))
    pdf.drawString(72, 720, "Invoice 1")
    pdf.showPage()
    pdf.save()
    assert _code(buffer.getvalue()) == "CAPTURE_PDF_ENCRYPTED"


def test_owner_password_only_pdf_is_still_read() -> None:
    spec = InvoiceSpec(number="OWN-1")
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner"))
    pdf.drawString(72, 720, f"Invoice number: {spec.number}")
    pdf.showPage()
    pdf.save()
    [document] = capture_document(buffer.getvalue(), "x.pdf")
    assert any(f.value == "OWN-1" for f in document.fields)


def test_too_many_pages_is_refused_before_reading() -> None:
    assert _code(blank_pdf(12), CaptureOptions(max_pages=10)) == "CAPTURE_TOO_MANY_PAGES"


def test_a_500_page_upload_is_refused_with_the_default_limit() -> None:
    assert _code(blank_pdf(500)) == "CAPTURE_TOO_MANY_PAGES"


def test_oversized_upload_is_refused() -> None:
    data = invoice_pdf(InvoiceSpec())
    assert _code(data, CaptureOptions(max_bytes=len(data) - 1)) == "CAPTURE_FILE_TOO_LARGE"


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring ``width`` x ``height`` with a tiny compressed body: a pixel bomb."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


def test_pixel_bomb_is_refused_from_its_header() -> None:
    assert _code(_png_header_only(60_000, 60_000)) == "CAPTURE_IMAGE_TOO_LARGE"


def test_pixel_limit_is_configurable() -> None:
    image = Image.new("RGB", (400, 300), "white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert _code(buffer.getvalue(), CaptureOptions(max_pixels=100_000)) == "CAPTURE_IMAGE_TOO_LARGE"


def test_truncated_jpeg_is_corrupt() -> None:
    image = Image.new("RGB", (200, 200), "white")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    data = buffer.getvalue()
    assert _code(data[: len(data) // 3]) == "CAPTURE_IMAGE_CORRUPT"


def _tiff(frames: int) -> bytes:
    images = [Image.new("L", (64, 48), 255 - 10 * i) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="TIFF", save_all=True, append_images=images[1:])
    return buffer.getvalue()


def test_multi_page_tiff_frames_are_all_decoded() -> None:
    frames = list(decode_image_pages(_tiff(3), max_pixels=10_000, max_pages=5))
    assert len(frames) == 3
    assert all(frame.shape == (48, 64, 3) for frame, _ in frames)


def test_multi_page_tiff_over_the_page_limit_is_refused() -> None:
    assert _code(_tiff(4), CaptureOptions(max_pages=3)) == "CAPTURE_TOO_MANY_PAGES"


def test_types_are_sniffed_from_content_not_names() -> None:
    image = Image.new("RGB", (8, 8))
    png, jpeg = io.BytesIO(), io.BytesIO()
    image.save(png, format="PNG")
    image.save(jpeg, format="JPEG")
    assert sniff_media_type(png.getvalue()) == PNG
    assert sniff_media_type(jpeg.getvalue()) == JPEG
    assert sniff_media_type(_tiff(1)) == TIFF
    assert sniff_media_type(blank_pdf(1)) == PDF
    camt = b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"></Document>'
    assert sniff_media_type(camt) == CAMT
    assert sniff_media_type(b":20:STMT1\r\n:25:DE89370400440532013000\r\n:28C:1/1\r\n:60F:C250403EUR100,00\r\n") \
        == MT940
