"""``make demo``: the main job end to end on local defaults, with a summary at the end.

1. Kafka, the schema registry and Tryton start (``infra/``); every topic is created, every schema
   registered. Each run gets a fresh topic prefix and a fresh copy of the demo ERP database, so
   the run is the same every time.
2. The ERP's master data (vendors, customers, open POs and receivables) is published to the
   compacted ``masterdata.*`` topics, and a worker starts with every stage.
3. The sample documents in ``samples/documents`` are submitted; the demo follows each to its end:
   posted (with the ERP's invoice number), sent to review (with the reasons), rejected (with the
   error code) or recognised as a duplicate. The customer order becomes a Tryton sale whose
   customer invoice Tryton creates.
4. Order to cash: the ERP's open receivables are published again (now holding that invoice), and a
   camt.053 bank statement in which the customer pays it is written and submitted; the demo
   follows it to the cash application and the Tryton statement that reconciles the invoice.
   The signed order form wins the customer's open opportunity and the contract becomes a running
   subscription; both are read back from Tryton (state, amount, term, renewal and notice dates).
5. A table is printed; the worker stops; the infrastructure stays up (``make demo-down``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer
from rich.console import Console
from rich.table import Table

from connectors.blobstore import LocalBlobStore
from connectors.sources.intake import Intake
from streams.codecs import CodecRegistry, registry_client
from streams.producer import EventProducer
from streams.settings import Settings
from streams.topics import create_topics, topics_for

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "documents"
WATCHED = ("postings.results", "reviews.requested", "documents.rejected", "documents.routed", "cash.applications")
COMPANY_IBAN = "DE44500105175407324931"  # the demo company's bank account (infra/tryton/configure_template.py)
GLOBEX = ("Globex Retail AG", "DE75512108001245126199")

console = Console()


@dataclass
class Tracked:
    """One submitted sample and what became of it."""

    filename: str
    document_id: str
    submitted_at: float
    document_type: str = "?"
    route: str = "…"
    outcome: str = ""
    finished_at: float | None = None
    notes: list[str] = field(default_factory=list)
    customer_invoice: tuple[str, Decimal] | None = None  # number and total of an invoice a sale made
    erp_id: str | None = None  # the record the target made (a CRM posting's sale or subscription)
    erp_reference: str | None = None
    erp_state: str = ""  # what Tryton holds for a CRM posting, read back after the run


def isolated_run(settings: Settings, name: str, prefix: str) -> tuple[Settings, CodecRegistry]:
    """Settings for one run on the local stack: its own topic prefix (topics created), state under
    ``<state>/<name>``, a free web port, and the local Tryton's connection; with its codecs."""
    from cli.local_tryton import local_tryton_settings
    from infra.process import free_port

    run_settings = local_tryton_settings(settings).model_copy(update={
        "topic_prefix": prefix, "state_dir": settings.state_dir / name, "web_port": free_port()})
    run_settings.state_dir.mkdir(parents=True, exist_ok=True)
    # Every run posts into a fresh copy of the ERP: a ledger of an earlier run's postings would
    # answer "already posted" for records this copy never saw.
    run_settings.posting_ledger_path.unlink(missing_ok=True)
    codecs = CodecRegistry(registry_client(run_settings.schema_registry_url), prefix=prefix)
    create_topics(run_settings.bootstrap_servers, topics_for(run_settings.posting_targets), prefix=prefix,
                  partitions=run_settings.partitions)
    return run_settings, codecs


def run(settings: Settings, *, timeout: float = 600.0) -> list[Tracked]:
    """Run the demo with ``settings`` (infrastructure already up) and return what happened."""
    demo, codecs = isolated_run(settings, "demo", f"demo-{datetime.now(UTC):%Y%m%d%H%M%S}.")
    codecs.register_all()
    console.print(f"topics created and schemas registered under prefix [bold]{demo.topic_prefix}[/bold]")
    _sync_masterdata(demo, codecs)
    worker = _start_worker(demo)
    try:
        tracked = _submit(demo, codecs)
        _follow(demo, codecs, tracked, timeout)
        invoices = [item.customer_invoice for item in tracked.values() if item.customer_invoice]
        if invoices:
            tracked.update(_pay_by_statement(demo, codecs, invoices, timeout))
    finally:
        _stop(worker)
    return list(tracked.values())


