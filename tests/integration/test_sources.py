"""Sources on the real stack: the HTTP API (served by uvicorn), a landing folder and mail files,
through the real intake onto Kafka, and — with a worker running — on to capture's outputs."""

from __future__ import annotations

import base64
import imaplib
import io
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pypdfium2
import pytest
import uvicorn

from connectors.blobstore import LocalBlobStore
from connectors.sources.folder import FolderWatcher
from connectors.sources.http_api import ApiConfig, create_app
from connectors.sources.imap import ImapAccount, ImapPoller, ImapReport
from connectors.sources.intake import Intake
from connectors.sources.mailbox import ingest_mail
from connectors.sources.submissions import SubmissionLog
from connectors.sources.tokens import ApiToken, TokenStore, hash_token
from docket.model import DocumentExtracted, DocumentReceived, DocumentRejected, DocumentRouted
from infra.process import free_port
from streams.producer import EventProducer
from streams.settings import Settings
from tests.documents import invoice_pdf
from tests.integration.harness import Worker, codecs_for, collect

SUBMIT_TOKEN, READ_TOKEN = "it-submit-token", "it-read-token"


def _intake(settings: Settings) -> Intake:
    return Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs_for(settings)),
                  default_legal_entity="DE01")


class ServedApi:
    """The API on a free local port, served by uvicorn in a thread, as ``docket serve`` does."""

    def __init__(self, settings: Settings, tmp: Path) -> None:
        tokens = TokenStore([ApiToken("it-scanner", hash_token(SUBMIT_TOKEN), frozenset({"documents:submit"})),
                             ApiToken("it-reader", hash_token(READ_TOKEN), frozenset({"documents:read"}))])
        config = ApiConfig(intake=_intake(settings), tokens=tokens, submissions=SubmissionLog(tmp / "subs.sqlite"),
                           max_upload_bytes=10 * 1024 * 1024, default_legal_entity="DE01")
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServedApi:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def upload(self, data: bytes, filename: str, **form: str) -> dict[str, str]:
        response = httpx.post(f"{self.base}/v1/documents", headers={"Authorization": f"Bearer {SUBMIT_TOKEN}"},
                              files={"file": (filename, data)}, data=form, timeout=60)
        assert response.status_code == 202, response.text
        body: dict[str, str] = response.json()
        return body

    def upload_json(self, data: bytes, filename: str) -> dict[str, str]:
        response = httpx.post(f"{self.base}/v1/documents", headers={"Authorization": f"Bearer {SUBMIT_TOKEN}"},
                              json={"filename": filename, "content_base64": base64.b64encode(data).decode()},
                              timeout=60)
        assert response.status_code == 202, response.text
        body: dict[str, str] = response.json()
        return body


@pytest.fixture
def api(run: Settings, tmp_path: Path) -> Iterator[ServedApi]:
    with ServedApi(run, tmp_path) as served:
        yield served


def _scanned(pdf: bytes, dpi: int = 150) -> bytes:
    page = pypdfium2.PdfDocument(pdf)[0]
    buffer = io.BytesIO()
    page.render(scale=dpi / 72).to_pil().convert("L").save(buffer, format="PNG")
    return buffer.getvalue()


def _received(run: Settings, count: int) -> list[DocumentReceived]:
    return [e for _, e in collect(run, "documents.received", until=lambda r: len(r) >= count, timeout=30)]


def test_a_202_means_the_event_is_already_on_kafka(run: Settings, api: ServedApi) -> None:
    pdf = invoice_pdf(number=f"INV-{uuid.uuid4().hex[:6]}")
    body = api.upload(pdf, "inv.pdf", legal_entity="DE01", external_reference="PORTAL-1")
    # One read, no waiting: the answer came after Kafka acknowledged the event.
    (event,) = [e for _, e in collect(run, "documents.received", until=lambda r: True, timeout=5)]
    assert event.envelope.document_id == body["document_id"] and event.sha256 == body["sha256"]
    assert event.channel == "http" and event.external_reference == "PORTAL-1"
    assert LocalBlobStore(run.blob_root).get(event.blob_uri) == pdf
    status = httpx.get(f"{api.base}/v1/documents/{body['document_id']}",
                       headers={"Authorization": f"Bearer {READ_TOKEN}"}, timeout=10)
    assert status.status_code == 200 and status.json()["sha256"] == body["sha256"]
    forbidden = httpx.get(f"{api.base}/v1/documents/{body['document_id']}",
                          headers={"Authorization": f"Bearer {SUBMIT_TOKEN}"}, timeout=10)
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "SOURCE_SCOPE_FORBIDDEN"


