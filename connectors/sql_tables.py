"""Interface tables: the import pattern many ERPs offer (Oracle AP_INVOICES_INTERFACE, SAP staging
tables, home-grown ``IMPORT_*`` tables). Docket writes a header row and its line rows; the ERP's
import job picks up rows with ``status = 'NEW'`` and sets ``IMPORTED`` (with ``erp_reference``) or
``ERROR`` (with ``erp_message``).

Guarantees:

* one transaction per document (``post``) or per batch (``post_batch``): the ERP never sees a
  header without its lines;
* a unique constraint on ``idempotency_key`` makes a repeat ``already_posted`` even when two
  workers race: the loser's insert fails and it reads the winner's row;
* a repeat of a row the import job marked ``ERROR`` raises :class:`PostingRejected` with the
  ERP's message;
* connection failures raise :class:`TargetUnavailable`; data the database refuses (too long, bad
  type) raises :class:`PostingRejected`;
* NUL characters are dropped from text values (PostgreSQL text cannot hold them, and its driver
  raises a plain ValueError for them, which would fail the whole batch).

Works on SQLite and PostgreSQL (any SQLAlchemy dialect). On SQLite, amounts are stored as text so
that they stay exact Decimals (SQLite has no exact numeric type).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    select,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.types import TypeDecorator

from connectors.base import PostingOutcome, PostingRejected, SinkBase, TargetUnavailable, redact
from connectors.mapping import FieldMap, MappingInvalid, select_field_map
from docket.errors import DocketError
from docket.model import PostingRequested

STATUS_NEW = "NEW"
STATUS_IMPORTED = "IMPORTED"
STATUS_ERROR = "ERROR"


class _ExactDecimal(TypeDecorator[Decimal]):
    """Decimal kept as text where the database has no exact numeric type (SQLite)."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else format(Decimal(value), "f")

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


def _money() -> Numeric[Decimal]:
    return Numeric(20, 4).with_variant(_ExactDecimal(), "sqlite")


def interface_tables(metadata: MetaData, header_name: str = "docket_ap_header",
                     line_name: str = "docket_ap_line") -> tuple[Table, Table]:
    """The default header and line tables (what ``connectors/mappings/sql_invoice.v1.yaml`` fills)."""
    header = Table(
        header_name, metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("idempotency_key", String(200), nullable=False),
        Column("target", String(64), nullable=False),
        Column("mapping_version", String(64), nullable=False),
        Column("status", String(16), nullable=False, default=STATUS_NEW, index=True),
        Column("erp_reference", String(64)),
        Column("erp_message", Text),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("imported_at", DateTime(timezone=True)),
        Column("doc_type", String(16), nullable=False),
        Column("target_state", String(16)),
        Column("legal_entity", String(64), nullable=False),
        Column("document_id", String(100), nullable=False),
        Column("party_id", String(64)),
        Column("supplier_name", String(200)),
        Column("supplier_vat_id", String(32)),
        Column("document_number", String(64), nullable=False),
        Column("issue_date", Date, nullable=False),
        Column("due_date", Date),
        Column("currency", String(3), nullable=False),
        Column("net_amount", _money()),
        Column("tax_amount", _money()),
        Column("total_amount", _money(), nullable=False),
        Column("po_number", String(64)),
        Column("gl_account", String(32)),
        Column("tax_code", String(32)),
        Column("cost_center", String(32)),
        Column("sha256", String(64)),
        UniqueConstraint("idempotency_key", name=f"uq_{header_name}_idempotency_key"),
    )
    line = Table(
        line_name, metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("header_id", Integer, ForeignKey(f"{header_name}.id", ondelete="CASCADE"), nullable=False),
        Column("line_no", Integer, nullable=False),
        Column("description", String(240)),
        Column("quantity", _money()),
        Column("unit_price", _money()),
        Column("amount", _money()),
        Column("tax_rate", _money()),
        Column("sku", String(64)),
        UniqueConstraint("header_id", "line_no", name=f"uq_{line_name}_line_no"),
    )
    return header, line


def missing_columns(field_map: FieldMap, header: Table, line: Table, lines_key: str = "lines") -> list[str]:
    """The keys of ``field_map`` that name no column: header keys, then ``<lines_key>.<key>`` of line rows."""
    missing = [key for key in field_map.field_names() if key != lines_key and key not in header.c]
    if lines_key in field_map.field_names():
        missing += [f"{lines_key}.{key}" for key in field_map.line_field_names(lines_key) if key not in line.c]
    return missing


