"""Tryton, run locally: build the demo database once, copy it per instance, start and stop trytond.

The template database (modules activated, company, chart, fiscal years, taxes, parties, API user)
is built once per machine and copied per instance. ``DOCKET_TRYTON_DB`` picks where it lives:

* ``postgresql`` (default): databases in a local PostgreSQL server (:mod:`infra.tryton_pg`), the
  copy is ``CREATE DATABASE ... TEMPLATE``; many instances (and concurrent writers) share it;
* ``sqlite``: a file under ``~/.cache/docket/tryton/`` (``DOCKET_TRYTON_CACHE`` overrides) copied
  into the instance's state directory — for a machine without PostgreSQL.

The state directory holds ``trytond.conf``, ``trytond.pid``, ``trytond.log``, ``instance.json``
(and the SQLite file or Tryton's file store).

CLI: ``python -m infra.tryton build|start|stop|status [--state-dir DIR] [--port N] [--force]``.
Every step prints how long it took.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from docket.errors import DocketError

CACHE_DIR = Path(os.environ.get("DOCKET_TRYTON_CACHE", Path.home() / ".cache" / "docket" / "tryton"))
TEMPLATE_DB = "docket_template"
MODULES = ("account_invoice", "account_statement", "account_statement_sepa",
           "account_eu", "purchase", "sale", "sale_opportunity", "sale_subscription")
DEFAULT_STATE_DIR = Path(__file__).resolve().parents[1] / "var" / "tryton"
DEFAULT_PORT = 8000
_CONFIGURE_SCRIPT = Path(__file__).with_name("tryton") / "configure_template.py"
BACKENDS = ("postgresql", "sqlite")

Report = Callable[[str], None]


class TrytonInfraError(DocketError):
    """Building, starting or stopping the local Tryton failed."""

    code = "INFRA_TRYTON_FAILED"


class TrytonMissing(TrytonInfraError):
    """The trytond executables are not installed next to this Python."""

    code = "INFRA_TRYTON_MISSING"


class PortInUse(TrytonInfraError):
    """Something already listens on the port trytond should use."""

    code = "INFRA_TRYTON_PORT_IN_USE"


@dataclass(frozen=True)
class Credentials:
    """The ``docket`` API user; its password is generated at build time, stored with the template."""

    login: str
    password: str


@dataclass(frozen=True)
class TrytonInstance:
    """A running (or recorded) trytond: where it listens and which database it serves."""

    state_dir: str
    database: str
    host: str
    port: int
    pid: int
    backend: str = "sqlite"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _executable(name: str) -> str:
    beside_python = Path(sys.executable).with_name(name)
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which(name)
    if found is None:
        raise TrytonMissing(f"{name} not found; install the erp extra (pip install -e '.[erp]')")
    return found


@contextlib.contextmanager
def _timed(step: str, report: Report, timings: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[step] = round(time.perf_counter() - started, 2)
    report(f"tryton: {step} took {timings[step]:.2f} s")


def backend() -> str:
    """Where the local Tryton keeps its databases: ``DOCKET_TRYTON_DB`` (postgresql or sqlite)."""
    chosen = os.environ.get("DOCKET_TRYTON_DB", "postgresql").strip().lower()
    if chosen not in BACKENDS:
        raise TrytonInfraError(f"DOCKET_TRYTON_DB={chosen!r}: expected one of {', '.join(BACKENDS)}")
    return chosen


def _write_config(path: Path, db_dir: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                  kind: str = "sqlite") -> None:
    from infra import tryton_pg

    uri = tryton_pg.uri() if kind == "postgresql" else "sqlite://"
    # Posting an invoice takes the invoice sequence's lock (NOWAIT); a concurrent poster retries
    # the whole call. trytond's default of 5 quick retries turns a busy sequence into HTTP 503.
    retry = "retry = 40\n" if kind == "postgresql" else ""
    path.write_text(
        f"[database]\nuri = {uri}\n{retry}"
        f"path = {db_dir}\n\n[web]\nlisten = {host}:{port}\n\n"
        # One session is reused for many calls; keep it alive for a working day.
        "[session]\nmax_age = 86400\ntimeout = 3600\n", encoding="utf-8")


def template_path(cache_dir: Path = CACHE_DIR) -> Path:
    """The cached template database file (may not exist yet)."""
    return cache_dir / f"{TEMPLATE_DB}.sqlite"


def load_credentials(directory: Path) -> Credentials:
    """The API user's credentials stored in ``directory`` (a cache or state dir)."""
    data = json.loads((directory / "credentials.json").read_text(encoding="utf-8"))
    return Credentials(login=data["docket_login"], password=data["docket_password"])


