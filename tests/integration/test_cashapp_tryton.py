"""Order-to-cash on real Kafka + registry + Tryton: a camt.053 statement pays customer invoices.

Customer invoices are posted in Tryton, their open items published to ``masterdata.open_items``
the way ``docket`` syncs master data, a statement paying them is submitted through the intake
(as ``docket submit`` does), and a worker takes it from there: capture → cash-application intake
→ apply → posting → Tryton statement. The invoices end up ``paid``; submitting the statement
again, or replaying every payment, changes nothing in Tryton. A remittance advice (a PDF) and the
bank line that later brings its money find each other, and the line pays what the advice lists.
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.base import PostingRejected
from connectors.blobstore import LocalBlobStore
from connectors.sources.intake import Intake
from connectors.tryton import TrytonClient
from connectors.tryton.payments import TrytonPaymentSink, application_of
from connectors.tryton.sync import sync_masterdata
from devkit.corpus.content import RemittanceLine, make_content
from devkit.corpus.layouts import layout_by_id
from devkit.corpus.render import render_pdf
from docket.cashapp.application import payment_key
from docket.cashapp.statements.camt_write import CamtEntry, render_camt053
from docket.model import (
    AppliedItem,
    CashApplication,
    FieldCorrection,
    PostingRequested,
    PostingResult,
    ReviewCompleted,
    ReviewRequested,
)
from streams.producer import EventProducer
from streams.replay import Position, replay
from streams.settings import Settings
from tests import factories
from tests.contract.tryton_server import TrytonServer, running_tryton
from tests.integration.harness import Worker, codecs_for, collect, create_all_topics, run_settings

GLOBEX_IBAN = "DE75512108001245126199"
INITECH_IBAN = "NL91ABNA0417164300"


@pytest.fixture(scope="module")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-cashapp")) as server:
        yield server


@pytest.fixture
def cash_run(infra: Settings, tryton: TrytonServer, tmp_path: Path) -> Settings:
    settings = run_settings(infra, tmp_path, **tryton.settings_fields(),
                            posting_targets="tryton", posting_batch_window_s=0.2)
    create_all_topics(settings)
    return settings


@pytest.fixture
def cash_worker(cash_run: Settings, tmp_path: Path) -> Iterator[Worker]:
    worker = Worker(cash_run, tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()


def _id(client: TrytonClient, model: str, domain: list[Any]) -> int:
    (row,) = client.search_read(model, domain, ["id"], limit=1)
    return int(row["id"])


def _customer_invoices(client: TrytonClient, amounts: list[tuple[str, str]], currency: str = "EUR"
                       ) -> list[dict[str, Any]]:
    """Posted customer invoices in ``currency``, one per (party code, net amount), numbered by Tryton."""
    client.login()
    company = int(client.context["company"])
    receivable = _id(client, "account.account", [("code", "=", "1.2.1")])
    revenue = _id(client, "account.account", [("code", "=", "4.1.1")])
    journal = _id(client, "account.journal", [("type", "=", "revenue")])
    in_currency = _id(client, "currency.currency", [("code", "=", currency)])
    values = []
    for code, amount in amounts:
        (party,) = client.search_read("party.party", [("code", "=", code)], ["addresses"])
        values.append({
            "type": "out", "party": party["id"], "invoice_address": party["addresses"][0], "company": company,
            "currency": in_currency, "journal": journal, "account": receivable, "invoice_date": date(2026, 11, 2),
            "lines": [["create", [{"type": "line", "description": f"Consulting {uuid.uuid4().hex[:6]}",
                                   "quantity": 1.0, "unit_price": Decimal(amount), "account": revenue,
                                   "currency": in_currency}]]]})
    ids = client.model("account.invoice", "create", values)
    client.model("account.invoice", "post", ids)
    return list(client.model("account.invoice", "read", ids, ["number", "state", "total_amount", "party",
                                                                 "customer_payment_reference"]))


def _statement(invoices: list[dict[str, Any]], statement_id: str, created: datetime) -> bytes:
    payers = {"C-2001": ("Globex Retail AG", GLOBEX_IBAN), "C-2002": ("Initech Services B.V.", INITECH_IBAN)}
    # Globex quotes the creditor reference Tryton printed on the invoice, Initech the invoice number.
    globex, initech = invoices
    entries = [CamtEntry(Decimal(globex["total_amount"]), date(2026, 11, 20), *payers["C-2001"],
                         reference=globex["customer_payment_reference"]),
               CamtEntry(Decimal(initech["total_amount"]), date(2026, 11, 20), *payers["C-2002"],
                         text=f"Invoice {initech['number']} thank you")]
    return render_camt053(statement_id, "DE44500105175407324931", "EUR", entries, created=created)


def _submit(settings: Settings, data: bytes, name: str = "statement-2026-11-20.xml") -> None:
    intake = Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs_for(settings)),
                    default_legal_entity=settings.default_legal_entity)
    intake.submit(data, name, channel="cli")
    intake.flush()


def _results(settings: Settings, until: Any) -> list[PostingResult]:
    return [event for _, event in collect(settings, "postings.results", until=until, timeout=240)]


def _tryton_state(client: TrytonClient, invoices: list[dict[str, Any]]) -> dict[str, Any]:
    ids = [invoice["id"] for invoice in invoices]
    rows = client.model("account.invoice", "read", ids, ["state", "amount_to_pay"])
    return {"invoices": sorted((row["id"], row["state"], str(row["amount_to_pay"])) for row in rows),
            "statement_lines": len(client.search_read("account.statement.line", [], ["id"])),
            "statements": len(client.search_read("account.statement", [], ["id"])),
            "moves": len(client.search_read("account.move", [], ["id"]))}


def test_a_camt_statement_pays_tryton_invoices_once(cash_run: Settings, cash_worker: Worker,
                                                    tryton: TrytonServer) -> None:
    client = tryton.client(timeout=60)
    invoices = _customer_invoices(client, [("C-2001", "100.00"), ("C-2002", "250.00")])
    assert {invoice["state"] for invoice in invoices} == {"posted"}
    before = _tryton_state(client, invoices)
    counts = sync_masterdata(client, EventProducer(cash_run, codecs_for(cash_run)),
                             legal_entity=cash_run.default_legal_entity, now=datetime.now(UTC))
    assert counts["open_items"] >= 2

    statement_id = f"STMT-{uuid.uuid4().hex[:8]}"
    statement = _statement(invoices, statement_id, datetime(2026, 11, 20, 18, 0, tzinfo=UTC))
    _submit(cash_run, statement)
    applications = collect(cash_run, "cash.applications", until=lambda rows: len(rows) >= 2, timeout=240)
    applied: list[CashApplication] = [event for _, event in applications]
    assert {a.status for a in applied} == {"applied"}, [(a.status, a.confidence, a.evidence) for a in applied]
    assert sorted(a.evidence[0] for a in applied) == ["invoice_number_in_text", "structured_reference"]
    assert sorted(item.invoice_number for a in applied for item in a.applications) == sorted(
        invoice["number"] for invoice in invoices)
    keys = {payment_key(a.payment_id, "tryton") for a in applied}
    results = _results(cash_run, lambda rows: {e.idempotency_key for _, e in rows if e.status == "posted"} >= keys)
    assert {r.idempotency_key for r in results if r.status == "posted"} == keys
    paid = _tryton_state(client, invoices)
    assert [state for _, state, _ in paid["invoices"]] == ["paid", "paid"]
    assert [to_pay for _, _, to_pay in paid["invoices"]] == ["0", "0"]
    assert paid["statements"] - before["statements"] == 2
    assert paid["statement_lines"] - before["statement_lines"] == 2

    # The same statement again: capture knows the bytes; nothing reaches Tryton.
    _submit(cash_run, statement)
    collect(cash_run, "documents.routed", until=lambda rows: any(e.route == "duplicate" for _, e in rows),
            timeout=120)
    # The bank sends the statement again, exported anew (other bytes, same statement and entries):
    # the same payment ids, so the same idempotency keys; Tryton is left as it was.
    _submit(cash_run, _statement(invoices, statement_id, datetime(2026, 11, 21, 7, 30, tzinfo=UTC)))
    again = _results(cash_run, lambda rows: sum(1 for _, e in rows if e.status == "already_posted") >= 2)
    assert {r.idempotency_key for r in again if r.status == "already_posted"} == keys
    assert _tryton_state(client, invoices) == paid
    # Every payment replayed: the same again.
    report = replay(cash_run, codecs_for(cash_run), "payments.received", Position(offset=0))
    assert report.total == 4
    replayed = _results(cash_run, lambda rows: sum(1 for _, e in rows if e.status == "already_posted") >= 6)
    assert {r.idempotency_key for r in replayed if r.status == "already_posted"} == keys
    assert _tryton_state(client, invoices) == paid


def test_a_payment_review_approved_by_a_person_pays_the_chosen_invoice_once(cash_run: Settings, cash_worker: Worker,
                                                                          tryton: TrytonServer) -> None:
    client = tryton.client(timeout=60)
    # two Globex invoices of the same amount, and a payment of that amount quoting neither
    first, second = _customer_invoices(client, [("C-2001", "77.70"), ("C-2001", "77.70")])
    assert first["total_amount"] == second["total_amount"]
    sync_masterdata(client, EventProducer(cash_run, codecs_for(cash_run)),
                    legal_entity=cash_run.default_legal_entity, now=datetime.now(UTC))
    entry = CamtEntry(Decimal(first["total_amount"]), date(2026, 11, 20), "Globex Retail AG", GLOBEX_IBAN,
                      text="thank you")
    _submit(cash_run, render_camt053(f"STMT-{uuid.uuid4().hex[:8]}", "DE44500105175407324931", "EUR", [entry],
                                     created=datetime(2026, 11, 20, 18, 0, tzinfo=UTC)))
    tasks = collect(cash_run, "reviews.requested", timeout=240,
                    until=lambda rows: any(e.task_id.startswith("cash:") for _, e in rows))
    ((message, task),) = [(m, e) for m, e in tasks if e.task_id.startswith("cash:")]
    assert isinstance(task, ReviewRequested) and task.cash_application is not None
    assert task.cash_application.status == "review"
    assert {tuple(c.open_item_ids) for c in task.cash_application.candidates} >= {(first["number"],),
                                                                                  (second["number"],)}
    before = _tryton_state(client, [first, second])

    verdict = ReviewCompleted(
        envelope=factories.envelope(event_id=str(uuid.uuid4()), document_id=task.envelope.document_id,
                                    correlation_id=task.envelope.correlation_id,
                                    legal_entity=task.envelope.legal_entity),
        task_id=task.task_id, task_version=1, reviewer="paula", decision="approve",
        corrections=[FieldCorrection(field="open_item_ids", new_value=second["number"])],
        decided_at=datetime.now(UTC))
    producer = EventProducer(cash_run, codecs_for(cash_run))
    assert message.key() == task.envelope.document_id.encode()  # the verdict goes where the task went
    producer.send("reviews.completed", task.envelope.document_id, verdict)
    producer.flush()
    key = payment_key(task.cash_application.payment_id, "tryton")
    posted = _results(cash_run, lambda rows: any(e.idempotency_key == key and e.status == "posted" for _, e in rows))
    assert [r.status for r in posted if r.idempotency_key == key] == ["posted"]
    paid = _tryton_state(client, [first, second])
    states = {invoice_id: (state, to_pay) for invoice_id, state, to_pay in paid["invoices"]}
    assert states == {first["id"]: ("posted", "77.70"), second["id"]: ("paid", "0")}
    assert paid["statements"] - before["statements"] == 1

    # The same verdict again (a redelivery, a double click): the same posting, already posted.
    producer.send("reviews.completed", task.envelope.document_id, verdict)
    producer.flush()
    again = _results(cash_run, lambda rows: any(e.idempotency_key == key and e.status == "already_posted"
                                                for _, e in rows))
    assert [r.status for r in again if r.idempotency_key == key] == ["posted", "already_posted"]
    assert _tryton_state(client, [first, second]) == paid


def _payment_posting(invoices: list[dict[str, Any]], amounts: list[str], *, unapplied: str = "0",
                     payment_id: str | None = None, deduction: tuple[str, str] | None = None) -> PostingRequested:
    applications = [AppliedItem(open_item_id=invoice["number"], invoice_number=invoice["number"],
                                amount_applied=Decimal(amount), currency="EUR")
                    for invoice, amount in zip(invoices, amounts, strict=True)]
    total = sum((Decimal(a) for a in amounts), Decimal(unapplied))
    deducted: dict[str, Any] = {}
    if deduction is not None:
        deducted = {"deduction_amount": Decimal(deduction[0]), "deduction_reason": deduction[1]}
    application = factories.cash_application(
        payment_id=payment_id or f"camt.053:TEST:{uuid.uuid4().hex[:8]}:1", status="partial",
        customer_id="C-2001", payment_amount=total, applications=applications, unapplied_amount=Decimal(unapplied),
        **deducted)
    return PostingRequested(
        envelope=application.envelope, idempotency_key=payment_key(application.payment_id, "tryton"),
        target="tryton", posting_type="payment", mapping_version="test", party_id="C-2001",
        cash_application=application)


def test_the_payment_sink_books_partials_and_money_on_account_and_never_pays_twice(tryton: TrytonServer) -> None:
    client = tryton.client(timeout=60)
    sink = TrytonPaymentSink(client)
    first, second = _customer_invoices(client, [("C-2001", "300.00"), ("C-2001", "80.00")])
    request = _payment_posting([first, second], ["300.00", "50.00"], unapplied="25.00")
    outcome = sink.post(request)
    assert outcome.status == "posted" and outcome.erp_id is not None
    states = {row["number"]: (row["state"], str(row["amount_to_pay"])) for row in client.model(
        "account.invoice", "read", [first["id"], second["id"]], ["number", "state", "amount_to_pay"])}
    assert states == {first["number"]: ("paid", "0"), second["number"]: ("posted", "30.00")}
    lines = client.search_read("account.statement.line", [("statement", "=", int(outcome.erp_id))],
                               ["amount", "related_to"])
    assert sorted(str(line["amount"]) for line in lines) == ["25.00", "300.00", "50.00"]
    assert sum(1 for line in lines if not line["related_to"]) == 1  # the rest stays on the customer's account

    # Asked again (the posting ledger was lost): found by its key, nothing new.
    assert sink.post(request).status == "already_posted"
    assert len(client.search_read("account.statement", [("id", "=", int(outcome.erp_id))], ["id"])) == 1
    # Another payment for an invoice that is paid by now: refused, nothing left behind.
    before = len(client.search_read("account.statement", [], ["id"]))
    with pytest.raises(PostingRejected) as caught:
        sink.post(_payment_posting([first], ["300.00"]))
    assert caught.value.details["reason"] == "invoice_not_open"
    assert len(client.search_read("account.statement", [], ["id"])) == before


def test_an_interrupted_statement_is_finished_not_doubled(tryton: TrytonServer) -> None:
    client = tryton.client(timeout=60)
    sink = TrytonPaymentSink(client)
    (invoice,) = _customer_invoices(client, [("C-2001", "42.00")])
    request = _payment_posting([invoice], ["42.00"])
    # a previous attempt created the statement and died before validating it
    client.model("account.statement", "create", [sink._statement_values(request, application_of(request))])
    outcome = sink.post(request)
    assert outcome.status == "posted"
    (row,) = client.model("account.invoice", "read", [invoice["id"]], ["state"])
    assert row["state"] == "paid"
    marked = client.search_read("account.statement.line", [("description", "like", f"%{request.idempotency_key} %")],
                                ["statement"])
    assert len({line["statement"] for line in marked}) == 1


def _move_lines_on(client: TrytonClient, statement_id: int, account_code: str) -> list[dict[str, Any]]:
    """The move lines the statement's move booked on the account with ``account_code``."""
    moves = {int(line["move"]) for line in client.search_read(
        "account.statement.line", [("statement", "=", statement_id)], ["move"]) if line["move"]}
    return list(client.search_read("account.move.line", [("move", "in", sorted(moves)),
                                                          ("account.code", "=", account_code)], ["debit", "credit"]))


