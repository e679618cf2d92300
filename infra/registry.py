"""Apicurio Registry (Confluent-compatible API) from Maven Central, schemas stored in Kafka.

``io.apicurio:apicurio-registry-app:<version>:tar.gz:all`` is fetched once into the cache and run
with ``java -jar``. Storage is ``kafkasql``: every schema is journalled to a Kafka topic on the local
broker, so the registry keeps its schemas (and their ids) across restarts. The Confluent API lives
under ``/apis/ccompat/v7``. Version 3.0.x is pinned because 3.1+ needs Java 21 and these machines
have Java 17.
"""

from __future__ import annotations

import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import httpx

from infra.process import (
    InfraError,
    LocalService,
    ServiceStatus,
    java_major_version,
    port_in_use,
    read_pid,
    require_tool,
    start_background,
    stop_process,
    wait_until,
)

APICURIO_VERSION = "3.0.9"
CCOMPAT_PATH = "/apis/ccompat/v7"


@dataclass(frozen=True)
class Registry(LocalService):
    """Where one local registry lives and which broker holds its journal."""

    service: ClassVar[str] = "registry"

    state_dir: Path
    cache_dir: Path
    bootstrap: str
    host: str = "127.0.0.1"
    port: int = 8081
    version: str = APICURIO_VERSION
    heap: str = "384m"

    @property
    def dist(self) -> Path:
        return self.cache_dir / f"apicurio-{self.version}"

    @property
    def jar(self) -> Path:
        return self.dist / f"apicurio-registry-app-{self.version}-runner.jar"

    @property
    def url(self) -> str:
        """The Confluent-compatible base URL clients use."""
        return f"http://{self.host}:{self.port}{CCOMPAT_PATH}"


def fetch(registry: Registry) -> float:
    """Download and unpack the registry into the cache (no-op when present); seconds taken."""
    if registry.jar.exists():
        return 0.0
    mvn = require_tool("mvn", "install Maven (apt-get install maven) to fetch Apicurio Registry")
    started = time.monotonic()
    download_dir = registry.cache_dir / "downloads"
    artifact = f"io.apicurio:apicurio-registry-app:{registry.version}:tar.gz:all"
    result = subprocess.run(
        [mvn, "-B", "-q", "dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={download_dir}"],
        capture_output=True, text=True, check=False,
    )
    archive = download_dir / f"apicurio-registry-app-{registry.version}-all.tar.gz"
    if result.returncode != 0 or not archive.exists():
        raise InfraError(f"Maven could not fetch {artifact}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    registry.dist.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(registry.dist, filter="data")
    if not registry.jar.exists():
        raise InfraError(f"{archive} did not contain {registry.jar.name}")
    return time.monotonic() - started


READY_SUBJECT = "docket-registry-ready"
_READY_SCHEMA = '{"type": "record", "name": "Ready", "namespace": "dev.docket.infra", "fields": []}'


def accepts_schemas(url: str) -> bool:
    """True when registering a schema round-trips through the Kafka journal.

    The REST API answers before the journal consumer has joined its group; a registration made
    then waits on the journal, so readiness is a real (idempotent) registration.
    """
    try:
        answer = httpx.post(f"{url}/subjects/{READY_SUBJECT}/versions", json={"schema": _READY_SCHEMA},
                            headers={"Content-Type": "application/vnd.schemaregistry.v1+json"}, timeout=10.0)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200 and "id" in answer.json()


def answers(url: str) -> bool:
    """True when the Confluent-compatible API at ``url`` lists subjects."""
    try:
        return httpx.get(f"{url}/subjects", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def start(registry: Registry, *, timeout: float = 180.0) -> float:
    """Start the registry against the local broker; return seconds until it answered."""
    if read_pid(registry.pid_file) is not None:
        return 0.0
    if port_in_use(registry.host, registry.port):
        raise InfraError(f"port {registry.host}:{registry.port} is taken; set DOCKET_REGISTRY_PORT "
                         "to a free port or stop what listens there")
    java = require_tool("java", "install a Java 17+ runtime (apt-get install openjdk-17-jre-headless)")
    if java_major_version(java) < 17:
        raise InfraError("Apicurio Registry needs Java 17 or newer")
    fetch(registry)
    registry.home.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    start_background(
        "registry",
        [java, f"-Xmx{registry.heap}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
         f"-Dquarkus.http.host={registry.host}", f"-Dquarkus.http.port={registry.port}",
         "-Dapicurio.storage.kind=kafkasql",
         f"-Dapicurio.kafkasql.bootstrap.servers={registry.bootstrap}",
         "-Dapicurio.kafkasql.topic=docket-registry-journal",
         "-Dapicurio.kafkasql.snapshots.topic=docket-registry-snapshots",
         "-Dquarkus.log.level=WARN", "-Dquarkus.log.category.\"io.apicurio\".level=INFO",
         "-jar", str(registry.jar)],
        log_file=registry.log_file, pid_file=registry.pid_file, cwd=registry.home,
    )
    wait_until(lambda: answers(registry.url), timeout=timeout, what="Apicurio Registry",
               pid_file=registry.pid_file, log_file=registry.log_file)
    wait_until(lambda: accepts_schemas(registry.url), timeout=timeout, what="Apicurio Registry's Kafka journal",
               pid_file=registry.pid_file, log_file=registry.log_file, interval=1.0)
    return time.monotonic() - started


def stop(registry: Registry) -> bool:
    return stop_process(registry.pid_file)


def status(registry: Registry) -> ServiceStatus:
    pid = read_pid(registry.pid_file)
    return ServiceStatus("registry", pid is not None and answers(registry.url), pid, registry.url,
                         f"Apicurio {registry.version}, kafkasql storage")
