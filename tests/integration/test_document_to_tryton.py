"""Documents through the whole pipeline into Tryton, with the audit trail in PostgreSQL (issue #5).

Real Kafka and registry (the shared test stack), a real Tryton copied from the template, a real
PostgreSQL started for this module, and one ``docket worker`` with every stage. Fresh PDFs from the
demo ERP's vendors are submitted through the intake source; each must land in Tryton as an
invoice that states what capture read from the PDF (party, number, date, every line, tax per rate,
untaxed amount and total), with the PDF attached, and the PostgreSQL trail must show the whole
life of the document with the posting's request and answer redacted.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.blobstore import LocalBlobStore
from connectors.sources.intake import Intake
from connectors.stores.audit import AuditStore
from connectors.tryton.client import TrytonClient
from connectors.tryton.sync import sync_masterdata
from docket.model import DocumentEnriched, DocumentExtracted, DocumentRouted, PostingResult
from infra import postgres
from streams.producer import EventProducer
from streams.settings import Settings
from tests.contract.tryton_server import TrytonServer, running_tryton
from tests.integration.demo_invoices import ACME, NORDLICHT, DemoDocument, demo_document
from tests.integration.harness import (
    REPO,
    Worker,
    codecs_for,
    collect,
    create_all_topics,
    run_settings,
    throwaway_postgres,
)

pytestmark = pytest.mark.integration

LEGAL_ENTITY = "DEMO"  # the demo's legal entity: routing layers policies/DEMO.yaml over the default
DEMO_POLICY = yaml.safe_load((REPO / "docket" / "routing" / "policies" / "DEMO.yaml").read_text())["version"]
LIFE = ["received", "extracted", "enriched", "routed", "posting_requested", "posted"]
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-documents")) as server:
        yield server


@pytest.fixture(scope="module")
def audit_db() -> Iterator[postgres.PostgresServer]:
    with throwaway_postgres("docket_audit") as server:
        yield server


@pytest.fixture
def pipeline(infra: Settings, tryton: TrytonServer, audit_db: postgres.PostgresServer,
             tmp_path: Path) -> Iterator[Settings]:
    """A run with topics, the ERP's master data published, and a worker auditing into PostgreSQL."""
    settings = run_settings(infra, tmp_path, **tryton.settings_fields(),
                            posting_targets="tryton", posting_batch_window_s=0.2, audit_url=audit_db.url,
                            default_legal_entity=LEGAL_ENTITY)
    create_all_topics(settings)
    client = tryton.client(timeout=60)
    sync_masterdata(client, EventProducer(settings, codecs_for(settings)), legal_entity=LEGAL_ENTITY,
                    now=datetime.now(UTC))
    client.close()
    worker = Worker(settings, tmp_path / "worker.log")
    worker.start()
    yield settings
    worker.stop()


@dataclass
class Sent:
    """A submitted document, and what the pipeline made of it."""

    document: DemoDocument
    document_id: str
    label: str
    extracted: DocumentExtracted | None = None
    enriched: DocumentEnriched | None = None
    routed: DocumentRouted | None = None
    result: PostingResult | None = None


def _submit(settings: Settings, documents: list[DemoDocument], seed: int) -> list[Sent]:
    intake = Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs_for(settings)),
                    default_legal_entity=LEGAL_ENTITY)
    sent = []
    for number, document in enumerate(documents):
        received = intake.submit(document.pdf, f"e2e-{number}.pdf", channel="e2e-test")
        sent.append(Sent(document, received.envelope.document_id, f"seed {seed}, {document.layout}"))
    intake.flush()
    return sent


def _by_document(settings: Settings, topic: str, ids: set[str], until: Any = None) -> dict[str, Any]:
    """The first event per document id on ``topic`` (every id must appear)."""
    until = until or (lambda event: True)
    records = collect(settings, topic, timeout=300,
                      until=lambda rs: ids <= {e.envelope.document_id for _, e in rs if e is not None and until(e)})
    found: dict[str, Any] = {}
    for _, event in records:
        if event is not None and event.envelope.document_id in ids and until(event):
            found.setdefault(event.envelope.document_id, event)
    return found


