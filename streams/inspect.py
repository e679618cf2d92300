"""Reading a topic from the start, decoded — for ``docket tail``, the demo summary and tests."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

from confluent_kafka import Consumer

from streams.codecs import CodecRegistry, registry_client
from streams.settings import Settings


def read_raw(settings: Settings, logical_topic: str, *, limit: int | None = None,
             idle_timeout: float = 3.0) -> Iterator[Any]:
    """Raw confluent messages of a topic from the beginning, until ``limit`` or idle for ``idle_timeout``."""
    consumer = Consumer({"bootstrap.servers": settings.bootstrap_servers,
                         "group.id": f"docket-inspect-{uuid.uuid4()}", "auto.offset.reset": "earliest",
                         "enable.auto.commit": False})
    consumer.subscribe([settings.topic(logical_topic)])
    seen = 0
    idle_since = time.monotonic()
    try:
        while limit is None or seen < limit:
            message = consumer.poll(0.5)
            if message is None:
                if time.monotonic() - idle_since > idle_timeout:
                    return
                continue
            if message.error():
                continue
            idle_since = time.monotonic()
            seen += 1
            yield message
    finally:
        consumer.close()


def read_events(settings: Settings, logical_topic: str, *, limit: int | None = None,
                idle_timeout: float = 3.0, codecs: CodecRegistry | None = None) -> Iterator[dict[str, Any]]:
    """Decoded events of a topic as JSON-ready dicts (``{"_offset": ..., "_error": ...}`` when undecodable)."""
    codecs = codecs or CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)
    codec = codecs.for_topic(logical_topic)
    for message in read_raw(settings, logical_topic, limit=limit, idle_timeout=idle_timeout):
        meta = {"_partition": message.partition(), "_offset": message.offset()}
        try:
            yield {**meta, **codec.decode(message.value()).model_dump(mode="json")}
        except Exception as error:  # shown, not hidden: tail is a diagnostic tool
            yield {**meta, "_error": str(error)}


def group_ready(settings: Settings) -> bool:
    """True when the worker's consumer group (``<prefix><app_id>``) is stable with members."""
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers})
    group = f"{settings.topic_prefix}{settings.app_id}"
    try:
        description = admin.describe_consumer_groups([group])[group].result(timeout=5)
    except Exception:  # not there yet, or the coordinator is still loading
        return False
    return str(description.state).endswith("STABLE") and bool(description.members)
