"""Mailbox source: each usable attachment of an RFC 5322 message becomes a document.

:func:`parse_mail` reads the message bytes (``email`` with ``policy.default``) into attachments
plus mail metadata; :func:`ingest_mail` submits them through the intake. Usable means: a PDF,
an image, a bank statement (camt, MT940, BAI2) as capture recognises them from the bytes, or
any XML file (e-invoices); images smaller than ``min_image_bytes`` are logos and signature
pictures and are skipped, as are S/MIME / PGP signatures, vCards and calendar invites. A mail
with nothing usable raises ``SOURCE_MAIL_NO_ATTACHMENT`` listing what was skipped and why.

With ``body_document`` on (``DOCKET_MAIL_BODY_DOCUMENTS``), the mail's own text becomes a document
as well (``text/plain``, metadata ``mail_part=body``, with or without attachments): what a customer
writes — a remittance, a dispute, a promise to pay — is read by the customer-mail stage, which
capture leaves to it. A mail with a body then always yields at least that document.

Hostile mails are refused with a code, never another exception: a mail over ``max_mail_bytes``
(``SOURCE_MAIL_TOO_LARGE``, before parsing) or with more than ``max_attachments`` usable
attachments (``SOURCE_MAIL_TOO_MANY_ATTACHMENTS``), MIME nested deeper than :data:`MAX_MIME_DEPTH`
(``SOURCE_MAIL_UNREADABLE``); an attachment over ``max_attachment_bytes`` is skipped with the
reason ``SOURCE_PAYLOAD_TOO_LARGE: ...``; a body lxml cannot read is an empty body.

Document ids are derived from the Message-ID, the attachment's position and its sha256, so
the same mail read twice (an IMAP re-fetch after a crash) yields the same document ids.
"""

from __future__ import annotations

import email
import hashlib
import mimetypes
import re
import uuid
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime

import lxml.html
from lxml import etree

from connectors.sources.errors import (
    MailTooLargeError,
    MailUnreadableError,
    MailWithoutAttachmentError,
    PayloadTooLargeError,
    PublishFailedError,
)
from connectors.sources.ports import IntakePort
from docket.cashapp.customer_mail import MAIL_BODY_MEDIA_TYPE, MAIL_BODY_PART, MAIL_PART_KEY
from docket.errors import DocketError
from docket.model import DocumentReceived
from docket.reading import sniff
from docket.reading.errors import CaptureError
from streams.producer import ProduceError

_MAIL_NAMESPACE = uuid.UUID("0c7b9d52-4f8e-4d4b-a0a9-3e55b1b6e2d7")
_NOT_DOCUMENTS = frozenset({
    "application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature",
    "application/pgp-keys", "text/vcard", "text/x-vcard", "text/calendar", "application/ics",
    "message/delivery-status", "message/disposition-notification",
})
_XML_START = re.compile(rb"^(\xef\xbb\xbf)?\s*<(\?xml|[A-Za-z_])")
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
MAX_MIME_DEPTH = 64
"""Multipart levels a mail may nest (forwards of forwards are a handful; the stdlib recurses per level)."""


@dataclass(frozen=True)
class MailOptions:
    """``min_image_bytes``: smaller images are skipped; ``body_max_chars``: body text kept;
    ``max_mail_bytes``: larger mails are refused unread; ``max_attachment_bytes``: larger
    attachments are skipped (the upload limit of the other sources); ``max_attachments``: a mail
    with more usable attachments is refused (one mail must not become thousands of documents);
    ``body_document``: the mail's text becomes a document too (see the module)."""

    min_image_bytes: int = 10 * 1024
    body_max_chars: int = 4000
    max_mail_bytes: int = 100 * 1024 * 1024
    max_attachment_bytes: int = 50 * 1024 * 1024
    max_attachments: int = 200
    body_document: bool = False


@dataclass(frozen=True)
class MailAttachment:
    """One usable attachment: its bytes, a file name (made up for unnamed parts), its media type."""

    filename: str
    data: bytes
    media_type: str
    position: int


@dataclass(frozen=True)
class ParsedMail:
    """The mail's metadata (``mail_*`` keys, ISO 8601 dates), attachments, and what was skipped."""

    metadata: dict[str, str]
    message_id: str | None
    attachments: list[MailAttachment]
    skipped: dict[str, str] = field(default_factory=dict)


def parse_mail(raw: bytes, options: MailOptions | None = None) -> ParsedMail:
    """The usable attachments of ``raw``; MailUnreadableError / MailWithoutAttachmentError /
    MailTooLargeError otherwise, never another exception (a stdlib parser failing on hostile
    headers or structure is ``SOURCE_MAIL_UNREADABLE``)."""
    parsed = read_mail(raw, options)
    if not parsed.attachments:
        raise _without_attachment(parsed)
    return parsed


