"""Each role's limits, in a real browser: entities, masked bank details, read-only auditors,
logged unmasking, administrators managing users. Also saves the queue and task screenshots
under docs/screenshots/ (the dashboard's is taken by the pipeline test, on real traffic).

Verdicts go to a recording publisher here (these tests are about access, not Kafka); the
pipeline test publishes through the real broker.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from connectors.blobstore import LocalBlobStore
from connectors.stores.review import ReviewStore
from connectors.web.app import create_app
from connectors.web.config import WebConfig
from docket.model import ReviewCompleted, ReviewRequested
from streams.settings import Settings
from tests.browser.conftest import SCREENSHOTS, log_in, log_out, serving
from tests.browser.documents import two_page_invoice
from tests.browser.seed import PASSWORD, add_users, task_for

IBAN = "DE89370400440532013000"  # V-1001's account in the sample master data
FR_IBAN = "FR1420041010050500013M02606"


class Recorder:
    def __init__(self) -> None:
        self.published: list[ReviewCompleted] = []

    def publish(self, verdict: ReviewCompleted) -> None:
        self.published.append(verdict)

    def publish_positions(self, records: list[Any]) -> None:
        """Learned positions are not what these tests look at."""


@dataclass
class Workspace:
    base: str
    store: ReviewStore
    recorder: Recorder
    de_task: ReviewRequested
    fr_task: ReviewRequested


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    settings = Settings(state_dir=tmp_path / "state", blob_dir=tmp_path / "blobs")
    settings.state_dir.mkdir(parents=True)
    store = ReviewStore(settings.audit_database_url)
    blobs = LocalBlobStore(settings.blob_root)
    add_users(store)
    de_task = task_for(store, blobs, two_page_invoice(number="RE-2026-1187", supplier="Acme Office Supplies Ltd",
                                                      vat_id="DE136695976", iban=IBAN, number_label="Ref."), "DE01",
                       minutes_ago=90)
    task_for(store, blobs, two_page_invoice(number="HB-77120", supplier="Hoffmann & Brandt GmbH & Co. KG",
                                            vat_id="DE359923191", iban="DE08401645288234154580", net="820.00"),
             "DE01", minutes_ago=30)
    fr_task = task_for(store, blobs, two_page_invoice(number="F-2026-310", supplier="Papeterie Lumière SARL",
                                                      vat_id="FR40303265045", iban=FR_IBAN, net="2400.00"), "FR01")
    recorder = Recorder()
    app = create_app(settings, store=store, publisher=recorder,
                     config=WebConfig(session_secret="browser-tests", secure_cookies=False))  # plain http here
    with serving(app) as base:
        yield Workspace(base, store, recorder, de_task, fr_task)
    store.close()


def test_a_reviewer_sees_only_their_entity_and_no_bank_details(page: Page, workspace: Workspace) -> None:
    log_in(page, workspace.base, "rita", PASSWORD)
    rows = page.locator("table.tasks tbody tr[data-task]")
    shown = [rows.nth(i).get_attribute("data-task") for i in range(rows.count())]
    assert len(shown) == 2 and workspace.de_task.task_id in shown and workspace.fr_task.task_id not in shown
    page.select_option("select[name=sort]", "amount")
    page.click("form.filters button[type=submit]")
    amounts = page.locator("table.tasks tbody td.num").all_inner_texts()
    assert amounts == ["975.80 EUR", "476.00 EUR"]  # largest first
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    page.click(f"a[href='/reviews/{workspace.de_task.task_id}']")
    page.wait_for_selector(".page-frame img")
    assert page.locator("figure.page").count() == 2  # both pages of the scan are shown
    iban_field = page.locator("#f_supplier_iban")
    assert iban_field.input_value().endswith(IBAN[-4:]) and IBAN not in iban_field.input_value()
    assert iban_field.get_attribute("readonly") is not None
    assert IBAN not in page.content()  # not in the form, not in the clickable words, nowhere
    assert page.locator("button:has-text('Show')").count() == 0
    page.click("#f_total")  # the field's box on page 2 lights up
    assert page.locator(".field-box.active[data-field='total']").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "task.png"), full_page=False)

    # Another entity's task is refused even by its address.
    response = page.goto(f"{workspace.base}/reviews/{workspace.fr_task.task_id}")
    assert response is not None and response.status == 403
    assert "REVIEW_NOT_PERMITTED" in page.content()
    image = page.request.get(f"{workspace.base}/reviews/{workspace.fr_task.task_id}/pages/1.png")
    assert image.status == 403


def test_a_reviewer_cannot_approve_above_their_limit(page: Page, workspace: Workspace) -> None:
    log_in(page, workspace.base, "rita", PASSWORD)
    page.goto(f"{workspace.base}/reviews/{workspace.de_task.task_id}")
    page.fill("#f_total", "1476.00")
    page.click("#approve")
    page.wait_for_load_state("networkidle")
    assert "REVIEW_ABOVE_LIMIT" in page.content()
    assert workspace.recorder.published == []
    assert workspace.store.task(workspace.de_task.task_id).status == "open"


def test_an_auditor_reads_every_entity_but_cannot_approve(page: Page, workspace: Workspace) -> None:
    log_in(page, workspace.base, "otto", PASSWORD)
    assert page.locator("table.tasks tbody tr[data-task]").count() == 3
    page.goto(f"{workspace.base}/reviews/{workspace.fr_task.task_id}")
    assert page.locator("#approve").count() == 0
    assert page.locator("#f_total").get_attribute("readonly") is not None
    assert FR_IBAN not in page.content()
    # Posting the form by hand (with a valid CSRF token) is refused by the server as well.
    token = page.locator("input[name=csrf_token]").first.input_value()
    response = page.request.post(f"{workspace.base}/reviews/{workspace.fr_task.task_id}/approve",
                                 form={"csrf_token": token, "version": "1"})
    assert response.status == 403 and "REVIEW_NOT_PERMITTED" in response.text()
    assert workspace.recorder.published == []
    assert workspace.store.task(workspace.fr_task.task_id).opened_at is None  # reading is not touching


def test_an_approver_unmasks_a_bank_account_and_it_is_logged(page: Page, workspace: Workspace) -> None:
    log_in(page, workspace.base, "anna", PASSWORD)
    page.goto(f"{workspace.base}/reviews/{workspace.de_task.task_id}")
    assert IBAN not in page.content()
    assert workspace.store.unmaskings() == []
    page.click("tr[data-field='supplier_iban'] button:has-text('Show')")
    page.wait_for_load_state("networkidle")
    assert page.locator("#f_supplier_iban").input_value() == IBAN
    (logged,) = workspace.store.unmaskings(workspace.de_task.envelope.document_id)
    assert (logged.login, logged.field) == ("anna", "supplier_iban")


def test_a_post_without_the_csrf_token_is_refused(page: Page, workspace: Workspace) -> None:
    log_in(page, workspace.base, "rita", PASSWORD)
    response = page.request.post(f"{workspace.base}/reviews/{workspace.de_task.task_id}/reject",
                                 form={"version": "1", "reason": "forged"})
    assert response.status == 403
    assert workspace.store.task(workspace.de_task.task_id).status == "open"


def test_an_administrator_adds_a_user_who_can_then_log_in(page: Page, workspace: Workspace) -> None:
    log_in(page, workspace.base, "ada", PASSWORD)
    assert page.url.endswith("/admin/users")
    page.fill("form.stacked input[name=login]", "fritz")
    page.fill("form.stacked input[name=password]", "fritz-password-1")
    page.select_option("form.stacked select[name=role]", "reviewer")
    page.fill("form.stacked input[name=entities]", "FR01")
    page.click("form.stacked button[type=submit]")
    assert "fritz" in page.locator("table.tasks").inner_text()
    response = page.goto(f"{workspace.base}/reviews")
    assert response is not None and response.status == 403  # administrators see no tasks
    log_out(page)
    log_in(page, workspace.base, "fritz", "fritz-password-1")
    rows = page.locator("table.tasks tbody tr[data-task]")
    assert rows.count() == 1 and rows.first.get_attribute("data-task") == workspace.fr_task.task_id
    assert page.request.get(f"{workspace.base}/admin/users").status == 403


def test_the_dashboard_is_in_the_workspace_navigation(page: Page, workspace: Workspace) -> None:
    log_in(page, workspace.base, "anna", PASSWORD)
    page.click("nav >> text=Dashboard")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/dashboard") and page.locator("h1").first.inner_text() != "That did not work"