def test_a_short_payment_with_a_deduction_reason_closes_the_invoice_on_the_deductions_account(
        tryton: TrytonServer) -> None:
    client = tryton.client(timeout=60)
    sink = TrytonPaymentSink(client)
    first, second = _customer_invoices(client, [("C-2001", "120.00"), ("C-2001", "410.00")])
    deduction = Decimal("20.50")
    short = Decimal(second["total_amount"]) - deduction
    request = _payment_posting([first, second], [str(first["total_amount"]), str(short)],
                               deduction=(str(deduction), "damaged_goods"))
    deductions_before = len(client.search_read("account.move.line", [("account.code", "=", "5.1.9")], ["id"]))
    outcome = sink.post(request)
    assert outcome.status == "posted" and outcome.erp_id is not None
    rows = client.model("account.invoice", "read", [first["id"], second["id"]], ["state", "amount_to_pay"])
    assert [(row["state"], Decimal(str(row["amount_to_pay"]))) for row in rows] == [("paid", Decimal(0))] * 2
    statement_id = int(outcome.erp_id)
    # the bank got what came in, the shortfall sits on the deductions account, named by its reason
    booked = _move_lines_on(client, statement_id, "5.1.9")
    assert [(Decimal(str(line["debit"])), Decimal(str(line["credit"]))) for line in booked] == [(deduction, Decimal(0))]
    bank = _move_lines_on(client, statement_id, "1.1.1")
    assert sum(Decimal(str(line["debit"])) - Decimal(str(line["credit"])) for line in bank) == (
        Decimal(first["total_amount"]) + short)
    assert Decimal(outcome.request["deduction"]) == deduction
    assert outcome.request["deduction_reason"] == "damaged_goods"
    (noted,) = outcome.response["deductions"]
    assert Decimal(noted["amount"]) == deduction and "damaged_goods" in noted["description"]
    assert second["number"] in noted["description"]

    # Asked again: found by its key, nothing booked twice.
    before = _tryton_state(client, [first, second])
    assert sink.post(request).status == "already_posted"
    assert _tryton_state(client, [first, second]) == before
    after = client.search_read("account.move.line", [("account.code", "=", "5.1.9")], ["id"])
    assert len(after) == deductions_before + 1


