"""What each posting target needs from settings, checked before a worker starts.

:func:`check_targets` reads ``DOCKET_POSTING_TARGETS`` and turns the settings of every named
target into a small frozen value (:class:`TrytonTarget`, :class:`RestTarget`, :class:`SqlTarget`,
:class:`FilesTarget`, :class:`TopicTarget`, :class:`CrmTarget`). Nothing here connects to anything: a target that is
down is the retry topic's business, a target that is misconfigured stops the worker before it
consumes a single event. Every problem is a :class:`TargetConfigError` whose ``details`` name the
target and the setting (``DOCKET_REST_URL``), with one of three stable codes:

* ``CONFIG_TARGET_UNKNOWN``: a name that is not a target;
* ``CONFIG_SETTING_MISSING``: a setting the target needs is not set;
* ``CONFIG_SETTING_INVALID``: a setting is set to something the target cannot use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import httpx
from pydantic import SecretStr
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from connectors.files import FileFormat
from connectors.mapping import FieldMap, MappingInvalid, load_field_map
from connectors.sql_tables import interface_tables, missing_columns
from docket.errors import ConfigError
from streams.settings import Settings
from streams.topics import downstream_name

KNOWN_TARGETS = ("tryton", "crm", "rest", "sql", "files", "topic:<name>")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an RFC 9110 token
_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class TargetConfigError(ConfigError):
    """A posting target's settings are missing or unusable; ``details`` name the target and setting."""

    code = "CONFIG_TARGET_INVALID"


def env_name(field: str) -> str:
    """The environment variable of a settings field (``rest_url`` → ``DOCKET_REST_URL``)."""
    return f"DOCKET_{field.upper()}"


def _missing(target: str, field: str, why: str = "") -> TargetConfigError:
    setting = env_name(field)
    return TargetConfigError(f"posting target {target!r} needs {setting}{why}", code="CONFIG_SETTING_MISSING",
                             details={"target": target, "setting": setting})


def _invalid(target: str, field: str, why: str) -> TargetConfigError:
    setting = env_name(field)
    return TargetConfigError(f"{setting} cannot serve posting target {target!r}: {why}",
                             code="CONFIG_SETTING_INVALID", details={"target": target, "setting": setting})


@dataclass(frozen=True)
class TrytonTarget:
    """Where the Tryton server is and who Docket logs in as."""

    url: str
    database: str
    login: str
    password: SecretStr


@dataclass(frozen=True)
class RestTarget:
    """One REST endpoint, its credential header and the field maps that shape the body (the first that
    handles a posting's type is used: ``rest_invoice.v1`` for invoices, ``rest_crm.v1`` for CRM records)."""

    url: str
    method: str
    field_maps: tuple[FieldMap, ...]
    auth_header: str
    auth_value: SecretStr | None
    reference_path: str
    id_path: str
    timeout_s: float

    @property
    def field_map(self) -> FieldMap:
        """The first field map (the only one, unless several are configured)."""
        return self.field_maps[0]


@dataclass(frozen=True)
class SqlTarget:
    """The interface tables' database, their names, and whether Docket creates them."""

    url: SecretStr
    field_map: FieldMap
    header_table: str
    line_table: str
    create_tables: bool


@dataclass(frozen=True)
class FilesTarget:
    """The directory and the formats written for each posting (UBL first: it is the stricter one)."""

    directory: Path
    formats: tuple[FileFormat, ...]
    csv_field_map: FieldMap | None
    csv_delimiter: str
    archive_dir: Path | None


@dataclass(frozen=True)
class TopicTarget:
    """A ``topic:<name>`` target: postings go to ``postings.out.<name>``."""

    name: str


@dataclass(frozen=True)
class CrmTarget:
    """The ``crm`` target: Tryton's CRM modules (opportunities, subscriptions, parties) on the
    Tryton server of the ``DOCKET_TRYTON_*`` settings."""

    tryton: TrytonTarget