def connection(state_dir: Path = DEFAULT_STATE_DIR) -> dict[str, str]:
    """What a :class:`~connectors.tryton.TrytonClient` needs to reach the instance in ``state_dir``:
    ``url``, ``database``, ``login``, ``password``. Raises :class:`TrytonInfraError` when none runs."""
    instance = status(state_dir)
    if instance is None:
        raise TrytonInfraError(f"no trytond running for {state_dir}; run: python -m infra.tryton start")
    credentials = load_credentials(state_dir.resolve())
    return {"url": instance.url, "database": instance.database, "login": credentials.login,
            "password": credentials.password}


def build_pg_template(cache_dir: Path = CACHE_DIR, *, force: bool = False, report: Report = print) -> str:
    """Build the PostgreSQL template database unless it is there already; return its name."""
    from infra import tryton_pg

    timings: dict[str, float] = {}
    try:
        return tryton_pg.build_template(
            cache_dir, configuration_fingerprint(), MODULES, force=force, admin=_executable("trytond-admin"),
            configure_script=_CONFIGURE_SCRIPT, report=report, timed=lambda step: _timed(step, report, timings))
    except DocketError as error:
        raise TrytonInfraError(f"{error} (DOCKET_TRYTON_DB=sqlite runs Tryton without PostgreSQL)") from error
    finally:
        if timings:
            (tryton_pg.server_cache(cache_dir) / "build.json").write_text(json.dumps(
                {"seconds": timings, "modules": MODULES, "configuration": configuration_fingerprint()}),
                encoding="utf-8")


