"""The dashboard, search and trail pages through FastAPI's TestClient, with a stand-in login."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from fastapi.testclient import TestClient
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from connectors.stores.audit import AuditStore
from connectors.web.dashboard import TEMPLATES, dashboard_router, visible_entities
from docket.errors import DocketError
from docket.ops import ConsumerLag
from tests.unit.ops.scenario import NOW, day_of_documents

BASE = ("<html><head><title>{% block title %}{% endblock %}</title></head>"
        "<body>{% block content %}{% endblock %}</body></html>")


@dataclass(frozen=True)
class User:
    login: str
    role: str
    entities: list[str] = field(default_factory=list)


ADMIN = User("ada", "administrator", ["DE01"])
GERMAN_REVIEWER = User("rita", "reviewer", ["DE01"])


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> AuditStore:
    audit = AuditStore(f"sqlite:///{tmp_path_factory.mktemp('web') / 'audit.db'}")
    audit.record_many(day_of_documents())
    return audit


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Jinja2Templates:
    base_dir = tmp_path_factory.mktemp("base")
    (base_dir / "base.html").write_text(BASE)
    loader = ChoiceLoader([FileSystemLoader(str(base_dir)), FileSystemLoader(str(TEMPLATES))])
    return Jinja2Templates(env=Environment(loader=loader, autoescape=select_autoescape()))


@pytest.fixture
def client_for(store: AuditStore, templates: Jinja2Templates, monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[Callable[..., TestClient]]:
    def make(user: User, lag_reader: Callable[[], list[ConsumerLag]] | None = None) -> TestClient:
        app = FastAPI()
        app.include_router(dashboard_router(lambda: store, lambda: user, templates=templates,
                                            lag_reader=lag_reader, clock=lambda: NOW))
        return TestClient(app)

    yield make


def cell(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert match, f"no #{element_id}"
    return match.group(1).strip()


def test_visible_entities_follow_role_and_entities() -> None:
    assert visible_entities(GERMAN_REVIEWER) == ["DE01"]
    assert visible_entities(ADMIN) is None
    assert visible_entities(User("audrey", "auditor", ["FR01"])) == ["FR01"]
    assert visible_entities(User("nina", "reviewer", [])) == []
    assert visible_entities(User("sam", "approver", ["*"])) is None


def test_dashboard_page_shows_figures_charts_and_breakdowns(client_for: Callable[..., TestClient]) -> None:
    response = client_for(ADMIN).get("/dashboard", params={"window": "24h"})
    assert response.status_code == 200
    html = response.text
    assert cell(html, "stp-rate") == "50.0 %"
    assert cell(html, "field-accuracy") == "50.0 %"
    assert cell(html, "data-sync") == "75.0 %"
    assert cell(html, "latency") == "5.0 min / 25.0 h"
    assert cell(html, "auto-match-count") == "50.0 %"
    assert html.count("<svg") == 5
    assert "POSTING_TARGET_UNAVAILABLE" in html and "<th>FR01</th>" in html and "<th>credit_note</th>" in html
    assert "consumer lag is not configured" in html


def test_a_user_sees_only_their_entities(client_for: Callable[..., TestClient]) -> None:
    client = client_for(GERMAN_REVIEWER)
    figures = client.get("/dashboard.json").json()["figures"]
    assert figures["documents_routed"] == 5 and figures["stp_rate"] == pytest.approx(3 / 5)
    assert "<th>FR01</th>" not in client.get("/dashboard").text
    assert client.get("/dashboard", params={"entity": "FR01"}).status_code == 403
    assert client_for(ADMIN).get("/dashboard.json", params={"entity": "FR01"}).json()["figures"][
        "documents_received"] == 1


def test_filters_and_bad_windows(client_for: Callable[..., TestClient]) -> None:
    client = client_for(ADMIN)
    notes = client.get("/dashboard.json", params={"document_type": "credit_note"}).json()
    assert notes["figures"]["documents_received"] == 1 and notes["document_type"] == "credit_note"
    assert len(client.get("/dashboard.json", params={"window": "24h", "bucket": "6h"}).json()["series"]) == 4
    assert client.get("/dashboard", params={"window": "soon"}).status_code == 422
    assert client.get("/dashboard", params={"window": "24h", "bucket": "1m"}).status_code == 422


def test_consumer_lag_on_the_dashboard(client_for: Callable[..., TestClient]) -> None:
    lag = [ConsumerLag(group="docket", topic="documents.received", partition=p, committed=1, end=4, lag=3)
           for p in (0, 1)]
    assert cell(client_for(ADMIN, lambda: lag).get("/dashboard").text, "total-lag") == "6"

    def down() -> list[ConsumerLag]:
        raise DocketError("no broker", code="KAFKA_LAG_UNAVAILABLE")

    assert "consumer lag unavailable: KAFKA_LAG_UNAVAILABLE" in client_for(ADMIN, down).get("/dashboard").text


def test_search_finds_and_links_documents(client_for: Callable[..., TestClient]) -> None:
    client = client_for(ADMIN)
    html = client.get("/search", params={"q": "re-b"}).text
    assert 'href="/documents/doc-b"' in html and 'href="/documents/doc-a"' not in html
    assert 'href="/documents/doc-a"' in client.get("/search", params={"amount": "119.00"}).text
    assert 'href="/documents/doc-b"' in client.get("/search", params={"date": "2026-11-10"}).text
    assert client.get("/search", params={"amount": "lots"}).status_code == 422
    assert client.get("/search", params={"date": "10.11.2026"}).status_code == 422
    assert 'href="/documents/doc-c"' not in client_for(GERMAN_REVIEWER).get("/search", params={"q": "doc-c"}).text


def test_document_page_shows_the_whole_trail(client_for: Callable[..., TestClient]) -> None:
    response = client_for(ADMIN).get("/documents/doc-b")
    assert response.status_code == 200
    html = response.text
    assert cell(html, "current-state").startswith("posted")
    for stage in ("received", "enriched", "routed", "review_requested", "reviewed", "posting_requested",
                  "posting_retrying", "posted"):
        assert f'class="stage-{stage}"' in html
    assert "POSTING_TARGET_UNAVAILABLE" in html and "SUP-doc-b" in html


def test_documents_of_other_entities_are_unknown(client_for: Callable[..., TestClient]) -> None:
    assert client_for(GERMAN_REVIEWER).get("/documents/doc-c").status_code == 404
    assert client_for(ADMIN).get("/documents/doc-c").status_code == 200
    assert client_for(ADMIN).get("/documents/no-such-doc").status_code == 404


def test_a_user_serving_no_entity_sees_no_documents() -> None:
    import pathlib
    import tempfile

    from connectors.stores.audit import AuditStore
    from connectors.stores.ops_queries import load_activity, search_documents
    from docket.ops.dashboard import build_dashboard
    from tests.unit.ops.scenario import NOW, WINDOW, day_of_documents
    directory = pathlib.Path(tempfile.mkdtemp())
    store = AuditStore(f"sqlite:///{directory / 'audit.db'}")
    store.record_many(day_of_documents())
    documents, events = load_activity(store.engine, since=NOW - WINDOW, until=NOW, entities=[])
    assert documents == [] and events == []
    assert search_documents(store.engine, text="", entities=[]) == []
    board = build_dashboard(*load_activity(store.engine, since=NOW - WINDOW, until=NOW), now=NOW, window=WINDOW,
                            bucket=WINDOW, entities=[])
    assert board.figures.documents_received == 0
    everything = build_dashboard(*load_activity(store.engine, since=NOW - WINDOW, until=NOW), now=NOW,
                                 window=WINDOW, bucket=WINDOW)
    assert everything.figures.documents_received > 0
    store.close()