TargetConfig = TrytonTarget | CrmTarget | RestTarget | SqlTarget | FilesTarget | TopicTarget


def target_names(settings: Settings) -> list[str]:
    """The target names of ``DOCKET_POSTING_TARGETS``, in order, without their mapping versions."""
    names: list[str] = []
    for part in settings.posting_targets.split(","):
        name = part.split("=", 1)[0].strip()
        if part.strip() and not name:
            raise _invalid("?", "posting_targets", f"{part.strip()!r} has no target name")
        if name and name not in names:
            names.append(name)
    return names


def check_targets(settings: Settings) -> dict[str, TargetConfig]:
    """``{target name: its checked settings}`` for every configured target; raises :class:`TargetConfigError`.

    The periodic ERP sync (``DOCKET_ERP_SYNC_INTERVAL_S`` > 0) reads Tryton too, so it needs the
    Tryton settings even when ``tryton`` is not a posting target.
    """
    configs: dict[str, TargetConfig] = {name: target_config(settings, name) for name in target_names(settings)}
    if settings.erp_sync_interval_s > 0 and "tryton" not in configs:
        tryton_target(settings, needed_by="ERP sync")
    return configs


def target_config(settings: Settings, name: str) -> TargetConfig:
    """The checked settings of one target ``name``; raises :class:`TargetConfigError`."""
    if name == "tryton":
        return tryton_target(settings)
    if name == "crm":
        return CrmTarget(tryton_target(settings, needed_by="crm"))
    if name == "rest":
        return rest_target(settings)
    if name == "sql":
        return sql_target(settings)
    if name == "files":
        return files_target(settings)
    if name.startswith("topic:"):
        try:
            downstream_name(name)
        except ValueError as error:
            raise _invalid(name, "posting_targets", str(error)) from error
        return TopicTarget(name)
    hint = " (memory is the test suite's in-process fake, not a target)" if name == "memory" else ""
    raise TargetConfigError(f"unknown posting target {name!r} in DOCKET_POSTING_TARGETS{hint}; "
                            f"known: {', '.join(KNOWN_TARGETS)}", code="CONFIG_TARGET_UNKNOWN",
                            details={"target": name, "setting": env_name("posting_targets")})


def tryton_target(settings: Settings, *, needed_by: str = "tryton") -> TrytonTarget:
    """The Tryton connection from ``DOCKET_TRYTON_URL`` / ``_DATABASE`` / ``_LOGIN`` / ``_PASSWORD``."""
    if not settings.tryton_url:
        raise _missing(needed_by, "tryton_url", " (the Tryton server's URL; nothing falls back to a local one)")
    _http_url(needed_by, "tryton_url", settings.tryton_url)
    if not settings.tryton_database:
        raise _missing(needed_by, "tryton_database")
    if not settings.tryton_login:
        raise _missing(needed_by, "tryton_login")
    if settings.tryton_password is None:
        raise _missing(needed_by, "tryton_password")
    return TrytonTarget(settings.tryton_url, settings.tryton_database, settings.tryton_login,
                        settings.tryton_password)


def rest_target(settings: Settings) -> RestTarget:
    """The REST target from ``DOCKET_REST_*``."""
    if not settings.rest_url:
        raise _missing("rest", "rest_url", " (the endpoint postings are sent to)")
    _http_url("rest", "rest_url", settings.rest_url)
    if not _HEADER_NAME.match(settings.rest_auth_header):
        raise _invalid("rest", "rest_auth_header", f"{settings.rest_auth_header!r} is not an HTTP header name")
    value = settings.rest_auth_value
    if value is not None and (not value.get_secret_value().strip() or
                              any(c in value.get_secret_value() for c in "\r\n\0")):
        raise _invalid("rest", "rest_auth_value", "empty, or holds a line break")
    names = [name.strip() for name in settings.rest_field_map.split(",") if name.strip()]
    if not names:
        raise _missing("rest", "rest_field_map", " (a field map of connectors/mappings, e.g. rest_invoice.v1)")
    return RestTarget(url=settings.rest_url, method=settings.rest_method,
                      field_maps=tuple(_field_map("rest", "rest_field_map", name) for name in names),
                      auth_header=settings.rest_auth_header, auth_value=value,
                      reference_path=settings.rest_reference_path, id_path=settings.rest_id_path,
                      timeout_s=settings.rest_timeout_s)


