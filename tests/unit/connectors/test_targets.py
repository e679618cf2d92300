"""Posting targets from settings: each target's settings checked (one error per missing or bad
setting, naming it), and each sink built behind the posting ledger."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import MetaData, create_engine, select

from connectors.base import PostingOutcome, TargetUnavailable
from connectors.ledger import IdempotentSink
from connectors.sql_tables import interface_tables
from connectors.target_config import (
    CrmTarget,
    FilesTarget,
    RestTarget,
    SqlTarget,
    TargetConfigError,
    TopicTarget,
    TrytonTarget,
    check_targets,
)
from connectors.targets import build_sinks, tryton_client
from docket.errors import ConfigError
from streams.settings import Settings
from tests.unit.connectors.fake_rest_erp import running_erp
from tests.unit.connectors.sink_requests import make_request

REPO = Path(__file__).resolve().parents[3]
TRYTON = {"tryton_url": "http://127.0.0.1:1/", "tryton_login": "docket", "tryton_password": SecretStr("pw")}


@pytest.fixture(autouse=True)
def no_ambient_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only what a test passes: no DOCKET_* of the calling shell, no .env file."""
    for name in [name for name in os.environ if name.startswith("DOCKET_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _settings(tmp_path: Path, targets: str, **fields: Any) -> Settings:
    return Settings(state_dir=tmp_path / "state", posting_targets=targets, **fields)


def _refusal(settings: Settings) -> TargetConfigError:
    with pytest.raises(TargetConfigError) as refused:
        check_targets(settings)
    return refused.value


# -- what each target needs ----------------------------------------------------------------------

@pytest.mark.parametrize(("targets", "fields", "setting"), [
    ("tryton", {}, "DOCKET_TRYTON_URL"),
    ("tryton", {"tryton_url": "http://erp:8000/", "tryton_password": SecretStr("pw")}, "DOCKET_TRYTON_LOGIN"),
    ("tryton", {"tryton_url": "http://erp:8000/", "tryton_login": "docket"}, "DOCKET_TRYTON_PASSWORD"),
    ("tryton", {**TRYTON, "tryton_database": ""}, "DOCKET_TRYTON_DATABASE"),
    ("crm", {}, "DOCKET_TRYTON_URL"),
    ("crm", {"tryton_url": "http://erp:8000/", "tryton_login": "docket"}, "DOCKET_TRYTON_PASSWORD"),
    ("rest", {}, "DOCKET_REST_URL"),
    ("sql", {}, "DOCKET_SQL_URL"),
    ("files", {}, "DOCKET_FILES_DIR"),
])
def test_each_missing_setting_is_named(tmp_path: Path, targets: str, fields: dict[str, Any], setting: str) -> None:
    error = _refusal(_settings(tmp_path, targets, **fields))

    assert error.code == "CONFIG_SETTING_MISSING"
    assert error.details == {"target": targets, "setting": setting}
    assert setting in error.message
    assert isinstance(error, ConfigError)


def test_the_erp_sync_needs_tryton_even_when_tryton_is_not_a_target(tmp_path: Path) -> None:
    error = _refusal(_settings(tmp_path, "files", files_dir=tmp_path / "out", erp_sync_interval_s=300))

    assert (error.code, error.details["setting"]) == ("CONFIG_SETTING_MISSING", "DOCKET_TRYTON_URL")
    assert set(check_targets(_settings(tmp_path, "files", files_dir=tmp_path / "out", erp_sync_interval_s=300,
                                       **TRYTON))) == {"files"}


def test_the_crm_target_is_tryton_reached_with_the_tryton_settings_and_made_on_first_use(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "tryton,crm", **TRYTON)

    config = check_targets(settings)["crm"]
    (tmp_path / "state").mkdir()
    sinks = build_sinks(settings, lambda uri: b"")

    assert isinstance(config, CrmTarget) and config.tryton == check_targets(settings)["tryton"]
    assert isinstance(sinks["crm"], IdempotentSink) and sinks["crm"].target == "crm"
    with pytest.raises(TargetUnavailable):  # nobody listens on port 1: the sink is made, and fails, on first use
        sinks["crm"].post(make_request(target="crm", posting_type="contract"))
    for sink in sinks.values():
        sink.close()


def test_the_erp_client_comes_from_settings_only(tmp_path: Path) -> None:
    with pytest.raises(TargetConfigError) as refused:
        tryton_client(_settings(tmp_path, ""))
    assert refused.value.details == {"target": "ERP sync", "setting": "DOCKET_TRYTON_URL"}

    client = tryton_client(_settings(tmp_path, "", **TRYTON))
    with pytest.raises(TargetUnavailable) as unreachable:  # the server the settings name, nobody else
        client.search_read("party.party", [], ["name"])
    assert "127.0.0.1:1" in unreachable.value.message
    client.close()


def _csv_map_with_unknown_column(tmp_path: Path) -> str:
    path = tmp_path / "odd.yaml"
    path.write_text("name: odd\nversion: '1'\nfields:\n  no_such_column: record.number\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("targets", "fields", "setting"), [
    ("tryton", {**TRYTON, "tryton_url": "ftp://erp/"}, "DOCKET_TRYTON_URL"),
    ("rest", {"rest_url": "not a url"}, "DOCKET_REST_URL"),
    ("rest", {"rest_url": "http://ap/", "rest_auth_header": "Bad Header"}, "DOCKET_REST_AUTH_HEADER"),
    ("rest", {"rest_url": "http://ap/", "rest_auth_value": SecretStr("Bearer a\r\nX-Evil: 1")},
     "DOCKET_REST_AUTH_VALUE"),
    ("rest", {"rest_url": "http://ap/", "rest_field_map": "no_such_map.v9"}, "DOCKET_REST_FIELD_MAP"),
    ("sql", {"sql_url": SecretStr("nonsense")}, "DOCKET_SQL_URL"),
    ("sql", {"sql_url": SecretStr("nosuchdb://host/x")}, "DOCKET_SQL_URL"),
    ("sql", {"sql_url": SecretStr("sqlite://"), "sql_header_table": "ap; drop"}, "DOCKET_SQL_HEADER_TABLE"),
    ("sql", {"sql_url": SecretStr("sqlite://"), "sql_line_table": "1line"}, "DOCKET_SQL_LINE_TABLE"),
    ("files", {"files_formats": "pdf"}, "DOCKET_FILES_FORMATS"),
    ("files", {"files_formats": " , "}, "DOCKET_FILES_FORMATS"),
    ("files", {"files_formats": "csv", "files_csv_field_map": "no_such_map.v1"}, "DOCKET_FILES_CSV_FIELD_MAP"),
    ("topic:Not Valid", {}, "DOCKET_POSTING_TARGETS"),
])
def test_each_invalid_setting_is_named(tmp_path: Path, targets: str, fields: dict[str, Any], setting: str) -> None:
    if targets == "files":
        fields = {"files_dir": tmp_path / "out", **fields}

    error = _refusal(_settings(tmp_path, targets, **fields))

    assert error.code == "CONFIG_SETTING_INVALID"
    assert error.details == {"target": targets, "setting": setting}
    assert setting in error.message


def test_a_sql_field_map_that_does_not_fit_the_tables_is_refused_before_start(tmp_path: Path) -> None:
    error = _refusal(_settings(tmp_path, "sql", sql_url=SecretStr("sqlite://"),
                               sql_field_map=_csv_map_with_unknown_column(tmp_path)))

    assert error.details["setting"] == "DOCKET_SQL_FIELD_MAP" and "no_such_column" in error.message
    # The ERP's own tables are only known once the database is reached: not checked here.
    assert "sql" in check_targets(_settings(tmp_path, "sql", sql_url=SecretStr("sqlite://"), sql_create_tables=False,
                                            sql_field_map=_csv_map_with_unknown_column(tmp_path)))


def test_a_files_directory_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")

    error = _refusal(_settings(tmp_path, "files", files_dir=tmp_path / "taken"))

    assert (error.code, error.details["setting"]) == ("CONFIG_SETTING_INVALID", "DOCKET_FILES_DIR")


@pytest.mark.parametrize("name", ["memory", "sap", "Tryton"])
def test_unknown_targets_are_refused_memory_included(tmp_path: Path, name: str) -> None:
    error = _refusal(_settings(tmp_path, f"files,{name}", files_dir=tmp_path / "out"))

    assert error.code == "CONFIG_TARGET_UNKNOWN"
    assert error.details == {"target": name, "setting": "DOCKET_POSTING_TARGETS"}
    assert "tryton, crm, rest, sql, files, topic:<name>" in error.message
    assert ("test suite" in error.message) == (name == "memory")


def test_every_target_at_once_with_mapping_versions(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "tryton=tryton/2, rest, sql=sql_invoice/1, files, topic:crm", **TRYTON,
                         rest_url="https://ap.example/api/invoices", rest_auth_value=SecretStr("Bearer t0k"),
                         sql_url=SecretStr("sqlite://"), files_dir=tmp_path / "out", files_formats="csv,ubl")

    configs = check_targets(settings)

    assert list(configs) == ["tryton", "rest", "sql", "files", "topic:crm"]
    tryton, rest, sql, files, topic = configs.values()
    assert isinstance(tryton, TrytonTarget) and tryton.password.get_secret_value() == "pw"
    assert isinstance(rest, RestTarget) and rest.field_map.version == "rest_invoice/1"
    assert rest.auth_header == "Authorization" and rest.auth_value is not None
    assert isinstance(sql, SqlTarget) and (sql.header_table, sql.line_table) == ("docket_ap_header", "docket_ap_line")
    assert isinstance(files, FilesTarget) and files.formats == ("ubl", "csv")
    assert files.csv_field_map is not None and files.csv_field_map.version == "csv_invoice/1"
    assert topic == TopicTarget("topic:crm")


def test_secrets_stay_out_of_the_settings_repr(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "rest,sql", rest_url="http://ap/", rest_auth_value=SecretStr("Bearer s3cret"),
                         sql_url=SecretStr("postgresql+psycopg2://u:hunter2@db/erp"))

    assert "s3cret" not in repr(settings) and "hunter2" not in repr(settings)
    assert settings.to_env()["DOCKET_SQL_URL"] == "postgresql+psycopg2://u:hunter2@db/erp"


# -- the sinks built ---------------------------------------------------------------------------

@pytest.fixture
def rest_api() -> Iterator[tuple[Any, str]]:
    with running_erp() as (erp, base):
        yield erp, base


def test_the_rest_target_posts_with_the_secret_header_and_the_ledger_answers_repeats(
        tmp_path: Path, rest_api: tuple[Any, str]) -> None:
    erp, base = rest_api
    settings = _settings(tmp_path, "rest", rest_url=f"{base}/invoices", rest_auth_header="X-API-Key",
                         rest_auth_value=SecretStr("k-123"))
    (tmp_path / "state").mkdir()
    sinks = build_sinks(settings, lambda uri: b"")
    request = make_request("doc-rest", target="rest")

    first, again = sinks["rest"].post(request), sinks["rest"].post(request)

    assert isinstance(sinks["rest"], IdempotentSink)
    assert (first.status, again.status) == ("posted", "already_posted")
    assert first.erp_reference == "AP-00001" and first.request["mapping_version"] == "rest_invoice/1"
    assert list(erp.created) == [request.idempotency_key]
    assert [headers.get("X-API-Key") for headers in erp.seen_headers] == ["k-123"]  # the repeat never left
    assert "k-123" not in str(first.request)
    sinks["rest"].close()


def test_the_sql_target_writes_interface_rows_into_named_tables(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'erp.sqlite'}"
    settings = _settings(tmp_path, "sql", sql_url=SecretStr(url), sql_header_table="ap_in", sql_line_table="ap_in_line")
    (tmp_path / "state").mkdir()
    sinks = build_sinks(settings, lambda uri: b"")
    request = make_request("doc-sql", target="sql")

    outcome = sinks["sql"].post(request)
    sinks["sql"].close()

    assert outcome.status == "posted"
    engine = create_engine(url)
    header, line = interface_tables(MetaData(), "ap_in", "ap_in_line")
    with engine.connect() as connection:
        headers = connection.execute(select(header.c.idempotency_key, header.c.document_number)).all()
        lines = connection.execute(select(line.c.line_no)).all()
    engine.dispose()
    assert headers == [(request.idempotency_key, "RE-2026-0042")]
    assert sorted(number for (number,) in lines) == [1, 2]


ERP_MAP = """
name: erp_ap
version: "3"
fields:
  document_number: record.number | required
  total_amount: record.total | decimal(2) | text
  lines:
    $each: record.lines
    $as: line
    $fields:
      line_no: line.index | add(1)
      description: line.description
"""
ERP_TABLES = (
    "CREATE TABLE erp_ap_in (id INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key VARCHAR(200) NOT NULL UNIQUE,"
    " target VARCHAR(64), mapping_version VARCHAR(64), status VARCHAR(16), erp_reference VARCHAR(64),"
    " erp_message TEXT, created_at TIMESTAMP, document_number VARCHAR(64), total_amount VARCHAR(40))",
    "CREATE TABLE erp_ap_in_line (id INTEGER PRIMARY KEY AUTOINCREMENT, header_id INTEGER NOT NULL,"
    " line_no INTEGER, description VARCHAR(240))",
)


def test_the_sql_target_on_the_erps_own_tables_waits_for_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'erp.sqlite'}"
    (tmp_path / "erp_ap.yaml").write_text(ERP_MAP, encoding="utf-8")
    settings = _settings(tmp_path, "sql", sql_url=SecretStr(url), sql_create_tables=False,
                         sql_header_table="erp_ap_in", sql_line_table="erp_ap_in_line",
                         sql_field_map=str(tmp_path / "erp_ap.yaml"))
    (tmp_path / "state").mkdir()
    sinks = build_sinks(settings, lambda uri: b"")
    request = make_request("doc-own", target="sql")

    (missing,) = sinks["sql"].post_batch([request])
    assert isinstance(missing, TargetUnavailable) and "erp_ap_in" in missing.message

    engine = create_engine(url)
    with engine.begin() as connection:  # the ERP's team creates its tables; the next attempt posts
        for statement in ERP_TABLES:
            connection.exec_driver_sql(statement)
    (posted,) = sinks["sql"].post_batch([request])
    sinks["sql"].close()
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT document_number, total_amount, mapping_version FROM erp_ap_in").all()
        lines = connection.exec_driver_sql("SELECT line_no, description FROM erp_ap_in_line ORDER BY line_no").all()
    engine.dispose()
    assert isinstance(posted, PostingOutcome) and posted.status == "posted"
    assert rows == [("RE-2026-0042", "146.91", "erp_ap/3")]
    assert lines == [(1, "Paper A4, 80 g"), (2, "Toner black")]


