"""A real Tryton for tests: copied from the cached template database (PostgreSQL unless
``DOCKET_TRYTON_DB=sqlite``), on a free port in 18000-18099.

Startup failures are captured, not raised, so that the test using the server *fails* with the
reason (``pytest.fail``) instead of erroring at setup or skipping — also when ``CI=true``.
"""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.tryton import TrytonClient
from infra import tryton as infra_tryton

# 18081 is the test schema registry's port.
PORTS = [port for port in range(18000, 18100) if port != 18081]


def free_port(host: str = "127.0.0.1") -> int:
    """A port in 18000-18099 nobody listens on right now (picked at random: parallel sessions
    started by other people should not all reach for the same one)."""
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18000-18099 for Tryton")


@dataclass
class TrytonServer:
    """A Tryton started for a test session, or the reason it could not start."""

    state_dir: Path
    instance: infra_tryton.TrytonInstance | None = None
    error: str | None = None

    def require(self) -> infra_tryton.TrytonInstance:
        """The running instance; fails the calling test when Tryton did not start."""
        if self.instance is None:
            pytest.fail(f"Tryton could not start (integration tests never skip): {self.error}")
        return self.instance

    def client(self, *, timeout: float = 30.0) -> TrytonClient:
        instance = self.require()
        credentials = infra_tryton.load_credentials(self.state_dir)
        return TrytonClient(instance.url, instance.database, credentials.login, credentials.password,
                            timeout=timeout)

    def settings_fields(self) -> dict[str, Any]:
        """The ``Settings`` fields that point a worker at this server (``run_settings(..., **these)``)."""
        instance = self.require()
        credentials = infra_tryton.load_credentials(self.state_dir)
        return {"tryton_url": instance.url, "tryton_database": instance.database,
                "tryton_login": credentials.login, "tryton_password": SecretStr(credentials.password)}

    def restart(self) -> None:
        """Start the same database again on the same port (after :meth:`stop`)."""
        instance = self.require()
        self.instance = infra_tryton.start(self.state_dir, port=instance.port, database=instance.database,
                                           report=lambda _: None)

    def stop(self) -> None:
        infra_tryton.stop(self.state_dir, report=lambda _: None)


@contextmanager
def running_tryton(state_dir: Path) -> Iterator[TrytonServer]:
    """Start Tryton from the template (building it once per machine) and stop it on exit."""
    server = TrytonServer(state_dir=state_dir)
    try:
        server.instance = infra_tryton.start(state_dir, port=free_port(), fresh=True, report=lambda _: None)
    except Exception as error:  # any failure to start must surface in the tests, never skip them
        server.error = f"{type(error).__name__}: {error}"
    try:
        yield server
    finally:
        infra_tryton.remove(state_dir)
