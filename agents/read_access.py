"""Who may read the worker's HTTP endpoints (``/trail/{id}/``, ``/metrics``).

With ``DOCKET_WORKER_READ_TOKEN`` set, a request must carry ``Authorization: Bearer <token>``
(compared in constant time), wherever the worker listens. Without a token the endpoints answer only
while the worker's web server is bound to a loopback address (the default ``127.0.0.1``); bound to
anything else (``DOCKET_WEB_HOST=0.0.0.0``, as in docker-compose) they refuse every request until a
token is set. Trails name documents, vendors and amounts: they are not for the network at large.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """Why a read was refused: HTTP status, stable code, message."""

    status: int
    code: str
    message: str

    def body(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def read_refusal(authorization: str | None, token: str | None, bound_host: str) -> Refusal | None:
    """None when the request may read; else the refusal (see the module docstring)."""
    if token:
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode()):
            return None
        return Refusal(401, "WORKER_READ_UNAUTHORIZED",
                       "this endpoint needs 'Authorization: Bearer <DOCKET_WORKER_READ_TOKEN>'")
    if is_loopback(bound_host):
        return None
    return Refusal(403, "WORKER_READ_TOKEN_UNSET",
                   f"the worker listens on {bound_host}: set DOCKET_WORKER_READ_TOKEN to serve its trail and metrics")
