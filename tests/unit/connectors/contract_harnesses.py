"""Harnesses that put the REST, SQL interface-table and file sinks through the shared sink contract.

Each factory has the shape ``tests/contract/harness.py`` expects (``SinkFactory``), so they can
be listed in ``SINK_FACTORIES`` there; ``test_sink_contract_for_edges.py`` runs the contract on
them from this folder meanwhile.
"""

from __future__ import annotations

import socket
from contextlib import ExitStack
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import CheckConstraint, MetaData, create_engine, func, select

from connectors.base import PostingSink
from connectors.files import FileSink, file_name_for
from connectors.mapping import load_field_map
from connectors.rest import BearerToken, RestSink
from connectors.sql_tables import SqlInterfaceSink, interface_tables
from docket.model import CrmRecord, Envelope, InvoiceRecord, PostingRequested
from tests.contract.harness import BLOCKED_PARTY, SinkHarness, invoice_request
from tests.unit.connectors.fake_rest_erp import running_erp


def _refusing_url() -> str:
    """A URL on a port nobody listens on: every connection is refused, as with a stopped API."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/invoices"


def rest_harness(tmp: Path, _: Any = None) -> SinkHarness:
    """RestSink against the fake AP API; it refuses the blocked party with its own 422 text."""
    stack = ExitStack()
    state, base = stack.enter_context(running_erp())
    field_map = load_field_map("rest_invoice.v1")
    sink = RestSink(url=f"{base}/invoices", maps=field_map, target="rest", auth=BearerToken("contract-token"),
                    timeout=5.0)

    def unreachable() -> PostingSink:
        return RestSink(url=_refusing_url(), maps=field_map, target="rest", timeout=2.0)

    return SinkHarness(
        name="rest", sink=sink, accepted=lambda label: invoice_request(label, target="rest"),
        refused=lambda label: invoice_request(label, target="rest", party_id=BLOCKED_PARTY),
        refusal_text="is blocked", unreachable=unreachable,
        count_records=lambda request: int(request.idempotency_key in state.created),
        cleanups=[stack.close])


def crm_posting(label: str, posting_type: str = "contract", *, account: str | None = "ACC-0042",
                crm: CrmRecord | None = None, target: str = "rest") -> PostingRequested:
    """A CRM posting of customer C-2001 whose CRM account id (cross-reference ``crm``) is ``account``."""
    terms = crm or CrmRecord(contract_number=f"K-{label}", start_date=date(2026, 4, 1), term_months=12,
                             auto_renewal=True, notice_days=90, value=Decimal("400.00"), billing_frequency="monthly")
    record = InvoiceRecord(document_type=posting_type, number=terms.contract_number or f"OF-{label}", currency="EUR",
                           net_total=Decimal("4800.00"), total=Decimal("5712.00"), buyer_name="Globex Retail AG",
                           crm=terms)
    xrefs = {"tryton.customer": "23", **({"crm": account} if account else {})}
    document_id = f"{posting_type}-{label}"
    return PostingRequested(
        envelope=Envelope.new(document_id=document_id, legal_entity="DEMO", producer="crm-test",
                              now=datetime(2026, 3, 2, tzinfo=UTC)),
        idempotency_key=f"{document_id}:0:{target}", target=target, posting_type=posting_type,
        mapping_version="rest_crm/1", party_id="C-2001", party_xrefs=xrefs, sha256="ef" * 32, record=record)


def rest_crm_harness(tmp: Path, _: Any = None) -> SinkHarness:
    """RestSink with the CRM field map against the fake CRM endpoint; it refuses the blocked account."""
    stack = ExitStack()
    state, base = stack.enter_context(running_erp())
    maps = (load_field_map("rest_invoice.v1"), load_field_map("rest_crm.v1"))
    sink = RestSink(url=f"{base}/crm", maps=maps, target="rest", timeout=5.0)

    def unreachable() -> PostingSink:
        return RestSink(url=_refusing_url(), maps=maps, target="rest", timeout=2.0)

    return SinkHarness(
        name="rest-crm", sink=sink, accepted=lambda label: crm_posting(label),
        refused=lambda label: crm_posting(label, account="BLOCKED"),
        refusal_text="account BLOCKED is blocked", unreachable=unreachable,
        count_records=lambda request: int(request.idempotency_key in state.created),
        cleanups=[stack.close])


def sql_harness(tmp: Path, _: Any = None) -> SinkHarness:
    """SqlInterfaceSink on a SQLite file whose header table refuses blocked parties (a CHECK)."""
    engine = create_engine(f"sqlite:///{tmp / 'interface.db'}")
    metadata = MetaData()
    header, line = interface_tables(metadata)
    header.append_constraint(CheckConstraint(f"party_id IS NULL OR party_id <> '{BLOCKED_PARTY}'",
                                             name="ck_party_not_blocked"))
    metadata.create_all(engine)
    field_map = load_field_map("sql_invoice.v1")
    sink = SqlInterfaceSink(engine, field_map, target="sql", tables=(header, line))

    def unreachable() -> PostingSink:
        return SqlInterfaceSink(f"sqlite:///{tmp / 'gone' / 'interface.db'}", field_map, target="sql",
                                tables=interface_tables(MetaData()))

    def count(request: PostingRequested) -> int:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(header).where(
                header.c.idempotency_key == request.idempotency_key)).scalar_one())

    return SinkHarness(
        name="sql", sink=sink, accepted=lambda label: invoice_request(label, target="sql"),
        refused=lambda label: invoice_request(label, target="sql", party_id=BLOCKED_PARTY),
        refusal_text="ck_party_not_blocked", unreachable=unreachable, count_records=count,
        cleanups=[engine.dispose])


def file_harness(tmp: Path, _: Any = None) -> SinkHarness:
    """FileSink writing UBL; it refuses a document without a number (UBL's mandatory cbc:ID)."""
    directory = tmp / "outbox"
    sink = FileSink(directory, file_format="ubl", target="files")

    def refused(label: str) -> PostingRequested:
        request = invoice_request(label, target="files")
        assert request.record is not None
        return request.model_copy(update={"record": request.record.model_copy(update={"number": None})})

    def unreachable() -> PostingSink:
        blocker = tmp / "not-a-directory"
        blocker.write_text("a file where the share should be mounted")
        return FileSink(blocker / "outbox", file_format="ubl", target="files")

    return SinkHarness(
        name="files", sink=sink, accepted=lambda label: invoice_request(label, target="files"),
        refused=refused, refusal_text="cbc:ID", unreachable=unreachable,
        count_records=lambda request: int((directory / file_name_for(request.idempotency_key, "xml")).exists()))


def file_set_harness(tmp: Path, _: Any = None) -> SinkHarness:
    """The ``files`` target as a worker builds it from settings: UBL and CSV per posting, behind the
    posting ledger. A document UBL refuses leaves no file at all (UBL, the stricter, is written first)."""
    from connectors.targets import build_sinks
    from streams.settings import Settings

    def built(directory: Path, state: Path) -> PostingSink:
        state.mkdir(parents=True, exist_ok=True)
        settings = Settings(state_dir=state, posting_targets="files", files_dir=directory, files_formats="csv,ubl")
        return build_sinks(settings, lambda uri: b"")["files"]

    directory = tmp / "outbox"
    sink = built(directory, tmp / "state")

    def refused(label: str) -> PostingRequested:
        request = invoice_request(label, target="files")
        assert request.record is not None
        return request.model_copy(update={"record": request.record.model_copy(update={"number": None})})

    def unreachable() -> PostingSink:
        blocker = tmp / "not-a-directory"
        blocker.write_text("a file where the share should be mounted")
        return built(blocker / "outbox", tmp / "down-state")

    def count(request: PostingRequested) -> int:
        written = [(directory / file_name_for(request.idempotency_key, ext)).exists() for ext in ("xml", "csv")]
        return int(all(written)) if len(set(written)) == 1 else -1  # -1: one format without the other

    return SinkHarness(
        name="files-from-settings", sink=sink, accepted=lambda label: invoice_request(label, target="files"),
        refused=refused, refusal_text="cbc:ID", unreachable=unreachable, count_records=count)