def _pay_by_statement(settings: Settings, codecs: CodecRegistry, invoices: list[tuple[str, Decimal]],
                      timeout: float) -> dict[str, Tracked]:
    """Publish the receivables again, then submit a camt.053 in which Globex pays ``invoices``."""
    from docket.cashapp.statements.camt_write import CamtEntry, render_camt053

    _sync_masterdata(settings, codecs)
    time.sleep(2.0)  # the worker reads the compacted topics continuously: give it the new open items
    today = datetime.now(UTC).date()
    entries = [CamtEntry(amount=total, booking_date=today, payer_name=GLOBEX[0], payer_iban=GLOBEX[1],
                         text=f"Invoice {number}") for number, total in invoices]
    statement = render_camt053(f"DEMO-{today:%Y%m%d}", COMPANY_IBAN, "EUR", entries, created=datetime.now(UTC))
    name = "08-globex-payment.camt053.xml (written by the demo)"
    (settings.state_dir / "08-globex-payment.camt053.xml").write_bytes(statement)
    intake = Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs),
                    default_legal_entity=settings.default_legal_entity)
    event = intake.submit(statement, "08-globex-payment.camt053.xml", channel="demo", external_reference=name)
    intake.flush()
    tracked = {event.envelope.document_id: Tracked(name, event.envelope.document_id, time.monotonic())}
    console.print(f"submitted a bank statement paying {', '.join(number for number, _ in invoices)}")
    _follow(settings, codecs, tracked, timeout)
    return tracked


def _stop(worker: subprocess.Popen[bytes]) -> None:
    """SIGTERM (Faust commits and leaves the group), SIGKILL if it takes more than a minute."""
    worker.terminate()
    try:
        worker.wait(60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(10)


def _sync_masterdata(settings: Settings, codecs: CodecRegistry) -> None:
    from connectors.tryton.client import TrytonClient
    from connectors.tryton.sync import sync_masterdata

    assert settings.tryton_url and settings.tryton_login and settings.tryton_password
    client = TrytonClient(settings.tryton_url, settings.tryton_database, settings.tryton_login,
                          settings.tryton_password.get_secret_value())
    counts = sync_masterdata(client, EventProducer(settings, codecs), legal_entity=settings.default_legal_entity,
                             now=datetime.now(UTC))
    console.print("master data from Tryton: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))


def _start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    from infra.process import InfraError
    from streams.inspect import group_ready

    log = settings.state_dir / "worker.log"
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "worker", "-l", "warning"], cwd=REPO,
                               env={**os.environ, **settings.to_env()}, stdout=log.open("ab"),
                               stderr=subprocess.STDOUT)
    while not group_ready(settings):
        if process.poll() is not None or time.monotonic() - started > 180:
            process.kill()
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            raise InfraError(f"the demo worker did not start:\n{tail}")
        time.sleep(1)
    console.print(f"worker ready in {time.monotonic() - started:.1f} s (log: {log})")
    return process


def _submit(settings: Settings, codecs: CodecRegistry) -> dict[str, Tracked]:
    intake = Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs),
                    default_legal_entity=settings.default_legal_entity)
    tracked: dict[str, Tracked] = {}
    for path in sorted(SAMPLES.iterdir()):
        if path.name.startswith("."):
            continue
        event = intake.submit(path.read_bytes(), path.name, channel="demo", external_reference=path.name)
        tracked[event.envelope.document_id] = Tracked(path.name, event.envelope.document_id, time.monotonic())
        intake.flush()
        time.sleep(0.5)  # the re-sent invoice arrives after the first one, as it would by mail
    console.print(f"submitted {len(tracked)} documents from {SAMPLES.relative_to(REPO)}")
    return tracked