def test_a_deduction_larger_than_what_stays_open_is_refused_and_leaves_nothing(tryton: TrytonServer) -> None:
    client = tryton.client(timeout=60)
    sink = TrytonPaymentSink(client)
    (invoice,) = _customer_invoices(client, [("C-2001", "60.00")])
    total = Decimal(invoice["total_amount"])
    before = _tryton_state(client, [invoice])
    with pytest.raises(PostingRejected) as caught:
        sink.post(_payment_posting([invoice], [str(total - 5)], deduction=("7.00", "pricing_dispute")))
    assert caught.value.details["reason"] == "deduction_exceeds_open"
    assert _tryton_state(client, [invoice]) == before


def _balance(client: TrytonClient, account_code: str) -> Decimal:
    lines = client.search_read("account.move.line", [("account.code", "=", account_code)], ["debit", "credit"])
    return sum((Decimal(str(line["debit"])) - Decimal(str(line["credit"])) for line in lines), Decimal(0))


def test_euros_settle_a_dollar_invoice_in_full_and_the_difference_is_an_exchange_loss(tryton: TrytonServer) -> None:
    client = tryton.client(timeout=60)
    sink = TrytonPaymentSink(client)
    invoice, other = _customer_invoices(client, [("C-2001", "108.00"), ("C-2001", "54.00")], currency="USD")
    # the template's rate: 1 EUR = 1.08 USD, so the invoice is 100.00 EUR on the books; 98.50 EUR come in
    received, owed = Decimal("98.50"), Decimal(invoice["total_amount"])
    fx_difference = (received * Decimal("1.08")).quantize(Decimal("0.01")) - owed
    application = factories.cash_application(
        payment_id=f"camt.053:TEST:{uuid.uuid4().hex[:8]}:1", status="applied", customer_id="C-2001",
        payment_amount=received, currency="EUR", unapplied_amount=Decimal(0),
        applications=[AppliedItem(open_item_id=invoice["number"], invoice_number=invoice["number"],
                                  amount_applied=owed, currency="USD", fx_difference=fx_difference)])
    request = PostingRequested(
        envelope=application.envelope, idempotency_key=payment_key(application.payment_id, "tryton"),
        target="tryton", posting_type="payment", mapping_version="test", party_id="C-2001",
        cash_application=application)
    losses, gains = _balance(client, "5.1.8"), _balance(client, "4.1.9")
    outcome = sink.post(request)
    assert outcome.status == "posted" and outcome.erp_id is not None
    (row,) = client.model("account.invoice", "read", [invoice["id"]], ["state", "amount_to_pay"])
    assert (row["state"], Decimal(str(row["amount_to_pay"]))) == ("paid", Decimal(0))
    bank = _move_lines_on(client, int(outcome.erp_id), "1.1.1")
    assert sum(Decimal(str(line["debit"])) - Decimal(str(line["credit"])) for line in bank) == received
    assert _balance(client, "5.1.8") - losses == Decimal("100.00") - received
    assert _balance(client, "4.1.9") == gains
    (applied,) = outcome.request["applications"]
    assert applied["currency"] == "USD" and Decimal(applied["fx_difference"]) == fx_difference

    # Asked again: nothing new, no second exchange difference.
    before = _tryton_state(client, [invoice])
    assert sink.post(request).status == "already_posted"
    assert _tryton_state(client, [invoice]) == before
    assert _balance(client, "5.1.8") - losses == Decimal("100.00") - received

    # Dollars partly paid from euros (no FX settlement): still refused, nothing left behind.
    partial = application.model_copy(update={
        "payment_id": f"camt.053:TEST:{uuid.uuid4().hex[:8]}:1", "payment_amount": Decimal("20.00"),
        "applications": [AppliedItem(open_item_id=other["number"], invoice_number=other["number"],
                                     amount_applied=Decimal("21.60"), currency="USD")]})
    statements = len(client.search_read("account.statement", [], ["id"]))
    with pytest.raises(PostingRejected) as caught:
        sink.post(request.model_copy(update={"cash_application": partial,
                                             "idempotency_key": payment_key(partial.payment_id, "tryton")}))
    assert caught.value.details["reason"] == "cross_currency"
    assert len(client.search_read("account.statement", [], ["id"])) == statements