def test_folder_and_mail_sources_publish_on_kafka(run: Settings, tmp_path: Path) -> None:
    intake = _intake(run)
    landing = tmp_path / "landing"
    landing.mkdir()
    dropped = invoice_pdf(number="INV-FOLDER")
    (landing / "dropped.pdf").write_bytes(dropped)
    watcher = FolderWatcher(landing, intake, tmp_path / "folder.sqlite")
    watcher.poll()
    (folder_id,) = watcher.poll().ingested.values()

    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "ap@acme.example", "Invoice", "<it-1@acme.example>"
    message.set_content("Invoice attached")
    message.add_attachment(invoice_pdf(number="INV-MAIL"), maintype="application", subtype="pdf",
                           filename="mailed.pdf")
    (mailed,) = ingest_mail(message.as_bytes(), intake)

    events = {e.envelope.document_id: e for e in _received(run, 2)}
    assert events[folder_id].channel == "folder" and events[folder_id].filename == "dropped.pdf"
    assert events[mailed.envelope.document_id].channel == "mail"
    assert events[mailed.envelope.document_id].metadata["mail_subject"] == "Invoice"
    assert not (landing / "dropped.pdf").exists()


def test_pdf_and_scanned_image_uploads_are_captured(run: Settings, worker: Worker, api: ServedApi) -> None:
    suffix = uuid.uuid4().hex[:6].upper()
    text_pdf = invoice_pdf(number=f"INV-T{suffix}", vat_id="DE136695976", total="119.00")
    scan = _scanned(invoice_pdf(number=f"INV-S{suffix}", vat_id="DE136695976", total="119.00"))
    text_id = api.upload(text_pdf, "text.pdf")["document_id"]
    scan_id = api.upload_json(scan, "scan.png")["document_id"]

    records = collect(run, "documents.extracted", until=lambda r: len(r) >= 2, timeout=300)
    by_id: dict[str, DocumentExtracted] = {e.envelope.document_id: e for _, e in records}
    assert set(by_id) == {text_id, scan_id}
    for document_id, number, reading in [(text_id, f"INV-T{suffix}", "text_layer"), (scan_id, f"INV-S{suffix}", "ocr")]:
        extracted = by_id[document_id]
        values = {f.name: f.value for f in extracted.fields}
        assert extracted.document_type == "invoice" and extracted.reading == reading
        assert values["invoice_number"] == number
        assert values["supplier_vat_id"] == "DE136695976"
        assert values["total"] == "119.00"


def test_corrupt_upload_is_rejected_and_a_repeat_is_routed_duplicate(
        run: Settings, worker: Worker, api: ServedApi) -> None:
    corrupt_id = api.upload(b"%PDF-1.4 garbage", "broken.pdf")["document_id"]
    pdf = invoice_pdf(number=f"INV-D{uuid.uuid4().hex[:6]}")
    first_id = api.upload(pdf, "first.pdf")["document_id"]
    collect(run, "documents.extracted", until=lambda r: any(e.envelope.document_id == first_id for _, e in r),
            timeout=180)
    second_id = api.upload(pdf, "again.pdf")["document_id"]

    rejected = collect(run, "documents.rejected", until=lambda r: len(r) >= 1, timeout=120)
    (rejection,) = [e for _, e in rejected if isinstance(e, DocumentRejected)]
    assert rejection.envelope.document_id == corrupt_id and rejection.error_code == "CAPTURE_PDF_CORRUPT"

    # documents.routed also carries the first upload's own routing decision (post or review).
    routed = collect(run, "documents.routed", timeout=120,
                     until=lambda r: any(e.envelope.document_id == second_id for _, e in r))
    (decision,) = [e for _, e in routed if isinstance(e, DocumentRouted) and e.envelope.document_id == second_id]
    assert decision.route == "duplicate"
    assert first_id in decision.reasons[0].message


