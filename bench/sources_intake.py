"""Intake rates of the sources on a real broker: HTTP uploads (uvicorn, sequential and concurrent),
folder drops, and mail parsing; every upload is stored, published and flushed (acks=all) before
it counts.

    python bench/sources_intake.py [--uploads 200] [--files 200] [--mails 200]

Uses an already running stack (default: the test ports 19092 / 18081; override with DOCKET_KAFKA_PORT /
DOCKET_REGISTRY_PORT) under its own topic prefix; it never starts one. Writes
``bench/results/sources_intake.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results" / "sources_intake.json"
TOKEN = "bench-token"


def _settings(tmp: Path) -> Any:
    from streams.settings import Settings

    return Settings(kafka_port=int(os.environ.get("DOCKET_KAFKA_PORT", "19092")),
                    registry_port=int(os.environ.get("DOCKET_REGISTRY_PORT", "18081")),
                    topic_prefix=f"bench-{uuid.uuid4().hex[:8]}.", partitions=2, state_dir=tmp / "state",
                    blob_dir=tmp / "blobs")


def _intake(settings: Any) -> Any:
    from connectors.blobstore import LocalBlobStore
    from connectors.sources.intake import Intake
    from streams.codecs import CodecRegistry, registry_client
    from streams.producer import EventProducer

    codecs = CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)
    return Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs), default_legal_entity="DE01")


def _documents(count: int, tag: str) -> list[bytes]:
    from tests.documents import invoice_pdf

    return [invoice_pdf(number=f"{tag}-{i}") for i in range(count)]


def bench_http(settings: Any, tmp: Path, count: int) -> dict[str, float]:
    import httpx
    import uvicorn

    from connectors.sources.http_api import ApiConfig, create_app
    from connectors.sources.submissions import SubmissionLog
    from connectors.sources.tokens import ApiToken, TokenStore, hash_token
    from infra.process import free_port

    tokens = TokenStore([ApiToken("bench", hash_token(TOKEN), frozenset({"documents:submit"}))])
    config = ApiConfig(_intake(settings), tokens, SubmissionLog(tmp / "subs.sqlite"), 10_000_000, "DE01")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}/v1/documents"
    client = httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)

    def upload(data: bytes) -> float:
        started = time.perf_counter()
        response = client.post(url, files={"file": ("inv.pdf", data)})
        assert response.status_code == 202, response.text
        return time.perf_counter() - started

    try:
        upload(_documents(1, "warm")[0])
        docs = _documents(count, "seq")
        started = time.perf_counter()
        latencies = [upload(d) for d in docs]
        sequential = time.perf_counter() - started
        docs = _documents(count, "par")
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(upload, docs))
        concurrent = time.perf_counter() - started
    finally:
        server.should_exit = True
        thread.join(10)
    latencies.sort()
    return {"http_uploads": count, "http_sequential_per_s": round(count / sequential, 1),
            "http_latency_p50_ms": round(1000 * statistics.median(latencies), 1),
            "http_latency_p95_ms": round(1000 * latencies[int(0.95 * (count - 1))], 1),
            "http_8_clients_per_s": round(count / concurrent, 1)}


def bench_folder(settings: Any, tmp: Path, count: int) -> dict[str, float]:
    from connectors.sources.folder import FolderWatcher

    landing = tmp / "landing"
    landing.mkdir()
    for i, data in enumerate(_documents(count, "dir")):
        (landing / f"f{i:05d}.pdf").write_bytes(data)
    watcher = FolderWatcher(landing, _intake(settings), tmp / "folder.sqlite")
    watcher.poll()
    started = time.perf_counter()
    report = watcher.poll()
    elapsed = time.perf_counter() - started
    assert len(report.ingested) == count, report
    return {"folder_files": count, "folder_files_per_s": round(count / elapsed, 1)}


def bench_mail(count: int) -> dict[str, float]:
    from email.message import EmailMessage

    from connectors.sources.mailbox import parse_mail

    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "a@b.example", "Invoices", "<bench@b.example>"
    message.set_content("Invoices attached.\n" * 50)
    for i, data in enumerate(_documents(4, "mail")):
        message.add_attachment(data, maintype="application", subtype="pdf", filename=f"m{i}.pdf")
    raw = message.as_bytes()
    started = time.perf_counter()
    for _ in range(count):
        parse_mail(raw)
    elapsed = time.perf_counter() - started
    return {"mail_parse_4_attachments_per_s": round(count / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--mails", type=int, default=200)
    args = parser.parse_args()
    from streams.topics import ALL_TOPICS, create_topics

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        settings = _settings(tmp)
        create_topics(settings.bootstrap_servers, ALL_TOPICS, prefix=settings.topic_prefix, partitions=2)
        results: dict[str, Any] = {"broker": settings.bootstrap_servers, "cores": os.cpu_count()}
        results.update(bench_http(settings, tmp, args.uploads))
        results.update(bench_folder(settings, tmp, args.files))
        results.update(bench_mail(args.mails))
    results["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    for key, value in results.items():
        print(f"{key:34} {value}")


if __name__ == "__main__":
    main()
