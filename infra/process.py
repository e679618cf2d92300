"""Background processes with pid files: start, wait until ready, stop, status."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar


class InfraError(RuntimeError):
    """A local service could not be fetched, started or stopped; the message says what to do."""


@dataclass(frozen=True)
class ServiceStatus:
    """What ``status`` reports for one service."""

    name: str
    running: bool
    pid: int | None
    address: str
    detail: str = ""


class LocalService:
    """Where a service started by ``infra/`` keeps its files: ``<state_dir>/<service>/`` with a pid
    file and the process output. Mixed into the frozen dataclasses describing each service."""

    service: ClassVar[str]
    state_dir: Path

    @property
    def home(self) -> Path:
        return self.state_dir / self.service

    @property
    def pid_file(self) -> Path:
        return self.home / f"{self.service}.pid"

    @property
    def log_file(self) -> Path:
        return self.home / f"{self.service}.out"


def port_in_use(host: str, port: int) -> bool:
    """True when something already accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (for tests that start their own instance)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def read_pid(pid_file: Path) -> int | None:
    """The pid recorded in ``pid_file`` if that process is still alive, else None."""
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    # A zombie child still answers kill(0); treat it as gone.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return None
    except (FileNotFoundError, IndexError):
        return None
    return pid


def start_background(name: str, command: Sequence[str], *, log_file: Path, pid_file: Path,
                     env: Mapping[str, str] | None = None, cwd: Path | None = None) -> int:
    """Start ``command`` detached from this process (own session), output to ``log_file``.

    Returns the pid, also written to ``pid_file``. The child survives the caller, so
    ``docket infra up`` can return while the services keep running.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            list(command), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=cwd, env={**os.environ, **(env or {})}, start_new_session=True,
        )
    pid_file.write_text(str(process.pid))
    return process.pid


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, pid_file: Path | None = None,
               log_file: Path | None = None, interval: float = 0.25) -> float:
    """Poll ``check`` until it is true; return the seconds waited.

    Fails early with the log's tail when the process named by ``pid_file`` died meanwhile.
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        if pid_file is not None and read_pid(pid_file) is None:
            raise InfraError(f"{what} exited during start-up.{_tail(log_file)}")
        time.sleep(interval)
    raise InfraError(f"{what} was not ready after {timeout:.0f} s.{_tail(log_file)}")


def stop_process(pid_file: Path, *, timeout: float = 30.0) -> bool:
    """Stop the process group recorded in ``pid_file`` (TERM, then KILL); True if one was running."""
    pid = read_pid(pid_file)
    if pid is None:
        pid_file.unlink(missing_ok=True)
        return False
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and read_pid(pid_file) is not None:
        time.sleep(0.2)
    if read_pid(pid_file) is not None:
        _signal_group(pid, signal.SIGKILL)
        time.sleep(0.5)
    pid_file.unlink(missing_ok=True)
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, sig)


def _tail(log_file: Path | None, lines: int = 15) -> str:
    if log_file is None or not log_file.exists():
        return ""
    text = log_file.read_text(errors="replace").splitlines()[-lines:]
    return f"\nLast lines of {log_file}:\n" + "\n".join(text)


def require_tool(tool: str, hint: str) -> str:
    """The absolute path of ``tool`` on PATH, or an InfraError saying how to install it."""
    from shutil import which

    path = which(tool)
    if path is None:
        raise InfraError(f"{tool} not found on PATH: {hint}")
    return path


def java_major_version(java: str) -> int:
    """The major version of the ``java`` binary (17 for "17.0.15")."""
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    text = result.stderr or result.stdout
    for token in text.split():
        token = token.strip('"')
        if token[:1].isdigit():
            return int(token.split(".")[0])
    raise InfraError(f"could not read the Java version from: {text.strip()[:200]}")
