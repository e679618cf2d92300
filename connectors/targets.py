"""Posting targets built from settings: each sink behind the posting ledger (idempotency)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from connectors.base import PostingOutcome, PostingSink, SinkBase, TargetUnavailable
from connectors.ledger import IdempotentSink, PostingLedger
from connectors.memory import MemorySink
from docket.errors import ConfigError, DocketError
from docket.model import PostingRequested
from streams.settings import Settings

if TYPE_CHECKING:
    from connectors.tryton.client import TrytonClient


def tryton_client(settings: Settings) -> TrytonClient:
    """A client of the configured Tryton server, or of the one ``infra/`` runs locally."""
    from connectors.tryton.client import TrytonClient

    if settings.tryton_url:
        if not settings.tryton_login or settings.tryton_password is None:
            raise ConfigError("DOCKET_TRYTON_URL needs DOCKET_TRYTON_LOGIN and DOCKET_TRYTON_PASSWORD")
        return TrytonClient(settings.tryton_url, settings.tryton_database, settings.tryton_login,
                            settings.tryton_password.get_secret_value())
    from infra import tryton as tryton_infra

    found = tryton_infra.connection(settings.tryton_state_dir)
    return TrytonClient(found["url"], found["database"], found["login"], found["password"])


def tryton_sink(settings: Settings, blob_reader: Callable[[str], bytes]) -> PostingSink:
    """The Tryton sink for the configured server, or for the one ``infra/`` runs locally."""
    from connectors.tryton.client import TrytonClient
    from connectors.tryton.sink import TrytonSink

    if settings.tryton_url:
        if not settings.tryton_login or settings.tryton_password is None:
            raise ConfigError("DOCKET_TRYTON_URL needs DOCKET_TRYTON_LOGIN and DOCKET_TRYTON_PASSWORD")
        url, database = settings.tryton_url, settings.tryton_database
        login, password = settings.tryton_login, settings.tryton_password.get_secret_value()
    else:
        from infra import tryton as tryton_infra

        found = tryton_infra.connection(settings.tryton_state_dir)
        url, database, login, password = found["url"], found["database"], found["login"], found["password"]
    client = TrytonClient(url, database, login, password)
    return TrytonSink(client, blob_reader=blob_reader, delegates=_tryton_delegates(client, blob_reader))


def _tryton_delegates(client: TrytonClient, blob_reader: Callable[[str], bytes]) -> dict[str, PostingSink]:
    """The sinks for the posting types other than invoices, sharing the invoice sink's Tryton session."""
    from connectors.tryton.payments import TrytonPaymentSink
    from connectors.tryton.sales import TrytonSalesOrderSink

    delegates: dict[str, PostingSink] = {}
    delegates["sales_order"] = TrytonSalesOrderSink(client)
    delegates["payment"] = TrytonPaymentSink(client)
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

    def flush(self) -> None:
        self._ensure_open()
        if self._sink is not None:
            self._sink.flush()

    def close(self) -> None:
        if self._sink is not None and not self._closed:
            self._sink.close()
        self._closed = True


def _downstream(name: str, settings: Settings) -> PostingSink:
    """The sink of a ``topic:<name>`` target, made on first use (the broker may not be up yet)."""
    from connectors.downstream import downstream_sink
    from streams.topics import downstream_name

    try:
        downstream_name(name)
    except ValueError as error:
        raise ConfigError(str(error)) from error
    return DeferredSink(name, lambda: downstream_sink(name, settings))


def build_sinks(settings: Settings, blob_reader: Callable[[str], bytes]) -> dict[str, PostingSink]:
    """``{target name: sink}`` for ``settings.posting_targets``, each answering repeats from the ledger.

    A target may name its mapping version (``tryton=tryton/2``); the routing stage reads that part,
    the sink is chosen by the name alone.
    """
    ledger = PostingLedger(settings.posting_ledger_path)
    sinks: dict[str, PostingSink] = {}
    for name in (part.split("=", 1)[0].strip() for part in settings.posting_targets.split(",") if part.strip()):
        sink: PostingSink
        if name == "tryton":
            sink = DeferredSink("tryton", lambda: tryton_sink(settings, blob_reader))
        elif name == "memory":
            sink = MemorySink()
        elif name.startswith("topic:"):
            sink = _downstream(name, settings)
        else:
            raise ConfigError(f"unknown posting target {name!r} (known: tryton, memory, topic:<name>)")
        sinks[name] = IdempotentSink(sink, ledger)
    return sinks
