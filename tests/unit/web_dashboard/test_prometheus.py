"""``/metrics`` in the Prometheus text format, parsed back with prometheus_client's parser."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from connectors.stores.audit import AuditStore
from connectors.web.prometheus import metrics_app, render_metrics
from docket.errors import DocketError
from docket.ops import ConsumerLag
from tests.unit.ops.scenario import NOW, day_of_documents

LAG = [ConsumerLag(group="docket", topic="documents.received", partition=0, committed=5, end=12, lag=7)]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> AuditStore:
    audit = AuditStore(f"sqlite:///{tmp_path_factory.mktemp('prom') / 'audit.db'}")
    audit.record_many(day_of_documents())
    return audit


def scrape(store: AuditStore, lag_reader: object = None) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    app = FastAPI()
    app.include_router(metrics_app(lambda: store, lag_reader, clock=lambda: NOW))  # type: ignore[arg-type]
    response = TestClient(app).get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def overall(name: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return name, (("document_type", "all"), ("legal_entity", "all"))


def test_figures_are_exposed_overall_per_entity_and_per_document_type(store: AuditStore) -> None:
    samples = scrape(store)
    assert samples[("docket_ops_up", ())] == 1.0
    assert samples[overall("docket_stp_rate")] == pytest.approx(0.5)
    assert samples[overall("docket_documents_posted")] == 4
    assert samples[overall("docket_posting_latency_p95_seconds")] == 90_000
    assert samples[overall("docket_field_accuracy")] == pytest.approx(0.5)
    assert samples[overall("docket_data_sync_accuracy")] == pytest.approx(0.75)
    assert samples[("docket_exception_rate", (("document_type", "all"), ("legal_entity", "FR01")))] == 1.0
    assert samples[("docket_documents_received", (("document_type", "credit_note"), ("legal_entity", "all")))] == 1
    assert samples[("docket_posting_errors", (("error_code", "POSTING_REJECTED"), ("target", "tryton")))] == 1
    assert samples[("docket_cash_auto_match_rate", (("basis", "count"),))] == pytest.approx(0.5)
    assert samples[("docket_cash_unapplied", (("currency", "EUR"),))] == pytest.approx(310.0)
    # FR01 had no posting: its latency is absent rather than 0
    assert ("docket_posting_latency_p50_seconds", (("document_type", "all"), ("legal_entity", "FR01"))) \
        not in samples


def test_consumer_lag_and_its_health(store: AuditStore) -> None:
    samples = scrape(store, lambda: LAG)
    assert samples[("docket_consumer_lag", (("group", "docket"), ("partition", "0"),
                                            ("topic", "documents.received")))] == 7
    assert samples[("docket_consumer_lag_up", ())] == 1.0

    def broken() -> list[ConsumerLag]:
        raise DocketError("broker down", code="KAFKA_LAG_UNAVAILABLE")

    failed = scrape(store, broken)
    assert failed[("docket_consumer_lag_up", ())] == 0.0
    assert failed[overall("docket_stp_rate")] is not None  # the store figures still come


def test_an_unreadable_store_reports_down() -> None:
    def no_store() -> AuditStore:
        raise DocketError("gone", code="AUDIT_STORE_UNAVAILABLE")

    body, content_type = render_metrics(no_store)
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    assert families["docket_ops_up"].samples[0].value == 0.0
    assert "docket_stp_rate" not in families and content_type.startswith("text/plain")


def test_scrapes_within_the_cache_period_reuse_the_figures(store: AuditStore) -> None:
    opened: list[int] = []

    def counting_factory() -> AuditStore:
        opened.append(1)
        return store

    for cache_seconds, expected in ((3600.0, 1), (0.0, 2)):
        opened.clear()
        app = FastAPI()
        app.include_router(metrics_app(counting_factory, clock=lambda: NOW, cache_seconds=cache_seconds))
        client = TestClient(app)
        bodies = [client.get("/metrics").text for _ in range(2)]
        assert len(opened) == expected
        assert bodies[0] == bodies[1] and "docket_stp_rate" in bodies[0]
