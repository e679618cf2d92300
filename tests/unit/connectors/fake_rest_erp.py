"""A small AP REST API on 127.0.0.1 (http.server in a thread) for the REST sink tests.

POST /invoices creates an invoice, idempotent by ``Idempotency-Key`` (a repeat answers 409);
it refuses a non-positive total (422) and a blocked supplier (422, "party BLOCKED is blocked").
Other paths simulate an outage (/fail), a slow target (/slow), Stripe-style replays
(/replaying), a 422 "duplicate" answer (/dupe-422) and OAuth2 (/oauth/token, /oauth-invoices).
POST /crm is a CRM's event endpoint (won deals, subscriptions, account changes) keyed by the
CRM's account id; it refuses an event without one, or for the blocked account "BLOCKED". The
invoice paths take such events too (a combined API).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeErp:
    """A small AP API: POST /invoices creates (idempotent by key, 409 on a repeat)."""

    created: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen_headers: list[dict[str, str]] = field(default_factory=list)
    token_calls: int = 0
    token_lifetime: int = 3600
    issued_tokens: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(erp: FakeErp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with erp.lock:
                erp.seen_headers.append(dict(self.headers.items()))
            if self.path == "/oauth/token":
                return self._token(raw)
            if self.path == "/fail":
                return self._reply(503, {"error": "maintenance"})
            if self.path == "/busy":
                return self._reply(429, {"error": "rate limited"}, {"Retry-After": "2"})
            if self.path == "/slow":
                time.sleep(1.5)
                return self._reply(201, {"id": 1})
            if self.path.startswith("/oauth-invoices"):
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in erp.issued_tokens:
                    return self._reply(401, {"error": "invalid_token"})
            if self.path == "/crm":
                return self._crm(raw)
            if self.path == "/replaying":
                return self._invoices(raw, repeat_status=200)
            if self.path == "/dupe-422":
                return self._invoices(raw, repeat_status=422)
            return self._invoices(raw, repeat_status=409)

        def _token(self, raw: bytes) -> None:
            expected = base64.b64encode(b"docket:s3cret").decode()
            if self.headers.get("Authorization") != f"Basic {expected}" or b"client_credentials" not in raw:
                return self._reply(401, {"error": "invalid_client"})
            with erp.lock:
                erp.token_calls += 1
                token = f"tok-{erp.token_calls}"
                erp.issued_tokens.add(token)
            self._reply(200, {"access_token": token, "token_type": "Bearer",
                              "expires_in": erp.token_lifetime})

        def _crm(self, raw: bytes) -> None:
            """A CRM's event endpoint: refuses an account it does not know (no id) or a blocked one."""
            payload = json.loads(raw)
            account = (payload.get("account") or {}).get("id")
            if not account:
                return self._reply(422, {"errors": [{"field": "account.id", "message": "account id required"}]})
            if account == "BLOCKED":
                return self._reply(422, {"errors": [{"field": "account", "message": "account BLOCKED is blocked"}]})
            self._create(payload, "CRM", 409)

        def _create(self, payload: dict[str, Any], prefix: str, repeat_status: int) -> None:
            key = self.headers["Idempotency-Key"]
            with erp.lock:
                first = erp.created.get(key)
                if first is None:
                    serial = len(erp.created) + 1
                    erp.created[key] = {"payload": payload, "number": f"{prefix}-{serial:05d}", "id": serial}
            if first is None:
                return self._reply(201, {"id": erp.created[key]["id"], "number": erp.created[key]["number"]})
            return self._reply(repeat_status, {"error": "exists", "existing": {"id": first["id"],
                                                                              "number": first["number"]}})

        def _invoices(self, raw: bytes, repeat_status: int) -> None:
            payload = json.loads(raw)
            if "event" in payload:  # one endpoint taking both, as a combined ERP/CRM API does
                return self._crm(raw)
            if Decimal(payload["totalAmount"]) <= 0:
                return self._reply(422, {"errors": [{"field": "totalAmount", "message": "must be > 0"}]})
            if (payload.get("supplier") or {}).get("id") == "BLOCKED":
                return self._reply(422, {"errors": [{"field": "supplier", "message": "party BLOCKED is blocked"}]})
            key = self.headers["Idempotency-Key"]
            with erp.lock:
                first = erp.created.get(key)
                if first is None:
                    serial = len(erp.created) + 1
                    erp.created[key] = {"payload": payload, "number": f"AP-{serial:05d}", "id": serial}
            if first is None:
                return self._reply(201, {"id": erp.created[key]["id"], "number": erp.created[key]["number"]})
            if repeat_status == 200:
                return self._reply(200, {"id": first["id"], "number": first["number"]},
                                   {"Idempotent-Replayed": "true"})
            if repeat_status == 422:
                return self._reply(422, {"error": f"duplicate external id {key}"})
            return self._reply(409, {"error": "exists", "existing": {"id": first["id"], "number": first["number"]}})

    return Handler


@contextmanager
def running_erp() -> Iterator[tuple[FakeErp, str]]:
    """The fake API's state and base URL while the context is open."""
    state = FakeErp()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
