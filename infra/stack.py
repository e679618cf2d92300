"""The local stack as one unit: ``up`` starts Kafka then the registry, ``down`` the reverse."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from infra import kafka, registry
from infra.process import ServiceStatus
from streams.settings import Settings


@dataclass(frozen=True)
class Stack:
    node: kafka.KafkaNode
    registry: registry.Registry
    erp_state_dir: Path
    erp_port: int
    erp_db: str = "postgresql"


def stack_for(settings: Settings) -> Stack:
    """The local services described by ``settings`` (ports, state and cache directories)."""
    node = kafka.KafkaNode(state_dir=settings.state_dir, cache_dir=settings.cache_dir, host=settings.kafka_host,
                           port=settings.kafka_port, controller_port=settings.kafka_controller_port)
    reg = registry.Registry(state_dir=settings.state_dir, cache_dir=settings.cache_dir, bootstrap=node.bootstrap,
                            host=settings.registry_host, port=settings.registry_port)
    return Stack(node, reg, settings.tryton_state_dir, settings.tryton_port, settings.tryton_db)


def fetch(stack: Stack) -> dict[str, float]:
    """Download what is missing from the cache; seconds per part (0 when cached)."""
    return {"kafka": kafka.fetch(stack.node), "registry": registry.fetch(stack.registry)}


def up(stack: Stack, *, erp: bool = False) -> dict[str, float]:
    """Start whatever is not running; seconds each part took to answer (0: already running).

    With ``erp`` the local Tryton starts too (its template database is built on the first run,
    which takes a minute or two, then copied).
    """
    timings = fetch(stack)
    timings = {f"fetch {name}": seconds for name, seconds in timings.items()}
    started = time.monotonic()
    timings["kafka"] = kafka.start(stack.node)
    timings["registry"] = registry.start(stack.registry)
    if erp:
        timings["erp (tryton)"] = start_erp(stack)
    timings["total"] = time.monotonic() - started
    return timings


def start_erp(stack: Stack) -> float:
    """Start the local Tryton unless it runs; seconds taken (0 when it was running)."""
    from infra import tryton

    if tryton.status(stack.erp_state_dir) is not None:
        return 0.0
    started = time.monotonic()
    tryton.start(stack.erp_state_dir, port=stack.erp_port, report=lambda _: None, db=stack.erp_db)
    return time.monotonic() - started


def down(stack: Stack) -> dict[str, bool]:
    """Stop Tryton (if it runs), the registry, then Kafka; ``{name: was running}``."""
    from infra import tryton

    return {"erp (tryton)": tryton.stop(stack.erp_state_dir, report=lambda _: None),
            "registry": registry.stop(stack.registry), "kafka": kafka.stop(stack.node)}


def status(stack: Stack) -> list[ServiceStatus]:
    from infra import tryton

    instance = tryton.status(stack.erp_state_dir)
    erp = ServiceStatus("erp (tryton)", instance is not None, instance.pid if instance else None,
                        instance.url if instance else f"127.0.0.1:{stack.erp_port}",
                        f"Tryton 8.2 on {instance.backend if instance else stack.erp_db}")
    return [kafka.status(stack.node), registry.status(stack.registry), erp]
