"""A worker started while its broker is away waits for it, says so, and works once it is there.

The broker here is one this test starts itself on free ports (never the shared test stack), so
the worker can be started first with nothing listening where it looks for Kafka.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.blobstore import LocalBlobStore
from connectors.sources.intake import Intake
from infra import kafka
from infra.process import free_port
from streams.producer import EventProducer
from streams.settings import Settings
from tests.documents import invoice_pdf
from tests.integration.harness import REPO, codecs_for, collect, create_all_topics, run_settings, wait_for


@pytest.fixture
def absent_broker(tmp_path: Path) -> Iterator[kafka.KafkaNode]:
    """A broker on free ports that is not started yet (the test starts it); stopped at the end."""
    node = kafka.KafkaNode(state_dir=tmp_path / "own-kafka", cache_dir=Settings().cache_dir, port=free_port(),
                           controller_port=free_port())
    yield node
    kafka.stop(node)


def _health(settings: Settings) -> tuple[int, dict[str, Any]] | None:
    try:
        response = httpx.get(f"http://127.0.0.1:{settings.web_port}/health", timeout=5)
    except httpx.HTTPError:
        return None
    return response.status_code, response.json()


def test_a_worker_started_without_its_broker_waits_and_then_processes(
        infra: Settings, absent_broker: kafka.KafkaNode, tmp_path: Path) -> None:
    settings = run_settings(infra, tmp_path, kafka_port=absent_broker.port,
                            kafka_controller_port=absent_broker.controller_port)
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    log_path = tmp_path / "worker.log"
    with log_path.open("ab") as log:
        worker = subprocess.Popen([sys.executable, "-m", "cli.main", "worker", "-l", "info"], cwd=REPO,
                                  env={**inherited, **settings.to_env()}, stdout=log, stderr=subprocess.STDOUT)
    try:
        def waiting() -> bool:
            assert worker.poll() is None, f"the worker exited with {worker.returncode}:\n{log_path.read_text()}"
            return _health(settings) == (503, {"status": "waiting_for_broker", "bootstrap": settings.bootstrap_servers})

        wait_for(waiting, timeout=120, what="the worker to report it waits for the broker",
                 on_timeout=log_path.read_text)
        assert "waiting_for_broker" in log_path.read_text()

        kafka.start(absent_broker)
        create_all_topics(settings)
        wait_for(lambda: worker.poll() is None and _health(settings) == (200, {"status": "ok"}), timeout=180,
                 what="the worker to connect", on_timeout=log_path.read_text)
        intake = Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs_for(settings)),
                        default_legal_entity="DE01")
        submitted = intake.submit(invoice_pdf(), "invoice.pdf", channel="test")
        intake.flush()

        extracted = collect(settings, "documents.extracted", until=lambda r: len(r) >= 1, timeout=180)
        assert [event.envelope.document_id for _, event in extracted] == [submitted.envelope.document_id]
        assert worker.poll() is None
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
