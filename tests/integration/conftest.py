"""Integration fixtures: the real stack (started by infra/), isolated topics, a worker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra import stack
from streams.settings import Settings
from tests.integration.harness import Worker, create_all_topics, infra_settings, run_settings


@pytest.fixture(scope="session")
def infra() -> Iterator[Settings]:
    """Kafka and the registry on the test ports; stopped at the end unless DOCKET_KEEP_INFRA=1."""
    base = infra_settings()
    local = stack.stack_for(base)
    stack.up(local)  # raises InfraError with the reason: the test errors, it never skips
    yield base
    if os.environ.get("DOCKET_KEEP_INFRA") != "1":
        stack.down(local)


@pytest.fixture
def run(infra: Settings, tmp_path: Path) -> Settings:
    """Settings for one test: a fresh topic prefix with every topic created."""
    settings = run_settings(infra, tmp_path)
    create_all_topics(settings)
    return settings


@pytest.fixture
def worker(run: Settings, tmp_path: Path) -> Iterator[Worker]:
    process = Worker(run, tmp_path / "worker.log")
    process.start()
    yield process
    process.stop()
