"""Prometheus ``/metrics``: the dashboard's figures, computed from the audit store on each scrape.

Every figure is a gauge over a trailing window (24 h by default, stated in each metric's help)
with labels ``legal_entity`` and ``document_type``: ``all``/``all`` is the whole window, one row
per entity (document type ``all``) and one per document type (entity ``all``). Rates in 0..1 are
left out while their denominator is empty. ``docket_ops_up`` is 0 when the store could not be
read; ``docket_consumer_lag_up`` is 0 when the broker did not answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from connectors.stores.audit import AuditStore
from connectors.stores.ops_queries import load_activity
from docket.errors import DocketError
from docket.ops import Dashboard, build_dashboard
from docket.ops.model import ConsumerLag, Figures
from docket.ops.windows import default_bucket

LagReader = Callable[[], Sequence[ConsumerLag]]

_COUNTS = {
    "documents_received": "documents first seen",
    "documents_routed": "documents whose first routing decision was made",
    "documents_posted": "documents first posted",
    "reviews_completed": "reviews completed",
    "duplicates_flagged": "documents flagged as duplicates",
    "postings_requested": "idempotency keys requested",
    "posting_retries": "posting answers 'retrying'",
}
_RATES = {
    "stp_rate": "share of routed documents sent straight to posting",
    "exception_rate": "share of routed documents sent to review or rejected",
    "field_accuracy": "share of reviewed fields not corrected",
    "duplicate_prevention_rate": "share of flagged duplicates never posted",
    "automation_coverage": "share of finished documents posted without a person",
    "data_sync_accuracy": "share of requested postings confirmed by the ERP",
}
_SECONDS = {
    "posting_latency_p50_seconds": "median seconds from receipt to posting",
    "posting_latency_p95_seconds": "95th percentile seconds from receipt to posting",
    "manual_touch_p50_seconds": "median seconds a reviewer spent on a task",
    "manual_touch_mean_seconds": "mean seconds a reviewer spent on a task",
}


def dashboard_families(board: Dashboard, *, lag_up: bool | None = None) -> list[Metric]:
    """The metric families of ``board`` (pure: no store, no clock)."""
    window = f"trailing {board.now - board.since}"
    slices = [("all", "all", board.figures)]
    slices += [(row.key, "all", row.figures) for row in board.by_entity]
    slices += [("all", row.key, row.figures) for row in board.by_document_type]
    families: list[Metric] = [_ok("docket_ops_up", "1 when the audit store was read", True)]
    for group in (_COUNTS, _RATES, _SECONDS):
        for name, help_text in group.items():
            family = GaugeMetricFamily(f"docket_{name}", f"{help_text}, {window}",
                                       labels=["legal_entity", "document_type"])
            for entity, document_type, figures in slices:
                value = _value(figures, name)
                if value is not None:
                    family.add_metric([entity, document_type], value)
            families.append(family)
    errors = GaugeMetricFamily("docket_posting_errors", f"posting answers with an error code, {window}",
                               labels=["target", "error_code"])
    for error in board.figures.posting_errors:
        errors.add_metric([error.target, error.error_code], error.count)
    families.append(errors)
    families += _cash_families(board, window)
    lag = GaugeMetricFamily("docket_consumer_lag", "records not yet processed by the consumer group",
                            labels=["group", "topic", "partition"])
    for partition in board.consumer_lag:
        lag.add_metric([partition.group, partition.topic, str(partition.partition)], partition.lag)
    families.append(lag)
    if lag_up is not None:
        families.append(_ok("docket_consumer_lag_up", "1 when the broker answered the lag query", lag_up))
    return families


def _cash_families(board: Dashboard, window: str) -> list[Metric]:
    cash = board.cash
    rate = GaugeMetricFamily("docket_cash_auto_match_rate", f"share of receipts applied without a person, {window}",
                             labels=["basis"])
    for basis, value in (("count", cash.auto_match_rate_count), ("amount", cash.auto_match_rate_amount)):
        if value is not None:
            rate.add_metric([basis], value)
    unapplied = GaugeMetricFamily("docket_cash_unapplied", f"cash received and not applied, {window}",
                                  labels=["currency"])
    for currency, amount in sorted(cash.unapplied_cash.items()):
        unapplied.add_metric([currency], float(amount))
    payments = GaugeMetricFamily("docket_cash_payments", f"receipts seen by cash application, {window}",
                                 value=cash.payments)
    families: list[Metric] = [rate, unapplied, payments]
    if cash.invoice_to_cash_days is not None:
        families.append(GaugeMetricFamily("docket_cash_invoice_to_cash_days",
                                          f"mean days from invoice to payment, by amount, {window}",
                                          value=cash.invoice_to_cash_days))
    return families


def _value(figures: Figures, name: str) -> float | None:
    value: Any = getattr(figures, name)
    return None if value is None else float(value)


def _ok(name: str, help_text: str, up: bool) -> Metric:
    return GaugeMetricFamily(name, help_text, value=1.0 if up else 0.0)


class OpsCollector(Collector):
    """Computes the dashboard from the store on every scrape (``store_factory`` returns a shared,
    open store: it is not closed here). ``lag_reader`` adds the consumer lag; when it fails, the
    lag is left out and ``docket_consumer_lag_up`` is 0."""

    def __init__(self, store_factory: Callable[[], AuditStore], *, lag_reader: LagReader | None = None,
                 window: timedelta = timedelta(hours=24),
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), cache_seconds: float = 0.0) -> None:
        self._store_factory = store_factory
        self._lag_reader = lag_reader
        self._window = window
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._cached: tuple[float, list[Metric]] | None = None
        self._lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        """The families of a fresh dashboard, or of the last one if it is younger than ``cache_seconds``
        (several Prometheus servers scraping every few seconds must not each rerun the queries)."""
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] >= self._cache_seconds:
                self._cached = (time.monotonic(), list(self._compute()))
            families = self._cached[1]
        yield from families

    def _compute(self) -> Iterator[Metric]:
        lag: Sequence[ConsumerLag] = ()
        lag_up: bool | None = None
        if self._lag_reader is not None:
            try:
                lag, lag_up = self._lag_reader(), True
            except DocketError:
                lag_up = False
        now = self._clock()
        try:
            documents, events = load_activity(self._store_factory().engine, since=now - self._window, until=now)
        except DocketError:
            yield _ok("docket_ops_up", "1 when the audit store was read", False)
            return
        board = build_dashboard(documents, events, now=now, window=self._window,
                                bucket=default_bucket(self._window), consumer_lag=lag)
        yield from dashboard_families(board, lag_up=lag_up)


def render_metrics(store_factory: Callable[[], AuditStore], lag_reader: LagReader | None = None, *,
                   window: timedelta = timedelta(hours=24)) -> tuple[bytes, str]:
    """The Prometheus text exposition and its content type, computed now, for any web server (e.g. a
    Faust page; pass the content type as a header there: aiohttp refuses a charset in ``content_type``)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OpsCollector(store_factory, lag_reader=lag_reader, window=window))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def metrics_app(store_factory: Callable[[], AuditStore], lag_reader: LagReader | None = None, *,
                window: timedelta = timedelta(hours=24),
                clock: Callable[[], datetime] = lambda: datetime.now(UTC), cache_seconds: float = 15.0) -> APIRouter:
    """A router serving ``GET /metrics`` (no login: scrapers do not log in; expose it on an
    internal port or behind the proxy's allow-list). Figures are recomputed at most every
    ``cache_seconds``."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OpsCollector(store_factory, lag_reader=lag_reader, window=window, clock=clock,
                                   cache_seconds=cache_seconds))
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