def build_template(cache_dir: Path = CACHE_DIR, *, force: bool = False, report: Report = print) -> Path:
    """Build the SQLite template database into ``cache_dir`` unless it is there already; return its path.

    Built in a scratch directory and moved into place at the end, so an interrupted or failed
    build never leaves a half-made template behind. Module activation (the slow step) is cached
    on its own under ``activated/``, so ``force`` rebuilds only the configuration. Timings are
    written to ``build.json`` next to the template.
    """
    target = template_path(cache_dir)
    fingerprint = configuration_fingerprint()
    if target.exists() and not force and _built_fingerprint(cache_dir) == fingerprint:
        report(f"tryton: template database cached at {target}")
        return target
    scratch = cache_dir / f"build-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        timings = _build_in(scratch, cache_dir, report)
        for name in ("credentials.json", "admin.pass"):
            os.replace(scratch / name, cache_dir / name)
        _checkpoint(scratch / f"{TEMPLATE_DB}.sqlite")
        os.replace(scratch / f"{TEMPLATE_DB}.sqlite", target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    (cache_dir / "build.json").write_text(
        json.dumps({"seconds": timings, "modules": MODULES, "configuration": fingerprint}), encoding="utf-8")
    return target


def configuration_fingerprint() -> str:
    """A hash of what the template is built from: a changed setup script means a stale template."""
    digest = hashlib.sha256(" ".join(MODULES).encode())
    for script in sorted(_CONFIGURE_SCRIPT.parent.glob("*.py")):
        digest.update(script.name.encode())
        digest.update(script.read_bytes())
    return digest.hexdigest()[:16]


def _built_fingerprint(cache_dir: Path) -> str | None:
    try:
        recorded = json.loads((cache_dir / "build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = recorded.get("configuration") if isinstance(recorded, dict) else None
    return value if isinstance(value, str) else None


def _build_in(scratch: Path, cache_dir: Path, report: Report) -> dict[str, float]:
    conf, passfile = scratch / "trytond.conf", scratch / "admin.pass"
    _write_config(conf, scratch)
    credentials = {"docket_login": "docket", "docket_password": secrets.token_urlsafe(16)}
    (scratch / "credentials.json").write_text(json.dumps(credentials), encoding="utf-8")
    env = {**os.environ, "TRYTONPASSFILE": str(passfile)}
    timings: dict[str, float] = {}
    activated = cache_dir / "activated" / f"{TEMPLATE_DB}.sqlite"
    if activated.exists():
        with _timed("copy activated modules database", report, timings):
            _copy_database(activated, scratch / f"{TEMPLATE_DB}.sqlite")
            shutil.copyfile(activated.with_name("admin.pass"), passfile)
    else:
        admin = _executable("trytond-admin")
        (scratch / f"{TEMPLATE_DB}.sqlite").touch()
        passfile.write_text(secrets.token_urlsafe(16), encoding="utf-8")
        with _timed("activate modules", report, timings):
            _run([admin, "-c", str(conf), "-d", TEMPLATE_DB, "--email", "admin@docket.invalid",
                  "-u", *MODULES, "--activate-dependencies"], env)
        activated.parent.mkdir(parents=True, exist_ok=True)
        _copy_database(scratch / f"{TEMPLATE_DB}.sqlite", activated)
        shutil.copyfile(passfile, activated.with_name("admin.pass"))
    with _timed("company, chart, fiscal years, taxes, parties, users", report, timings):
        _run([sys.executable, str(_CONFIGURE_SCRIPT), str(conf), TEMPLATE_DB, str(scratch / "credentials.json")],
             env)
    return timings


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout)[-2000:]
        raise TrytonInfraError(f"{Path(command[0]).name} failed ({done.returncode}): {tail}")


def create_instance(state_dir: Path, database: str = "docket", *, cache_dir: Path = CACHE_DIR,
                    report: Report = print, kind: str | None = None) -> str:
    """Copy the template (building it if needed) into a fresh database for the instance in
    ``state_dir``; return the database name trytond serves."""
    kind = kind or backend()
    db_dir = state_dir / "db"
    db_dir.mkdir(parents=True, exist_ok=True)
    if kind == "postgresql":
        from infra import tryton_pg

        template = build_pg_template(cache_dir, report=report)
        name = tryton_pg.instance_name(state_dir, database)
        with _timed("copy template database", report, {}):
            tryton_pg.copy(template, name)
            shutil.copyfile(tryton_pg.credentials_file(cache_dir, configuration_fingerprint()),
                            state_dir / "credentials.json")
        return name
    sqlite_template = build_template(cache_dir, report=report)
    target = db_dir / f"{database}.sqlite"
    timings: dict[str, float] = {}
    with _timed("copy template database", report, timings):
        _copy_database(sqlite_template, target)
        shutil.copyfile(cache_dir / "credentials.json", state_dir / "credentials.json")
    return database


def _instance_exists(state_dir: Path, database: str, kind: str) -> bool:
    if kind == "postgresql":
        from infra import tryton_pg

        tryton_pg.ensure_server()
        return tryton_pg.exists(tryton_pg.instance_name(state_dir, database)) and \
            (state_dir / "credentials.json").exists()
    return (state_dir / "db" / f"{database}.sqlite").exists()


def remove(state_dir: Path, database: str = "docket") -> None:
    """Stop the instance in ``state_dir`` and drop its PostgreSQL database (a SQLite file goes with
    its directory); for throwaway instances of tests and benchmarks."""
    recorded = status(state_dir)
    stop(state_dir, report=lambda _: None)
    kind = recorded.backend if recorded else backend()
    if kind == "postgresql":
        from infra import postgres, tryton_pg

        if postgres.status(port=tryton_pg.port()) is not None:  # no server, no database to drop
            tryton_pg.drop(tryton_pg.instance_name(state_dir.resolve(), recorded.database if recorded else database))


def _copy_database(source: Path, target: Path) -> None:
    # A stale write-ahead log beside the target would be replayed onto the fresh copy.
    for suffix in ("-wal", "-shm", ""):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    _checkpoint(source)
    shutil.copyfile(source, target)


def _checkpoint(database: Path) -> None:
    """Fold SQLite's write-ahead log into the main file, so copying that file copies everything."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As trytond does: connections of a stopped server lingering in TIME_WAIT do not block it.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def start(state_dir: Path = DEFAULT_STATE_DIR, *, port: int = DEFAULT_PORT, database: str = "docket",
          host: str = "127.0.0.1", fresh: bool = False, timeout: float = 60.0,
          report: Report = print, db: str | None = None) -> TrytonInstance:
    """Start trytond in the background on ``host:port`` serving ``database`` and wait until it answers.

    ``db`` (postgresql or sqlite) defaults to ``DOCKET_TRYTON_DB``. The database is copied from
    the template when missing (or always with ``fresh``); on
    PostgreSQL ``database`` is made unique to ``state_dir`` (the instance records the name). Raises
    :class:`PortInUse` when the port is taken, :class:`TrytonMissing` without trytond and
    :class:`TrytonInfraError` (with the log's tail) when the server dies or never answers.
    """
    kind = db or backend()  # a wrong setting is named first, whatever else is in the way
    if kind not in BACKENDS:
        raise TrytonInfraError(f"Tryton database {kind!r}: expected one of {', '.join(BACKENDS)}")
    state_dir = state_dir.resolve()
    trytond = _executable("trytond")
    running = status(state_dir)
    if running is not None:
        raise TrytonInfraError(f"trytond already running for {state_dir} (pid {running.pid})")
    if not _port_free(host, port):
        raise PortInUse(f"port {host}:{port} is already in use; pick another with --port")
    try:
        if kind == "postgresql":
            from infra import tryton_pg

            database = tryton_pg.instance_name(state_dir, database)
        if fresh or not _instance_exists(state_dir, database, kind):
            database = create_instance(state_dir, database, report=report, kind=kind)
    except TrytonInfraError:
        raise
    except DocketError as error:  # the PostgreSQL server could not start or answer
        raise TrytonInfraError(f"{error} (DOCKET_TRYTON_DB=sqlite runs Tryton without PostgreSQL)") from error
    conf = state_dir / "trytond.conf"
    (state_dir / "db").mkdir(parents=True, exist_ok=True)
    _write_config(conf, state_dir / "db", host, port, kind)
    timings: dict[str, float] = {}
    with _timed("start server", report, timings):
        with open(state_dir / "trytond.log", "ab") as log:
            process = subprocess.Popen([trytond, "-c", str(conf), "-d", database], stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        instance = TrytonInstance(str(state_dir), database, host, port, process.pid, kind)
        (state_dir / "trytond.pid").write_text(str(process.pid), encoding="utf-8")
        (state_dir / "instance.json").write_text(json.dumps(asdict(instance)), encoding="utf-8")
        try:
            _wait_until_ready(instance, process, load_credentials(state_dir), timeout)
        except TrytonInfraError:
            stop(state_dir, report=lambda _: None)
            raise
    return instance


def _wait_until_ready(instance: TrytonInstance, process: subprocess.Popen[bytes], credentials: Credentials,
                      timeout: float) -> None:
    deadline = time.monotonic() + timeout
    login = {"id": 0, "method": "common.db.login",
             "params": [credentials.login, {"password": credentials.password}, "en"]}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise TrytonInfraError(f"trytond exited with {process.returncode}: {_log_tail(instance)}")
        with contextlib.suppress(httpx.HTTPError):
            answer = httpx.post(f"{instance.url}/{instance.database}/rpc/", json=login, timeout=5.0)
            if answer.status_code == 200 and "result" in answer.json():
                return
        time.sleep(0.2)
    raise TrytonInfraError(f"trytond did not answer within {timeout:.0f} s: {_log_tail(instance)}")


def _log_tail(instance: TrytonInstance) -> str:
    log = Path(instance.state_dir) / "trytond.log"
    return log.read_text(encoding="utf-8", errors="replace")[-1500:] if log.exists() else "(no log)"


def status(state_dir: Path = DEFAULT_STATE_DIR) -> TrytonInstance | None:
    """The instance recorded in ``state_dir`` if its process is alive, else None."""
    record = state_dir.resolve() / "instance.json"
    if not record.exists():
        return None
    instance = TrytonInstance(**json.loads(record.read_text(encoding="utf-8")))
    try:
        os.kill(instance.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return instance
    # A recorded pid can be reused by another process once trytond is gone: never signal that one.
    return instance if _is_trytond(instance.pid) else None


def _is_trytond(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc: trust the pid as before
    return b"trytond" in command


def stop(state_dir: Path = DEFAULT_STATE_DIR, *, timeout: float = 15.0, report: Report = print) -> bool:
    """Stop the trytond recorded in ``state_dir`` by its pid (TERM, then KILL); False if none ran."""
    instance = status(state_dir)
    if instance is None:
        return False
    timings: dict[str, float] = {}
    with _timed("stop server", report, timings):
        os.kill(instance.pid, signal.SIGTERM)
        if not _wait_gone(instance.pid, timeout):
            os.kill(instance.pid, signal.SIGKILL)
            _wait_gone(instance.pid, 5.0)
    (state_dir.resolve() / "trytond.pid").unlink(missing_ok=True)
    return True


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            # Reap it when it is our own child, else it lingers as a zombie and looks alive.
            os.waitpid(pid, os.WNOHANG)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.tryton", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("build", "start", "stop", "status"))
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE_DIR)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--database", default="docket")
    parser.add_argument("--force", action="store_true", help="build: rebuild the template")
    parser.add_argument("--fresh", action="store_true", help="start: copy the template again")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            if backend() == "postgresql":
                build_pg_template(force=args.force)
            else:
                build_template(force=args.force)
        elif args.command == "start":
            instance = start(args.state_dir, port=args.port, database=args.database, fresh=args.fresh)
            print(f"tryton: serving {instance.database} at {instance.url} (pid {instance.pid})")
        elif args.command == "stop":
            print("tryton: stopped" if stop(args.state_dir) else "tryton: not running")
        else:
            running = status(args.state_dir)
            print(f"tryton: running at {running.url} on {running.backend} (pid {running.pid})" if running
                  else "tryton: not running")
            return 0 if running else 3
    except TrytonInfraError as error:
        print(f"tryton: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
