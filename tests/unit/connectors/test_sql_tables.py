"""SqlInterfaceSink on SQLite files (the PostgreSQL run is tests/integration/test_sql_tables_postgres.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint, Engine, MetaData, create_engine, func, select, update

from connectors.base import PostingRejected, PostingSink, SinkClosed, TargetUnavailable
from connectors.mapping import MappingFailed, MappingInvalid, field_map_from_dict, load_field_map
from connectors.sql_tables import STATUS_ERROR, STATUS_IMPORTED, SqlInterfaceSink, interface_tables
from tests.unit.connectors.sink_requests import make_request

MAP = load_field_map("sql_invoice.v1")


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return create_engine(f"sqlite:///{tmp_path / 'erp.db'}")


def _count(engine: Engine, table_name: str) -> int:
    table = MetaData()
    table.reflect(engine, only=[table_name])
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table.tables[table_name])).scalar_one())


def test_post_writes_header_and_lines_with_exact_amounts(engine: Engine) -> None:
    sink = SqlInterfaceSink(engine, MAP, target="sql")
    assert isinstance(sink, PostingSink)
    request = make_request("doc-1", target="sql", total=Decimal("146.91"))
    outcome = sink.post(request)
    assert outcome.status == "posted" and outcome.erp_reference is None
    with engine.connect() as connection:
        header = connection.execute(select(sink.header_table)).mappings().one()
        lines = connection.execute(select(sink.line_table).order_by(sink.line_table.c.line_no)).mappings().all()
    assert header["idempotency_key"] == request.idempotency_key
    assert header["status"] == "NEW" and header["mapping_version"] == "sql_invoice/1"
    assert header["total_amount"] == Decimal("146.91") and isinstance(header["total_amount"], Decimal)
    assert header["doc_type"] == "AP_INV" and header["issue_date"].isoformat() == "2026-11-03"
    assert str(header["id"]) == outcome.erp_id
    assert [line["amount"] for line in lines] == [Decimal("100.00"), Decimal("23.45")]
    assert {line["header_id"] for line in lines} == {header["id"]}
    assert outcome.request["mapping_version"] == "sql_invoice/1"


def test_repeat_is_already_posted_also_after_a_restart(engine: Engine) -> None:
    first = SqlInterfaceSink(engine, MAP).post(make_request("doc-2"))
    sink = SqlInterfaceSink(engine, MAP)
    again = sink.post(make_request("doc-2"))
    assert again.status == "already_posted" and again.erp_id == first.erp_id
    assert _count(engine, "docket_ap_header") == 1
    assert _count(engine, "docket_ap_line") == 2


def test_erp_import_result_is_returned_on_repeat(engine: Engine) -> None:
    sink = SqlInterfaceSink(engine, MAP)
    request = make_request("doc-3")
    sink.post(request)
    table = sink.header_table
    with engine.begin() as connection:  # what the ERP's import job does
        connection.execute(update(table).where(table.c.idempotency_key == request.idempotency_key)
                           .values(status=STATUS_IMPORTED, erp_reference="AP-2026-00017"))
    assert sink.post(request).erp_reference == "AP-2026-00017"
    status = sink.status_of(request.idempotency_key)
    assert status is not None and status["status"] == STATUS_IMPORTED
    assert sink.status_of("never:0:sql") is None


def test_repeat_of_a_row_the_import_refused_is_rejected_with_its_message(engine: Engine) -> None:
    sink = SqlInterfaceSink(engine, MAP)
    request = make_request("doc-4")
    sink.post(request)
    table = sink.header_table
    with engine.begin() as connection:
        connection.execute(update(table).values(status=STATUS_ERROR, erp_message="vendor V-100 is blocked"))
    with pytest.raises(PostingRejected, match="vendor V-100 is blocked"):
        sink.post(request)


def test_batch_is_one_transaction_with_one_result_per_request(engine: Engine) -> None:
    sink = SqlInterfaceSink(engine, MAP)
    sink.post(make_request("doc-5"))
    results = sink.post_batch([make_request("doc-6"), make_request("doc-5"), make_request("doc-7", number=None),
                               make_request("doc-6"), make_request("doc-8")])
    kinds = [getattr(result, "status", None) or getattr(result, "code", None) for result in results]
    assert kinds == ["posted", "already_posted", "POSTING_MAPPING_FAILED", "already_posted", "posted"]
    assert isinstance(results[2], MappingFailed)
    assert _count(engine, "docket_ap_header") == 3




def test_a_refused_line_rolls_back_its_header(engine: Engine) -> None:
    metadata = MetaData()
    header, line = interface_tables(metadata)
    line.append_constraint(CheckConstraint("length(description) <= 12", name="ck_description"))
    metadata.create_all(engine)
    sink = SqlInterfaceSink(engine, MAP, tables=(header, line))
    with pytest.raises(PostingRejected):
        sink.post(make_request("doc-9"))  # "Paper A4, 80 g" is 14 characters
    assert _count(engine, "docket_ap_header") == 0


def test_batch_falls_back_to_single_posts_when_the_database_refuses_one(engine: Engine) -> None:
    metadata = MetaData()
    header, line = interface_tables(metadata)
    header.append_constraint(CheckConstraint("currency <> 'XXX'", name="ck_currency"))
    metadata.create_all(engine)
    sink = SqlInterfaceSink(engine, MAP, tables=(header, line))
    results = sink.post_batch([make_request("doc-10"), make_request("doc-11", currency="XXX"),
                               make_request("doc-12")])
    assert [type(result).__name__ for result in results] == ["PostingOutcome", "PostingRejected",
                                                              "PostingOutcome"]
    assert _count(engine, "docket_ap_header") == 2


def test_field_map_naming_a_missing_column_fails_at_construction(engine: Engine) -> None:
    broken = field_map_from_dict({"name": "broken", "version": 1,
                                  "fields": {"document_number": "record.number", "vendor_colour": "record.currency"}})
    with pytest.raises(MappingInvalid, match="vendor_colour"):
        SqlInterfaceSink(engine, broken)


def test_unreachable_database_is_retryable(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}"
    with pytest.raises(TargetUnavailable):
        SqlInterfaceSink(missing, MAP)
    metadata = MetaData()
    sink = SqlInterfaceSink(missing, MAP, tables=interface_tables(metadata))
    with pytest.raises(TargetUnavailable) as caught:
        sink.post(make_request("doc-13"))
    assert caught.value.retryable
    results = sink.post_batch([make_request("doc-14"), make_request("doc-15")])
    assert all(isinstance(result, TargetUnavailable) for result in results)


def test_closed_sink_refuses(engine: Engine) -> None:
    sink = SqlInterfaceSink(engine, MAP)
    sink.close()
    with pytest.raises(SinkClosed):
        sink.post(make_request("doc-16"))


def test_nul_characters_never_reach_the_database(engine: Engine) -> None:
    from docket.model import InvoiceLine

    line = InvoiceLine(index=0, description="Spindle\x00 M8", quantity=Decimal("1"), unit_price=Decimal("10"),
                       amount=Decimal("10"))
    sink = SqlInterfaceSink(engine, MAP, target="sql")
    results = sink.post_batch([make_request("doc-nul", target="sql", supplier_name="Acme\x00 GmbH", lines=[line]),
                               make_request("doc-fine", target="sql")])
    assert [getattr(result, "status", None) for result in results] == ["posted", "posted"]
    with engine.connect() as connection:
        names = connection.execute(select(sink.header_table.c.supplier_name)).scalars().all()
        descriptions = connection.execute(select(sink.line_table.c.description)).scalars().all()
    assert sorted(names) == ["Acme GmbH", "Muster Bürobedarf GmbH"]
    assert "Spindle M8" in descriptions and not any("\x00" in text for text in descriptions)
