"""Posting targets built from settings: each sink behind the posting ledger (idempotency).

Which targets and how each is reached come from settings only (``DOCKET_POSTING_TARGETS`` and the
target's own ``DOCKET_*`` settings, checked by :mod:`connectors.target_config`); nothing here knows
about a local development stack. Sinks that talk to a server are made on first use
(:class:`DeferredSink`), so a worker starts while its ERP is down; a misconfigured target stops
it before it starts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from connectors.base import PostingOutcome, PostingSink, SinkBase, TargetUnavailable
from connectors.ledger import IdempotentSink, PostingLedger
from connectors.target_config import (
    CrmTarget,
    FilesTarget,
    RestTarget,
    SqlTarget,
    TargetConfig,
    TopicTarget,
    TrytonTarget,
    check_targets,
    tryton_target,
)
from docket.errors import DocketError
from docket.model import PostingRequested
from streams.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine, Table

    from connectors.tryton.client import TrytonClient

BlobReader = Callable[[str], bytes]


def tryton_client(settings: Settings) -> TrytonClient:
    """A client of the Tryton server the settings name; :class:`TargetConfigError` when they name none."""
    return _client_of(tryton_target(settings, needed_by="ERP sync"))


def _client_of(config: TrytonTarget) -> TrytonClient:
    from connectors.tryton.client import TrytonClient

    return TrytonClient(config.url, config.database, config.login, config.password.get_secret_value())


def tryton_sink(config: TrytonTarget, blob_reader: BlobReader) -> PostingSink:
    """The Tryton sink (invoices, with sales orders and payments delegated on the same session)."""
    from connectors.tryton.sink import TrytonSink

    client = _client_of(config)
    return TrytonSink(client, blob_reader=blob_reader, delegates=_tryton_delegates(client, blob_reader))


def crm_sink(config: CrmTarget) -> PostingSink:
    """The CRM sink: order forms, contracts and customer changes into Tryton's CRM modules."""
    from connectors.tryton.crm import TrytonCrmSink

    return TrytonCrmSink(_client_of(config.tryton), target="crm")


def rest_sink(config: RestTarget) -> PostingSink:
    """The REST sink: one call per posting to ``config.url`` with the credential header, if any."""
    from connectors.rest import RestSink

    headers = {} if config.auth_value is None else {config.auth_header: config.auth_value.get_secret_value()}
    return RestSink(url=config.url, maps=config.field_maps, method=config.method, headers=headers,
                    reference_path=config.reference_path, id_path=config.id_path, timeout=config.timeout_s)


def sql_sink(config: SqlTarget) -> PostingSink:
    """The interface-table sink: Docket's tables (created if missing) or the ERP's own, read from the database."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import NoSuchTableError, OperationalError

    from connectors.sql_tables import SqlInterfaceSink

    engine = create_engine(config.url.get_secret_value(), pool_pre_ping=True)
    try:
        tables = _interface_tables(engine, config)
    except OperationalError as error:
        engine.dispose()
        raise TargetUnavailable(f"sql: cannot reach the database: {error.orig}") from error
    except NoSuchTableError as error:
        engine.dispose()
        raise TargetUnavailable(f"sql: the database has no table {error.args[0]!r} "
                                "(with DOCKET_SQL_CREATE_TABLES=false the ERP's tables must exist)") from error
    return SqlInterfaceSink(engine, config.field_map, tables=tables, own_engine=True)


def _interface_tables(engine: Engine, config: SqlTarget) -> tuple[Table, Table]:
    from sqlalchemy import MetaData, Table

    from connectors.sql_tables import interface_tables

    metadata = MetaData()
    if not config.create_tables:
        return (Table(config.header_table, metadata, autoload_with=engine),
                Table(config.line_table, metadata, autoload_with=engine))
    tables = interface_tables(metadata, config.header_table, config.line_table)
    metadata.create_all(engine, checkfirst=True)
    return tables


def files_sink(config: FilesTarget) -> PostingSink:
    """One file per format and posting in ``config.directory``."""
    from connectors.files import FileSetSink, FileSink

    archives = [config.archive_dir] if config.archive_dir else []
    sinks = [FileSink(config.directory, file_format=fmt, maps=config.csv_field_map or (), archive_dirs=archives,
                      delimiter=config.csv_delimiter) for fmt in config.formats]
    return sinks[0] if len(sinks) == 1 else FileSetSink(sinks)


def _tryton_delegates(client: TrytonClient, blob_reader: Callable[[str], bytes]) -> dict[str, PostingSink]:
    """The sinks for the posting types other than invoices, sharing the invoice sink's Tryton session."""
    from connectors.tryton.crm import POSTING_TYPES as CRM_POSTING_TYPES
    from connectors.tryton.crm import TrytonCrmSink
    from connectors.tryton.payments import TrytonPaymentSink
    from connectors.tryton.sales import TrytonSalesOrderSink

    delegates: dict[str, PostingSink] = {}
    delegates["sales_order"] = TrytonSalesOrderSink(client)
    delegates["payment"] = TrytonPaymentSink(client)
    crm = TrytonCrmSink(client, target="tryton", own_client=False)
    for posting_type in CRM_POSTING_TYPES:
        delegates[posting_type] = crm
    return delegates


