"""Apache Kafka in KRaft mode, one node on 127.0.0.1, fetched from Maven Central.

The broker's jars (``org.apache.kafka:kafka_2.13`` and its runtime dependencies) are resolved
by Maven from ``infra/maven/kafka-pom.xml`` into ``~/.cache/docket/kafka-<version>/libs`` once;
the storage is formatted once under ``<state>/kafka/data`` and reused, so a restart keeps every
topic and message.
"""

from __future__ import annotations

import base64
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

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

KAFKA_VERSION = "3.9.1"
_POM = Path(__file__).parent / "maven" / "kafka-pom.xml"

_LOG4J = """\
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File={log}
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.request.logger=WARN
"""


@dataclass(frozen=True)
class KafkaNode(LocalService):
    """Where one local broker lives: ports, state and cache directories."""

    service: ClassVar[str] = "kafka"

    state_dir: Path
    cache_dir: Path
    host: str = "127.0.0.1"
    port: int = 9092
    controller_port: int = 9093
    version: str = KAFKA_VERSION
    heap: str = "512m"

    @property
    def libs(self) -> Path:
        return self.cache_dir / f"kafka-{self.version}" / "libs"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"


def fetch(node: KafkaNode) -> float:
    """Resolve the broker jars with Maven into the cache (no-op when present); seconds taken."""
    marker = node.libs / f"kafka_2.13-{node.version}.jar"
    if marker.exists():
        return 0.0
    mvn = require_tool("mvn", "install Maven (apt-get install maven) to fetch the Kafka broker")
    started = time.monotonic()
    node.libs.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [mvn, "-B", "-q", "-f", str(_POM), f"-Dkafka.version={node.version}",
         "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={node.libs}"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0 or not marker.exists():
        output = result.stdout[-2000:] + result.stderr[-2000:]
        raise InfraError(f"Maven could not fetch Kafka {node.version}:\n{output}")
    return time.monotonic() - started


def _java() -> str:
    java = require_tool("java", "install a Java 17+ runtime (apt-get install openjdk-17-jre-headless)")
    if java_major_version(java) < 17:
        raise InfraError("Kafka needs Java 17 or newer")
    return java


def _classpath(node: KafkaNode) -> str:
    return f"{node.libs}/*"


def _write_config(node: KafkaNode) -> Path:
    node.home.mkdir(parents=True, exist_ok=True)
    config = node.home / "server.properties"
    config.write_text("\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@{node.host}:{node.controller_port}",
        f"listeners=PLAINTEXT://{node.host}:{node.port},CONTROLLER://{node.host}:{node.controller_port}",
        f"advertised.listeners=PLAINTEXT://{node.host}:{node.port}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"log.dirs={node.data_dir}",
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        # The broker creates __consumer_offsets on the first group join; with the default 50
        # partitions that took minutes on a busy 2-core machine, stalling every consumer group
        # (the registry's journal reader included). One node needs few.
        "offsets.topic.num.partitions=4",
        "transaction.state.log.num.partitions=4",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "log.cleaner.enable=true",
        "",
    ]))
    (node.home / "log4j.properties").write_text(_LOG4J.format(log=node.home / "server.log"))
    return config


def new_cluster_id(draw: Callable[[], bytes] = lambda: uuid.uuid4().bytes) -> str:
    """A Kafka cluster id: 16 random bytes, base64url without padding, never starting with "-".

    An id such as ``-Xk3…`` reads as an option to the storage tool's argument parser, which then
    fails with "--cluster-id: expected one argument"; Kafka's own ``Uuid.randomUuid`` draws again
    for the same reason (one draw in 64 starts with "-").
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(draw()).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _cluster_id(node: KafkaNode) -> str:
    """The id stored beside the data; drawn (again) while it is missing or unusable."""
    cluster_id_file = node.home / "cluster.id"
    stored = cluster_id_file.read_text().strip() if cluster_id_file.exists() else ""
    if not stored or stored.startswith("-"):
        # Storage is not formatted yet (the caller checked), so no data carries the old id.
        stored = new_cluster_id()
        cluster_id_file.write_text(stored)
    return stored


def _format_storage(node: KafkaNode, config: Path, java: str) -> None:
    if (node.data_dir / "meta.properties").exists():
        return
    result = subprocess.run(
        [java, "-cp", _classpath(node), "kafka.tools.StorageTool", "format",
         f"--cluster-id={_cluster_id(node)}", "-c", str(config), "--ignore-formatted"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise InfraError(f"formatting Kafka storage failed:\n{result.stdout}{result.stderr}")


def broker_answers(bootstrap: str, timeout: float = 1.0) -> bool:
    """True when a broker at ``bootstrap`` returns cluster metadata."""
    from confluent_kafka.admin import AdminClient

    try:
        # log_level 0: the "connection refused" lines while the broker starts are expected noise.
        metadata = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0}).list_topics(timeout=timeout)
    except Exception:  # any failure means "not ready yet"
        return False
    return bool(metadata.brokers)


def start(node: KafkaNode, *, timeout: float = 90.0) -> float:
    """Fetch, format (first time only) and start the broker; return seconds until it answered."""
    if read_pid(node.pid_file) is not None:
        return 0.0
    for port in (node.port, node.controller_port):
        if port_in_use(node.host, port):
            raise InfraError(f"port {node.host}:{port} is taken; set DOCKET_KAFKA_PORT / "
                             "DOCKET_KAFKA_CONTROLLER_PORT to free ports or stop what listens there")
    java = _java()
    fetch(node)
    config = _write_config(node)
    _format_storage(node, config, java)
    started = time.monotonic()
    start_background(
        "kafka",
        [java, f"-Xmx{node.heap}", "-Xms128m", "-XX:+UseG1GC",
         f"-Dlog4j.configuration=file:{node.home / 'log4j.properties'}",
         "-cp", _classpath(node), "kafka.Kafka", str(config)],
        log_file=node.log_file, pid_file=node.pid_file,
    )
    wait_until(lambda: broker_answers(node.bootstrap), timeout=timeout, what="Kafka",
               pid_file=node.pid_file, log_file=node.home / "server.log")
    return time.monotonic() - started


def stop(node: KafkaNode) -> bool:
    """Stop the broker (a controlled shutdown flushes the logs); True if it was running."""
    return stop_process(node.pid_file, timeout=60.0)


def status(node: KafkaNode) -> ServiceStatus:
    pid = read_pid(node.pid_file)
    answering = pid is not None and broker_answers(node.bootstrap, timeout=2.0)
    return ServiceStatus("kafka", answering, pid, node.bootstrap,
                         f"Kafka {node.version} KRaft, data {node.data_dir}")
