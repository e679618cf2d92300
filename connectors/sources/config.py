"""Settings of the sources, read from ``DOCKET_*`` environment variables (or ``.env``).

Kept apart from :mod:`streams.settings` (only the source commands need them); the names are final:

- ``DOCKET_API_TOKENS_FILE``: YAML/JSON file of API tokens (see :mod:`connectors.sources.tokens`)
- ``DOCKET_API_HOST`` / ``DOCKET_API_PORT``: where ``docket serve`` listens (127.0.0.1:8080)
- ``DOCKET_MAX_UPLOAD_BYTES``: largest document accepted by the HTTP API and the folder (50 MiB)
- ``DOCKET_MAIL_MIN_IMAGE_BYTES``: images attached to mails below this size are logos or
  signature pictures and are skipped (10 KiB)
- ``DOCKET_MAIL_BODY_MAX_CHARS``: mail body text kept in metadata (4000 characters)
- ``DOCKET_MAIL_MAX_BYTES``: larger mails are refused unread (100 MiB; attachments are held to
  ``DOCKET_MAX_UPLOAD_BYTES``)
- ``DOCKET_MAIL_MAX_ATTACHMENTS``: a mail with more usable attachments is refused (200)
- ``DOCKET_IMAP_QUARANTINE``: the mailbox ``docket mail-poll`` moves rejected mails to
  (``DocketQuarantine``; empty: they are only flagged)
- ``DOCKET_FOLDER_POLL_SECONDS``: seconds between two scans of a landing folder (2)
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SourceSettings(BaseSettings):
    """The knobs of the HTTP API, the folder watcher and the mailbox reader."""

    model_config = SettingsConfigDict(env_prefix="DOCKET_", env_file=".env", extra="ignore")

    api_tokens_file: Path | None = None
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8080, ge=1, le=65535)
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    mail_min_image_bytes: int = Field(default=10 * 1024, ge=0)
    mail_body_max_chars: int = Field(default=4000, ge=0)
    mail_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    mail_max_attachments: int = Field(default=200, ge=1)
    mail_body_documents: bool = False
    imap_quarantine: str = "DocketQuarantine"
    folder_poll_seconds: float = Field(default=2.0, gt=0)
