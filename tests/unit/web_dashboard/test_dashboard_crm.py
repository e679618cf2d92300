"""The dashboard page and JSON list the CRM side: contract dates, deals won, change forms waiting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from fastapi.testclient import TestClient
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from connectors.stores.audit import AuditStore
from connectors.web.dashboard import TEMPLATES, dashboard_router
from tests.unit.ops.crm_scenario import NOW
from tests.unit.ops.test_crm_board import recorded
from tests.unit.web_dashboard.test_dashboard_router import ADMIN, BASE, GERMAN_REVIEWER, User


@pytest.fixture
def client_for(tmp_path: Path) -> Iterator[Callable[[User], TestClient]]:
    audit = recorded(AuditStore(f"sqlite:///{tmp_path / 'audit.db'}"))
    base_dir = tmp_path / "base"
    base_dir.mkdir()
    (base_dir / "base.html").write_text(BASE)
    loader = ChoiceLoader([FileSystemLoader(str(base_dir)), FileSystemLoader(str(TEMPLATES))])
    templates = Jinja2Templates(env=Environment(loader=loader, autoescape=select_autoescape()))

    def make(user: User) -> TestClient:
        app = FastAPI()
        app.include_router(dashboard_router(lambda: audit, lambda: user, templates=templates, clock=lambda: NOW))
        return TestClient(app)

    yield make
    audit.close()


def test_the_dashboard_json_lists_contract_dates_deals_won_and_changes_waiting(
        client_for: Callable[[User], TestClient]) -> None:
    crm = client_for(ADMIN).get("/dashboard.json", params={"window": "24h"}).json()["crm"]

    assert (crm["today"], crm["horizon_days"]) == ("2026-11-22", 90)
    assert [(d["contract_number"], d["kind"], d["date"]) for d in crm["contract_dates"]][:2] == [
        ("K-2", "notice", "2026-12-30"), ("K-1", "renewal", "2027-01-01")]
    assert [o["erp_reference"] for o in crm["opportunities_won"]] == ["OPP-1"]
    assert [c["document_id"] for c in crm["changes_waiting"]] == ["chg-1", "chg-2"]
    wider = client_for(ADMIN).get("/dashboard.json", params={"window": "7d"}).json()["crm"]
    assert [o["erp_reference"] for o in wider["opportunities_won"]] == ["OPP-1", "OPP-2"]


def test_the_dashboard_page_shows_the_crm_tables_to_a_user_of_the_entity_only(
        client_for: Callable[[User], TestClient]) -> None:
    html = client_for(GERMAN_REVIEWER).get("/dashboard").text

    assert 'id="crm-contracts"' in html and 'id="crm-won"' in html and 'id="crm-changes"' in html
    assert '<td class="date">2027-01-01</td><td class="kind">renews</td>' in html
    assert '<td class="date">2026-12-30</td><td class="kind">notice due</td>' in html
    assert '<td class="date">2027-01-15</td><td class="kind">ends</td>' in html
    assert "K-6" not in html  # FR01's contract
    assert '<td class="opportunity">OPP-1</td>' in html and 'href="/documents/of-1"' in html
    assert html.count('class="bank-change"') == 1
    french = client_for(User("fabien", "reviewer", ["FR01"])).get("/dashboard").text
    assert "K-6" in french and "No customer change form is waiting for review." in french
