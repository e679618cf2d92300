"""A signed order form and a contract dropped in a folder, through a running worker into Tryton's CRM:
the opportunity is won with the form's amount and linked to its sale; the contract is a running
subscription with its renewal and notice dates (values read back from Tryton)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfgen import canvas

from connectors.blobstore import LocalBlobStore
from connectors.sources.folder import FolderWatcher
from connectors.sources.intake import Intake
from connectors.tryton.sync import sync_masterdata
from docket.model import ReviewCompleted
from streams.producer import EventProducer
from streams.settings import Settings
from tests.contract.tryton_server import TrytonServer, running_tryton
from tests.integration.harness import Worker, codecs_for, collect, create_all_topics, run_settings

ORDER_FORM = ["Signed Order Form", "Customer: Globex Retail AG", "Quote reference: Q-2026-014",
              "Order number: OF-2026-0301", "Line: Rollout workshop", "Net amount: 4.800,00 EUR",
              "Total: 5.712,00 EUR", "Currency: EUR", "Signature date: 01.03.2026"]
NEW_IBAN = "DE29100100100987654321"
BANK_CHANGE = ["Change of Bank Details", "Customer: Globex Retail AG", "Previous IBAN: DE75 5121 0800 1245 1261 99",
               "New IBAN: DE29 1001 0010 0987 6543 21", "Signature date: 02.03.2026"]
CONTRACT = ["Service Agreement", "Contract number: K-2026-031", "Customer: Globex Retail AG", "Customer number: C-2001",
            "Start date: 01.04.2026", "Initial term: 12 months", "Renewal: renews automatically",
            "Notice period: 90 days", "Monthly fee: 400,00 EUR", "Currency: EUR", "Billing frequency: monthly"]


def text_pdf(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for index, line in enumerate(lines):
        pdf.drawString(72, 780 - 18 * index, line)
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-crm")) as server:
        yield server


@pytest.fixture
def crm_run(infra: Settings, tryton: TrytonServer, tmp_path: Path) -> Settings:
    if tryton.instance is None:
        pytest.fail(f"Tryton could not start: {tryton.error}")
    settings = run_settings(infra, tmp_path, **tryton.settings_fields(), posting_targets="crm",
                            default_legal_entity="DEMO", posting_batch_window_s=0.2)
    create_all_topics(settings)
    client = tryton.client(timeout=60)
    sync_masterdata(client, EventProducer(settings, codecs_for(settings)), legal_entity="DEMO",
                    now=datetime.now(UTC))
    client.close()
    return settings


def _ingest(settings: Settings, tmp_path: Path, files: dict[str, bytes]) -> set[str]:
    landing = tmp_path / "landing"
    landing.mkdir()
    for name, data in files.items():
        (landing / name).write_bytes(data)
    intake = Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs_for(settings)),
                    default_legal_entity="DEMO")
    watcher = FolderWatcher(landing, intake, tmp_path / "folder.sqlite")
    watcher.poll()
    documents = set(watcher.poll().ingested.values())
    watcher.close()
    return documents


def _approve(settings: Settings, task: Any, document_id: str) -> Any:
    """Send the reviewer's approval until its posting is answered: the review task travels on
    another topic, so the first verdict may reach the route agent before the task does."""
    producer = EventProducer(settings, codecs_for(settings))
    for attempt in range(5):
        producer.send("reviews.completed", document_id, ReviewCompleted(
            envelope=task.envelope.follow(producer="tests/review-ui", now=datetime.now(UTC), part=f"verdict:{attempt}"),
            task_id=task.task_id, task_version=1, reviewer="rita", decision="approve", decided_at=datetime.now(UTC)))
        producer.flush()
        try:
            posted = [e for _, e in collect(settings, "postings.results", timeout=60, until=lambda records: any(
                e.envelope.document_id == document_id and e.status == "posted" for _, e in records))
                if e.envelope.document_id == document_id and e.status == "posted"]
        except AssertionError:
            continue
        return posted[0]
    raise AssertionError(f"no posting for the approved change {document_id}")


def test_a_bank_detail_change_waits_for_a_person_and_only_the_approval_applies_it(
        crm_run: Settings, tryton: TrytonServer, tmp_path: Path) -> None:
    worker = Worker(crm_run, tmp_path / "worker.log")
    worker.start()
    client = tryton.client(timeout=60)
    try:
        document_id, = _ingest(crm_run, tmp_path, {"bank-change.pdf": text_pdf(BANK_CHANGE)})
        task, = [e for _, e in collect(crm_run, "reviews.requested", timeout=300, until=lambda records: any(
            e.envelope.document_id == document_id for _, e in records)) if e.envelope.document_id == document_id]
        unapplied = client.search_read("bank.account.number", [("number_compact", "=", NEW_IBAN)], ["id"])
        result = _approve(crm_run, task, document_id)
    finally:
        worker.stop()

    reason, = [r for r in task.reasons if r.code == "BANK_DETAILS_CHANGE_REQUESTED"]
    assert "DE75512108001245126199" in reason.message and NEW_IBAN in reason.message
    assert unapplied == []
    party, = client.search_read("party.party", [("code", "=", "C-2001")], ["id"])
    number, = client.search_read("bank.account.number", [("number_compact", "=", NEW_IBAN)], ["account.owners"])
    assert party["id"] in number["account."]["owners"]
    assert result.target == "crm"
    client.close()


def test_an_order_form_wins_its_opportunity_and_a_contract_becomes_a_subscription_through_the_worker(
        crm_run: Settings, tryton: TrytonServer, tmp_path: Path) -> None:
    worker = Worker(crm_run, tmp_path / "worker.log")
    worker.start()
    try:
        landing = tmp_path / "landing"
        landing.mkdir()
        (landing / "order-form.pdf").write_bytes(text_pdf(ORDER_FORM))
        (landing / "contract.pdf").write_bytes(text_pdf(CONTRACT))
        intake = Intake(LocalBlobStore(crm_run.blob_root), EventProducer(crm_run, codecs_for(crm_run)),
                        default_legal_entity="DEMO")
        watcher = FolderWatcher(landing, intake, tmp_path / "folder.sqlite")
        watcher.poll()
        documents = set(watcher.poll().ingested.values())
        watcher.close()

        def settled(records: list[Any]) -> bool:
            return {e.envelope.document_id for _, e in records if e.status == "posted"} >= documents

        results = {e.envelope.document_id: e for _, e in collect(crm_run, "postings.results", until=settled,
                                                                 timeout=300) if e.status == "posted"}
    finally:
        worker.stop()

    assert len(documents) == 2 and set(results) >= documents
    client = tryton.client(timeout=60)
    opportunity, = client.search_read("sale.opportunity", [("reference", "=", "Q-2026-014")],
                                      ["state", "amount", "sales", "party.code"])
    assert (opportunity["state"], Decimal(opportunity["amount"])) == ("won", Decimal("4800.00"))
    assert opportunity["party."]["code"] == "C-2001"
    sale, = client.model("sale.sale", "read", opportunity["sales"], ["reference", "state", "sale_date"])
    assert (sale["reference"], sale["sale_date"]) == ("OF-2026-0301", date(2026, 3, 1))
    subscription, = client.search_read("sale.subscription", [("reference", "=", "K-2026-031")], [
        "state", "start_date", "end_date", "description", "party.code", "invoice_recurrence.name"])
    assert (subscription["state"], subscription["party."]["code"]) == ("running", "C-2001")
    assert (subscription["start_date"], subscription["end_date"]) == (date(2026, 4, 1), date(2027, 3, 31))
    assert "renews 2027-04-01" in subscription["description"]
    assert "notice by 2026-12-31" in subscription["description"]  # 90 days before the end of term
    assert subscription["invoice_recurrence."]["name"] == "Monthly"
    globex, = client.search_read("party.party", [("code", "=", "C-2001")], ["id"])
    client.close()
    assert {r.target for r in results.values()} == {"crm"}
    # One identity: both postings carry the customer's Tryton id from the cross-references, and the
    # contract, which prints the customer number, was resolved by it rather than by its name.
    requests = [e for _, e in collect(crm_run, "postings.requested", timeout=60, until=lambda records: {
        e.envelope.document_id for _, e in records} >= documents) if e.envelope.document_id in documents]
    assert {r.party_xrefs.get("tryton.customer") for r in requests} == {str(globex["id"])}
    methods = {e.record.document_type: e.customer.method for _, e in collect(
        crm_run, "documents.enriched", timeout=60, until=lambda records: {
            e.envelope.document_id for _, e in records} >= documents) if e.envelope.document_id in documents}
    assert methods == {"order_form": "name", "contract": "customer_number"}
