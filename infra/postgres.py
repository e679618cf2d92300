"""A throwaway PostgreSQL server from Debian's packages, for tests and local runs.

    python -m infra.postgres start [--port 15432] [--dir DIR] [--db docket]
    python -m infra.postgres status [--port 15432] [--dir DIR]
    python -m infra.postgres stop [--port 15432] [--dir DIR]

``start`` finds ``initdb``/``pg_ctl`` under ``/usr/lib/postgresql/*/bin`` (installing the Debian
``postgresql`` package with apt-get when they are missing and we are root), initialises a cluster
in ``DIR`` (default ``/tmp/docket-postgres-<port>``) with trust authentication for the user
``docket`` on 127.0.0.1 only, starts it, waits until it accepts connections and creates the
database. PostgreSQL refuses to run as root, so as root the server runs as the ``postgres``
system user (or a ``docket`` system user created for it). ``stop`` signals the postmaster by the
pid in its pid file and waits for it to exit. It prints the SQLAlchemy URL on start and status.
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from docket.errors import DocketError

DEFAULT_PORT = 15432
DEFAULT_DB = "docket"
SUPERUSER = "docket"


class PostgresError(DocketError):
    """The throwaway PostgreSQL server could not be installed, started or stopped."""

    code = "INFRA_POSTGRES_FAILED"


@dataclass(frozen=True)
class PostgresServer:
    """A running server: its postmaster pid, data directory and SQLAlchemy URL."""

    pid: int
    port: int
    data_dir: Path
    database: str

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{SUPERUSER}@127.0.0.1:{self.port}/{self.database}"


def default_dir(port: int) -> Path:
    return Path(os.environ.get("DOCKET_PG_DIR", f"/tmp/docket-postgres-{port}"))


def find_bin_dir(install: bool = True) -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding ``pg_ctl`` (installs it if allowed)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda path: int(Path(path).parent.parent.name.split(".")[0]))
    if found:
        return Path(found[-1]).parent
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], env=env).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
            subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], env=env, check=False)
        return find_bin_dir(install=False)
    raise PostgresError("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin "
                        "(install the Debian package: apt-get install -y postgresql)")


def _run_as() -> str | None:
    """The system user to run PostgreSQL as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "docket"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "docket"],
                   check=True)
    return "docket"


def _command(user: str | None, *args: str) -> list[str]:
    return ["runuser", "-u", user, "--", *args] if user else list(args)


def _pid_from(data_dir: Path) -> int | None:
    try:
        pid = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by the postgres user
    return pid


def status(port: int = DEFAULT_PORT, data_dir: Path | None = None, database: str = DEFAULT_DB) -> PostgresServer | None:
    """The running server for ``data_dir``, or None if none is running."""
    data_dir = data_dir or default_dir(port)
    pid = _pid_from(data_dir / "data")
    return None if pid is None else PostgresServer(pid, port, data_dir, database)


def start(port: int = DEFAULT_PORT, data_dir: Path | None = None, database: str = DEFAULT_DB,
          timeout: float = 60.0) -> PostgresServer:
    """Start (or find already running) a server on 127.0.0.1:``port`` with ``database`` created."""
    data_dir = data_dir or default_dir(port)
    running = status(port, data_dir, database)
    if running is not None:
        _create_database(find_bin_dir(), port, database)
        return running
    bin_dir = find_bin_dir()
    user = _run_as()
    pg_data = data_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    if user:
        shutil.chown(data_dir, user)
    if not (pg_data / "PG_VERSION").exists():
        _check(_command(user, str(bin_dir / "initdb"), "-D", str(pg_data), "-U", SUPERUSER,
                        "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"), "initdb")
    options = (f"-p {port} -k {data_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")
    _check(_command(user, str(bin_dir / "pg_ctl"), "-D", str(pg_data), "-l", str(data_dir / "server.log"),
                    "-o", options, "-w", "-t", str(int(timeout)), "start"), "pg_ctl start",
           log=data_dir / "server.log")
    _create_database(bin_dir, port, database)
    server = status(port, data_dir, database)
    if server is None:
        raise PostgresError(f"PostgreSQL on port {port} exited right after starting; see {data_dir}/server.log")
    return server


def stop(port: int = DEFAULT_PORT, data_dir: Path | None = None, timeout: float = 30.0) -> bool:
    """Stop the server by its pid (fast shutdown); True if one was running."""
    server = status(port, data_dir)
    if server is None:
        return False
    os.kill(server.pid, signal.SIGINT)  # SIGINT = "fast" shutdown: roll back, close, exit
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _pid_from(server.data_dir / "data") is None:
            return True
        time.sleep(0.1)
    raise PostgresError(f"PostgreSQL pid {server.pid} did not stop within {timeout:.0f} s")


def _create_database(bin_dir: Path, port: int, database: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", database):
        raise PostgresError(f"not a plain database name: {database!r}")
    psql = [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, "-d", "postgres",
            "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{database}'"]
    exists = subprocess.run(psql, capture_output=True, text=True)
    if exists.returncode != 0:
        raise PostgresError(f"psql failed: {exists.stderr.strip()}")
    if exists.stdout.strip() != "1":
        _check([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, database],
               "createdb")


def _check(command: list[str], what: str, log: Path | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        tail = log.read_text()[-2000:] if log and log.exists() else ""
        raise PostgresError(f"{what} failed ({result.returncode}): {result.stderr.strip()} {tail}".strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.postgres", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("DOCKET_PG_PORT", DEFAULT_PORT)))
    parser.add_argument("--dir", type=Path, default=None, help="state directory (default /tmp/docket-postgres-PORT)")
    parser.add_argument("--db", default=DEFAULT_DB)
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            server = start(args.port, args.dir, args.db)
            print(f"running pid={server.pid} url={server.url}")
        elif args.action == "stop":
            print("stopped" if stop(args.port, args.dir) else "not running")
        else:
            found = status(args.port, args.dir, args.db)
            print(f"running pid={found.pid} url={found.url}" if found else "not running")
            return 0 if found else 3
    except PostgresError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
