"""Mails built with the stdlib for the mailbox tests (real MIME structure, real attachments)."""

from __future__ import annotations

import io
import random
from email.message import EmailMessage

from PIL import Image

CAMT = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        b"<BkToCstmrStmt><GrpHdr><MsgId>S1</MsgId></GrpHdr></BkToCstmrStmt></Document>")
UBL = (b'<?xml version="1.0"?>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
       b"<ID>UBL-1</ID></Invoice>")


def png(width: int, height: int, seed: int = 1) -> bytes:
    """A PNG of random pixels (noise does not compress, so the size follows the dimensions)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (width, height), bytes(rng.getrandbits(8) for _ in range(width * height * 3)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def mail(body: str = "Please find our invoice attached.\n\nKind regards\nAcme", *, html: str | None = None,
         message_id: str | None = "<inv-1001@acme.example>", subject: str = "Invoice INV-1001") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Acme Billing <billing@acme.example>"
    message["To"] = "ap@docket.example"
    message["Subject"] = subject
    message["Date"] = "Tue, 03 Nov 2026 09:15:00 +0100"
    if message_id:
        message["Message-ID"] = message_id
    message["Received"] = "from mx.acme.example by mx.docket.example; Tue, 03 Nov 2026 09:16:30 +0100"
    message["Received"] = "from laptop by mx.acme.example; Tue, 03 Nov 2026 09:15:05 +0100"
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def attach(message: EmailMessage, data: bytes, maintype: str, subtype: str, filename: str | None,
           disposition: str = "attachment") -> None:
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename, disposition=disposition)