def _follow(settings: Settings, codecs: CodecRegistry, tracked: dict[str, Tracked], timeout: float) -> None:
    consumer = Consumer({"bootstrap.servers": settings.bootstrap_servers, "group.id": f"demo-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([settings.topic(name) for name in WATCHED])
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and any(t.finished_at is None for t in tracked.values()):
            message = consumer.poll(1.0)
            if message is None or message.error():
                continue
            value, physical = message.value(), message.topic()
            if value is None or physical is None:
                continue
            event = codecs.for_topic(physical[len(settings.topic_prefix):]).decode(value)
            item = _owner(tracked, event.envelope.document_id)
            if item is not None:
                _apply(item, physical[len(settings.topic_prefix):], event)
    finally:
        consumer.close()


def _owner(tracked: dict[str, Tracked], document_id: str) -> Tracked | None:
    # A file split into several documents yields ids "<id>.1", "<id>.2".
    return tracked.get(document_id) or tracked.get(document_id.rsplit(".", 1)[0])


def _apply(item: Tracked, topic: str, event: Any) -> None:
    done = True
    if topic == "documents.routed":
        # Topics are read in no set order: a posting result read first is the later fact.
        if item.route != "posted":
            item.route = event.route
        item.document_type = event.document_type
        item.notes = [reason.code for reason in event.reasons]
        done = event.route in ("duplicate", "reject")
        if event.route == "duplicate":
            item.outcome = "; ".join(reason.message for reason in event.reasons)[:70]
    elif topic == "documents.rejected":
        item.route, item.outcome = "rejected", f"{event.error_code} ({event.stage})"
    elif topic == "reviews.requested":
        item.route = "review"
        item.document_type = event.document.record.document_type
        item.outcome = ", ".join(reason.code for reason in event.reasons)
    elif topic == "cash.applications":
        item.document_type = "bank_statement"
        item.route = event.status
        paid = ", ".join(f"{a.invoice_number} {a.amount_applied}" for a in event.applications)
        item.outcome = f"applied to {paid}" if paid else f"unapplied {event.unapplied_amount} {event.currency}"
        done = event.status not in ("applied", "partial")  # the posting follows
    elif topic == "postings.results":
        if event.status in ("posted", "already_posted"):
            item.route, item.outcome = "posted", f"{event.target} {event.erp_reference} ({event.status})"
            item.erp_id, item.erp_reference = event.erp_id, event.erp_reference
            item.customer_invoice = _customer_invoice(event.response) or item.customer_invoice
            if item.customer_invoice:
                item.outcome += f", invoice {item.customer_invoice[0]}"
        elif event.status == "retrying":
            item.notes.append(f"retrying: {event.error_code}")
            done = False
        else:
            item.outcome = f"{event.status}: {event.error_code} {event.error_message or ''}"[:80]
    if done and item.finished_at is None:
        item.finished_at = time.monotonic()


def _print_invoice_states(erp: dict[str, str], numbers: list[str]) -> dict[str, str]:
    """Where the customer invoices the demo made stand in Tryton now (paid, once the statement posted);
    ``{number: state}``."""
    if not numbers:
        return {}
    from connectors.tryton.client import TrytonClient

    client = TrytonClient(erp["url"], erp["database"], erp["login"], erp["password"])
    try:
        rows = client.search_read("account.invoice", [("type", "=", "out"), ("number", "in", numbers)],
                                  ["number", "state", "total_amount", "amount_to_pay"])
    finally:
        client.close()
    for row in rows:
        console.print(f"customer invoice {row['number']} in Tryton: {row['state']} "
                      f"(total {row['total_amount']}, to pay {row['amount_to_pay']})")
    return {str(row["number"]): str(row["state"]) for row in rows}


def read_crm_states(erp: dict[str, str], items: list[Tracked]) -> None:
    """What Tryton holds for the CRM postings of the run, on each item's ``erp_state`` (and printed):
    the opportunity an order form won (state, amount, quote, sale) and a contract's subscription
    (state, term, and the renewal and notice dates it records)."""
    crm = [item for item in items if item.route == "posted" and item.document_type in ("order_form", "contract")]
    if not crm:
        return
    from connectors.tryton.client import TrytonClient

    client = TrytonClient(erp["url"], erp["database"], erp["login"], erp["password"])
    try:
        for item in crm:
            item.erp_state = (_opportunity_state(client, item) if item.document_type == "order_form"
                              else _subscription_state(client, item))
            console.print(f"{item.filename} in Tryton: {item.erp_state}")
    finally:
        client.close()


def _opportunity_state(client: Any, item: Tracked) -> str:
    rows = client.search_read("sale.opportunity", [("number", "=", item.erp_reference)],
                              ["number", "state", "amount", "reference", "sales", "party.code"])
    if not rows:
        return f"no opportunity {item.erp_reference}"
    row = rows[0]
    sales = client.model("sale.sale", "read", list(row["sales"]), ["number", "state"]) if row["sales"] else []
    sold = ", ".join(f"sale {sale['number']} {sale['state']}" for sale in sales) or "no sale"
    customer = (row.get("party.") or {}).get("code")
    return (f"opportunity {row['number']} of customer {customer} {row['state']}, "
            f"amount {Decimal(str(row['amount'])):.2f} (quote {row['reference']}); {sold}")


def _subscription_state(client: Any, item: Tracked) -> str:
    if not item.erp_id or not item.erp_id.isdigit():
        return f"no subscription {item.erp_reference}"
    row, = client.model("sale.subscription", "read", [int(item.erp_id)],
                        ["number", "reference", "state", "start_date", "end_date", "description"])
    terms = re.search(r"(renews|ends) \d{4}-\d\d-\d\d(; notice by \d{4}-\d\d-\d\d)?", row["description"] or "")
    return (f"subscription {row['number']} ({row['reference']}) {row['state']}, {row['start_date']} to "
            f"{row['end_date']}, {terms.group(0) if terms else 'no renewal recorded'}")


def write_summary(path: Path, items: list[Tracked], invoice_states: dict[str, str]) -> None:
    """The summary table as JSON (``<state>/demo/summary.json``), for scripts and the demo test."""
    rows = [{"filename": item.filename, "document_id": item.document_id, "document_type": item.document_type,
             "route": item.route, "outcome": item.outcome, "notes": item.notes,
             "seconds": None if item.finished_at is None else round(item.finished_at - item.submitted_at, 1),
             "customer_invoice": None if item.customer_invoice is None else item.customer_invoice[0],
             "erp_state": item.erp_state}
            for item in items]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"documents": rows, "customer_invoice_states": invoice_states}, indent=2))