def _follow(settings: Settings, sent: list[Sent]) -> None:
    ids = {item.document_id for item in sent}
    routed = _by_document(settings, "documents.routed", ids)
    not_posting = {i: (e.route, [r.code for r in e.reasons]) for i, e in routed.items() if e.route != "post"}
    labels = {item.document_id: item.label for item in sent}
    assert not not_posting, f"documents not routed to posting: {[(labels[i], why) for i, why in not_posting.items()]}"
    results = _by_document(settings, "postings.results", ids, until=lambda e: e.status in ("posted", "rejected",
                                                                                           "failed"))
    extracted = _by_document(settings, "documents.extracted", ids)
    enriched = _by_document(settings, "documents.enriched", ids)
    for item in sent:
        item.routed, item.result = routed[item.document_id], results[item.document_id]
        item.extracted, item.enriched = extracted[item.document_id], enriched[item.document_id]


def _money(text: str) -> Decimal:
    return Decimal(text).quantize(CENT)


def _fields(extracted: DocumentExtracted) -> dict[str, str]:
    return {field.name: field.value for field in extracted.fields}


def _extracted_lines(extracted: DocumentExtracted) -> list[dict[str, str]]:
    return [{field.name: field.value for field in item.fields}
            for item in sorted(extracted.line_items, key=lambda item: item.index)]


def _extracted_taxes(fields: dict[str, str]) -> dict[Decimal, Decimal]:
    """``tax_<n>_rate`` / ``tax_<n>_amount`` pairs as {rate: amount}."""
    taxes = {}
    for name, value in fields.items():
        if name.startswith("tax_") and name.endswith("_rate"):
            amount = fields.get(name.removesuffix("_rate") + "_amount")
            assert amount is not None, f"{name} read without its amount"
            taxes[Decimal(value).normalize()] = _money(amount)
    return taxes


def _invoice(client: TrytonClient, erp_id: str) -> dict[str, Any]:
    invoice: dict[str, Any]
    (invoice,) = client.model("account.invoice", "read", [int(erp_id)],
                              ["type", "state", "reference", "invoice_date", "party.code", "currency.code",
                               "untaxed_amount", "tax_amount", "total_amount", "lines", "taxes", "number"])
    invoice["lines"] = client.model("account.invoice.line", "read", invoice["lines"],
                                    ["description", "quantity", "unit_price", "amount", "taxes.rate"])
    invoice["taxes"] = client.model("account.invoice.tax", "read", invoice["taxes"],
                                    ["tax.rate", "base", "amount"])
    return invoice


def _percent(rate: Any) -> Decimal:
    """A Tryton tax rate (a fraction: 0.19) as the percentage Docket carries (19)."""
    return (Decimal(str(rate)) * 100).normalize()


def _check_invoice(client: TrytonClient, item: Sent) -> None:
    """The Tryton invoice states what capture read (and what was printed: the two agree)."""
    assert item.result is not None and item.result.erp_id is not None and item.extracted is not None
    fields, truth = _fields(item.extracted), item.document.content
    invoice = _invoice(client, item.result.erp_id)
    sign = -1 if truth.document_type == "credit_note" else 1
    document = f"{truth.document_type} {item.document_id} ({item.label})"

    assert item.extracted.document_type == truth.document_type, document
    assert (invoice["type"], invoice["state"]) == ("in", "posted"), document
    assert invoice["party."]["code"] == item.document.vendor.code, document
    assert invoice["currency."]["code"] == fields["currency"] == "EUR", document
    assert invoice["reference"] == fields["invoice_number"] == truth.number, document
    assert invoice["invoice_date"] == date.fromisoformat(fields["invoice_date"]) == truth.issue_date, document

    lines = _extracted_lines(item.extracted)
    assert len(invoice["lines"]) == len(lines) == len(truth.lines), document
    for posted, read, printed in zip(invoice["lines"], lines, truth.lines, strict=True):
        assert posted["description"] == read["description"] == printed.description, document
        assert Decimal(str(posted["quantity"])) == sign * Decimal(read["quantity"]) == sign * printed.quantity, \
            document
        assert posted["unit_price"] == Decimal(read["unit_price"]) == printed.unit_price, document
        assert posted["amount"] == sign * printed.amount, document
        assert [_percent(tax["rate"]) for tax in posted["taxes."]] == [printed.tax_rate], document

    posted_taxes = {_percent(tax["tax."]["rate"]): tax["amount"] for tax in invoice["taxes"]}
    read_taxes = _extracted_taxes(fields)
    printed_taxes = {row.rate.normalize(): sign * row.amount for row in truth.taxes}
    assert {rate: sign * amount for rate, amount in read_taxes.items()} == printed_taxes, document
    assert posted_taxes == printed_taxes, document
    assert invoice["untaxed_amount"] == sign * _money(fields["net_total"]) == sign * truth.net_total, document
    assert invoice["tax_amount"] == sign * _money(fields["tax_total"]) == sign * truth.tax_total, document
    assert invoice["total_amount"] == sign * _money(fields["total"]) == sign * truth.total, document


