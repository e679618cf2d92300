"""One validated settings object for the whole service (environment ``DOCKET_*`` or a .env file)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_state_dir() -> Path:
    return Path.cwd() / "var"


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "docket"


class Settings(BaseSettings):
    """Every knob Docket reads, with local defaults that match ``infra/``.

    ``topic_prefix`` is prepended to every topic name (and the Faust app id), so several
    pipelines — or test runs — can share one cluster without seeing each other's events.
    """

    model_config = SettingsConfigDict(env_prefix="DOCKET_", env_file=".env", extra="ignore",
                                      use_attribute_docstrings=True)

    # Kafka
    kafka_host: str = "127.0.0.1"
    kafka_port: int = Field(default=9092, ge=1, le=65535)
    kafka_controller_port: int = Field(default=9093, ge=1, le=65535)
    kafka_bootstrap: str | None = Field(default=None, description="overrides host:port for remote clusters")
    topic_prefix: str = ""
    partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1)

    # Schema registry
    registry_host: str = "127.0.0.1"
    registry_port: int = Field(default=8081, ge=1, le=65535)
    registry_url: str | None = Field(default=None, description="overrides the local Apicurio URL")

    # Faust worker
    app_id: str = "docket"
    store: str = "memory://"
    web_port: int = Field(default=6066, ge=1, le=65535)
    web_host: str = "127.0.0.1"
    worker_read_token: SecretStr | None = Field(
        default=None, description="bearer token for the worker's /trail and /metrics; unset: served on a "
                                  "loopback-bound worker only")
    broker_session_timeout: float = Field(default=10.0, gt=0)
    broker_heartbeat_interval: float = Field(default=3.0, gt=0)
    capture_processes: int = Field(default=1, ge=0, description="OCR process pool size; 0 runs inline")
    capture_time_limit_s: float = Field(
        default=120.0, gt=0, description="wall time one document may take in capture; over it: CAPTURE_BUDGET_EXCEEDED")
    capture_memory_limit_mb: int = Field(
        default=4096, ge=0, description="address space of a capture process (OCR needs ~1.7 GB at 200 dpi); 0: none")

    # Storage
    state_dir: Path = Field(default_factory=_default_state_dir)
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    blob_dir: Path | None = None
    audit_url: str | None = None

    # Posting targets: comma-separated names, each optionally ``name=mapping_version``; every one
    # is wrapped by the posting ledger and checked when a worker starts (connectors/target_config.py).
    posting_targets: str = "tryton"
    """Where postings go: ``tryton``, ``rest``, ``sql``, ``files``, ``topic:<name>``, comma-separated
    (``tryton,rest,sql,files,topic:crm``); each gets its own idempotency key and result."""
    # The posting batch adapts to load: a request on a quiet stream goes out after a short linger,
    # and requests that queued up while the previous call ran go together (up to the batch size).
    posting_batch_size: int = Field(default=50, ge=1, description="the most requests one batch grows to")
    posting_batch_window_s: float = Field(default=0.02, ge=0, description="linger after the first request")
    posting_max_attempts: int = Field(default=40, ge=1)
    posting_retry_max_delay_s: float = Field(default=60.0, gt=0)

    # tryton: the ERP's JSON-RPC endpoint and API user. Nothing falls back to a local instance.
    tryton_port: int = Field(default=8000, ge=1, le=65535)
    """Port of the local development Tryton (``docket infra up --erp``); workers do not read it."""
    tryton_db: Literal["postgresql", "sqlite"] = Field(
        default="postgresql", description="where the local Tryton (infra/) keeps its database")
    tryton_url: str | None = None
    """The Tryton server (``http://erp.example:8000/``); required by the ``tryton`` target and the ERP sync."""
    tryton_database: str = "docket"
    """The Tryton database postings go into."""
    tryton_login: str | None = None
    """The Tryton user Docket logs in as; required with ``DOCKET_TRYTON_URL``."""
    tryton_password: SecretStr | None = None
    """That user's password; required with ``DOCKET_TRYTON_URL``."""

    # rest: one JSON call per posting, shaped by a versioned field map (connectors/rest.py)
    rest_url: str | None = None
    """The endpoint each posting is sent to (``https://ap.example/api/invoices``); required by ``rest``."""
    rest_method: Literal["POST", "PUT"] = "POST"
    """The HTTP method of that call."""
    rest_auth_header: str = "Authorization"
    """The header that carries the credential (``Authorization``, ``X-API-Key``)."""
    rest_auth_value: SecretStr | None = None
    """The credential sent in that header, whole (``Bearer eyJ...``); unset: no credential is sent."""
    rest_field_map: str = "rest_invoice.v1"
    """The field map (a file of connectors/mappings, or a path to a YAML file); its version is in every outcome.
    Several, comma-separated (``rest_invoice.v1,rest_crm.v1``): each posting takes the first that handles its type."""
    rest_reference_path: str = "number"
    """Dotted path of the target's reference in its JSON answer."""
    rest_id_path: str = "id"
    """Dotted path of the target's internal id in its JSON answer."""
    rest_timeout_s: float = Field(default=10.0, gt=0)
    """Seconds one call may take before it counts as unavailable (and is retried)."""

    # sql: interface tables an ERP import job reads (connectors/sql_tables.py)
    sql_url: SecretStr | None = None
    """SQLAlchemy URL of the database holding the interface tables (it may carry a password); required by ``sql``."""
    sql_field_map: str = "sql_invoice.v1"
    """The field map whose keys are the header table's columns (its ``lines`` list fills the line table)."""
    sql_header_table: str = "docket_ap_header"
    """Name of the header table."""
    sql_line_table: str = "docket_ap_line"
    """Name of the line table."""
    sql_create_tables: bool = True
    """Create Docket's default interface tables under those names if missing; false: use the ERP's own
    tables as they are (they must hold the columns the field map names)."""

    # files: one CSV and/or UBL file per posting, for legacy batch imports (connectors/files.py)
    files_dir: Path | None = None
    """The directory files are written to (created on use); required by ``files``."""
    files_formats: str = "ubl"
    """``csv``, ``ubl`` or ``csv,ubl``: which files each posting writes."""
    files_csv_field_map: str = "csv_invoice.v1"
    """The field map of the CSV files."""
    files_csv_delimiter: str = Field(default=";", min_length=1, max_length=1)
    """The CSV column separator."""
    files_archive_dir: Path | None = None
    """Where the legacy import moves files it has read: a file found there counts as written."""

    downstream_delivery_timeout_s: float = Field(
        default=30.0, gt=0, description="how long a topic:<name> target waits for the broker's acknowledgement")
    erp_sync_interval_s: float = Field(
        default=0.0, ge=0, description="seconds between ERP master-data syncs on the leader worker; 0: off")
    promise_check_interval_s: float = Field(
        default=3600.0, ge=0, description="seconds between checks of customers' promises to pay on the leader "
                                          "worker; 0: off")

    # The review workspace (``docket web serve``)
    review_host: str = "127.0.0.1"
    review_port: int = Field(default=8300, ge=1, le=65535)
    review_session_secret: SecretStr | None = Field(
        default=None, description="keys the stored session ids; unset: a random one per process (restarts log "
                                  "users out)")
    review_session_hours: float = Field(default=8.0, gt=0, description="idle session lifetime")
    review_default_limit: Decimal = Field(default=Decimal("1000"), ge=0,
                                          description="approval limit of a reviewer created without one")
    review_secure_cookies: bool = Field(
        default=True, description="send the session cookie over HTTPS only; 0 only for plain-http local development")
    review_page_ocr: bool = Field(default=True, description="OCR scanned pages on the task page: their words "
                                  "become clickable and IBANs anywhere on a scan are blacked out")
    review_login_max_failures: int = Field(default=5, ge=1, description="failed logins of one login that lock it")
    review_address_max_failures: int = Field(default=20, ge=1,
                                             description="failed logins from one client address that lock it")
    review_login_window_s: float = Field(default=900.0, gt=0,
                                         description="seconds failures count for; a lock lasts until they age out")

    # Defaults for documents that arrive without them
    default_legal_entity: str = "DEMO"

    # Logging
    log_format: Literal["json", "console"] = "console"
    log_level: str = "INFO"

    @property
    def bootstrap_servers(self) -> str:
        return self.kafka_bootstrap or f"{self.kafka_host}:{self.kafka_port}"

    @property
    def schema_registry_url(self) -> str:
        return self.registry_url or f"http://{self.registry_host}:{self.registry_port}/apis/ccompat/v7"

    @property
    def blob_root(self) -> Path:
        return self.blob_dir or self.state_dir / "blobs"

    @property
    def audit_database_url(self) -> str:
        return self.audit_url or f"sqlite:///{self.state_dir / 'audit.sqlite'}"

    @property
    def tryton_state_dir(self) -> Path:
        """Where the local development Tryton lives (``infra/``); workers never read it."""
        return self.state_dir / "tryton"

    @property
    def posting_ledger_path(self) -> Path:
        return self.state_dir / "posting-ledger.sqlite"

    def to_env(self) -> dict[str, str]:
        """``DOCKET_*`` variables that make a subprocess read these same settings (secrets included)."""
        env: dict[str, str] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if value is not None:
                env[f"DOCKET_{name.upper()}"] = str(value)
        return env

    def topic(self, name: str) -> str:
        """The physical topic name for the logical ``name`` (``documents.received``)."""
        return f"{self.topic_prefix}{name}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
