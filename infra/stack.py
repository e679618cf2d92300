"""The local stack as one unit: ``up`` starts Kafka then the registry, ``down`` the reverse."""

from __future__ import annotations

import time
from dataclasses import dataclass

from infra import kafka, registry
from infra.process import ServiceStatus
from streams.settings import Settings


@dataclass(frozen=True)
class Stack:
    node: kafka.KafkaNode
    registry: registry.Registry


def stack_for(settings: Settings) -> Stack:
    """The local services described by ``settings`` (ports, state and cache directories)."""
    node = kafka.KafkaNode(state_dir=settings.state_dir, cache_dir=settings.cache_dir, host=settings.kafka_host,
                           port=settings.kafka_port, controller_port=settings.kafka_controller_port)
    reg = registry.Registry(state_dir=settings.state_dir, cache_dir=settings.cache_dir, bootstrap=node.bootstrap,
                            host=settings.registry_host, port=settings.registry_port)
    return Stack(node, reg)


def fetch(stack: Stack) -> dict[str, float]:
    """Download what is missing from the cache; seconds per part (0 when cached)."""
    return {"kafka": kafka.fetch(stack.node), "registry": registry.fetch(stack.registry)}


def up(stack: Stack) -> dict[str, float]:
    """Start whatever is not running; seconds each part took to answer (0: already running)."""
    timings = fetch(stack)
    timings = {f"fetch {name}": seconds for name, seconds in timings.items()}
    started = time.monotonic()
    timings["kafka"] = kafka.start(stack.node)
    timings["registry"] = registry.start(stack.registry)
    timings["total"] = time.monotonic() - started
    return timings


def down(stack: Stack) -> dict[str, bool]:
    """Stop the registry, then Kafka; ``{name: was running}``."""
    return {"registry": registry.stop(stack.registry), "kafka": kafka.stop(stack.node)}


def status(stack: Stack) -> list[ServiceStatus]:
    return [kafka.status(stack.node), registry.status(stack.registry)]