def sql_target(settings: Settings) -> SqlTarget:
    """The interface-table target from ``DOCKET_SQL_*``."""
    if settings.sql_url is None or not settings.sql_url.get_secret_value():
        raise _missing("sql", "sql_url", " (a SQLAlchemy URL, e.g. postgresql+psycopg2://user@host/erp)")
    try:
        url = make_url(settings.sql_url.get_secret_value())
        url.get_dialect().import_dbapi()
    except ArgumentError as error:
        raise _invalid("sql", "sql_url", "not a SQLAlchemy URL") from error
    except NoSuchModuleError as error:
        raise _invalid("sql", "sql_url", f"no SQLAlchemy dialect for {url.drivername!r}") from error
    except ImportError as error:  # the dialect is known, its database driver is not installed
        raise _invalid("sql", "sql_url", f"the driver of {url.drivername!r} is not installed ({error.name})") from error
    for field, table in (("sql_header_table", settings.sql_header_table), ("sql_line_table", settings.sql_line_table)):
        if not _TABLE_NAME.match(table):
            raise _invalid("sql", field, f"{table!r} is not a plain table name")
    field_map = _field_map("sql", "sql_field_map", settings.sql_field_map)
    if settings.sql_create_tables:
        # Docket's own layout: whether the field map fits it is known without the database.
        header, line = interface_tables(MetaData(), settings.sql_header_table, settings.sql_line_table)
        missing = missing_columns(field_map, header, line)
        if missing:
            raise _invalid("sql", "sql_field_map", f"{field_map.version} names no column for {missing}")
    return SqlTarget(url=settings.sql_url, field_map=field_map, header_table=settings.sql_header_table,
                     line_table=settings.sql_line_table, create_tables=settings.sql_create_tables)


def files_target(settings: Settings) -> FilesTarget:
    """The file target from ``DOCKET_FILES_*``."""
    if settings.files_dir is None:
        raise _missing("files", "files_dir", " (the directory files are written to)")
    for field, folder in (("files_dir", settings.files_dir), ("files_archive_dir", settings.files_archive_dir)):
        if folder is not None and folder.exists() and not folder.is_dir():
            raise _invalid("files", field, f"{folder} is not a directory")
    known: tuple[str, ...] = get_args(FileFormat)
    asked = [part.strip().lower() for part in settings.files_formats.split(",") if part.strip()]
    unknown = [part for part in asked if part not in known]
    if not asked or unknown:
        raise _invalid("files", "files_formats", f"{settings.files_formats!r}: say csv, ubl or csv,ubl")
    order: tuple[FileFormat, ...] = ("ubl", "csv")
    formats = tuple(fmt for fmt in order if fmt in asked)
    csv_map = _field_map("files", "files_csv_field_map", settings.files_csv_field_map) if "csv" in formats else None
    return FilesTarget(directory=settings.files_dir, formats=formats, csv_field_map=csv_map,
                       csv_delimiter=settings.files_csv_delimiter, archive_dir=settings.files_archive_dir)


def _http_url(target: str, field: str, value: str) -> None:
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as error:
        raise _invalid(target, field, f"{value!r} is not a URL") from error
    if url.scheme not in ("http", "https") or not url.host:
        raise _invalid(target, field, f"{value!r} is not an http(s) URL with a host")


def _field_map(target: str, field: str, name: str) -> FieldMap:
    try:
        return load_field_map(name)
    except MappingInvalid as error:
        raise _invalid(target, field, error.message) from error