def _check_attachment(client: TrytonClient, item: Sent) -> None:
    assert item.result is not None
    attachments = client.search_read("ir.attachment", [("resource", "=", f"account.invoice,{item.result.erp_id}")],
                                     ["name", "data"])
    assert len(attachments) == 1, attachments
    assert hashlib.sha256(attachments[0]["data"]).hexdigest() == hashlib.sha256(item.document.pdf).hexdigest()


def _check_trail(store: AuditStore, item: Sent) -> None:
    assert item.result is not None
    timeline = store.timeline(item.document_id)
    stages = [entry.stage for entry in timeline]
    assert [stage for stage in stages if stage in LIFE] == LIFE, stages
    posted = next(entry for entry in timeline if entry.stage == "posted")
    assert posted.erp_reference == item.result.erp_reference is not None
    document = store.document(item.document_id)
    assert document is not None and document.current_state == "posted"
    assert document.sha256 == hashlib.sha256(item.document.pdf).hexdigest()
    (attempt,) = [a for a in store.posting_attempts(item.document_id) if a.status == "posted"]
    assert attempt.erp_reference == item.result.erp_reference
    assert item.document.content.number in str(attempt.request), "the attempt keeps the request it sent"
    assert attempt.response and item.result.erp_reference in str(attempt.response)
    iban = item.document.vendor.company.iban
    assert iban is not None
    for kept in (attempt.request, attempt.response, [entry.payload for entry in timeline]):
        text = str(kept)
        assert iban not in text and iban[-12:] not in text, f"bank details in the trail: {text[:300]}"


def test_documents_post_into_tryton_as_extracted_with_the_trail_in_postgresql(
        pipeline: Settings, tryton: TrytonServer, audit_db: postgres.PostgresServer) -> None:
    seed = random.randrange(1 << 32)  # new documents every run; the seed and layout are in failure messages
    rng = random.Random(seed)
    documents = [
        demo_document(rng, vendor=ACME, lines=rng.randint(4, 6)),
        demo_document(rng, vendor=NORDLICHT, lines=rng.randint(2, 4)),
        demo_document(rng, document_type="credit_note", vendor=ACME, lines=rng.randint(2, 3)),
    ]
    assert len({line.tax_rate for line in documents[0].content.lines}) == 2  # both VAT rates on one invoice
    sent = _submit(pipeline, documents, seed)
    _follow(pipeline, sent)

    for item in sent:
        assert item.routed is not None and item.result is not None and item.enriched is not None
        # The policy version names every layer: the default, then the demo entity's own.
        assert item.routed.policy_version.split("+")[-1] == DEMO_POLICY
        assert item.result.status == "posted", (item.label, item.result.error_code,
                                                item.result.error_message, item.enriched.record)
        assert item.enriched.vendor is not None and item.enriched.vendor.party_id == item.document.vendor.code

    client = tryton.client(timeout=60)
    store = AuditStore(audit_db.url)
    try:
        for item in sent:
            _check_invoice(client, item)
            _check_attachment(client, item)
            _check_trail(store, item)
    finally:
        client.close()
        store.close()
