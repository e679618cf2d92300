"""Per-vendor learning through a running worker: a vendor's first document misses its invoice number,
a reviewer corrects it in the review workspace by clicking the number, and the vendor's second document
(same layout, other values) is read right at that position, with the measured confidence of such reads
(``bench/position_reads.py``): after one correction that is below the routing threshold of the number, so
the second document goes to review with only the number to confirm, already filled in.

Real Kafka and schema registry; the workspace is the web app over the worker's review store, publishing
through the real Kafka publisher (verdicts and learned positions).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from connectors.blobstore import LocalBlobStore
from connectors.sources.intake import Intake
from connectors.stores.review import ReviewStore
from connectors.web.app import create_app
from connectors.web.config import WebConfig
from docket.model import DocumentExtracted, DocumentRouted, VendorFieldPositions
from docket.review.passwords import hash_password
from docket.review.tasks import REVIEWER, User
from docket.routing.policy import PolicyBook
from docket.understanding.extract.positions import measured_confidence
from streams.producer import EventProducer
from streams.settings import Settings
from tests import factories
from tests.documents import vendor_layout_invoice, vendor_layout_number_box
from tests.integration.harness import Worker, codecs_for, collect, create_all_topics, run_settings, wait_for

pytestmark = pytest.mark.integration

LEGAL_ENTITY = "DE01"
PASSWORD = "integration-reviewer-pw"


@pytest.fixture
def learning(infra: Settings, tmp_path: Path) -> Iterator[tuple[Settings, Worker]]:
    """A run with the vendor in master data and a worker running every stage."""
    settings = run_settings(infra, tmp_path, default_legal_entity=LEGAL_ENTITY)
    create_all_topics(settings)
    producer = EventProducer(settings, codecs_for(settings))
    producer.send("masterdata.vendors", f"{LEGAL_ENTITY}:V-1001",
                  factories.vendor(name="Kaltenbrunner Feinmechanik GmbH", aliases=[], updated_at=datetime.now(UTC)))
    producer.flush()
    worker = Worker(settings, tmp_path / "worker.log")
    worker.start()
    yield settings, worker
    worker.stop()


def _submit(settings: Settings, data: bytes, name: str) -> str:
    intake = Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs_for(settings)),
                    default_legal_entity=LEGAL_ENTITY)
    received = intake.submit(data, name, channel="it-vendor-learning")
    intake.flush()
    return received.envelope.document_id


def _first(settings: Settings, topic: str, document_id: str, until: Any = None) -> Any:
    """The first event of ``document_id`` on ``topic`` that ``until`` accepts."""
    accept = until or (lambda event: True)

    def found(records: list[tuple[Any, Any]]) -> bool:
        return any(e is not None and e.envelope.document_id == document_id and accept(e) for _, e in records)

    records = collect(settings, topic, until=found, timeout=240)
    return next(e for _, e in records if e is not None and e.envelope.document_id == document_id and accept(e))


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, html[:500]
    return found.group(1)


def _correct_number_in_the_workspace(settings: Settings, task_id: str, number: str) -> None:
    """Rita opens the task in the workspace, clicks the number's box and approves with the correction."""
    store = ReviewStore(settings.audit_database_url)
    try:
        store.add_user(User("rita", REVIEWER, frozenset({LEGAL_ENTITY}), Decimal("1000")), hash_password(PASSWORD),
                       datetime.now(UTC))
        app = create_app(settings, store=store, config=WebConfig(session_secret="it", secure_cookies=False))
        with TestClient(app) as client:
            login = client.get("/login")
            page = client.post("/login", data={"login": "rita", "password": PASSWORD,
                                               "csrf_token": _token(login.text)})
            assert page.status_code == 200
            task_page = client.get(f"/reviews/{task_id}")
            assert task_page.status_code == 200
            version = str(store.task(task_id).version)
            answer = client.post(f"/reviews/{task_id}/approve", data={
                "csrf_token": _token(task_page.text), "version": version, "f_number": number,
                "box_number": json.dumps(vendor_layout_number_box())})
            assert answer.status_code == 200, answer.text[:500]
    finally:
        store.close()


def test_a_reviewers_correction_teaches_the_worker_to_read_the_vendors_next_document(
        learning: tuple[Settings, Worker]) -> None:
    settings, worker = learning
    first_id = _submit(settings, vendor_layout_invoice("VG-2025-0417", quantity=10, issued="03.11.2026"),
                       "kaltenbrunner-0417.pdf")
    first = _first(settings, "documents.extracted", first_id)
    assert isinstance(first, DocumentExtracted) and first.field("invoice_number") is None
    routed = _first(settings, "documents.routed", first_id)
    assert isinstance(routed, DocumentRouted) and routed.route == "review"
    assert any("invoice_number" in reason.fields for reason in routed.reasons)

    # The worker stored the task in its review store; the reviewer corrects it in the workspace.
    task_id = wait_for(lambda: next((t.task_id for t in _open_tasks(settings) if t.document_id == first_id), None),
                       timeout=120, what="the review task in the workspace store", on_timeout=worker.log_tail)
    _correct_number_in_the_workspace(settings, task_id, "VG-2025-0417")
    (_, taught), = collect(settings, "vendors.field-positions", until=lambda records: len(records) >= 1, timeout=60)
    assert isinstance(taught, VendorFieldPositions)
    assert (taught.vendor_id, taught.document_type, [p.field for p in taught.positions]) == (
        "V-1001", "invoice", ["number"])
    approved = _first(settings, "documents.routed", first_id, until=lambda e: e.route == "post")
    assert approved.reasons[0].code == "REVIEW_APPROVED"
    # The worker's own reader has the positions before the next document arrives.
    wait_for(lambda: "field_positions_applied" in worker.log_path.read_text(errors="replace"), timeout=60,
             what="the worker to read the learned positions", on_timeout=worker.log_tail)

    second_id = _submit(settings, vendor_layout_invoice("VG-2025-0522", quantity=25, issued="17.11.2026"),
                        "kaltenbrunner-0522.pdf")
    second = _first(settings, "documents.extracted", second_id)
    number = second.field("invoice_number")
    assert number is not None and (number.value, number.method) == ("VG-2025-0522", "position")
    assert second.envelope.versions["field_positions"] == "V-1001"
    assert number.confidence == measured_confidence("invoice_number", 1)
    assert number.confidence < PolicyBook.load().for_document(LEGAL_ENTITY, "invoice").threshold("invoice_number")
    routed = _first(settings, "documents.routed", second_id)
    assert routed.route == "review"
    assert [(r.code, r.fields) for r in routed.reasons] == [("LOW_CONFIDENCE", ["invoice_number"])]


def _open_tasks(settings: Settings) -> list[Any]:
    store = ReviewStore(settings.audit_database_url)
    try:
        return store.tasks()
    finally:
        store.close()
