"""Sink harnesses for the contract suite: one per sink kind, each with the hooks the contract needs.

A new sink joins the suite by adding a factory to ``SINK_FACTORIES`` in ``conftest.py`` that
returns a :class:`SinkHarness`: the sink, a way to make a request it will accept, one the target
will refuse (and a piece of the target's refusal text), a same-kind sink whose target is down,
and a way to count the records the target holds for a request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from connectors.base import PostingSink
from connectors.ledger import IdempotentSink, PostingLedger
from connectors.tryton import TrytonClient, TrytonSink
from connectors.tryton.invoices import like_pattern, marker
from docket.model import Envelope, InvoiceLine, InvoiceRecord, PostingRequested, TaxLine
from tests.contract.tryton_server import TrytonServer, free_port
from tests.fakes.memory_sink import MemorySink

SUPPLIER_IBAN = "DE89370400440532013000"
BLOCKED_PARTY = "BLOCKED"


def invoice_request(label: str, *, target: str, party_id: str = "V-1001", issue_date: date = date(2025, 5, 2),
                    post_state: str = "posted", revision: int = 0) -> PostingRequested:
    """A supplier invoice posting: two lines at 19 %, totals that add up, a unique number per label."""
    document_id = f"doc-{label}"
    lines = [InvoiceLine(index=0, description="Copy paper A4", quantity=Decimal("10"), unit_price=Decimal("4.20"),
                         amount=Decimal("42.00"), tax_rate=Decimal("19")),
             InvoiceLine(index=1, description="Delivery", quantity=Decimal("1"), unit_price=Decimal("8.00"),
                         amount=Decimal("8.00"), tax_rate=Decimal("19"))]
    record = InvoiceRecord(
        document_type="invoice", number=f"INV-{label}", issue_date=issue_date, currency="EUR",
        net_total=Decimal("50.00"), tax_total=Decimal("9.50"), total=Decimal("59.50"),
        supplier_name="Acme Office Supplies GmbH", supplier_iban=SUPPLIER_IBAN, lines=lines,
        tax_lines=[TaxLine(rate=Decimal("19"), base=Decimal("50.00"), amount=Decimal("9.50"))])
    envelope = Envelope.new(document_id=document_id, legal_entity="demo", producer="contract-test",
                            now=datetime.now(UTC))
    return PostingRequested(envelope=envelope, idempotency_key=f"{document_id}:{revision}:{target}", target=target,
                            posting_type="supplier_invoice", post_state=post_state, mapping_version="test-1",
                            revision=revision, party_id=party_id, blob_uri=f"file:///blobs/{document_id}.pdf",
                            sha256="ab" * 32, record=record)


@dataclass
class SinkHarness:
    """A sink under contract test and the hooks the contract needs from its kind."""

    name: str
    sink: PostingSink
    accepted: Callable[[str], PostingRequested]
    refused: Callable[[str], PostingRequested]
    refusal_text: str
    unreachable: Callable[[], PostingSink]
    count_records: Callable[[PostingRequested], int]
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def unique(self) -> str:
        return uuid.uuid4().hex[:12]


def memory_harness(_: Path, __: TrytonServer | None) -> SinkHarness:
    def reject(request: PostingRequested) -> str | None:
        return f"memory ERP: party {BLOCKED_PARTY} is blocked" if request.party_id == BLOCKED_PARTY else None

    sink = MemorySink(reject_when=reject)

    def unreachable() -> PostingSink:
        down = MemorySink()
        down.fail_next(1000)
        return down

    return SinkHarness(
        name="memory", sink=sink, accepted=lambda label: invoice_request(label, target="memory"),
        refused=lambda label: invoice_request(label, target="memory", party_id=BLOCKED_PARTY),
        refusal_text="is blocked", unreachable=unreachable,
        count_records=lambda request: sum(1 for record in sink.records
                                          if record["request"]["idempotency_key"] == request.idempotency_key))


def ledger_harness(tmp: Path, server: TrytonServer | None) -> SinkHarness:
    inner = memory_harness(tmp, server)
    ledger = PostingLedger(tmp / "ledger.sqlite")

    make_down = inner.unreachable

    def unreachable() -> PostingSink:
        return IdempotentSink(make_down(), PostingLedger(tmp / "down-ledger.sqlite"))

    inner.name, inner.sink, inner.unreachable = "ledger+memory", IdempotentSink(inner.sink, ledger), unreachable
    return inner


def tryton_harness(tmp: Path, server: TrytonServer | None) -> SinkHarness:
    assert server is not None
    client = server.client(timeout=60.0)
    sink = TrytonSink(client, blob_reader=lambda uri: b"%PDF-1.4 contract test " + uri.encode())
    reader = server.client()

    def unreachable() -> PostingSink:
        # Nobody listens on a free port: every call is refused, as with a stopped server.
        url = f"http://127.0.0.1:{free_port()}"
        return TrytonSink(TrytonClient(url, server.require().database, "docket", "unused", connect_timeout=1.0))

    def count(request: PostingRequested) -> int:
        rows = reader.search_read("account.invoice", [
            ("comment", "like", like_pattern(marker(request.idempotency_key)))], ["id"])
        return len(rows)

    return SinkHarness(
        name="tryton", sink=sink, accepted=lambda label: invoice_request(label, target="tryton"),
        # No fiscal period exists in 2031: Tryton itself refuses to post, with its own message.
        refused=lambda label: invoice_request(label, target="tryton", issue_date=date(2031, 1, 5)),
        refusal_text="period", unreachable=unreachable, count_records=count, cleanups=[reader.close])


SinkFactory = Callable[[Path, TrytonServer | None], SinkHarness]