def test_the_files_target_writes_ubl_and_csv_once(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "files", files_dir=tmp_path / "out", files_formats="csv, ubl")
    (tmp_path / "state").mkdir()
    sinks = build_sinks(settings, lambda uri: b"")
    request = make_request("doc-files", target="files")

    outcome = sinks["files"].post(request)
    repeat = sinks["files"].post(request)
    sinks["files"].close()

    written = sorted(path.suffix for path in (tmp_path / "out").iterdir())
    assert written == [".csv", ".xml"]
    assert (outcome.status, repeat.status) == ("posted", "already_posted")
    assert outcome.erp_reference is not None and outcome.erp_reference.endswith(".xml")
    assert outcome.erp_id is not None and outcome.erp_id.count(",") == 1
    assert b"RE-2026-0042" in next((tmp_path / "out").glob("*.csv")).read_bytes()


def test_the_tryton_target_is_made_on_first_use_so_a_worker_starts_while_the_erp_is_down(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "tryton,topic:crm", **TRYTON)  # port 1: nothing listens
    (tmp_path / "state").mkdir()

    sinks = build_sinks(settings, lambda uri: b"")
    (result,) = sinks["tryton"].post_batch([make_request("doc-erp", target="tryton")])

    assert set(sinks) == {"tryton", "topic:crm"}
    assert all(isinstance(sink, IdempotentSink) for sink in sinks.values())
    assert isinstance(result, TargetUnavailable) and result.retryable
    for sink in sinks.values():
        sink.close()


