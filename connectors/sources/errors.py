"""Source failures, each with a stable code (part of the public contract: add, never rename).

The HTTP API answers with these codes in ``{"error": {"code", "message"}}``; the folder watcher
writes them to ``<file>.error.txt``; the mailbox reader raises them for a mail it cannot use.
"""

from __future__ import annotations

from docket.errors import DocketError


class SourceError(DocketError):
    """A document could not be taken in from a source."""

    code = "SOURCE_FAILED"


class UnauthenticatedError(SourceError):
    """No API token, or one that matches no configured token."""

    code = "SOURCE_UNAUTHENTICATED"


class ScopeForbiddenError(SourceError):
    """The token is valid but lacks the scope the operation needs."""

    code = "SOURCE_SCOPE_FORBIDDEN"


class EntityForbiddenError(SourceError):
    """The token is limited to other legal entities."""

    code = "SOURCE_ENTITY_FORBIDDEN"


class PayloadTooLargeError(SourceError):
    """The upload exceeds the configured byte limit."""

    code = "SOURCE_PAYLOAD_TOO_LARGE"


class LinkRefusedError(SourceError):
    """A dropped entry is a symbolic link, or a file with other hard links: it may point outside the drop folder."""

    code = "SOURCE_LINK_REFUSED"


class EmptyUploadError(SourceError):
    """A file of zero bytes."""

    code = "SOURCE_EMPTY_FILE"


class InvalidRequestError(SourceError):
    """The request is malformed (missing file, bad base64, metadata not a string map, ...)."""

    code = "SOURCE_INVALID_REQUEST"


class DocumentNotFoundError(SourceError):
    """No document with that id was submitted through this API (or the token may not see it)."""

    code = "SOURCE_DOCUMENT_NOT_FOUND"


class PublishFailedError(SourceError):
    """The blob was stored but Kafka did not acknowledge the event: retry the same request."""

    code = "SOURCE_PUBLISH_FAILED"
    retryable = True


class TokenFileError(SourceError):
    """The API token file is missing or malformed."""

    code = "SOURCE_TOKEN_FILE_INVALID"


class MailUnreadableError(SourceError):
    """The bytes are not an RFC 5322 message."""

    code = "SOURCE_MAIL_UNREADABLE"


class MailTooLargeError(SourceError):
    """The mail is larger than the configured limit (refused before it is fetched or parsed)."""

    code = "SOURCE_MAIL_TOO_LARGE"


class MailWithoutAttachmentError(SourceError):
    """A mail carried no attachment that could be a document (``details`` lists what was skipped)."""

    code = "SOURCE_MAIL_NO_ATTACHMENT"


class ImapError(SourceError):
    """The IMAP server refused a command or the connection failed."""

    code = "SOURCE_IMAP_FAILED"
    retryable = True