def read_mail(raw: bytes, options: MailOptions | None = None) -> ParsedMail:
    """Like :func:`parse_mail`, but a mail without usable attachments is returned (with none)."""
    try:
        return _parse_mail(raw, options or MailOptions())
    except DocketError:
        raise
    except (RecursionError, MemoryError):
        raise MailUnreadableError("the mail is too deeply nested or too large to be read") from None
    except Exception as error:  # the email package raises many unrelated types on broken input
        raise MailUnreadableError(f"the mail cannot be read ({type(error).__name__})",
                                  details={"error": type(error).__name__}) from error


def _parse_mail(raw: bytes, opts: MailOptions) -> ParsedMail:
    if len(raw) > opts.max_mail_bytes:
        raise MailTooLargeError(f"the mail of {len(raw)} bytes exceeds the limit of {opts.max_mail_bytes}",
                                details={"size": str(len(raw)), "limit": str(opts.max_mail_bytes)})
    message = _parse(raw)
    metadata = _mail_metadata(message, opts)
    message_id = metadata.get("mail_message_id")
    attachments: list[MailAttachment] = []
    skipped: dict[str, str] = {}
    leaves = _leaf_parts(message)
    body_parts = _body_parts(leaves)
    for position, part in enumerate(leaves, start=1):
        if any(part is body for body in body_parts):
            continue
        label = part.get_filename() or f"part {position} ({part.get_content_type()})"
        outcome = _usable(part, position, opts)
        if isinstance(outcome, str):
            skipped[label] = outcome
        else:
            attachments.append(outcome)
    if len(attachments) > opts.max_attachments:
        raise MailTooLargeError(f"mail {message_id or '(no Message-ID)'} has {len(attachments)} attachments, "
                                f"the limit is {opts.max_attachments}", code="SOURCE_MAIL_TOO_MANY_ATTACHMENTS",
                                details={"attachments": str(len(attachments)), "limit": str(opts.max_attachments)})
    return ParsedMail(metadata=metadata, message_id=message_id, attachments=attachments, skipped=skipped)


def _without_attachment(parsed: ParsedMail) -> MailWithoutAttachmentError:
    message_id = parsed.message_id
    return MailWithoutAttachmentError(
        f"mail {message_id or '(no Message-ID)'} has no usable attachment",
        details={"message_id": message_id or "", "subject": parsed.metadata.get("mail_subject", ""),
                 **{f"skipped: {name}"[:120]: reason for name, reason in parsed.skipped.items()}})


def ingest_mail(raw: bytes, intake: IntakePort, *, options: MailOptions | None = None,
                legal_entity: str | None = None, channel: str = "mail") -> list[DocumentReceived]:
    """Submit every usable attachment of ``raw`` (and with ``body_document`` its text, last) and
    flush; the events, in attachment order.

    Raises what :func:`parse_mail` raises, and PublishFailedError (retryable) when Kafka did not
    acknowledge: submitting the same mail again reuses the same document ids.
    """
    opts = options or MailOptions()
    parsed = read_mail(raw, opts)
    body = body_attachment(parsed) if opts.body_document else None
    if not parsed.attachments and body is None:
        raise _without_attachment(parsed)
    events = []
    for attachment in parsed.attachments:
        metadata = {**parsed.metadata, "attachment_filename": attachment.filename,
                    "attachment_position": str(attachment.position),
                    "attachment_count": str(len(parsed.attachments))}
        events.append(intake.submit(attachment.data, attachment.filename, channel=channel,
                                    legal_entity=legal_entity, external_reference=parsed.message_id,
                                    metadata=metadata, media_type=attachment.media_type,
                                    document_id=attachment_document_id(parsed.message_id, attachment)))
    if body is not None:
        events.append(intake.submit(body.data, body.filename, channel=channel, legal_entity=legal_entity,
                                    external_reference=parsed.message_id,
                                    metadata={**parsed.metadata, MAIL_PART_KEY: MAIL_BODY_PART,
                                              "attachment_count": str(len(parsed.attachments))},
                                    media_type=body.media_type,
                                    document_id=attachment_document_id(parsed.message_id, body)))
    try:
        intake.flush()
    except ProduceError as error:
        raise PublishFailedError(f"Kafka did not acknowledge the attachments of {parsed.message_id}") from error
    return events


def body_attachment(parsed: ParsedMail) -> MailAttachment | None:
    """The mail's own text as a ``text/plain`` document (position 0), None when the body is empty."""
    text = parsed.metadata.get("mail_body", "")
    if not text.strip():
        return None
    subject = parsed.metadata.get("mail_subject", "")
    data = (f"Subject: {subject}\n\n{text}" if subject else text).encode("utf-8")
    return MailAttachment(filename="mail-body.txt", data=data, media_type=MAIL_BODY_MEDIA_TYPE, position=0)