class DeferredSink(SinkBase):
    """A sink made on first use, and made again after a failure to make it.

    A worker starts even when a target is unreachable (the ERP is down, its credentials are not
    there yet); postings to it fail as :class:`TargetUnavailable` and go to the retry topic.
    """

    def __init__(self, target: str, factory: Callable[[], PostingSink]) -> None:
        super().__init__()
        self.target = target
        self._factory = factory
        self._sink: PostingSink | None = None

    def _made(self) -> PostingSink:
        if self._sink is None:
            try:
                self._sink = self._factory()
            except DocketError as error:
                raise TargetUnavailable(f"{self.target} is not reachable: {error.message}") from error
        return self._sink

    def post(self, request: PostingRequested) -> PostingOutcome:
        self._ensure_open()
        return self._made().post(request)

    def post_batch(self, requests: Sequence[PostingRequested]) -> list[PostingOutcome | DocketError]:
        self._ensure_open()
        try:
            sink = self._made()
        except TargetUnavailable as error:
            return [error for _ in requests]
        return sink.post_batch(requests)

    def connect(self) -> None:
        self._ensure_open()
        self._made().connect()

    def flush(self) -> None:
        self._ensure_open()
        if self._sink is not None:
            self._sink.flush()

    def close(self) -> None:
        if self._sink is not None and not self._closed:
            self._sink.close()
        self._closed = True


def _downstream(config: TopicTarget, settings: Settings) -> PostingSink:
    """The sink of a ``topic:<name>`` target, made on first use (the broker may not be up yet)."""
    from connectors.downstream import downstream_sink

    return DeferredSink(config.name, lambda: downstream_sink(config.name, settings))


def sink_for(name: str, config: TargetConfig, settings: Settings, blob_reader: BlobReader) -> PostingSink:
    """The sink of one checked target (not yet behind the ledger)."""
    if isinstance(config, TrytonTarget):
        return DeferredSink(name, lambda: tryton_sink(config, blob_reader))
    if isinstance(config, CrmTarget):
        return DeferredSink(name, lambda: crm_sink(config))
    if isinstance(config, RestTarget):
        return rest_sink(config)
    if isinstance(config, SqlTarget):
        return DeferredSink(name, lambda: sql_sink(config))
    if isinstance(config, FilesTarget):
        return files_sink(config)
    return _downstream(config, settings)


def build_sinks(settings: Settings, blob_reader: BlobReader) -> dict[str, PostingSink]:
    """``{target name: sink}`` for ``settings.posting_targets``, each answering repeats from the ledger.

    Every target's settings are checked first (:func:`~connectors.target_config.check_targets`,
    :class:`~connectors.target_config.TargetConfigError` naming the setting). A target may name its
    mapping version (``tryton=tryton/2``); the routing stage reads that part, the sink is chosen by
    the name alone.
    """
    configs = check_targets(settings)
    ledger = PostingLedger(settings.posting_ledger_path)
    return {name: IdempotentSink(sink_for(name, config, settings, blob_reader), ledger)
            for name, config in configs.items()}
