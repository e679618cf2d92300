"""The contract suite runs once per sink kind; the Tryton run starts a real server for the session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from streams.settings import Settings
from tests.contract.crm_harness import crm_harness
from tests.contract.harness import SinkFactory, SinkHarness, ledger_harness, memory_harness, tryton_harness
from tests.contract.sales_harness import sales_harness
from tests.contract.topic_harness import kafka_stack, topic_harness
from tests.contract.tryton_server import TrytonServer, running_tryton
from tests.unit.connectors.contract_harnesses import (
    file_harness,
    file_set_harness,
    rest_crm_harness,
    rest_harness,
    sql_harness,
)

SINK_FACTORIES: dict[str, SinkFactory] = {
    "memory": memory_harness,
    "ledger+memory": ledger_harness,
    "rest": rest_harness,
    "rest-crm": rest_crm_harness,
    "sql": sql_harness,
    "files": file_harness,
    "files-from-settings": file_set_harness,
    "tryton": tryton_harness,
    "topic": topic_harness,
    "tryton-sales": sales_harness,
    "tryton-crm": crm_harness,
}
NEEDS_TRYTON = {"tryton", "tryton-sales", "tryton-crm"}
NEEDS_KAFKA = {"topic"}
NEEDS_SERVICES = NEEDS_TRYTON | NEEDS_KAFKA


class _Unavailable:
    """Stands in for a harness whose target could not start: any use fails the test (never skips)."""

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def __getattr__(self, name: str) -> Any:
        pytest.fail(self._reason)


@pytest.fixture(scope="session")
def tryton_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-contract")) as server:
        yield server


@pytest.fixture(scope="session")
def kafka() -> Iterator[Settings]:
    yield from kafka_stack()


@pytest.fixture(params=[pytest.param(name, marks=[pytest.mark.integration] if name in NEEDS_SERVICES else [])
                        for name in SINK_FACTORIES])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SinkHarness]:
    server: TrytonServer | None = None
    if request.param in NEEDS_TRYTON:
        server = request.getfixturevalue("tryton_server")
        if server.instance is None:
            yield _Unavailable(f"Tryton could not start: {server.error}")  # type: ignore[misc]
            return
    if request.param in NEEDS_KAFKA:
        request.getfixturevalue("kafka")
    made = SINK_FACTORIES[request.param](tmp_path, server)
    yield made
    for cleanup in made.cleanups:
        cleanup()
    made.sink.close()