def _advice_pdf(payer: str, invoices: list[dict[str, Any]], paid_on: date) -> bytes:
    """A remittance advice PDF (the corpus's remittance layout) from ``payer`` listing ``invoices`` paid in full."""
    content = make_content("remittance_advice", "en", random.Random(4711))
    lines = tuple(RemittanceLine(invoice_number=invoice["number"], invoice_date=date(2026, 11, 2),
                                 invoice_amount=Decimal(invoice["total_amount"]), deduction=Decimal("0.00"),
                                 amount_paid=Decimal(invoice["total_amount"])) for invoice in invoices)
    total = sum((line.amount_paid for line in lines), Decimal("0.00"))
    content = dataclasses.replace(content, issuer=dataclasses.replace(content.issuer, name=payer), currency="EUR",
                                  remittance_lines=lines, total=total, net_total=total, issue_date=paid_on)
    return render_pdf(content, layout_by_id("remittance-01")).pdf


def test_a_remittance_advice_meets_its_money_and_the_bank_line_pays_the_invoices_it_lists(
        cash_run: Settings, cash_worker: Worker, tryton: TrytonServer) -> None:
    client = tryton.client(timeout=60)
    first, second, third = _customer_invoices(client, [("C-2001", "100.00"), ("C-2001", "250.00"),
                                                       ("C-2001", "75.00")])
    sync_masterdata(client, EventProducer(cash_run, codecs_for(cash_run)),
                    legal_entity=cash_run.default_legal_entity, now=datetime.now(UTC))
    before = _tryton_state(client, [first, second, third])
    # the advice comes first, by mail: it names two invoices and announces their sum
    _submit(cash_run, _advice_pdf("Globex Retail AG", [first, second], date(2026, 11, 18)), "advice-4711.pdf")
    announced = collect(cash_run, "cash.applications", timeout=240,
                        until=lambda rows: any(e.payment_id.startswith("remittance:") for _, e in rows))
    assert [e.payment_id for _, e in announced if not e.payment_id.startswith("remittance:")] == []
    assert _tryton_state(client, [first, second, third]) == before  # an advice alone posts nothing

    # then the money, with no invoice number in its text
    total = Decimal(first["total_amount"]) + Decimal(second["total_amount"])
    entry = CamtEntry(total, date(2026, 11, 20), "Globex Retail AG", GLOBEX_IBAN, text="PAYMENT ADVICE 4711")
    statement_id = f"STMT-{uuid.uuid4().hex[:8]}"
    _submit(cash_run, render_camt053(statement_id, "DE44500105175407324931", "EUR", [entry],
                                     created=datetime(2026, 11, 20, 18, 0, tzinfo=UTC)))
    rows = collect(cash_run, "cash.applications", timeout=240,
                   until=lambda rows: any(e.payment_id.startswith("camt") for _, e in rows))
    (applied,) = [e for _, e in rows if e.payment_id.startswith("camt")]
    assert applied.status == "applied", (applied.status, applied.confidence, applied.evidence)
    assert "remittance_advice" in applied.evidence
    assert sorted((a.invoice_number, a.amount_applied) for a in applied.applications) == sorted(
        (invoice["number"], Decimal(invoice["total_amount"])) for invoice in (first, second))
    key = payment_key(applied.payment_id, "tryton")
    posted = _results(cash_run, lambda rows: any(e.idempotency_key == key and e.status == "posted" for _, e in rows))
    assert [r.status for r in posted if r.idempotency_key == key] == ["posted"]
    paid = _tryton_state(client, [first, second, third])
    states = {invoice_id: (state, to_pay) for invoice_id, state, to_pay in paid["invoices"]}
    assert states == {first["id"]: ("paid", "0"), second["id"]: ("paid", "0"),
                      third["id"]: ("posted", str(third["total_amount"]))}
    assert paid["statements"] - before["statements"] == 1

    # the statement exported again, then every payment replayed: nothing changes in Tryton
    _submit(cash_run, render_camt053(statement_id, "DE44500105175407324931", "EUR", [entry],
                                     created=datetime(2026, 11, 21, 7, 30, tzinfo=UTC)))
    again = _results(cash_run, lambda rows: any(e.idempotency_key == key and e.status == "already_posted"
                                                for _, e in rows))
    assert {r.status for r in again if r.idempotency_key == key} == {"posted", "already_posted"}
    report = replay(cash_run, codecs_for(cash_run), "payments.received", Position(offset=0))
    assert report.total == 3  # the advice and the bank line twice (the statement and its re-export)
    replayed = _results(cash_run, lambda rows: sum(1 for _, e in rows if e.idempotency_key == key) >= 4)
    assert [r.status for r in replayed if r.idempotency_key == key] == ["posted"] + ["already_posted"] * 3
    assert _tryton_state(client, [first, second, third]) == paid
