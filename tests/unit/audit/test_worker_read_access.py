"""The worker's read endpoints (``/trail/{id}/``, ``/metrics``) need the bearer token, through the
worker's own web server (Faust's aiohttp driver) and aiohttp's test client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from agents.audit import register_read_views
from agents.read_access import is_loopback, read_refusal
from connectors.stores.audit import AuditStore
from streams.app import make_app
from streams.settings import Settings
from tests.unit.audit.audit_events import life_of

TOKEN = "worker-read-token-for-tests"
Serve = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def audit(tmp_path: Path) -> AuditStore:
    store = AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    for event in life_of("doc-42"):
        store.record(event)
    return store


@pytest.fixture
async def serve(tmp_path: Path, audit: AuditStore) -> AsyncIterator[Serve]:
    clients: list[TestClient] = []

    async def start(**settings: object) -> TestClient:
        configured = Settings(state_dir=tmp_path, topic_prefix=f"t{len(clients)}-", **settings)  # type: ignore[arg-type]
        faust_app = make_app(configured)
        register_read_views(faust_app, configured, lambda: audit)
        client = TestClient(TestServer(faust_app.web.web_app))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()
    audit.close()


async def test_with_a_token_the_trail_and_metrics_need_it(serve: Serve) -> None:
    client = await serve(worker_read_token=SecretStr(TOKEN), web_host="0.0.0.0")
    for path in ("/trail/doc-42/", "/metrics"):
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
            answer = await client.get(path, headers=headers)
            assert answer.status == 401, (path, headers)
            assert (await answer.json())["error"]["code"] == "WORKER_READ_UNAUTHORIZED"
            assert answer.headers["WWW-Authenticate"] == "Bearer"
    allowed = await client.get("/trail/doc-42/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert allowed.status == 200 and (await allowed.json())["state"] is not None
    unknown = await client.get("/trail/nope/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert unknown.status == 404


async def test_without_a_token_a_worker_on_a_public_address_refuses_to_serve_them(serve: Serve) -> None:
    client = await serve(web_host="0.0.0.0")
    for path in ("/trail/doc-42/", "/metrics"):
        answer = await client.get(path, headers={"Authorization": "Bearer anything"})
        assert answer.status == 403
        body = await answer.json()
        assert body["error"]["code"] == "WORKER_READ_TOKEN_UNSET"
        assert "DOCKET_WORKER_READ_TOKEN" in body["error"]["message"]
        assert "doc-42" not in await answer.text()


async def test_without_a_token_a_loopback_worker_serves_the_trail(serve: Serve) -> None:
    client = await serve(web_host="127.0.0.1")
    answer = await client.get("/trail/doc-42/")
    assert answer.status == 200 and (await answer.json())["state"] is not None


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True),
                                                ("[::1]", True), ("localhost", True), ("0.0.0.0", False),
                                                ("10.0.0.5", False), ("worker", False), ("::", False)])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_token_is_compared_exactly() -> None:
    assert read_refusal(f"Bearer {TOKEN}", TOKEN, "0.0.0.0") is None
    assert read_refusal(f"bearer  {TOKEN} ", TOKEN, "0.0.0.0") is None  # the scheme is case-insensitive
    refused = read_refusal(f"Bearer {TOKEN}x", TOKEN, "127.0.0.1")
    assert refused is not None and refused.status == 401  # a set token is needed on loopback too
