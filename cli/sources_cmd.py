"""Commands that take documents in: the HTTP API, a landing folder, mail files and IMAP.

Settings come from ``DOCKET_*`` variables (see :mod:`connectors.sources.config` for the source
ones: ``DOCKET_API_TOKENS_FILE``, ``DOCKET_MAX_UPLOAD_BYTES``, ``DOCKET_MAIL_MIN_IMAGE_BYTES``, ...).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("watch")(watch)
    app.command("mail")(mail)
    app.command("mail-poll")(mail_poll)
    app.command("api-token")(api_token)


def _intake() -> Any:
    from connectors.blobstore import LocalBlobStore
    from connectors.sources.intake import Intake
    from streams.codecs import CodecRegistry, registry_client
    from streams.producer import EventProducer
    from streams.settings import get_settings

    settings = get_settings()
    codecs = CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)
    return Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs),
                  default_legal_entity=settings.default_legal_entity)


def serve(
    host: Annotated[str | None, typer.Option(help="default DOCKET_API_HOST (127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="default DOCKET_API_PORT (8080)")] = None,
) -> None:
    """Serve the HTTP upload API (POST /v1/documents; OpenAPI at /openapi.json, docs at /docs)."""
    import uvicorn

    from connectors.sources.config import SourceSettings
    from connectors.sources.http_api import ApiConfig, create_app
    from connectors.sources.submissions import SubmissionLog
    from connectors.sources.tokens import TokenStore
    from docket.errors import ConfigError
    from streams.settings import get_settings

    sources = SourceSettings()
    if sources.api_tokens_file is None:
        raise ConfigError("set DOCKET_API_TOKENS_FILE to a token file (create entries with `docket api-token`)")
    settings = get_settings()
    config = ApiConfig(intake=_intake(), tokens=TokenStore.from_file(sources.api_tokens_file),
                       submissions=SubmissionLog(settings.state_dir / "http-submissions.sqlite"),
                       max_upload_bytes=sources.max_upload_bytes,
                       default_legal_entity=settings.default_legal_entity)
    uvicorn.run(create_app(config), host=host or sources.api_host, port=port or sources.api_port,
                log_level="info")


def watch(
    folder: Annotated[Path, typer.Argument(file_okay=False, help="the landing directory")],
    state: Annotated[Path | None, typer.Option(help="journal file; default <state_dir>/folder-<name>.sqlite")] = None,
    interval: Annotated[float | None, typer.Option(help="seconds between polls; default DOCKET_FOLDER_POLL_SECONDS")]
    = None,
    legal_entity: Annotated[str | None, typer.Option(help="tenant; default DOCKET_DEFAULT_LEGAL_ENTITY")] = None,
    once: Annotated[bool, typer.Option(help="poll twice (a file must settle), then exit")] = False,
) -> None:
    """Watch a landing folder: ingest settled files, move them to processed/YYYY-MM-DD/ or failed/."""
    from connectors.sources.config import SourceSettings
    from connectors.sources.folder import FolderWatcher
    from streams.settings import get_settings

    sources, settings = SourceSettings(), get_settings()
    journal = state or settings.state_dir / f"folder-{folder.resolve().name}.sqlite"
    watcher = FolderWatcher(folder, _intake(), journal, legal_entity=legal_entity,
                            max_bytes=sources.max_upload_bytes)
    pause = interval or sources.folder_poll_seconds
    try:
        if once:
            watcher.poll()
            threading.Event().wait(pause)
            report = watcher.poll()
            console.print(f"ingested {len(report.ingested)}, failed {len(report.failed)}, "
                          f"still settling {len(report.settling)}, to retry {len(report.retry)}")
            return
        console.print(f"watching {escape(str(folder))} every {pause} s (Ctrl-C to stop)")
        watcher.run(pause, threading.Event())
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        watcher.close()


def mail(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help=".eml files")],
    legal_entity: Annotated[str | None, typer.Option(help="tenant; default DOCKET_DEFAULT_LEGAL_ENTITY")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object per document or error")] = False,
) -> None:
    """Submit each usable attachment of each mail; exit 1 if a mail failed (reported with its code).

    A mail that fails in any way is reported with a code and the next mail is read.
    """
    from connectors.sources import mailbox

    options = _mail_options()
    intake, failures = _intake(), 0
    for path in files:
        try:
            events = mailbox.ingest_mail(_read_mail(path, options), intake, options=options,
                                         legal_entity=legal_entity)
        except Exception as error:
            failures += 1
            code, message = _coded(error)
            _print(as_json, {"file": str(path), "error": {"code": code, "message": message}},
                   f"[red]{escape(path.name)}: {code}[/red] {escape(message)}")
            continue
        for event in events:
            document_id = event.envelope.document_id
            _print(as_json, {"file": str(path), "attachment": event.filename, "document_id": document_id,
                             "sha256": event.sha256},
                   f"{escape(path.name)} / {escape(event.filename)}: document {document_id}")
    if failures:
        raise typer.Exit(1)


def mail_poll(
    host: Annotated[str, typer.Option(help="IMAP server")],
    user: Annotated[str, typer.Option(help="login; the password is read from DOCKET_IMAP_PASSWORD")],
    port: Annotated[int, typer.Option()] = 993,
    ssl: Annotated[bool, typer.Option(help="IMAPS (993); --no-ssl for plain IMAP")] = True,
    mailbox: Annotated[str, typer.Option()] = "INBOX",
    quarantine: Annotated[str | None, typer.Option(help="mailbox rejected mails are moved to; default "
                                                        "DOCKET_IMAP_QUARANTINE (empty: flag them only)")] = None,
    interval: Annotated[float, typer.Option(help="seconds between polls")] = 60.0,
    legal_entity: Annotated[str | None, typer.Option()] = None,
    once: Annotated[bool, typer.Option(help="poll once and exit")] = False,
) -> None:
    """Poll an IMAP mailbox for unseen mails and submit their attachments.

    A failed poll (server away, a bug) is reported with its code and the next poll follows;
    only Ctrl-C stops the loop. Rejected mails are flagged and moved to the quarantine mailbox.
    """
    from connectors.sources import mailbox as mails
    from connectors.sources.config import SourceSettings
    from connectors.sources.imap import ImapAccount, ImapPoller

    sources, options = SourceSettings(), _mail_options()
    account = ImapAccount(host=host, user=user, password=os.environ.get("DOCKET_IMAP_PASSWORD", ""), port=port,
                          ssl=ssl, mailbox=mailbox)
    intake = _intake()
    poller = ImapPoller(account.connect, lambda raw: mails.ingest_mail(raw, intake, options=options,
                                                                       legal_entity=legal_entity),
                        mailbox=mailbox, quarantine=quarantine if quarantine is not None else sources.imap_quarantine,
                        max_mail_bytes=options.max_mail_bytes)
    stop = threading.Event()
    try:
        while not stop.is_set():
            try:
                report = poller.poll_once()
            except Exception as error:
                code, message = _coded(error)
                console.print(f"[red]poll failed: {code}[/red] {escape(message)}")
            else:
                console.print(escape(f"handled {len(report.handled)}, rejected {report.rejected}, "
                                     f"to retry {report.retry}"))
            if once:
                return
            stop.wait(interval)
    except KeyboardInterrupt:
        console.print("stopped")


def _mail_options() -> Any:
    from connectors.sources.config import SourceSettings
    from connectors.sources.mailbox import MailOptions

    sources = SourceSettings()
    return MailOptions(min_image_bytes=sources.mail_min_image_bytes, body_max_chars=sources.mail_body_max_chars,
                       max_mail_bytes=sources.mail_max_bytes, max_attachment_bytes=sources.max_upload_bytes,
                       max_attachments=sources.mail_max_attachments, body_document=sources.mail_body_documents)


def _read_mail(path: Path, options: Any) -> bytes:
    """The mail file's bytes, refused by its size before it is read."""
    from connectors.sources.errors import MailTooLargeError

    size = path.stat().st_size
    if size > options.max_mail_bytes:
        raise MailTooLargeError(f"the mail of {size} bytes exceeds the limit of {options.max_mail_bytes}")
    return path.read_bytes()


