"""Posting on real Kafka + real Tryton: results, an ERP outage mid-run, replays, the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.blobstore import LocalBlobStore
from connectors.stores.audit import AuditStore
from connectors.tryton import TrytonClient
from connectors.tryton.invoices import like_pattern, marker
from docket.model import PostingRequested, PostingResult
from streams.producer import EventProducer
from streams.replay import Position, replay
from streams.settings import Settings
from tests.contract.harness import invoice_request
from tests.contract.tryton_server import TrytonServer, running_tryton
from tests.documents import invoice_pdf
from tests.integration.harness import Worker, codecs_for, collect, create_all_topics, run_settings


@pytest.fixture(scope="module")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-pipeline")) as server:
        yield server


@pytest.fixture
def posting_run(infra: Settings, tryton: TrytonServer, tmp_path: Path) -> Settings:
    settings = run_settings(infra, tmp_path, **tryton.settings_fields(),
                            posting_targets="tryton", posting_batch_window_s=0.2, posting_retry_max_delay_s=3.0)
    create_all_topics(settings)
    return settings


@pytest.fixture
def posting_worker(posting_run: Settings, tmp_path: Path) -> Iterator[Worker]:
    worker = Worker(posting_run, tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()


def _requests(settings: Settings, count: int) -> list[PostingRequested]:
    """Supplier invoice postings whose source PDFs are really in the worker's blob store."""
    blobs = LocalBlobStore(settings.blob_root)
    made = []
    for _ in range(count):
        label = uuid.uuid4().hex[:10]
        stored = blobs.put(invoice_pdf(number=f"INV-{label}"))
        request = invoice_request(label, target="tryton")
        made.append(request.model_copy(update={"blob_uri": stored.uri, "sha256": stored.sha256}))
    return made


def _send(settings: Settings, requests: list[PostingRequested]) -> None:
    producer = EventProducer(settings, codecs_for(settings))
    for request in requests:
        producer.send("postings.requested", request.envelope.document_id, request)
    producer.flush()


def _invoices(client: TrytonClient, request: PostingRequested) -> list[dict[str, Any]]:
    return client.search_read("account.invoice", [("comment", "like", like_pattern(marker(request.idempotency_key)))],
                              ["id", "state", "reference", "total_amount", "party.code"])


def _results(settings: Settings, until: Any, timeout: float = 300) -> list[PostingResult]:
    return [event for _, event in collect(settings, "postings.results", until=until, timeout=timeout)]


def _final(results: list[PostingResult], keys: set[str]) -> dict[str, str]:
    final = {}
    for result in results:
        if result.idempotency_key in keys and result.status in ("posted", "already_posted"):
            final.setdefault(result.idempotency_key, result.status)
    return final


def test_postings_land_once_through_an_outage_and_a_replay(posting_run: Settings, posting_worker: Worker,
                                                           tryton: TrytonServer) -> None:
    client = tryton.client(timeout=60)
    first = _requests(posting_run, 2)
    _send(posting_run, first)
    keys = {r.idempotency_key for r in first}
    results = _results(posting_run, lambda rs: len(_final([e for _, e in rs], keys)) == 2)
    assert set(_final(results, keys).values()) == {"posted"}
    for request in first:
        (invoice,) = _invoices(client, request)
        assert invoice["reference"] == request.record.number
        assert str(invoice["total_amount"]) in ("59.5", "59.50")
        assert invoice["state"] == "posted"

    # The ERP goes down mid-run: postings are retried, not lost, and land once it is back.
    tryton.stop()
    during = _requests(posting_run, 2)
    _send(posting_run, during)
    retrying = {r.idempotency_key for r in during}
    _results(posting_run, lambda rs: {e.idempotency_key for _, e in rs if e.status == "retrying"} >= retrying)
    tryton.restart()
    client = tryton.client(timeout=60)
    keys |= retrying
    results = _results(posting_run, lambda rs: len(_final([e for _, e in rs], keys)) == 4)
    for request in first + during:
        assert len(_invoices(client, request)) == 1, request.idempotency_key

    # Replaying every posting request changes nothing in the ERP: the ledger answers them.
    before = len(results)
    report = replay(posting_run, codecs_for(posting_run), "postings.requested", Position(offset=0))
    assert report.total == 4
    replayed = _results(posting_run, lambda rs: sum(1 for _, e in rs if e.status == "already_posted") >= 4)
    assert len(replayed) >= before + 4
    for request in first + during:
        assert len(_invoices(client, request)) == 1, request.idempotency_key

    # The trail: every attempt recorded, over HTTP and in the store.
    document_id = during[0].envelope.document_id
    trail = httpx.get(f"http://127.0.0.1:{posting_run.web_port}/trail/{document_id}/", timeout=10).json()
    statuses = [attempt["status"] for attempt in trail["posting_attempts"]]
    assert "retrying" in statuses and "posted" in statuses and "already_posted" in statuses
    audit = AuditStore(posting_run.audit_database_url)
    assert [a.status for a in audit.posting_attempts(document_id)] == statuses
    assert all("DE89" not in str(a.request) for a in audit.posting_attempts(document_id))


def test_a_refused_posting_becomes_a_rejected_result_and_a_review(posting_run: Settings,
                                                                   posting_worker: Worker) -> None:
    (request,) = _requests(posting_run, 1)
    unknown = request.model_copy(update={"party_id": "NO-SUCH-VENDOR"})
    _send(posting_run, [unknown])
    results = _results(posting_run, lambda rs: any(e.status == "rejected" for _, e in rs), timeout=120)
    rejected = next(r for r in results if r.status == "rejected")
    assert rejected.error_code and rejected.error_message
    reviews = collect(posting_run, "reviews.requested", until=lambda rs: len(rs) >= 1, timeout=60)
    (_, review), = reviews
    assert review.reasons[0].code == "POSTING_REJECTED_BY_TARGET"
    assert review.document.record == unknown.record


def test_settings_dataclass_round_trip_for_subprocesses(posting_run: Settings) -> None:
    """The worker reads the same settings from the environment (secrets included)."""
    from tests.integration.harness import settings_env

    env = settings_env(posting_run)
    assert posting_run.tryton_password is not None
    assert env["DOCKET_TRYTON_PASSWORD"] == posting_run.tryton_password.get_secret_value()
    again = Settings(**{k.removeprefix("DOCKET_").lower(): v for k, v in env.items()})
    assert again.tryton_url == posting_run.tryton_url
