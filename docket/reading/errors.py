"""Capture failures, each with a stable code (part of the public contract: add, never rename)."""

from __future__ import annotations

from docket.errors import DocketError


class CaptureError(DocketError):
    """A document could not be read or understood."""

    code = "CAPTURE_FAILED"


class EmptyFileError(CaptureError):
    """Zero bytes, or nothing but whitespace."""

    code = "CAPTURE_EMPTY_FILE"


class FileTooLargeError(CaptureError):
    """The upload is larger than the configured byte limit."""

    code = "CAPTURE_FILE_TOO_LARGE"


class UnsupportedTypeError(CaptureError):
    """The bytes are not a format capture reads (PDF, PNG, JPEG, TIFF, BMP, GIF, WebP, camt, MT940, BAI2)."""

    code = "CAPTURE_UNSUPPORTED_TYPE"


class PdfCorruptError(CaptureError):
    """The PDF cannot be parsed."""

    code = "CAPTURE_PDF_CORRUPT"


class PdfEncryptedError(CaptureError):
    """The PDF needs a password to open."""

    code = "CAPTURE_PDF_ENCRYPTED"


class ImageCorruptError(CaptureError):
    """The image cannot be decoded."""

    code = "CAPTURE_IMAGE_CORRUPT"


class ImageTooLargeError(CaptureError):
    """The image (or a PDF page rendered at the minimum dpi) exceeds the pixel limit: a pixel bomb."""

    code = "CAPTURE_IMAGE_TOO_LARGE"


class TooManyPagesError(CaptureError):
    """More pages than the configured limit."""

    code = "CAPTURE_TOO_MANY_PAGES"


class OcrEngineUnavailableError(CaptureError):
    """The requested OCR engine or its local models are not installed (capture never downloads)."""

    code = "CAPTURE_OCR_ENGINE_UNAVAILABLE"


class OcrFailedError(CaptureError):
    """The OCR engine raised while reading a page."""

    code = "CAPTURE_OCR_FAILED"


class TemplateInvalidError(CaptureError):
    """A vendor template file is malformed."""

    code = "CAPTURE_TEMPLATE_INVALID"


class StructuredInvalidError(CaptureError):
    """A structured statement file (camt, MT940, BAI2) was recognised but cannot be parsed."""

    code = "CAPTURE_STRUCTURED_INVALID"


class EinvoiceUnreadableError(CaptureError):
    """An e-invoice (UBL, CII, or the XML inside a Factur-X / ZUGFeRD PDF) is not well-formed XML,
    or is not an invoice of a syntax Docket reads."""

    code = "CAPTURE_EINVOICE_UNREADABLE"


class CaptureBudgetExceededError(CaptureError):
    """Capturing the document took more time or memory than its budget; the worker went on."""

    code = "CAPTURE_BUDGET_EXCEEDED"