def _coded(error: Exception) -> tuple[str, str]:
    """(code, message) of any failure: a DocketError's own, SOURCE_INTERNAL_ERROR for the rest."""
    from docket.errors import DocketError

    if isinstance(error, DocketError):
        return error.code, error.message
    return "SOURCE_INTERNAL_ERROR", f"{type(error).__name__}: {error}"


def api_token(
    name: Annotated[str, typer.Option(help="a name for the token (logged, unlike the token)")],
    scope: Annotated[list[str], typer.Option(help="documents:submit, documents:read or admin; repeatable")],
    entity: Annotated[list[str] | None, typer.Option(help="limit to this legal entity; repeatable")] = None,
) -> None:
    """Print a new API token (once: keep it) and the entry to add to the token file."""
    import yaml

    from connectors.sources.tokens import KNOWN_SCOPES, hash_token, new_token

    unknown = set(scope) - KNOWN_SCOPES
    if unknown:
        console.print(f"[red]unknown scope(s): {', '.join(sorted(unknown))}[/red]")
        raise typer.Exit(2)
    token = new_token()
    entry: dict[str, Any] = {"name": name, "sha256": hash_token(token), "scopes": sorted(set(scope))}
    if entity:
        entry["legal_entities"] = sorted(set(entity))
    console.print(f"token (shown once): {token}")
    print(yaml.safe_dump({"tokens": [entry]}, sort_keys=False), end="")


def _print(as_json: bool, record: dict[str, Any], text: str) -> None:
    if as_json:
        print(json.dumps(record))
    else:
        console.print(text)
