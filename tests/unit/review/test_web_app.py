"""The workspace app through FastAPI's TestClient: login, CSRF, the actions a task page offers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from connectors.blobstore import LocalBlobStore
from connectors.stores.review import ReviewStore
from connectors.web.app import create_app
from connectors.web.config import WebConfig
from docket.model import ReviewCompleted, VendorFieldPositions
from docket.review.passwords import hash_password
from docket.review.tasks import User
from streams.settings import Settings
from tests.documents import invoice_pdf
from tests.unit.review.builders import T0, anna, otto, request, rita

PASSWORD = "unit-test-password"
HASH = hash_password(PASSWORD)  # once: argon2 is slow by design


class Recorder:
    def __init__(self) -> None:
        self.published: list[ReviewCompleted] = []
        self.positions: list[VendorFieldPositions] = []
        self.fail = False

    def publish_positions(self, records: list[VendorFieldPositions]) -> None:
        self.positions.extend(records)

    def publish(self, verdict: ReviewCompleted) -> None:
        if self.fail:
            from docket.errors import DocketError

            raise DocketError("broker down", code="REVIEW_PUBLISH_FAILED", retryable=True)
        self.published.append(verdict)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ReviewStore]:
    opened = ReviewStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    yield opened
    opened.close()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(tmp_path: Path, store: ReviewStore, recorder: Recorder) -> TestClient:
    settings = Settings(state_dir=tmp_path, blob_dir=tmp_path / "blobs")
    stored = LocalBlobStore(settings.blob_root).put(invoice_pdf())
    task = request()
    store.add_request(task.model_copy(update={"document": task.document.model_copy(
        update={"blob_uri": stored.uri, "sha256": stored.sha256})}))
    for user in (rita, anna, otto):
        store.add_user(user, HASH, T0)
    store.add_user(User("ada", "administrator", frozenset({"*"})), HASH, T0)
    app = create_app(settings, store=store, publisher=recorder,
                     config=WebConfig(session_secret="unit", secure_cookies=False),  # the test client speaks http
                     clock=lambda: datetime(2026, 11, 22, 10, 0, tzinfo=UTC), tokens_file=tmp_path / "tokens.yaml")
    return TestClient(app)


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _log_in(client: TestClient, login: str) -> str:
    page = client.get("/login")
    answer = client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": _token(page.text)})
    assert answer.status_code == 200
    return _token(answer.text)


def test_pages_need_a_login_and_a_wrong_password_is_refused(client: TestClient) -> None:
    answer = client.get("/reviews/doc-1:0", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/reviews/doc-1%3A0"
    page = client.get("/login")
    refused = client.post("/login", data={"login": "rita", "password": "not-the-password",
                                          "csrf_token": _token(page.text)})
    assert refused.status_code == 401 and "wrong" in refused.text
    assert client.get("/reviews", follow_redirects=False).status_code == 303


def test_the_login_form_itself_needs_its_csrf_token(client: TestClient) -> None:
    answer = client.post("/login", data={"login": "rita", "password": PASSWORD, "csrf_token": "forged"})
    assert answer.status_code == 403


def test_reject_needs_a_reason_and_publishes_it(client: TestClient, recorder: Recorder, store: ReviewStore) -> None:
    token = _log_in(client, "rita")
    empty = client.post("/reviews/doc-1:0/reject", data={"csrf_token": token, "version": "1", "reason": " "})
    assert empty.status_code == 400 and "REVIEW_REASON_REQUIRED" in empty.text
    done = client.post("/reviews/doc-1:0/reject", data={"csrf_token": token, "version": "1",
                                                          "reason": "not our order"})
    assert done.status_code == 200
    (verdict,) = recorder.published
    assert (verdict.decision, verdict.reason, verdict.reviewer) == ("reject", "not our order", "rita")
    assert store.task("doc-1:0").status == "rejected"


def test_duplicate_names_the_original(client: TestClient, recorder: Recorder, store: ReviewStore) -> None:
    token = _log_in(client, "rita")
    client.post("/reviews/doc-1:0/duplicate", data={"csrf_token": token, "version": "1", "duplicate_of": "doc-0"})
    (verdict,) = recorder.published
    assert (verdict.decision, verdict.duplicate_of) == ("duplicate", "doc-0")
    assert store.task("doc-1:0").status == "duplicate"


def test_assigning_moves_the_version_so_an_older_page_is_stale(client: TestClient, recorder: Recorder,
                                                                store: ReviewStore) -> None:
    token = _log_in(client, "rita")
    client.post("/reviews/doc-1:0/assign", data={"csrf_token": token, "version": "1", "assignee": "anna"})
    task = store.task("doc-1:0")
    assert (task.assignee, task.version, task.status) == ("anna", 2, "open")
    stale = client.post("/reviews/doc-1:0/approve", data={"csrf_token": token, "version": "1"})
    assert stale.status_code == 409 and "REVIEW_TASK_STALE" in stale.text
    assert recorder.published == []


def test_a_failed_publish_leaves_the_task_open_and_says_so(client: TestClient, recorder: Recorder,
                                                           store: ReviewStore) -> None:
    token = _log_in(client, "rita")
    recorder.fail = True
    answer = client.post("/reviews/doc-1:0/approve", data={"csrf_token": token, "version": "1"})
    assert answer.status_code == 503 and "REVIEW_PUBLISH_FAILED" in answer.text
    assert store.task("doc-1:0").status == "open"


def test_a_clicked_correction_publishes_the_vendors_learned_positions(client: TestClient, recorder: Recorder,
                                                                     store: ReviewStore) -> None:
    token = _log_in(client, "rita")
    box = '{"page": 1, "x0": 0.6, "y0": 0.1, "x1": 0.8, "y1": 0.12}'
    answer = client.post("/reviews/doc-1:0/approve", data={"csrf_token": token, "version": "1",
                                                            "f_number": "VG-2025-0417", "box_number": box})
    assert answer.status_code == 200
    (record,) = recorder.positions
    assert (record.legal_entity, record.vendor_id, record.document_type) == ("DE01", "V-1001", "invoice")
    assert [(p.field, p.page, p.x0, p.samples) for p in record.positions] == [("number", 1, 0.6, 1)]
    assert store.field_positions("DE01", "V-1001")[0].x1 == 0.8


def test_an_invalid_correction_is_refused_before_anything_is_published(client: TestClient,
                                                                       recorder: Recorder) -> None:
    token = _log_in(client, "rita")
    answer = client.post("/reviews/doc-1:0/approve", data={"csrf_token": token, "version": "1",
                                                            "f_issue_date": "yesterday-ish"})
    assert answer.status_code == 400 and "REVIEW_CORRECTION_INVALID" in answer.text
    assert recorder.published == []


def test_opening_a_task_starts_its_touch_time_once(client: TestClient, store: ReviewStore) -> None:
    _log_in(client, "rita")
    assert client.get("/reviews/doc-1:0").status_code == 200
    first = store.task("doc-1:0").opened_at
    client.get("/reviews/doc-1:0")
    assert first == datetime(2026, 11, 22, 10, 0, tzinfo=UTC) == store.task("doc-1:0").opened_at


def test_page_images_render_and_a_missing_page_is_404(client: TestClient) -> None:
    _log_in(client, "rita")
    image = client.get("/reviews/doc-1:0/pages/1.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert client.get("/reviews/doc-1:0/pages/9.png").status_code == 404


def test_logout_ends_the_session(client: TestClient) -> None:
    token = _log_in(client, "rita")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/reviews", follow_redirects=False).status_code == 303


def test_the_bank_account_is_blacked_out_on_the_page_image_unless_unmasked(client: TestClient) -> None:
    import io

    import numpy as np
    from PIL import Image

    from connectors.web import pages
    from tests.unit.review.builders import request as build_request

    iban = build_request().document.record.supplier_iban
    layout = pages.page_layout("probe", invoice_pdf())
    (word,) = [w for w in layout.words[1] if w.text == iban]

    def darkness(png: bytes) -> float:
        pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
        height, width = pixels.shape
        box = pixels[int(word.y0 * height):int(word.y1 * height) + 1, int(word.x0 * width):int(word.x1 * width) + 1]
        return 255.0 - float(box.mean())

    _log_in(client, "rita")
    masked = client.get("/reviews/doc-1:0/pages/1.png").content
    token = _log_in(client, "anna")
    client.post("/reviews/doc-1:0/unmask", data={"csrf_token": token, "field": "supplier_iban"})
    clear = client.get("/reviews/doc-1:0/pages/1.png").content
    assert darkness(masked) > 200 > darkness(clear)  # a solid bar for rita, dark text on white for anna


def test_administrators_issue_and_revoke_api_tokens_the_http_source_accepts(client: TestClient,
                                                                           tmp_path: Path) -> None:
    from connectors.sources.tokens import TokenStore

    token = _log_in(client, "ada")
    page = client.post("/admin/tokens", data={"csrf_token": token, "name": "scanner-berlin",
                                              "scope": ["documents:submit"], "entities": "DE01"})
    found = re.search(r'id="issued-token">([^<]+)<', page.text)
    assert page.status_code == 200 and found is not None
    issued = found.group(1)
    stored = (tmp_path / "tokens.yaml").read_text()
    assert issued not in stored and "scanner-berlin" in stored
    accepted = TokenStore.from_file(tmp_path / "tokens.yaml").authenticate(issued)
    assert accepted.name == "scanner-berlin" and accepted.legal_entities == frozenset({"DE01"})
    assert issued not in client.get("/admin/tokens").text  # shown once
    client.post("/admin/tokens/scanner-berlin/revoke", data={"csrf_token": token})
    assert "scanner-berlin" not in (tmp_path / "tokens.yaml").read_text()


def test_reviewers_cannot_manage_tokens_or_users(client: TestClient) -> None:
    token = _log_in(client, "rita")
    assert client.get("/admin/tokens").status_code == 403
    assert client.post("/admin/tokens", data={"csrf_token": token, "name": "x", "scope": ["admin"]}).status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_a_payment_task_shows_its_candidates_and_approves_the_chosen_items(client: TestClient, store: ReviewStore,
                                                                          recorder: Recorder) -> None:
    from docket.model import CashCandidate
    from tests import factories

    application = factories.cash_application(status="review", candidates=[
        CashCandidate(customer_id="C-2001", open_item_ids=["OI-10023"], score=0.71, evidence=["amount"]),
        CashCandidate(customer_id="C-2001", open_item_ids=["OI-10031", "OI-10032"], score=0.64,
                      evidence=["payer name"])])
    payment = request("pay-1").model_copy(update={"task_id": "cash:STMT-1:3", "cash_application": application})
    payment = payment.model_copy(update={"document": payment.document.model_copy(update={"blob_uri": "",
                                                                                          "sha256": ""})})
    store.add_request(payment)
    token = _log_in(client, "rita")
    page = client.get("/reviews/cash:STMT-1:3")
    assert page.status_code == 200
    assert "OI-10031, OI-10032" in page.text and "INV-10023" in page.text and "1,190.00" in page.text
    assert "no document image" in page.text
    client.post("/reviews/cash:STMT-1:3/approve", data={"csrf_token": token, "version": "1",
                                                         "open_item_ids": "OI-10031, OI-10032",
                                                         "open_item_ids_other": "", "customer_id": "C-2001"})
    (verdict,) = recorder.published
    assert [(c.field, c.new_value) for c in verdict.corrections] == [("open_item_ids", "OI-10031, OI-10032")]


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example/x", "https://evil.example/"])
def test_after_login_only_a_path_on_this_site_is_followed(client: TestClient, target: str) -> None:
    page = client.get("/login")
    answer = client.post("/login", data={"login": "rita", "password": PASSWORD, "csrf_token": _token(page.text),
                                         "next": target}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/reviews"


def test_a_customer_mail_task_shows_the_mail_and_the_open_items_it_names(client: TestClient,
                                                                          store: ReviewStore) -> None:
    from docket.cashapp.application import ledger_for
    from docket.cashapp.customer_mail import MAIL_BODY_PART, MAIL_PART_KEY, handle_mail
    from tests import factories

    received = factories.received(
        envelope=factories.envelope(document_id="mail-9", versions={}), channel="mail", media_type="text/plain",
        metadata={MAIL_PART_KEY: MAIL_BODY_PART, "mail_from": "ap@beispiel.example", "mail_subject": "INV-10023",
                  "mail_body": "We dispute invoice INV-10023: the goods arrived damaged <b>twice</b>."})
    ledger = ledger_for("DE01", [factories.open_item()], [factories.customer()])
    review = handle_mail(received, ledger, producer="t", now=T0).review
    assert review is not None and store.add_request(review)
    _log_in(client, "rita")
    page = client.get("/reviews/mail:mail-9")
    assert page.status_code == 200 and 'id="customer-mail"' in page.text
    assert "CUSTOMER_DISPUTE" in page.text and "ap@beispiel.example" in page.text
    assert "damaged &lt;b&gt;twice&lt;/b&gt;" in page.text  # the customer's words, escaped
    assert "<td>OI-10023</td>" in page.text and "1190.00 EUR open" in page.text and "its text is above" in page.text
    assert 'name="f_total"' in page.text and 'readonly' in page.text.split('name="f_total"')[1][:200]