def test_build_sinks_refuses_what_check_targets_refuses(tmp_path: Path) -> None:
    with pytest.raises(TargetConfigError) as refused:
        build_sinks(_settings(tmp_path, "tryton"), lambda uri: b"")
    assert refused.value.details["setting"] == "DOCKET_TRYTON_URL"


# -- the worker ------------------------------------------------------------------------------------

def test_a_worker_without_its_targets_settings_refuses_to_start(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("DOCKET_")}
    env.update({"PYTHONPATH": str(REPO), "DOCKET_STATE_DIR": str(tmp_path / "state"),
                "DOCKET_POSTING_TARGETS": "tryton", "DOCKET_KAFKA_PORT": "1"})  # no broker is ever asked

    done = subprocess.run([sys.executable, "-m", "cli.main", "worker"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)

    said = " ".join(done.stderr.split())
    assert done.returncode == 2, done.stderr
    assert "worker not started" in said and "CONFIG_SETTING_MISSING" in said and "DOCKET_TRYTON_URL" in said


def test_the_local_tryton_is_handed_to_a_worker_as_its_four_settings(tmp_path: Path) -> None:
    from cli.local_tryton import tryton_env

    env = tryton_env(_settings(tmp_path, "tryton", **TRYTON, tryton_database="demo"))

    assert env == {"DOCKET_TRYTON_URL": "http://127.0.0.1:1/", "DOCKET_TRYTON_DATABASE": "demo",
                   "DOCKET_TRYTON_LOGIN": "docket", "DOCKET_TRYTON_PASSWORD": "pw"}
    again = Settings(**{name.removeprefix("DOCKET_").lower(): value for name, value in env.items()},
                     posting_targets="tryton")
    assert isinstance(check_targets(again)["tryton"], TrytonTarget)
