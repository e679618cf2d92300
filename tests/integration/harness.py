"""Helpers for integration tests: the real local stack, isolated topics, a worker subprocess.

Every test run uses its own topic prefix, so runs never see each other's events on the shared
broker. When the stack cannot start, the tests fail with the reason — they never skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from infra import postgres, stack
from infra.process import free_port
from streams.codecs import CodecRegistry, registry_client
from streams.inspect import group_ready, read_raw
from streams.settings import Settings
from streams.topics import create_topics, topics_for

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def throwaway_postgres(database: str) -> Iterator[postgres.PostgresServer]:
    """A PostgreSQL server of its own on a free port with ``database`` created; stopped and its
    files removed on exit."""
    port = free_port()
    # Not pytest's tmp_path: its parents are private to root, and the server runs as another user.
    state = Path(tempfile.mkdtemp(prefix="docket-pg-"))
    try:
        yield postgres.start(port=port, data_dir=state, database=database)
    finally:
        postgres.stop(port=port, data_dir=state)
        shutil.rmtree(state, ignore_errors=True)


def infra_settings() -> Settings:
    """The test stack's settings: its own ports and state dir, so a running demo is not disturbed."""
    # Explicit None: a DOCKET_REGISTRY_URL / DOCKET_KAFKA_BOOTSTRAP in the environment must not
    # send the integration tier to another cluster or to a mock registry.
    return Settings(
        kafka_bootstrap=None, registry_url=None,
        kafka_port=int(os.environ.get("DOCKET_TEST_KAFKA_PORT", "19092")),
        kafka_controller_port=int(os.environ.get("DOCKET_TEST_KAFKA_CONTROLLER_PORT", "19093")),
        registry_port=int(os.environ.get("DOCKET_TEST_REGISTRY_PORT", "18081")),
        state_dir=REPO / "var" / "test-infra",
    )


def run_settings(base: Settings, tmp: Path, **overrides: Any) -> Settings:
    """Settings for one test run: a fresh topic prefix, fast Faust session timeouts, temp dirs, and
    postings into files under ``tmp`` unless ``overrides`` name other targets (with their settings)."""
    values: dict[str, Any] = {
        "kafka_bootstrap": None, "registry_url": None,
        "kafka_port": base.kafka_port, "kafka_controller_port": base.kafka_controller_port,
        "registry_port": base.registry_port, "topic_prefix": f"it-{uuid.uuid4().hex[:8]}.",
        "partitions": 2, "state_dir": tmp / "state", "blob_dir": tmp / "blobs",
        "broker_session_timeout": 6.0, "broker_heartbeat_interval": 1.0, "capture_processes": 1,
        "web_port": free_port(), "log_format": "console",
        # A target that needs no server: a worker refuses to start without its targets' settings.
        "posting_targets": "files", "files_dir": tmp / "postings",
    }
    values.update(overrides)
    return Settings(**values)


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a subprocess read the same settings."""
    return settings.to_env()


def create_all_topics(settings: Settings) -> None:
    create_topics(settings.bootstrap_servers, topics_for(settings.posting_targets), prefix=settings.topic_prefix,
                  partitions=settings.partitions)


def codecs_for(settings: Settings) -> CodecRegistry:
    return CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)


class Worker:
    """A ``docket worker`` subprocess for one test run."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> None:
        # Only this run's settings: a DOCKET_* variable of the calling shell must not leak in.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
        env = {**inherited, **settings_env(self.settings)}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "cli.main", "worker", "-l", "info"],
                                        cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        wait_for(lambda: self._group_stable(), timeout=timeout, what="worker consumer group",
                 on_timeout=self.log_tail)

    def _group_stable(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"worker exited with {self.process.returncode}:\n{self.log_tail()}")
        return group_ready(self.settings)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()
        self.process = None

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def wait_for(check: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.5,
             on_timeout: Callable[[], str] | None = None) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    extra = f"\n{on_timeout()}" if on_timeout else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{extra}")


def collect(settings: Settings, logical_topic: str, *, until: Callable[[list[Any]], bool], timeout: float,
            codecs: CodecRegistry | None = None) -> list[tuple[Any, Any]]:
    """Read ``logical_topic`` from the start until ``until(records)`` holds; ``(message, event)`` pairs."""
    codecs = codecs or codecs_for(settings)
    codec = codecs.for_topic(logical_topic)

    def attempt() -> list[tuple[Any, Any]] | None:
        records = [(m, codec.decode(m.value()) if m.value() else None)
                   for m in read_raw(settings, logical_topic, idle_timeout=2.0)]
        return records if until(records) else None

    result = wait_for(attempt, timeout=timeout, what=f"records on {logical_topic}")
    assert isinstance(result, list)
    return result


def stack_up(settings: Settings) -> Iterator[stack.Stack]:
    local = stack.stack_for(settings)
    stack.up(local)
    yield local
