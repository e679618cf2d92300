"""The Tryton CRM sink (``connectors/tryton/crm.py``) under the sink contract, on ``contract`` postings.

Tryton's own refusal: a contract whose end date lies before its start (the subscription's end-date
domain fails). Records are counted by the idempotency marker in the subscription's description.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from connectors.base import PostingSink
from connectors.tryton import TrytonClient
from connectors.tryton.crm import TrytonCrmSink
from connectors.tryton.invoices import like_pattern, marker
from docket.model import CrmRecord, Envelope, InvoiceLine, InvoiceRecord, PostingRequested
from tests.contract.harness import SinkHarness
from tests.contract.tryton_server import TrytonServer, free_port


def crm_request(label: str, posting_type: str, crm: CrmRecord, *, party_id: str = "C-2001", target: str = "crm",
                number: str | None = None, net_total: Decimal | None = None,
                lines: list[tuple[str, str, str]] | None = None,
                party_xrefs: dict[str, str] | None = None) -> PostingRequested:
    """A CRM posting; ``lines`` are (description, quantity, unit price)."""
    items = [InvoiceLine(index=i, description=d, quantity=Decimal(q), unit_price=Decimal(p),
                         amount=(Decimal(q) * Decimal(p)).quantize(Decimal("0.01")))
             for i, (d, q, p) in enumerate(lines or [])]
    net = net_total if net_total is not None else (
        sum((item.amount or Decimal(0) for item in items), Decimal(0)) if items else None)
    record = InvoiceRecord(document_type=posting_type, number=number, issue_date=date(2026, 3, 2), currency="EUR",
                           net_total=net, total=net, buyer_name="Globex Retail AG", lines=items, crm=crm)
    document_id = f"{posting_type}-{label}"
    envelope = Envelope.new(document_id=document_id, legal_entity="demo", producer="crm-test", now=datetime.now(UTC))
    return PostingRequested(envelope=envelope, idempotency_key=f"{document_id}:0:{target}", target=target,
                            posting_type=posting_type, mapping_version="test-1", party_id=party_id,
                            party_xrefs=party_xrefs or {},
                            sha256="ef" * 32, record=record)


def contract_request(label: str, *, start: date = date(2026, 4, 1), end: date | None = None,
                     term_months: int | None = 12, party_id: str = "C-2001") -> PostingRequested:
    crm = CrmRecord(contract_number=f"K-{label}", start_date=start, end_date=end, term_months=term_months,
                    auto_renewal=True, renewal_term_months=12, notice_days=90, value=Decimal("400.00"),
                    billing_frequency="monthly")
    return crm_request(label, "contract", crm, party_id=party_id, number=f"K-{label}")


def crm_harness(tmp: Path, server: TrytonServer | None) -> SinkHarness:
    assert server is not None
    client = server.client(timeout=60.0)
    sink = TrytonCrmSink(client)
    reader = server.client()

    def unreachable() -> PostingSink:
        url = f"http://127.0.0.1:{free_port()}"
        return TrytonCrmSink(TrytonClient(url, server.require().database, "docket", "unused", connect_timeout=1.0))

    def count(request: PostingRequested) -> int:
        return len(reader.search_read("sale.subscription", [
            ("description", "like", like_pattern(marker(request.idempotency_key)))], ["id"]))

    def refused(label: str) -> PostingRequested:
        return contract_request(label, start=date(2026, 4, 1), end=date(2026, 1, 31), term_months=None)

    return SinkHarness(
        name="tryton-crm", sink=sink, accepted=lambda label: contract_request(label),
        refused=refused, refusal_text="End Date", unreachable=unreachable, count_records=count,
        cleanups=[reader.close])
