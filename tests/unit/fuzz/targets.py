"""What one fuzz case runs: the real code path its route names, in a worker process.

:func:`run_case` never raises: it answers an :class:`Outcome` — ``document`` (the input was
taken: documents captured, a file ingested, an event decoded), ``coded`` (refused with a stable
code), or ``crash`` (any other exception, an ``INTERNAL_ERROR`` event, a 5xx answer, or a
security property broken: a link followed, a file outside the drop folder read). The worker's
peak RSS rides along. State that is costly to build (the HTTP app, codecs) is kept per process.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import random
import resource
import shutil
import tempfile
import traceback
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tests.unit.fuzz.cases import Case

LEAK_MARKERS = (b"root:x:0:0", "root:x:0:0")
MAX_UPLOAD = 2 * 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    """How a case ended: ``status`` document / coded / crash, the code (or exception type), a detail."""

    status: str
    code: str
    detail: str = ""
    max_rss_kb: int = 0


class BlankOcrEngine:
    """An engine that finds no words: for the quick fixed-seed run (the benchmark uses RapidOCR)."""

    name = "blank/1"

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[Any]:
        return []


class _Producer:
    """The producer behind the real Intake: every event is Avro-encoded, as Kafka would get it."""

    def __init__(self, codecs: Any) -> None:
        self.codecs = codecs
        self.sent: list[Any] = []

    def send(self, logical_topic: str, key: str, event: Any, headers: dict[str, str] | None = None) -> None:
        self.codecs.for_topic(logical_topic).encode(event)
        self.sent.append(event)

    def flush(self, timeout: float = 30.0) -> None:
        return None


class _World:
    """Per-process state: a scratch directory, codecs on an in-process registry, the intake, the API."""

    def __init__(self) -> None:
        os.environ.setdefault("DOCKET_REGISTRY_URL", f"mock://fuzz-{os.getpid()}")
        import logging

        import structlog

        from streams.codecs import CodecRegistry, registry_client

        # Thousands of refusals are the point of the run: keep the workers' logs quiet.
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.CRITICAL))
        logging.disable(logging.CRITICAL)
        warnings.simplefilter("ignore")

        self.root = Path(tempfile.mkdtemp(prefix="docket-fuzz-"))
        self.codecs = CodecRegistry(registry_client(f"mock://fuzz-{os.getpid()}"))
        self.counter = 0

    def fresh(self) -> Path:
        """An empty directory for this case (the previous case's files are removed)."""
        self.counter += 1
        case_dir = self.root / "case"
        shutil.rmtree(case_dir, ignore_errors=True)
        case_dir.mkdir()
        return case_dir

    def intake(self, case_dir: Path) -> tuple[Any, _Producer]:
        from connectors.blobstore import LocalBlobStore
        from connectors.sources.intake import Intake

        producer = _Producer(self.codecs)
        return Intake(LocalBlobStore(case_dir / "blobs"), producer, default_legal_entity="FUZZ"), producer  # type: ignore[arg-type]


@cache
def _world() -> _World:
    return _World()


def _rss_kb() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def run_case(case: Case, ocr: str = "blank") -> Outcome:
    """Run ``case`` through its route; never raises (see the module doc)."""
    from docket.errors import DocketError

    try:
        status, code, detail = ROUTES[case.route](case, ocr)
    except DocketError as error:
        over = error.code == "CAPTURE_BUDGET_EXCEEDED"
        status, code, detail = ("over_budget" if over else "coded"), error.code, error.message if over else ""
    except MemoryError:
        raise  # the pool reports it as over the memory budget
    except Exception as error:
        status, code = "crash", type(error).__name__
        detail = "".join(traceback.format_exception(error, limit=-4))[-1500:]
    return Outcome(status, code, detail, _rss_kb())


# -- routes ---------------------------------------------------------------------------------------


def _engine(ocr: str) -> Any:
    return BlankOcrEngine() if ocr == "blank" else None  # None: capture's default RapidOCR engine


def _leaks(values: list[str]) -> bool:
    return any(marker in value for value in values for marker in LEAK_MARKERS if isinstance(marker, str))


def _capture(case: Case, ocr: str) -> tuple[str, str, str]:
    from docket.capture import CaptureOptions, capture_document

    documents = capture_document(case.data, case.filename, options=CaptureOptions(ocr_engine=_engine(ocr)))
    texts = [text or "" for d in documents for f in d.fields for text in (f.value, f.raw_text)]
    if _leaks(texts):
        return "crash", "EXTERNAL_ENTITY_READ", "a field holds the content of a local file"
    readings = sorted({d.reading for d in documents})
    return "document", f"captured: {'+'.join(readings) or 'nothing'}", ""


def _disk_name(name: str) -> str:
    cleaned = "".join(c if c not in "/\\\x00" else "_" for c in name)[:120]
    return "f-" + (cleaned or "x")


def _folder(case: Case, ocr: str, *, link: bool = False) -> tuple[str, str, str]:
    from connectors.sources.folder import FolderWatcher

    case_dir = _world().fresh()
    drop, outside = case_dir / "drop", case_dir / "outside"
    drop.mkdir()
    outside.mkdir()
    intake, producer = _world().intake(case_dir)
    name = _disk_name(case.filename)
    secret = hashlib.sha256(case.data).hexdigest()
    if link:
        (outside / "secret").write_bytes(case.data)
        if int(secret[:2], 16) % 2:
            (drop / name).symlink_to(outside / "secret")
        else:
            os.link(outside / "secret", drop / name)
    else:
        (drop / name).write_bytes(case.data)
    watcher = FolderWatcher(drop, intake, case_dir / "journal.sqlite")
    try:
        watcher.poll()
        report = watcher.poll()
    finally:
        watcher.close()
    if link and any(event.sha256 == secret for event in producer.sent):
        return "crash", "LINK_FOLLOWED", "a file outside the drop folder was ingested"
    if name in report.ingested:
        return "document", "ingested", ""
    if name in report.failed:
        return "coded", report.failed[name], ""
    if name in report.retry:
        return "coded", report.retry[name], ""
    return "crash", "NOT_HANDLED", f"{name} neither ingested nor failed: {report}"


def _folder_link(case: Case, ocr: str) -> tuple[str, str, str]:
    return _folder(case, ocr, link=True)


@cache
def _client() -> tuple[Any, str]:
    from fastapi.testclient import TestClient

    from connectors.sources.http_api import ApiConfig, create_app
    from connectors.sources.submissions import SubmissionLog
    from connectors.sources.tokens import ApiToken, TokenStore, hash_token

    token = "fuzz-token"
    world = _world()
    intake, _ = world.intake(world.root / "api")
    config = ApiConfig(intake=intake, tokens=TokenStore([ApiToken("fuzz", hash_token(token), frozenset({"admin"}))]),
                       submissions=SubmissionLog(world.root / "api" / "subs.sqlite"), max_upload_bytes=MAX_UPLOAD,
                       default_legal_entity="FUZZ")
    return TestClient(create_app(config)), token


def _answer(response: Any) -> tuple[str, str, str]:
    if response.status_code == 202:
        return "document", "accepted", ""
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return "crash", f"HTTP_{response.status_code}", response.text[:300]
    if response.status_code >= 500 and code != "SOURCE_PUBLISH_FAILED":
        return "crash", f"HTTP_{response.status_code}", str(code)
    return "coded", str(code), ""


def _http(case: Case, ocr: str) -> tuple[str, str, str]:
    client, token = _client()
    form = dict(case.extra)
    response = client.post("/v1/documents", headers={"Authorization": f"Bearer {token}"},
                           files={"file": (case.filename, case.data)}, data=form)
    return _answer(response)


def _http_json(case: Case, ocr: str) -> tuple[str, str, str]:
    client, token = _client()
    body: dict[str, Any] = {"filename": case.filename, "content_base64": base64.b64encode(case.data).decode()}
    for key, value in case.extra:
        try:
            body[key] = json.loads(value) if key == "metadata" else value
        except ValueError:
            body[key] = value
    response = client.post("/v1/documents", headers={"Authorization": f"Bearer {token}",
                                                     "Content-Type": "application/json"},
                           content=json.dumps(body).encode())
    return _answer(response)


def _mail_bytes(raw: bytes) -> tuple[str, str, str]:
    from connectors.sources.mailbox import ingest_mail

    case_dir = _world().fresh()
    intake, _ = _world().intake(case_dir)
    events = ingest_mail(raw, intake)
    return "document", "mail: attachments taken", f"{len(events)} attachment(s)"


def _mail(case: Case, ocr: str) -> tuple[str, str, str]:
    return _mail_bytes(case.data)


def _mail_attachment(case: Case, ocr: str) -> tuple[str, str, str]:
    from tests.unit.fuzz.seeds import mail_with

    return _mail_bytes(mail_with(case.data, case.filename))


class _Mailbox:
    """One message in an in-memory IMAP mailbox, answering like imaplib."""

    def __init__(self, raw: bytes) -> None:
        self.raw: bytes | None = raw
        self.flags: set[str] = set()
        self.moved_to: str | None = None

    def select(self, mailbox: str = "INBOX", readonly: bool = False) -> tuple[str, list[Any]]:
        return "OK", [b"1"]

    def create(self, mailbox: str) -> tuple[str, list[Any]]:
        return "OK", [b""]

    def uid(self, command: str, *args: Any) -> tuple[str, list[Any]]:
        if command == "SEARCH":
            return "OK", [b"1" if self.raw is not None and "\\Seen" not in self.flags else b""]
        if command == "FETCH" and self.raw is not None:
            if args[1] == "(RFC822.SIZE)":
                return "OK", [f"1 (UID 1 RFC822.SIZE {len(self.raw)})".encode()]
            return "OK", [(b"1 (UID 1 BODY[] {%d}" % len(self.raw), self.raw), b")"]
        if command == "STORE":
            self.flags |= set(str(args[2]).strip("()").split())
            return "OK", [b""]
        if command == "MOVE":
            self.moved_to, self.raw = str(args[1]), None
            return "OK", [b""]
        return "NO", [b"unexpected"]

    def logout(self) -> tuple[str, list[Any]]:
        return "BYE", [b""]


def _mail_imap(case: Case, ocr: str) -> tuple[str, str, str]:
    from connectors.sources.imap import ImapPoller
    from connectors.sources.mailbox import ingest_mail

    case_dir = _world().fresh()
    intake, _ = _world().intake(case_dir)
    box = _Mailbox(case.data)
    poller = ImapPoller(lambda: box, lambda raw: ingest_mail(raw, intake), quarantine="Quarantine",
                        max_mail_bytes=MAX_UPLOAD)
    report = poller.poll_once()
    if report.handled == ["1"]:
        return "document", "handled", ""
    if "1" in report.rejected:
        if box.moved_to != "Quarantine":
            return "crash", "NOT_QUARANTINED", report.rejected["1"]
        return "coded", report.rejected["1"], ""
    if "1" in report.retry:
        return "coded", report.retry["1"], ""
    return "crash", "NOT_HANDLED", str(report)


def _masterdata(case: Case, ocr: str) -> tuple[str, str, str]:
    from datetime import UTC, datetime

    from docket.masterdata_csv import parse_masterdata_csv

    kind = "vendors" if case.data.lstrip(b"\xef\xbb\xbf\xff\xfe").startswith(b"legal_entity,party_id") else "open_items"
    text = case.data.decode("utf-8", errors="replace")
    records = parse_masterdata_csv(kind, text, now=datetime(2026, 12, 1, tzinfo=UTC))
    return "document", f"{len(records)} record(s)", ""


# -- agent decode ---------------------------------------------------------------------------------


def _seed_event(topic: str) -> Any:
    from tests import factories

    return {"documents.received": factories.received, "documents.extracted": factories.extracted,
            "postings.requested": factories.posting_requested, "masterdata.vendors": factories.vendor,
            "reviews.completed": factories.review_completed}[topic]()


def _mutate(data: bytes, rng: random.Random, edits: int) -> bytes:
    out = bytearray(data)
    for _ in range(edits):
        at = rng.randrange(len(out) + 1)
        op = rng.choice(("flip", "insert", "delete", "truncate", "varint"))
        if op == "flip" and out:
            out[min(at, len(out) - 1)] = rng.randrange(256)
        elif op == "insert":
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
        elif op == "delete":
            del out[at:at + rng.randrange(1, 32)]
        elif op == "truncate":
            del out[max(at, 5):]
        else:  # a huge length prefix: Avro strings and arrays announce their size first
            out[at:at] = b"\xfe\xff\xff\xff\x0f"
    return bytes(out)


class _Message:
    def __init__(self, value: bytes | None, headers: list[tuple[str, bytes]]) -> None:
        self.value, self.headers, self.key, self.partition, self.offset = value, headers, b"k", 0, 7


def _agent(case: Case, ocr: str) -> tuple[str, str, str]:
    from agents.driver import source_of
    from agents.runtime import Stage, handle
    from streams import topics

    world = _world()
    topic = case.filename
    extra = dict(case.extra)
    if case.data.startswith(b"AVRO:"):
        valid = world.codecs.for_topic(topic).encode(_seed_event(topic))
        value: bytes | None = _mutate(valid, random.Random(int(extra["seed"])), int(extra["mutations"]))
    elif case.kind == "headers":
        value = world.codecs.for_topic(topic).encode(_seed_event(topic))
    else:
        value = case.data
    headers = [(name, text.encode("latin-1")) for name, text in case.extra if name not in ("seed", "mutations")]
    source = source_of(topic, _Message(value, headers))
    seen: list[Any] = []

    async def handler(event: Any, arrived: Any) -> list[Any]:
        seen.append((event, dict(arrived.headers)))
        return []

    stage = Stage("fuzz", world.codecs)
    outgoing = asyncio.run(handle(stage, source, handler))
    for message in outgoing:
        code = getattr(message.value, "error_code", "")
        if code == "INTERNAL_ERROR":
            return "crash", "INTERNAL_ERROR", getattr(message.value, "message", "")
        if message.topic in (topics.DEADLETTER.name, topics.DOCUMENTS_REJECTED.name):
            return "coded", str(code), ""
    return ("document", "decoded", "") if seen else ("crash", "NOT_HANDLED", "no event and no dead letter")


ROUTES = {
    "capture": _capture, "folder": _folder, "folder-link": _folder_link, "http": _http, "http-json": _http_json,
    "mail": _mail, "mail-attachment": _mail_attachment, "mail-imap": _mail_imap, "masterdata": _masterdata,
    "agent": _agent,
}
