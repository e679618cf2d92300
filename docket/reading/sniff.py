"""Recognise what a file is from its bytes (magic numbers and content), not from its name."""

from __future__ import annotations

import re

from docket.reading.errors import EmptyFileError, UnsupportedTypeError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
BMP = "image/bmp"
GIF = "image/gif"
WEBP = "image/webp"
CAMT = "application/vnd.iso20022.camt+xml"
MT940 = "application/x-mt940"
BAI2 = "application/x-bai2"

UBL = "application/vnd.oasis.ubl+xml"
CII = "application/vnd.uncefact.cii+xml"

IMAGE_TYPES = frozenset({PNG, JPEG, TIFF, BMP, GIF, WEBP})
EINVOICE_TYPES = frozenset({UBL, CII})
STATEMENT_TYPES = frozenset({CAMT, MT940, BAI2})

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"BM", BMP),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)
_CAMT_NS = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.0(52|53|54)")
_MT940_BALANCE = re.compile(rb":60[FM]:")


def sniff_media_type(data: bytes) -> str:
    """The media type of ``data``, decided by content.

    Raises :class:`EmptyFileError` for zero bytes or whitespace only and
    :class:`UnsupportedTypeError` for anything capture cannot read.
    """
    if not data.strip():
        raise EmptyFileError("the file is empty")
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    statement_type = _sniff_statement(data[:65536])
    if statement_type is not None:
        return statement_type
    einvoice_type = _sniff_einvoice(data[:65536])
    if einvoice_type is not None:
        return einvoice_type
    raise UnsupportedTypeError("the file is not a PDF, an image or a bank statement format",
                               details={"head": head[:8].hex()})


def _sniff_statement(text: bytes) -> str | None:
    if _CAMT_NS.search(text) and b"<" in text[:200]:
        return CAMT
    if _has_mt940_tags(text):
        return MT940
    if _has_bai2_headers(text):
        return BAI2
    return None


# Namespace names of the e-invoice syntaxes (UBL 2.1 Invoice / CreditNote, CII D16B, ZUGFeRD 1.0):
# plain substring tests on the head, linear in its length; the reader checks the root element.
_UBL_NAMESPACES = (b"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
                   b"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2")
_CII_NAMESPACES = (b"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
                   b"urn:ferd:CrossIndustryDocument:invoice:1p0")


def _sniff_einvoice(text: bytes) -> str | None:
    if b"<" not in text[:4096]:
        return None
    if any(ns in text for ns in _UBL_NAMESPACES):
        return UBL
    if any(ns in text for ns in _CII_NAMESPACES):
        return CII
    return None


# Both checks scan the text once, left to right. Patterns with two lazy ``.*?`` gaps (or a lazy
# repetition of lines) backtrack: cubic on ``:20::25:`` repeated, quadratic on ``01,`` lines.

def _has_mt940_tags(text: bytes) -> bool:
    """``:20:``, then ``:25:``, then ``:60F:`` or ``:60M:``, in that order and not overlapping."""
    reference = text.find(b":20:")
    if reference < 0:
        return False
    account = text.find(b":25:", reference + 4)
    return account >= 0 and _MT940_BALANCE.search(text, account + 4) is not None


def _has_bai2_headers(text: bytes) -> bool:
    """A line starting (after blanks) with the file header ``01,`` and a later one with the group header ``02,``."""
    lines = text.split(b"\n")
    for number, line in enumerate(lines[:-1]):  # the file header line ends with a newline
        if line.lstrip().startswith(b"01,"):
            return any(later.lstrip().startswith(b"02,") for later in lines[number + 1:])
    return False
