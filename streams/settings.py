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

    model_config = SettingsConfigDict(env_prefix="DOCKET_", env_file=".env", extra="ignore")

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

    # Posting targets: comma-separated names (tryton, memory); each is wrapped by the posting ledger.
    posting_targets: str = "tryton"
    posting_batch_size: int = Field(default=20, ge=1)
    posting_batch_window_s: float = Field(default=0.5, ge=0)
    posting_max_attempts: int = Field(default=40, ge=1)
    posting_retry_max_delay_s: float = Field(default=60.0, gt=0)
    tryton_port: int = Field(default=8000, ge=1, le=65535)
    tryton_url: str | None = Field(default=None, description="default: the instance infra/ runs")
    tryton_database: str = "docket"
    tryton_login: str | None = None
    tryton_password: SecretStr | None = None
    downstream_delivery_timeout_s: float = Field(
        default=30.0, gt=0, description="how long a topic:<name> target waits for the broker's acknowledgement")
    erp_sync_interval_s: float = Field(
        default=0.0, ge=0, description="seconds between ERP master-data syncs on the leader worker; 0: off")

    # The review workspace (``docket web serve``)
    review_host: str = "127.0.0.1"
    review_port: int = Field(default=8300, ge=1, le=65535)
    review_session_secret: SecretStr | None = Field(
        default=None, description="signs session cookies; unset: a random one per process (restarts log users out)")
    review_session_hours: float = Field(default=8.0, gt=0, description="idle session lifetime")
    review_default_limit: Decimal = Field(default=Decimal("1000"), ge=0,
                                          description="approval limit of a reviewer created without one")
    review_secure_cookies: bool = Field(default=False, description="send the session cookie over HTTPS only")

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