def attachment_document_id(message_id: str | None, attachment: MailAttachment) -> str | None:
    """A stable id for a mail's attachment, or None (a fresh id) when the mail has no Message-ID."""
    if not message_id:
        return None
    digest = hashlib.sha256(attachment.data).hexdigest()
    return str(uuid.uuid5(_MAIL_NAMESPACE, f"{message_id}|{attachment.position}|{digest}"))


def _parse(raw: bytes) -> EmailMessage:
    if not raw.strip():
        raise MailUnreadableError("the mail is empty")
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
    except RecursionError:
        raise MailUnreadableError("the mail's MIME parts nest too deeply to be read") from None
    if not isinstance(message, EmailMessage) or not message.keys():
        raise MailUnreadableError("the bytes carry no mail headers")
    depth = _mime_depth(message)
    if depth > MAX_MIME_DEPTH:
        raise MailUnreadableError(f"the mail's MIME parts nest {depth} levels deep (limit {MAX_MIME_DEPTH})")
    return message


def _mime_depth(message: Message) -> int:
    """How deep the parts nest, counted without recursion (the stdlib's walk recurses per level)."""
    deepest, stack = 0, [(message, 1)]
    while stack:
        part, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_MIME_DEPTH:
            return deepest
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, Message))
    return deepest


def _leaf_parts(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.walk() if isinstance(part, EmailMessage) and not part.is_multipart()]


def _body_parts(leaves: list[EmailMessage]) -> list[EmailMessage]:
    """The text parts that are the mail's own body (in every alternative), not attachments."""
    bodies = []
    for part in leaves:
        if (part.get_content_maintype() == "text" and part.get_content_disposition() != "attachment"
                and not part.get_filename() and part.get_content_subtype() in ("plain", "html")):
            bodies.append(part)
    return bodies


def _usable(part: EmailMessage, position: int, opts: MailOptions) -> MailAttachment | str:
    """The attachment, or the reason it is skipped."""
    declared = part.get_content_type()
    if declared in _NOT_DOCUMENTS:
        return f"not a document ({declared})"
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes) or not data:
        return "empty"
    if len(data) > opts.max_attachment_bytes:
        too_large = PayloadTooLargeError(f"{len(data)} bytes exceed the limit of {opts.max_attachment_bytes}")
        return f"{too_large.code}: {too_large.message}"
    media_type = _document_type(data, declared, part.get_filename())
    if media_type is None:
        return f"not a PDF, image, statement or XML file ({declared})"
    if media_type in sniff.IMAGE_TYPES and len(data) < opts.min_image_bytes:
        return f"image under {opts.min_image_bytes} bytes (logo or signature)"
    filename = part.get_filename() or f"attachment-{position}{mimetypes.guess_extension(media_type) or ''}"
    return MailAttachment(filename=filename, data=data, media_type=media_type, position=position)


def _document_type(data: bytes, declared: str, filename: str | None) -> str | None:
    try:
        return sniff.sniff_media_type(data)
    except CaptureError:
        pass
    xml_declared = declared.endswith("xml") or (filename or "").lower().endswith(".xml")
    if xml_declared and _XML_START.match(data[:256]):
        return "application/xml"
    return None


def _mail_metadata(message: EmailMessage, opts: MailOptions) -> dict[str, str]:
    metadata = {
        "mail_from": str(message.get("From", "")), "mail_to": str(message.get("To", "")),
        "mail_subject": str(message.get("Subject", "")),
        "mail_message_id": str(message.get("Message-ID", "")).strip(),
    }
    sent = _header_date(str(message.get("Date", "")))
    received = _received_date(message) or sent
    if sent:
        metadata["mail_sent_at"] = sent
    if received:
        metadata["mail_received_at"] = received
    body = _body_text(message)
    metadata["mail_body"] = body[:opts.body_max_chars]
    if len(body) > opts.body_max_chars:
        metadata["mail_body_truncated"] = "true"
    return {key: value for key, value in metadata.items() if value}


def _received_date(message: EmailMessage) -> str | None:
    """When the receiving server took the mail: the date of the topmost Received header."""
    for header in message.get_all("Received", []):
        _, _, stamp = str(header).rpartition(";")
        parsed = _header_date(stamp)
        if parsed:
            return parsed
    return None


def _header_date(text: str) -> str | None:
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return moment.isoformat() if moment.tzinfo is not None else None


def _body_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if not isinstance(body, EmailMessage):
        return ""
    try:
        text = body.get_content()
    except (LookupError, ValueError):
        return ""
    if not isinstance(text, str):
        return ""
    if body.get_content_subtype() == "html":
        text = _html_text(text)
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n\n", text)).strip()


def _html_text(html: str) -> str:
    """The text of an HTML body; empty when there is none (comments only) or lxml cannot read it."""
    if not html.strip():
        return ""
    try:
        # The text is decoded already: lxml refuses a str that still declares an encoding (XHTML).
        return str(lxml.html.fromstring(_XML_DECLARATION.sub("", html, count=1)).text_content())
    except (etree.ParserError, ValueError):
        return ""
