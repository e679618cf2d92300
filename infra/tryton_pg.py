"""The local Tryton's databases on PostgreSQL: one template database per configuration, built once,
then copied per instance with ``CREATE DATABASE ... TEMPLATE`` (a file-level copy inside the server).

The server is the throwaway PostgreSQL of :mod:`infra.postgres` on ``DOCKET_TRYTON_PG_PORT``
(default 15433, data under ``/tmp/docket-postgres-<port>``), started on first use and left running
like Kafka. Databases:

* ``docket_activated_<hash>`` — the modules activated (the slow step), keyed by modules and trytond;
* ``docket_template_<fingerprint>`` — company, chart, taxes, parties, API user on top of it, keyed
  by the setup scripts' fingerprint, so a changed script builds a new template beside the old one;
* ``<database>_<hash of the state dir>`` — one per instance, so many instances share the server.

The API user's generated password is stored per template under ``<cache>/postgresql/``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from infra import postgres

Report = Callable[[str], None]
PG_PORT = int(os.environ.get("DOCKET_TRYTON_PG_PORT", "15433"))
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def port() -> int:
    return int(os.environ.get("DOCKET_TRYTON_PG_PORT", str(PG_PORT)))


def uri() -> str:
    """trytond's ``[database] uri`` for the server (trust authentication on 127.0.0.1)."""
    return f"postgresql://{postgres.SUPERUSER}@127.0.0.1:{port()}/"


def ensure_server() -> postgres.PostgresServer:
    """The PostgreSQL server Tryton's databases live in, started if it is not running."""
    return postgres.start(port=port(), database="postgres")


def _connect(database: str = "postgres") -> Any:
    import psycopg2

    connection = psycopg2.connect(host="127.0.0.1", port=port(), user=postgres.SUPERUSER, dbname=database)
    connection.autocommit = True
    return connection


def _execute(sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with contextlib.closing(_connect()) as connection, connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []


def exists(name: str) -> bool:
    return bool(_execute("SELECT 1 FROM pg_database WHERE datname = %s", name))


def drop(name: str) -> None:
    """Drop database ``name`` (its sessions ended first); nothing when it does not exist."""
    _check_name(name)
    _execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
             name)
    _execute(f'DROP DATABASE IF EXISTS "{name}"')


def copy(template: str, name: str) -> None:
    """``name`` as a fresh copy of ``template`` (an existing ``name`` is dropped first)."""
    _check_name(template)
    drop(name)
    _execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise postgres.PostgresError(f"not a plain database name: {name!r}")


def instance_name(state_dir: Path, database: str) -> str:
    """The server-wide name of ``database`` for the instance in ``state_dir`` (stable, idempotent)."""
    tag = hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:10]
    base = database.lower()
    return base if base.endswith(f"_{tag}") else f"{base}_{tag}"[:63]


def server_cache(cache_dir: Path) -> Path:
    """Where the files that belong to this server's databases live (the passwords of its template and
    activated databases): one folder per server port, since each server holds its own copies."""
    return cache_dir / "postgresql" / f"port-{port()}"


def template_name(fingerprint: str) -> str:
    return f"docket_template_{fingerprint}"


def credentials_file(cache_dir: Path, fingerprint: str) -> Path:
    return server_cache(cache_dir) / f"{template_name(fingerprint)}.credentials.json"


@contextlib.contextmanager
def _build_lock(cache_dir: Path) -> Iterator[None]:
    """One template build at a time per machine (several test sessions may ask at once)."""
    server_cache(cache_dir).mkdir(parents=True, exist_ok=True)
    with open(server_cache(cache_dir) / "build.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_template(cache_dir: Path, fingerprint: str, modules: tuple[str, ...], *, force: bool,
                   admin: str, configure_script: Path, report: Report,
                   timed: Callable[[str], contextlib.AbstractContextManager[None]]) -> str:
    """The template database for ``fingerprint`` (built unless it is there); returns its name."""
    ensure_server()
    template = template_name(fingerprint)
    with _build_lock(cache_dir):
        if exists(template) and credentials_file(cache_dir, fingerprint).exists() and not force:
            report(f"tryton: template database {template} cached on PostgreSQL :{port()}")
            return template
        work = server_cache(cache_dir) / f"build-{os.getpid()}"
        work.mkdir(parents=True, exist_ok=True)
        conf = work / "trytond.conf"
        conf.write_text(f"[database]\nuri = {uri()}\npath = {work}\n", encoding="utf-8")
        activated = _activated(cache_dir, modules, admin, conf, timed)
        scratch = f"docket_build_{os.getpid()}"
        copy(activated, scratch)
        credentials = work / "credentials.json"
        credentials.write_text(json.dumps({"docket_login": "docket",
                                           "docket_password": secrets.token_urlsafe(16)}), encoding="utf-8")
        env = {**os.environ, "TRYTONPASSFILE": str(_admin_pass(cache_dir, activated))}
        try:
            with timed("company, chart, fiscal years, taxes, parties, users"):
                _run([sys.executable, str(configure_script), str(conf), scratch, str(credentials)], env)
            drop(template)
            _execute(f'ALTER DATABASE "{scratch}" RENAME TO "{template}"')
        finally:
            drop(scratch)
        os.replace(credentials, credentials_file(cache_dir, fingerprint))
    return template


def _activated(cache_dir: Path, modules: tuple[str, ...], admin: str, conf: Path,
               timed: Callable[[str], contextlib.AbstractContextManager[None]]) -> str:
    """The database with ``modules`` activated (built once per module set and trytond version)."""
    from importlib import metadata

    key = hashlib.sha256(f"{' '.join(modules)} {metadata.version('trytond')}".encode()).hexdigest()[:12]
    name = f"docket_activated_{key}"
    if exists(name) and _admin_pass(cache_dir, name).exists():
        return name
    scratch = f"{name}_wip"
    drop(scratch)
    _execute(f'CREATE DATABASE "{scratch}" ENCODING \'UTF8\' TEMPLATE template0')
    passfile = _admin_pass(cache_dir, name)
    passfile.write_text(secrets.token_urlsafe(16), encoding="utf-8")
    try:
        with timed("activate modules"):
            _run([admin, "-c", str(conf), "-d", scratch, "--email", "admin@docket.invalid", "-u", *modules,
                  "--activate-dependencies"], {**os.environ, "TRYTONPASSFILE": str(passfile)})
        drop(name)
        _execute(f'ALTER DATABASE "{scratch}" RENAME TO "{name}"')
    finally:
        drop(scratch)
    return name


def _admin_pass(cache_dir: Path, activated: str) -> Path:
    return server_cache(cache_dir) / f"{activated}.admin.pass"


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout)[-2000:]
        raise postgres.PostgresError(f"{Path(command[0]).name} failed ({done.returncode}): {tail}")