_DOVECOT_CONF = """
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={base}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@pytest.fixture
def imap_server() -> Iterator[tuple[int, str, str]]:
    """A real Dovecot (Debian ``dovecot-imapd``) on a free port with one user; (port, user, password).

    It runs in a directory of its own under /tmp that the unprivileged mail user can reach.
    """
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    assert Path(binary).exists(), "Dovecot is missing: apt-get install dovecot-imapd"
    base = Path(tempfile.mkdtemp(prefix="docket-imap-"))
    base.chmod(0o755)
    for sub in ("run", "state", "home"):
        (base / sub).mkdir()
    nobody = pwd.getpwnam("nobody")
    os.chown(base / "home", nobody.pw_uid, nobody.pw_gid)
    (base / "users").write_text("ap:{PLAIN}imap-secret\n")
    port = free_port()
    (base / "dovecot.conf").write_text(_DOVECOT_CONF.format(base=base, port=port))
    process = subprocess.Popen([binary, "-F", "-c", str(base / "dovecot.conf")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                imaplib.IMAP4("127.0.0.1", port).logout()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "Dovecot did not start"
                time.sleep(0.2)
        yield port, "ap", "imap-secret"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


def test_imap_poller_on_a_real_imap_server(run: Settings, imap_server: tuple[int, str, str]) -> None:
    port, user, password = imap_server
    with_pdf = EmailMessage()
    with_pdf["From"], with_pdf["Subject"], with_pdf["Message-ID"] = "a@acme.example", "Invoice", "<imap-1@acme>"
    with_pdf.set_content("Invoice attached")
    with_pdf.add_attachment(invoice_pdf(number="INV-IMAP"), maintype="application", subtype="pdf",
                            filename="imap.pdf")
    chatter = EmailMessage()
    chatter["From"], chatter["Subject"], chatter["Message-ID"] = "b@acme.example", "Lunch?", "<imap-2@acme>"
    chatter.set_content("No attachment here")
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(user, password)
    for message in (with_pdf, chatter):
        assert client.append("INBOX", "", imaplib.Time2Internaldate(time.time()), message.as_bytes())[0] == "OK"

    intake = _intake(run)
    account = ImapAccount(host="127.0.0.1", port=port, user=user, password=password, ssl=False)
    poller = ImapPoller(account.connect, lambda raw: ingest_mail(raw, intake))
    report = poller.poll_once()
    assert len(report.handled) == 1 and list(report.rejected.values()) == ["SOURCE_MAIL_NO_ATTACHMENT"]
    assert poller.poll_once() == ImapReport()  # both are \\Seen now: nothing to do

    (event,) = _received(run, 1)
    assert event.filename == "imap.pdf" and event.external_reference == "<imap-1@acme>"
    client.select("INBOX")
    rejected = client.uid("SEARCH", "KEYWORD", "$DocketRejected")[1][0].split()
    assert [r.decode() for r in rejected] == list(report.rejected)
    assert client.uid("SEARCH", "UNSEEN")[1][0] == b""
    client.logout()


def test_a_poison_mail_on_a_real_imap_server_is_quarantined_and_the_next_flows(
        run: Settings, imap_server: tuple[int, str, str]) -> None:
    from tests.unit.sources.hostile_mails import XHTML_WITH_DECLARATION, deeply_nested

    port, user, password = imap_server
    good = EmailMessage()
    good["From"], good["Subject"], good["Message-ID"] = "c@acme.example", "Invoice", "<imap-good@acme>"
    good.set_content(XHTML_WITH_DECLARATION, subtype="html")
    good.add_attachment(invoice_pdf(number="INV-AFTER-POISON"), maintype="application", subtype="pdf",
                        filename="after.pdf")
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(user, password)
    for raw in (deeply_nested(1200, "<imap-poison@acme>"), good.as_bytes()):
        assert client.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)[0] == "OK"

    intake = _intake(run)
    account = ImapAccount(host="127.0.0.1", port=port, user=user, password=password, ssl=False)
    poller = ImapPoller(account.connect, lambda raw: ingest_mail(raw, intake), quarantine="DocketQuarantine",
                        max_mail_bytes=10 * 1024 * 1024)
    report = poller.poll_once()
    assert list(report.rejected.values()) == ["SOURCE_MAIL_UNREADABLE"] and len(report.handled) == 1
    assert poller.poll_once() == ImapReport()

    (event,) = _received(run, 1)
    assert event.filename == "after.pdf" and event.external_reference == "<imap-good@acme>"
    assert event.metadata["mail_body"] == "Invoice attached, due 2026-12-01"
    client.select("INBOX")
    assert client.uid("SEARCH", "ALL")[1][0].split() == [b"2"]  # the poison mail left the inbox
    client.select("DocketQuarantine")
    (moved,) = client.uid("SEARCH", "KEYWORD", "$DocketRejected")[1][0].split()
    fetched = client.uid("FETCH", moved, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")[1]
    assert b"<imap-poison@acme>" in fetched[0][1]
    client.logout()