@dataclass(frozen=True)
class _Prepared:
    request: PostingRequested
    field_map: FieldMap
    header: dict[str, Any]
    lines: list[dict[str, Any]]


class SqlInterfaceSink(SinkBase):
    """Writes postings into interface tables (see the module docstring for the guarantees).

    ``database`` is an Engine or a SQLAlchemy URL. Without ``tables`` the default layout
    (:func:`interface_tables`) is created if missing; with ``tables`` (ERP-owned tables) they must
    already exist and hold the columns the field maps name. ``lines_key`` is the field-map key
    whose list fills the line table. ``clock`` stamps ``created_at``. ``own_engine``: dispose the
    engine on close (default: only an engine made here from a URL).
    """

    def __init__(self, database: Engine | str, maps: FieldMap | Sequence[FieldMap], *,
                 target: str = "sql", tables: tuple[Table, Table] | None = None, lines_key: str = "lines",
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), own_engine: bool | None = None) -> None:
        super().__init__()
        self.target = target
        self._owns_engine = isinstance(database, str) if own_engine is None else own_engine
        self._engine = create_engine(database) if isinstance(database, str) else database
        self._maps = [maps] if isinstance(maps, FieldMap) else list(maps)
        self._lines_key = lines_key
        self._clock = clock
        if tables is None:
            metadata = MetaData()
            tables = interface_tables(metadata)
            try:
                metadata.create_all(self._engine, checkfirst=True)
            except OperationalError as error:
                raise TargetUnavailable(f"{target}: cannot reach the database: {error.orig}") from error
        self.header_table, self.line_table = tables
        for field_map in self._maps:
            self._check_columns(field_map)

    # -- PostingSink ----------------------------------------------------------------------------

    def post(self, request: PostingRequested) -> PostingOutcome:
        self._ensure_open()
        prepared = self._prepare(request)
        try:
            with self._engine.begin() as connection:
                return self._write(connection, prepared, {}, None)
        except (ValueError, TypeError) as error:  # a value the driver cannot send (checked before any write)
            raise PostingRejected(f"{self.target}: the driver refused a value: {type(error).__name__}") from error
        except IntegrityError as error:
            # Another writer inserted the same key between our look-up and our insert.
            existing = self._read_existing(request.idempotency_key)
            if existing is None:
                raise _translate(self.target, error) from error
            return self._repeat_outcome(prepared, existing)
        except DBAPIError as error:
            raise _translate(self.target, error) from error

    def post_batch(self, requests: Sequence[PostingRequested]) -> list[PostingOutcome | DocketError]:
        """All requests in one transaction; if the database refuses one of them, each request is
        posted again on its own so the failure stays with the request that caused it."""
        self._ensure_open()
        results: list[PostingOutcome | DocketError | None] = [None] * len(requests)
        prepared: list[tuple[int, _Prepared]] = []
        for index, request in enumerate(requests):
            try:
                prepared.append((index, self._prepare(request)))
            except DocketError as error:
                results[index] = error
        try:
            with self._engine.begin() as connection:
                written: dict[str, PostingOutcome] = {}
                existing = self._existing_rows(connection, [item.request.idempotency_key for _, item in prepared])
                for index, item in prepared:
                    results[index] = self._write_or_error(connection, item, written, existing)
        except (OperationalError, InterfaceError) as error:
            failure = _translate(self.target, error)
            for index, _ in prepared:
                results[index] = failure
        except (DBAPIError, ValueError, TypeError):
            for index, item in prepared:
                results[index] = self._post_alone(item.request)
        return [result for result in results if result is not None]

    def close(self) -> None:
        if not self._closed and self._owns_engine:
            self._engine.dispose()
        super().close()

    # -- ERP side ---------------------------------------------------------------------------------

    def status_of(self, idempotency_key: str) -> Mapping[str, Any] | None:
        """The interface row for a key (``status``, ``erp_reference``, ``erp_message``...), or None
        if it was never written: what a reconciliation job polls after the ERP import ran."""
        row = self._read_existing(idempotency_key)
        return None if row is None else dict(row)

    # -- internals ------------------------------------------------------------------------------

    def _check_columns(self, field_map: FieldMap) -> None:
        missing = missing_columns(field_map, self.header_table, self.line_table, self._lines_key)
        if missing:
            raise MappingInvalid(f"{field_map.version}: no column for {missing}")

    def _prepare(self, request: PostingRequested) -> _Prepared:
        field_map = select_field_map(self._maps, request)
        payload = _without_nul(field_map.apply(request))
        lines = payload.pop(self._lines_key, None) or []
        return _Prepared(request, field_map, payload, lines)

    def _post_alone(self, request: PostingRequested) -> PostingOutcome | DocketError:
        try:
            return self.post(request)
        except DocketError as error:
            return error

    def _write_or_error(self, connection: Connection, item: _Prepared, written: dict[str, PostingOutcome],
                        existing: Mapping[str, Mapping[str, Any]]) -> PostingOutcome | DocketError:
        try:
            return self._write(connection, item, written, existing)
        except PostingRejected as error:
            return error

    def _existing_rows(self, connection: Connection, keys: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        rows = connection.execute(select(self.header_table).where(
            self.header_table.c.idempotency_key.in_(sorted(set(keys))))).mappings().all()
        return {row["idempotency_key"]: dict(row) for row in rows}

    def _write(self, connection: Connection, item: _Prepared, written: dict[str, PostingOutcome],
               existing: Mapping[str, Mapping[str, Any]] | None) -> PostingOutcome:
        """Insert one document unless its key is in ``written`` (this batch) or ``existing``
        (looked up here when None)."""
        key = item.request.idempotency_key
        if key in written:
            return _repeat(written[key])
        if existing is None:
            existing = self._existing_rows(connection, [key])
        if key in existing:
            return self._repeat_outcome(item, existing[key])
        values = {**item.header, "idempotency_key": key, "target": self.target,
                  "mapping_version": item.field_map.version, "status": STATUS_NEW,
                  "created_at": self._clock()}
        # Parameters at execute time (not .values()) keep the compiled statement cacheable.
        inserted = connection.execute(self.header_table.insert(), values).inserted_primary_key
        header_id = inserted[0] if inserted else None
        if item.lines:
            connection.execute(self.line_table.insert(),
                               [{**line, "header_id": header_id} for line in item.lines])
        outcome = PostingOutcome(
            idempotency_key=key, target=self.target, status="posted", erp_reference=None,
            erp_id=str(header_id), request=self._request_record(item),
            response={"table": self.header_table.name, "header_id": header_id, "status": STATUS_NEW})
        written[key] = outcome
        return outcome

    def _read_existing(self, key: str) -> Mapping[str, Any] | None:
        try:
            with self._engine.connect() as connection:
                row = connection.execute(select(self.header_table).where(
                    self.header_table.c.idempotency_key == key)).mappings().first()
        except DBAPIError as error:
            raise _translate(self.target, error) from error
        return None if row is None else dict(row)

    def _repeat_outcome(self, item: _Prepared, row: Mapping[str, Any]) -> PostingOutcome:
        if row["status"] == STATUS_ERROR:
            raise PostingRejected(f"{self.target} import refused {row['idempotency_key']}: "
                                  f"{row['erp_message'] or 'no message'}",
                                  details={"header_id": str(row["id"])})
        return PostingOutcome(
            idempotency_key=item.request.idempotency_key, target=self.target, status="already_posted",
            erp_reference=row["erp_reference"], erp_id=str(row["id"]), request=self._request_record(item),
            response={"table": self.header_table.name, "header_id": row["id"], "status": row["status"]})

    def _request_record(self, item: _Prepared) -> Mapping[str, Any]:
        record: Mapping[str, Any] = redact({"table": self.header_table.name, "mapping_version": item.field_map.version,
                       "header": _jsonable(item.header), "lines": _jsonable(item.lines)})
        return record


def _repeat(outcome: PostingOutcome) -> PostingOutcome:
    return PostingOutcome(idempotency_key=outcome.idempotency_key, target=outcome.target,
                          status="already_posted", erp_reference=outcome.erp_reference, erp_id=outcome.erp_id,
                          request=outcome.request, response=outcome.response)


def _translate(target: str, error: DBAPIError) -> DocketError:
    if isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated:
        return TargetUnavailable(f"{target}: database unavailable: {error.orig}")
    # PostgreSQL quotes the failing row's values: mask bank details before the text travels on.
    return PostingRejected(f"{target}: the database refused the row: {redact(str(error.orig))}")


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, Mapping):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
