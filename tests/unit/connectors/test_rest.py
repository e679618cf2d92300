"""RestSink against a real HTTP server on 127.0.0.1 (http.server in a thread; no httpx mocks)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from connectors.base import PostingRejected, PostingSink, SinkClosed, TargetUnavailable
from connectors.mapping import MappingFailed, load_field_map
from connectors.rest import BearerToken, OAuth2ClientCredentials, RestSink
from tests.unit.connectors.fake_rest_erp import FakeErp, running_erp
from tests.unit.connectors.sink_requests import make_request


@pytest.fixture
def erp() -> Iterator[tuple[FakeErp, str]]:
    with running_erp() as running:
        yield running


MAP = load_field_map("rest_invoice.v1")


def _sink(base: str, path: str = "/invoices", **options: Any) -> RestSink:
    return RestSink(url=base + path, maps=MAP, **options)


def test_posts_the_mapped_payload_with_an_idempotency_key(erp: tuple[FakeErp, str]) -> None:
    state, base = erp
    sink = _sink(base, auth=BearerToken("secret-token"))
    assert isinstance(sink, PostingSink)
    request = make_request("doc-7")
    outcome = sink.post(request)
    assert outcome.status == "posted"
    stored = state.created[request.idempotency_key]
    assert outcome.erp_reference == stored["number"]
    assert outcome.erp_id == str(stored["id"])
    assert state.seen_headers[-1]["Idempotency-Key"] == request.idempotency_key
    assert state.seen_headers[-1]["Authorization"] == "Bearer secret-token"
    payload = stored["payload"]
    assert payload["totalAmount"] == "146.91" and payload["currency"] == "EUR"
    assert payload["kind"] == "AP_INVOICE"
    assert payload["issueDate"] == "2026-11-03"
    assert [line["quantity"] for line in payload["lines"]] == ["10", "1"]
    assert outcome.request["mapping_version"] == "rest_invoice/1"
    assert "secret-token" not in json.dumps(outcome.request)


def test_a_repeat_in_the_same_process_does_not_reach_the_target(erp: tuple[FakeErp, str]) -> None:
    state, base = erp
    sink = _sink(base)
    first = sink.post(make_request("doc-8"))
    calls = len(state.seen_headers)
    again = sink.post(make_request("doc-8"))
    assert again.status == "already_posted"
    assert again.erp_reference == first.erp_reference
    assert len(state.seen_headers) == calls


def test_409_from_a_new_sink_is_already_posted_with_the_first_reference(erp: tuple[FakeErp, str]) -> None:
    state, base = erp
    first = _sink(base).post(make_request("doc-9"))
    # A restarted process has no memory: the target's idempotency check answers 409.
    again = _sink(base, reference_path=("number", "existing.number"),
                  id_path=("id", "existing.id")).post(make_request("doc-9"))
    assert again.status == "already_posted"
    assert (again.erp_reference, again.erp_id) == (first.erp_reference, first.erp_id)
    assert len(state.created) == 1


def test_configured_already_exists_answer(erp: tuple[FakeErp, str]) -> None:
    state, base = erp
    _sink(base, "/dupe-422").post(make_request("doc-10"))
    assert len(state.created) == 1
    again = _sink(base, "/dupe-422", already_exists_pattern=r"duplicate external id").post(
        make_request("doc-10"))
    assert again.status == "already_posted"
    with pytest.raises(PostingRejected):
        _sink(base, "/dupe-422").post(make_request("doc-10"))


def test_replayed_header_marks_already_posted(erp: tuple[FakeErp, str]) -> None:
    _, base = erp
    first = _sink(base, "/replaying", replayed_header="Idempotent-Replayed").post(make_request("doc-11"))
    again = _sink(base, "/replaying", replayed_header="Idempotent-Replayed").post(make_request("doc-11"))
    assert (first.status, again.status) == ("posted", "already_posted")
    assert again.erp_reference == first.erp_reference


def test_4xx_is_rejected_with_the_target_body(erp: tuple[FakeErp, str]) -> None:
    state, base = erp
    with pytest.raises(PostingRejected) as caught:
        _sink(base).post(make_request("doc-12", total=Decimal("0")))
    assert "must be > 0" in caught.value.message
    assert caught.value.details["status"] == "422"
    assert not caught.value.retryable
    assert state.created == {}


def test_5xx_timeout_and_refused_connection_are_retryable(erp: tuple[FakeErp, str]) -> None:
    _, base = erp
    with pytest.raises(TargetUnavailable) as server_error:
        _sink(base, "/fail").post(make_request("doc-13"))
    assert server_error.value.retryable and server_error.value.details["status"] == "503"
    with pytest.raises(TargetUnavailable) as rate_limited:
        _sink(base, "/busy").post(make_request("doc-13"))
    assert rate_limited.value.details == {"status": "429", "retry_after": "2"}
    with pytest.raises(TargetUnavailable) as timeout:
        _sink(base, "/slow", timeout=0.3).post(make_request("doc-13"))
    assert timeout.value.details["reason"] == "timeout" and timeout.value.retryable
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(TargetUnavailable):
        RestSink(url=f"http://127.0.0.1:{closed_port}/invoices", maps=MAP).post(make_request("doc-13"))


def test_oauth2_token_is_fetched_once_and_refreshed_after_expiry(erp: tuple[FakeErp, str]) -> None:
    state, base = erp
    now = [1000.0]
    state.token_lifetime = 120
    credentials = OAuth2ClientCredentials(token_url=base + "/oauth/token", client_id="docket",
                                          client_secret="s3cret", expiry_margin_seconds=20)
    sink = _sink(base, "/oauth-invoices", auth=credentials, clock=lambda: now[0])
    sink.post(make_request("doc-20"))
    sink.post(make_request("doc-21"))
    assert state.token_calls == 1
    now[0] += 101  # past lifetime minus margin
    sink.post(make_request("doc-22"))
    assert state.token_calls == 2
    assert len(state.created) == 3


def test_revoked_token_is_fetched_again_once(erp: tuple[FakeErp, str]) -> None:
    state, base = erp
    credentials = OAuth2ClientCredentials(token_url=base + "/oauth/token", client_id="docket",
                                          client_secret="s3cret")
    sink = _sink(base, "/oauth-invoices", auth=credentials)
    sink.post(make_request("doc-23"))
    state.issued_tokens.clear()  # the server forgets every token it issued
    assert sink.post(make_request("doc-24")).status == "posted"
    assert state.token_calls == 2


def test_bad_client_secret_is_a_retryable_auth_failure(erp: tuple[FakeErp, str]) -> None:
    state, base = erp
    credentials = OAuth2ClientCredentials(token_url=base + "/oauth/token", client_id="docket",
                                          client_secret="wrong")
    with pytest.raises(TargetUnavailable) as caught:
        _sink(base, "/oauth-invoices", auth=credentials).post(make_request("doc-25"))
    assert caught.value.code == "POSTING_AUTH_FAILED" and caught.value.retryable
    assert state.created == {}


def test_unmappable_request_is_rejected_before_any_call(erp: tuple[FakeErp, str]) -> None:
    state, base = erp
    with pytest.raises(MappingFailed) as caught:
        _sink(base).post(make_request("doc-30", number=None))
    assert caught.value.code == "POSTING_MAPPING_FAILED"
    assert isinstance(caught.value, PostingRejected)
    assert state.seen_headers == []


def test_batch_returns_one_result_per_request_in_order(erp: tuple[FakeErp, str]) -> None:
    state, base = erp
    sink = _sink(base)
    results = sink.post_batch([make_request("doc-40"), make_request("doc-41", total=Decimal("0")),
                               make_request("doc-40"), make_request("doc-42")])
    assert [getattr(r, "status", getattr(r, "code", None)) for r in results] == [
        "posted", "POSTING_REJECTED", "already_posted", "posted"]
    assert len(state.created) == 2


def test_closed_sink_refuses(erp: tuple[FakeErp, str]) -> None:
    _, base = erp
    sink = _sink(base)
    sink.close()
    with pytest.raises(SinkClosed):
        sink.post(make_request("doc-50"))
