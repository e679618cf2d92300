"""Mail files: usable attachments become documents with the mail's metadata; nothing is dropped silently."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage

import pytest

from connectors.sources.errors import MailUnreadableError, MailWithoutAttachmentError, PublishFailedError
from connectors.sources.intake import Intake
from connectors.sources.mailbox import MailOptions, ingest_mail, parse_mail
from tests.documents import invoice_pdf
from tests.unit.sources.mails import CAMT, UBL, attach, mail, png
from tests.unit.sources.recording import RecordingProducer

LOGO = png(12, 12)
SCAN = png(120, 120)


def _busy_mail() -> EmailMessage:
    message = mail()
    attach(message, invoice_pdf(number="INV-M1"), "application", "pdf", "INV-M1.pdf")
    attach(message, LOGO, "image", "png", "logo.png", disposition="inline")
    attach(message, SCAN, "image", "png", "scan.png")
    attach(message, CAMT, "application", "xml", "statement.xml")
    attach(message, UBL, "text", "xml", "ubl-invoice.xml")
    attach(message, b"MIAGCSqGSIb3DQEHAqCAMIACAQEx", "application", "pkcs7-signature", "smime.p7s")
    attach(message, b"BEGIN:VCARD\r\nEND:VCARD\r\n", "text", "vcard", "card.vcf")
    return message


def test_usable_attachments_are_kept_and_the_rest_skipped_with_a_reason() -> None:
    parsed = parse_mail(_busy_mail().as_bytes())
    assert [(a.filename, a.media_type) for a in parsed.attachments] == [
        ("INV-M1.pdf", "application/pdf"), ("scan.png", "image/png"),
        ("statement.xml", "application/vnd.iso20022.camt+xml"), ("ubl-invoice.xml", "application/vnd.oasis.ubl+xml")]
    assert parsed.attachments[1].data == SCAN
    assert set(parsed.skipped) == {"logo.png", "smime.p7s", "card.vcf"}
    assert "logo" in parsed.skipped["logo.png"]


def test_mail_metadata_is_carried_with_iso_dates() -> None:
    metadata = parse_mail(_busy_mail().as_bytes()).metadata
    assert metadata["mail_from"] == "Acme Billing <billing@acme.example>"
    assert metadata["mail_subject"] == "Invoice INV-1001"
    assert metadata["mail_message_id"] == "<inv-1001@acme.example>"
    # The topmost Received header is when our server took the mail; Date is when it was written.
    assert datetime.fromisoformat(metadata["mail_received_at"]) == datetime.fromisoformat("2026-11-03T09:16:30+01:00")
    assert datetime.fromisoformat(metadata["mail_sent_at"]) == datetime.fromisoformat("2026-11-03T09:15:00+01:00")
    assert metadata["mail_body"].startswith("Please find our invoice attached.")


def test_ingest_publishes_one_document_per_attachment(recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    raw = _busy_mail().as_bytes()
    events = ingest_mail(raw, intake, legal_entity="DE01")
    assert producer.received() == events and len(events) == 4
    parsed = parse_mail(raw)
    for event, attachment in zip(events, parsed.attachments, strict=True):
        assert event.sha256 == hashlib.sha256(attachment.data).hexdigest()
        assert event.channel == "mail" and event.envelope.legal_entity == "DE01"
        assert event.external_reference == "<inv-1001@acme.example>"
        assert event.metadata["attachment_filename"] == attachment.filename == event.filename
        assert event.metadata["mail_subject"] == "Invoice INV-1001" and event.metadata["attachment_count"] == "4"
    assert len({e.envelope.document_id for e in events}) == 4


def test_the_same_mail_twice_yields_the_same_document_ids(recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, _ = recorded
    raw = _busy_mail().as_bytes()
    first = [e.envelope.document_id for e in ingest_mail(raw, intake)]
    again = [e.envelope.document_id for e in ingest_mail(raw, intake)]
    other = mail(message_id="<other@acme.example>")
    attach(other, invoice_pdf(number="INV-M1"), "application", "pdf", "INV-M1.pdf")
    assert first == again
    assert ingest_mail(other.as_bytes(), intake)[0].envelope.document_id != first[0]


def test_a_mail_without_a_usable_attachment_is_reported(recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    message = mail(subject="Re: our call")
    attach(message, LOGO, "image", "png", "signature.png", disposition="inline")
    with pytest.raises(MailWithoutAttachmentError) as caught:
        ingest_mail(message.as_bytes(), intake)
    assert caught.value.code == "SOURCE_MAIL_NO_ATTACHMENT"
    assert caught.value.details["subject"] == "Re: our call"
    assert any("signature.png" in key for key in caught.value.details)
    assert producer.received() == []
    with pytest.raises(MailWithoutAttachmentError):
        parse_mail(mail().as_bytes())


def test_the_image_threshold_is_configurable() -> None:
    message = mail()
    attach(message, LOGO, "image", "png", "tiny-receipt.png")
    parsed = parse_mail(message.as_bytes(), MailOptions(min_image_bytes=0))
    assert [a.filename for a in parsed.attachments] == ["tiny-receipt.png"]


def test_long_bodies_are_truncated_and_html_bodies_become_text() -> None:
    message = mail("x" * 10_000)
    attach(message, invoice_pdf(), "application", "pdf", "a.pdf")
    metadata = parse_mail(message.as_bytes(), MailOptions(body_max_chars=1000)).metadata
    assert len(metadata["mail_body"]) == 1000 and metadata["mail_body_truncated"] == "true"

    html_only = EmailMessage()
    html_only["From"], html_only["Subject"] = "a@b.example", "html"
    html_only.set_content("<html><body><p>Invoice <b>attached</b></p><p>Thanks</p></body></html>", subtype="html")
    attach(html_only, invoice_pdf(), "application", "pdf", "a.pdf")
    body = parse_mail(html_only.as_bytes()).metadata["mail_body"]
    assert "Invoice attached" in body and "<" not in body


def test_forwarded_mails_and_unlabelled_parts_are_found_by_content() -> None:
    pdf = invoice_pdf(number="INV-FWD")
    inner = mail(message_id="<inner@acme.example>")
    attach(inner, pdf, "application", "octet-stream", None)
    outer = mail("FYI, forwarded", message_id="<outer@docket.example>")
    outer.add_attachment(inner)  # message/rfc822
    parsed = parse_mail(outer.as_bytes())
    (found,) = parsed.attachments
    assert found.media_type == "application/pdf" and found.filename.endswith(".pdf")
    assert found.data == pdf
    assert parsed.message_id == "<outer@docket.example>"


def test_without_message_id_each_ingest_gets_fresh_ids(recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, _ = recorded
    message = mail(message_id=None)
    attach(message, invoice_pdf(), "application", "pdf", "a.pdf")
    first, second = (ingest_mail(message.as_bytes(), intake)[0] for _ in range(2))
    assert first.envelope.document_id != second.envelope.document_id
    assert first.external_reference is None and "mail_message_id" not in first.metadata


@pytest.mark.parametrize("raw", [b"", b"   \n", b"just some text without headers"])
def test_bytes_that_are_not_a_mail_are_refused(raw: bytes) -> None:
    with pytest.raises(MailUnreadableError):
        parse_mail(raw)


def test_unacknowledged_publish_is_retryable(recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    message = mail()
    attach(message, invoice_pdf(), "application", "pdf", "a.pdf")
    producer.fail_flushes = 1
    with pytest.raises(PublishFailedError) as caught:
        ingest_mail(message.as_bytes(), intake)
    assert caught.value.retryable and producer.received() == []


def test_an_xhtml_body_with_an_encoding_declaration_becomes_text() -> None:
    from tests.unit.sources.hostile_mails import XHTML_WITH_DECLARATION

    message = mail(message_id="<x1@x>")
    message.set_content(XHTML_WITH_DECLARATION, subtype="html")
    attach(message, invoice_pdf(number="X1"), "application", "pdf", "x1.pdf")
    parsed = parse_mail(message.as_bytes())
    assert parsed.metadata["mail_body"] == "Invoice attached, due 2026-12-01"
    assert [a.filename for a in parsed.attachments] == ["x1.pdf"]


def test_a_comment_only_html_body_is_an_empty_body() -> None:
    from tests.unit.sources.hostile_mails import COMMENT_ONLY_HTML

    message = mail(message_id="<c1@x>")
    message.set_content(COMMENT_ONLY_HTML, subtype="html")
    attach(message, invoice_pdf(number="C1"), "application", "pdf", "c1.pdf")
    parsed = parse_mail(message.as_bytes())
    assert "mail_body" not in parsed.metadata and [a.filename for a in parsed.attachments] == ["c1.pdf"]


def test_mime_nested_deeper_than_the_limit_is_unreadable() -> None:
    from tests.unit.sources.hostile_mails import deeply_nested

    with pytest.raises(MailUnreadableError) as caught:
        parse_mail(deeply_nested(1200))
    assert caught.value.code == "SOURCE_MAIL_UNREADABLE" and "nest" in caught.value.message
    with pytest.raises(MailWithoutAttachmentError):  # a few levels are ordinary (forwards of forwards)
        parse_mail(deeply_nested(20))


def test_a_mail_over_the_size_limit_is_refused_before_it_is_parsed() -> None:
    from connectors.sources.errors import MailTooLargeError
    from tests.unit.sources.hostile_mails import with_pdf

    raw = with_pdf("<big@x>")
    with pytest.raises(MailTooLargeError) as caught:
        parse_mail(raw, MailOptions(max_mail_bytes=len(raw) - 1))
    assert caught.value.code == "SOURCE_MAIL_TOO_LARGE"
    assert parse_mail(raw, MailOptions(max_mail_bytes=len(raw))).attachments


def test_an_attachment_over_the_limit_is_skipped_with_its_code_and_the_others_kept() -> None:
    small, large = invoice_pdf(number="S1"), invoice_pdf(number="L1") + b"%" + b"x" * 40_000
    message = mail(message_id="<two@x>")
    attach(message, small, "application", "pdf", "small.pdf")
    attach(message, large, "application", "pdf", "large.pdf")
    parsed = parse_mail(message.as_bytes(), MailOptions(max_attachment_bytes=len(large) - 1))
    assert [a.filename for a in parsed.attachments] == ["small.pdf"]
    assert parsed.skipped["large.pdf"].startswith("SOURCE_PAYLOAD_TOO_LARGE")
    only_large = mail(message_id="<one@x>")
    attach(only_large, large, "application", "pdf", "large.pdf")
    with pytest.raises(MailWithoutAttachmentError) as caught:
        parse_mail(only_large.as_bytes(), MailOptions(max_attachment_bytes=len(large) - 1))
    assert any("SOURCE_PAYLOAD_TOO_LARGE" in reason for reason in caught.value.details.values())


def test_a_mail_with_more_attachments_than_the_limit_is_refused() -> None:
    from connectors.sources.errors import MailTooLargeError

    message = mail(message_id="<many@x>")
    for number in range(4):
        attach(message, invoice_pdf(number=f"M{number}"), "application", "pdf", f"m{number}.pdf")
    assert len(parse_mail(message.as_bytes(), MailOptions(max_attachments=4)).attachments) == 4
    with pytest.raises(MailTooLargeError) as caught:
        parse_mail(message.as_bytes(), MailOptions(max_attachments=3))
    assert caught.value.code == "SOURCE_MAIL_TOO_MANY_ATTACHMENTS" and caught.value.details["attachments"] == "4"


def test_with_body_documents_a_mail_without_attachments_becomes_its_text(
        recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    message = mail(message_id="<dispute-1@beispiel.example>")
    options = MailOptions(body_document=True)
    (event,) = ingest_mail(message.as_bytes(), intake, options=options, legal_entity="DE01")
    assert (event.media_type, event.channel, event.filename) == ("text/plain", "mail", "mail-body.txt")
    assert event.metadata["mail_part"] == "body" and event.metadata["attachment_count"] == "0"
    assert event.metadata["mail_body"] == parse_mail_text(message)
    again = ingest_mail(message.as_bytes(), intake, options=options, legal_entity="DE01")
    assert [e.envelope.document_id for e in again] == [event.envelope.document_id]  # a re-read keeps its id
    assert len(producer.received()) == 2


def test_with_body_documents_the_text_rides_after_the_attachments(
        recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, _ = recorded
    events = ingest_mail(_busy_mail().as_bytes(), intake, options=MailOptions(body_document=True))
    assert len(events) == 5 and events[-1].metadata["mail_part"] == "body"
    assert all("mail_part" not in e.metadata for e in events[:-1])


def test_without_body_documents_a_mail_without_attachments_is_still_refused(
        recorded: tuple[Intake, RecordingProducer]) -> None:
    intake, producer = recorded
    with pytest.raises(MailWithoutAttachmentError):
        ingest_mail(mail().as_bytes(), intake)
    assert producer.received() == []


def parse_mail_text(message: EmailMessage) -> str:
    from connectors.sources.mailbox import read_mail

    return read_mail(message.as_bytes()).metadata["mail_body"]
