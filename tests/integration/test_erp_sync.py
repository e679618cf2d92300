"""The periodic ERP sync agent on real Kafka + real Tryton: new parties appear, unchanged ones are not re-sent."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from docket.model import Vendor
from streams.inspect import read_raw
from streams.settings import Settings
from tests.contract.tryton_server import TrytonServer, running_tryton
from tests.integration.harness import REPO, Worker, codecs_for, create_all_topics, run_settings, settings_env, wait_for

INTERVAL_S = 2.0
WORKER_SCRIPT = """
import faust
from agents.registry import load_agents
from streams.app import app, settings
from streams.logging import configure_logging
configure_logging(settings.log_format, "info")
load_agents(("agents.erp_sync",))
faust.Worker(app, loglevel="info", redirect_stdouts=False, override_logging=False).execute_from_commandline()
"""


class SyncWorker(Worker):
    """A worker running only the ERP sync timer."""

    def start(self, timeout: float = 120.0) -> None:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}, **settings_env(self.settings)}
        (self.settings.state_dir / "faust").mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT], cwd=REPO, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-sync")) as server:
        yield server


@pytest.fixture
def sync_run(infra: Settings, tryton: TrytonServer, tmp_path: Path) -> Settings:
    settings = run_settings(infra, tmp_path, **tryton.settings_fields(),
                            erp_sync_interval_s=INTERVAL_S, default_legal_entity="DEMO")
    create_all_topics(settings)
    return settings


def _vendors(settings: Settings) -> list[tuple[str, Vendor | None]]:
    codec = codecs_for(settings).for_topic("masterdata.vendors")
    return [(m.key().decode(), codec.decode(m.value()) if m.value() else None)
            for m in read_raw(settings, "masterdata.vendors", idle_timeout=1.5)]


def test_a_party_added_in_tryton_appears_on_masterdata_vendors_and_nothing_else_is_resent(
        sync_run: Settings, tryton: TrytonServer, tmp_path: Path) -> None:
    worker = SyncWorker(sync_run, tmp_path / "worker.log")
    worker.start()
    try:
        first = wait_for(lambda: [k for k, _ in _vendors(sync_run) if k == "DEMO:V-1001"], timeout=180,
                         what="the first sync", on_timeout=worker.log_tail)
        assert first == ["DEMO:V-1001"]

        client = tryton.client(timeout=60)
        code = f"V-{uuid.uuid4().hex[:6]}"
        party_id, = client.model("party.party", "create", [{"name": f"Newly Added Supplies {code}", "code": code,
                                                            "addresses": [["create", [{"city": "Bremen"}]]]}])

        def new_vendor() -> list[Vendor]:
            return [v for k, v in _vendors(sync_run) if k == f"DEMO:{code}" and v is not None]

        added, = wait_for(new_vendor, timeout=60, what=f"vendor {code} on masterdata.vendors",
                          on_timeout=worker.log_tail)
        assert added.name == f"Newly Added Supplies {code}" and added.legal_entity == "DEMO"
        assert added.party_id == code and added.erp_id is not None
        # Several runs have passed since the first one (the new party needed at least one more):
        # the unchanged vendors were published once each, the new one once.
        keys = [k for k, _ in _vendors(sync_run)]
        assert keys.count("DEMO:V-1001") == 1
        assert keys.count(f"DEMO:{code}") == 1
        assert len(keys) == len(set(keys))

        # A party deleted in Tryton is deleted downstream too: a tombstone follows its record.
        client.model("party.party", "delete", [party_id])
        wait_for(lambda: [v for k, v in _vendors(sync_run) if k == f"DEMO:{code}"][-1] is None, timeout=60,
                 what=f"the tombstone of {code}", on_timeout=worker.log_tail)
        client.close()
    finally:
        worker.stop()