def _customer_invoice(response: str | None) -> tuple[str, Decimal] | None:
    """The customer invoice a sales-order posting made (Tryton's answer), if it was posted."""
    try:
        answer = json.loads(response or "{}")
    except ValueError:
        return None
    number, total = answer.get("invoice_number"), answer.get("total_amount")
    if not number or answer.get("invoice_state") != "posted" or total is None:
        return None
    return str(number), Decimal(str(total))


def summary(items: list[Tracked]) -> Table:
    table = Table("document", "type", "route", "ERP reference / reason", "seconds", title="docket demo")
    for item in items:
        seconds = "-" if item.finished_at is None else f"{item.finished_at - item.submitted_at:.1f}"
        outcome = item.outcome or "(no outcome yet)"
        if item.erp_state:  # a CRM posting: what Tryton holds now
            outcome += f"\n{item.erp_state}"
        table.add_row(item.filename, item.document_type, item.route, outcome, seconds)
    return table


def main(settings: Settings) -> int:
    from infra import stack

    local = stack.stack_for(settings)
    console.print("starting Kafka, the schema registry and Tryton (the first run downloads and builds them)…")
    from infra import tryton

    tryton.stop(settings.tryton_state_dir, report=lambda _: None)
    tryton.start(settings.tryton_state_dir, port=settings.tryton_port, fresh=True, report=lambda _: None,
                 db=settings.tryton_db)
    timings = stack.up(local, erp=True)
    console.print("infrastructure up: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items() if v))
    items = run(settings)
    erp = tryton.connection(settings.tryton_state_dir)
    read_crm_states(erp, items)
    console.print(summary(items))
    posted = [i for i in items if i.route == "posted"]
    console.print(f"{len(posted)} posted into Tryton at {erp['url']} (database {erp['database']}, "
                  f"user {erp['login']}).")
    states = _print_invoice_states(erp, [i.customer_invoice[0] for i in items if i.customer_invoice])
    write_summary(settings.state_dir / "demo" / "summary.json", items, states)
    console.print(f"trail of a document: DOCKET_STATE_DIR={settings.state_dir / 'demo'} docket trail <document id>")
    console.print(f"this summary as JSON: {settings.state_dir / 'demo' / 'summary.json'}")
    console.print("stop everything: make demo-down")
    for item in items:
        console.print(f"  {item.filename}: {item.document_id}")
    unfinished = [i for i in items if i.finished_at is None]
    return 1 if unfinished else 0
