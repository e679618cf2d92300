"""The e-invoice XML a Factur-X / ZUGFeRD / XRechnung hybrid PDF carries as an attachment.

PDF/A-3 embedded files are listed with pypdfium2 (no page is parsed for this). The standard
names come first, newest standard first (``factur-x.xml``, ``zugferd-invoice.xml``,
``xrechnung.xml``, ZUGFeRD 1.0's ``ZUGFeRD-invoice.xml``), then any other XML attachment whose
content is a UBL or CII invoice.
"""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium

from docket.reading import sniff

STANDARD_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


@dataclass(frozen=True)
class EmbeddedXml:
    """An attachment holding e-invoice XML: its file name and bytes."""

    name: str
    data: bytes


def embedded_einvoice(data: bytes) -> EmbeddedXml | None:
    """The e-invoice XML attached to the PDF ``data``, or None (also for a PDF that does not open:
    the page reading then reports why)."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None
    try:
        attachments: list[tuple[str, bytes]] = []
        for index in range(pdf.count_attachments()):
            attachment = pdf.get_attachment(index)
            name = attachment.get_name() or ""
            if name.lower().endswith(".xml"):
                try:
                    attachments.append((name, bytes(attachment.get_data())))
                except pdfium.PdfiumError:
                    continue
    finally:
        pdf.close()
    return _pick(attachments)


def _pick(attachments: list[tuple[str, bytes]]) -> EmbeddedXml | None:
    def rank(item: tuple[str, bytes]) -> int:
        lowered = item[0].lower()
        return STANDARD_NAMES.index(lowered) if lowered in STANDARD_NAMES else len(STANDARD_NAMES)

    for name, content in sorted(attachments, key=rank):
        if rank((name, content)) < len(STANDARD_NAMES) or _is_einvoice(content):
            return EmbeddedXml(name=name, data=content)
    return None


def _is_einvoice(content: bytes) -> bool:
    try:
        return sniff.sniff_media_type(content) in sniff.EINVOICE_TYPES
    except Exception:  # any sniff failure means: not an e-invoice attachment
        return False
