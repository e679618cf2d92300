"""A recorded Tryton instance whose pid now belongs to another process is not running: stopping it
must never signal that process (a reused pid once took a test broker down)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from infra import tryton


def _record(state_dir: Path, pid: int) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "instance.json").write_text(json.dumps(
        {"state_dir": str(state_dir), "database": "docket", "host": "127.0.0.1", "port": 1, "pid": pid}))


def test_a_pid_reused_by_another_process_is_not_the_instance(tmp_path: Path) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _record(tmp_path / "erp", other.pid)
        assert tryton.status(tmp_path / "erp") is None
        assert tryton.stop(tmp_path / "erp", report=lambda _: None) is False
        assert other.poll() is None  # still alive: it was not signalled
    finally:
        other.kill()
        other.wait()


def _exec_done(pid: int, word: bytes) -> None:
    """Wait until ``pid`` runs its own program: between fork and exec its command line is still this
    process's (a busy machine showed that window)."""
    deadline = time.monotonic() + 10
    while word not in Path(f"/proc/{pid}/cmdline").read_bytes() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_live_trytond_pid_is_the_instance(tmp_path: Path) -> None:
    # A process whose command line names trytond (as the real server's does) counts as running.
    fake = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "trytond"])
    try:
        _exec_done(fake.pid, b"trytond")
        _record(tmp_path / "erp", fake.pid)
        found = tryton.status(tmp_path / "erp")
        assert found is not None and found.pid == fake.pid
    finally:
        fake.kill()
        fake.wait()
    assert os.path.exists(tmp_path / "erp" / "instance.json")
