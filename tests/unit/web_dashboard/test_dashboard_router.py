"""The dashboard, search and trail pages through FastAPI's TestClient, with a stand-in login."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

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


def test_the_dashboard_shows_what_customers_wrote_per_entity(tmp_path: Path, templates: Jinja2Templates) -> None:
    from datetime import date
    from decimal import Decimal

    from connectors.stores.promises import BROKEN, PromiseStore
    from connectors.stores.review import ReviewStore
    from docket.cashapp.application import ledger_for
    from docket.cashapp.customer_mail import MAIL_BODY_PART, MAIL_PART_KEY, Promise, handle_mail
    from tests import factories

    audit = AuditStore(f"sqlite:///{tmp_path / 'audit.db'}")
    reviews, promises = ReviewStore(audit), PromiseStore(audit.engine)
    items = {entity: factories.open_item(legal_entity=entity) for entity in ("DE01", "FR01")}
    for document_id, entity, body in (
            ("m1", "DE01", "We dispute invoice INV-10023: the goods arrived damaged and we do not accept it."),
            ("m2", "FR01", "We dispute invoice INV-10023: the goods arrived damaged and we do not accept it."),
            ("m3", "DE01", "We have deducted 50.00 from invoice INV-10023 for the late delivery penalty.")):
        received = factories.received(
            envelope=factories.envelope(document_id=document_id, legal_entity=entity, versions={}), channel="mail",
            metadata={MAIL_PART_KEY: MAIL_BODY_PART, "mail_subject": "INV-10023", "mail_body": body})
        review = handle_mail(received, ledger_for(entity, [items[entity]], []), producer="t", now=NOW).review
        assert review is not None and reviews.add_request(review)
    for promise_id, promised, amount in (("p1", date(2026, 12, 15), "1190.00"), ("p2", date(2026, 11, 1), "400.00")):
        promises.record(Promise(promise_id=promise_id, legal_entity="DE01", document_id=promise_id,
                                customer_id="C-2001", open_item_ids=("OI-10023",), promised_date=promised,
                                amount=Decimal(amount), currency="EUR", recorded_at=NOW))
    promises.settle("p2", BROKEN, NOW)

    def client(user: User) -> TestClient:
        app = FastAPI()
        app.include_router(dashboard_router(lambda: audit, lambda: user, templates=templates, clock=lambda: NOW))
        return TestClient(app)

    rows = {r["legal_entity"]: r for r in client(ADMIN).get("/dashboard.json").json()["customer_mail"]}
    germany = rows["DE01"]
    assert (germany["disputes"], germany["deduction_claims"], germany["promises_open"], germany["promises_broken"]) \
        == (1, 1, 1, 1)
    assert Decimal(germany["dispute_amounts"]["EUR"]) == Decimal("1190.00")
    assert Decimal(germany["promised_amounts"]["EUR"]) == Decimal("1190.00")
    assert Decimal(germany["broken_amounts"]["EUR"]) == Decimal("400.00")
    assert rows["FR01"]["disputes"] == 1 and rows["FR01"]["promises_open"] == 0
    html = client(GERMAN_REVIEWER).get("/dashboard").text
    assert 'id="customer-mail"' in html and 'data-entity="DE01"' in html and 'data-entity="FR01"' not in html
    assert '<td class="broken">1</td><td>400.00 EUR</td>' in html
    audit.close()
