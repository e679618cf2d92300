"""The review loop end to end in a real browser, on real Kafka, a worker and a real Tryton.

An invoice whose number is printed under a label no extractor knows (and from a vendor never
seen before) is captured, enriched and routed to review by the worker. A reviewer opens the
task, fills the missing number by clicking its words on the page, and approves; the route agent
posts the corrected document and the Tryton invoice carries the number. A second reviewer who
had the same task open is refused, and the invoice exists once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from connectors.blobstore import LocalBlobStore
from connectors.stores.review import ReviewStore
from connectors.web.app import create_app
from connectors.web.config import WebConfig
from docket.masterdata_csv import KINDS, record_key
from docket.model import DocumentReceived, Envelope
from streams.producer import EventProducer
from streams.settings import Settings
from tests.browser.conftest import SCREENSHOTS, log_in, serving
from tests.browser.documents import two_page_invoice
from tests.browser.seed import PASSWORD, add_users, sample_vendors
from tests.contract.tryton_server import TrytonServer, running_tryton
from tests.integration.harness import Worker, codecs_for, collect, create_all_topics, run_settings, wait_for

VENDOR = "V-1001"  # in the sample master data and in the Tryton template, same VAT ID and IBAN


@pytest.fixture(scope="module")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-review")) as server:
        yield server


@pytest.fixture
def pipeline(infra: Settings, tryton: TrytonServer, tmp_path: Path) -> Iterator[tuple[Settings, Worker]]:
    settings = run_settings(infra, tmp_path, **tryton.settings_fields(),
                            posting_targets="tryton", posting_batch_window_s=0.2, posting_retry_max_delay_s=3.0)
    create_all_topics(settings)
    producer = EventProducer(settings, codecs_for(settings))
    (sample,) = [v for v in sample_vendors() if v.party_id == VENDOR and v.legal_entity == "DE01"]
    # The sample's GL account is not in the Tryton template's chart: post to the party's default.
    vendor = sample.model_copy(update={"default_gl_account": None})
    producer.send("masterdata.vendors", record_key(KINDS["vendors"], vendor), vendor)
    producer.flush()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    ReviewStore(settings.audit_database_url).close()  # migrate once, before the worker opens it too
    worker = Worker(settings, tmp_path / "worker.log")
    worker.start()
    try:
        yield settings, worker
    finally:
        worker.stop()


def _submit(settings: Settings, data: bytes) -> str:
    stored = LocalBlobStore(settings.blob_root).put(data)
    envelope = Envelope.new(document_id=f"doc-{uuid.uuid4().hex[:10]}", legal_entity="DE01",
                            producer="tests.browser", now=datetime.now(UTC))
    received = DocumentReceived(envelope=envelope, blob_uri=stored.uri, sha256=stored.sha256,
                                filename="toner-invoice.pdf", media_type="application/pdf", size_bytes=len(data),
                                channel="http")
    producer = EventProducer(settings, codecs_for(settings))
    producer.send("documents.received", stored.sha256, received)
    producer.flush()
    return envelope.document_id


def test_a_correction_by_clicking_its_box_reaches_tryton_once(pipeline: tuple[Settings, Worker], browser: Browser,
                                                              tryton: TrytonServer) -> None:
    settings, worker = pipeline
    number = f"RE-{uuid.uuid4().hex[:6].upper()}"
    document_id = _submit(settings, two_page_invoice(number=number, supplier="Acme Office Supplies Ltd",
                                                     vat_id="DE136695976", iban="DE89370400440532013000",
                                                     number_label="Ref."))
    store = ReviewStore(settings.audit_database_url)
    add_users(store)
    (task,) = wait_for(lambda: store.tasks(), timeout=240, what="the review task", on_timeout=worker.log_tail)
    assert task.document_id == document_id
    assert {"REQUIRED_FIELD_MISSING", "FIRST_INVOICE_FROM_VENDOR"} & set(task.reasons)
    # The task page draws boxes from the trail: wait until the audit agent recorded the extraction.
    wait_for(lambda: store.extracted_fields(document_id), timeout=60, what="the extraction in the trail")

    app = create_app(settings, store=store, config=WebConfig(session_secret="pipeline-test", secure_cookies=False))
    with serving(app) as base:
        late = browser.new_context(viewport={"width": 1440, "height": 1000})
        rita = browser.new_context(viewport={"width": 1440, "height": 1000})
        try:
            ben_page, rita_page = late.new_page(), rita.new_page()
            log_in(ben_page, base, "ben", PASSWORD)
            ben_page.goto(f"{base}/reviews/{task.task_id}")  # Ben opens the task and leaves it open

            log_in(rita_page, base, "rita", PASSWORD)
            rita_page.click(f"a[href='/reviews/{task.task_id}']")
            rita_page.wait_for_selector(".word-box")
            assert rita_page.locator("#f_number").input_value() == ""
            rita_page.click("#f_number")
            rita_page.click(f".word-box[data-text='{number}']")
            assert rita_page.locator("#f_number").input_value() == number
            assert rita_page.locator("#box_number").input_value().startswith('{"page":1')
            rita_page.click("#approve")
            rita_page.wait_for_url("**/reviews?done=*")
            assert "approved with 1 correction" in rita_page.content()

            ben_page.fill("#f_number", "SOMETHING-ELSE")
            ben_page.click("#approve")
            ben_page.wait_for_load_state("networkidle")
            assert "REVIEW_TASK_CLOSED" in ben_page.content()
        finally:
            late.close()
            rita.close()

    decided = store.task(task.task_id)
    assert (decided.status, decided.decided_by) == ("approved", "rita")
    (approval,) = [a for a in store.actions(task.task_id) if a["action"] == "approve"]
    (correction,) = approval["corrections"]
    assert (correction["field"], correction["old_value"], correction["new_value"]) == ("number", None, number)
    assert correction["bbox"]["page"] == 1

    client = tryton.client(timeout=60)

    def invoices() -> list[dict[str, object]]:
        return client.search_read("account.invoice", [("reference", "=", number)],
                                  ["id", "reference", "state", "total_amount", "party.code"])

    (invoice,) = wait_for(invoices, timeout=180, what="the Tryton invoice", on_timeout=worker.log_tail)
    assert invoice["reference"] == number and str(invoice["total_amount"]) in ("476", "476.0", "476.00")
    verdicts = collect(settings, "reviews.completed", until=lambda records: len(records) >= 1, timeout=60)
    assert len(verdicts) == 1 and verdicts[0][1].reviewer == "rita"
    assert verdicts[0][1].opened_at is not None and verdicts[0][1].decided_at >= verdicts[0][1].opened_at
    # Posted once: the results name one posting of this document, and Tryton holds one invoice.
    results = collect(settings, "postings.results",
                      until=lambda records: any(e.status == "posted" for _, e in records), timeout=120)
    assert [e.status for _, e in results if e.envelope.document_id == document_id].count("posted") == 1
    assert len(invoices()) == 1

    # The operations dashboard on this traffic, once the trail holds the posting.
    wait_for(lambda: any(a.status == "posted" for a in store.audit.posting_attempts(document_id)), timeout=60,
             what="the posting in the trail")
    with serving(app) as base:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        try:
            board = context.new_page()
            log_in(board, base, "rita", PASSWORD)
            board.goto(f"{base}/dashboard")
            assert "Operations" in board.content()
            board.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
        finally:
            context.close()
    store.close()
