"""The Faust application: one module-level app that the agents in ``agents/`` attach to.

Every topic is consumed and produced as raw bytes: the agents decode with
:class:`streams.codecs.AvroCodec` themselves, so a message that does not decode goes to the
dead-letter topic with its original bytes instead of crashing the agent (Faust's own decode
path re-raises into the agent).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import faust

from streams import topics as topic_specs
from streams.codecs import CodecRegistry, registry_client
from streams.settings import Settings, get_settings


def make_app(settings: Settings) -> faust.App:
    """A Faust app configured from ``settings`` (not started)."""
    return faust.App(
        f"{settings.topic_prefix}{settings.app_id}",
        broker=f"kafka://{settings.bootstrap_servers}",
        store=settings.store,
        autodiscover=False,
        key_serializer="raw",
        value_serializer="raw",
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=True,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.broker_session_timeout,
        broker_heartbeat_interval=settings.broker_heartbeat_interval,
        producer_acks=-1,
        processing_guarantee="at_least_once",
        # An agent's last event is acked only when it asks for the next one, so waiting for
        # "empty" on shutdown or rebalance can wait forever; effects are idempotent, and an
        # unacked event is simply seen again.
        stream_wait_empty=False,
        web_host=settings.web_host,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        web_enabled=True,
        datadir=str(settings.state_dir / "faust"),
        table_cleanup_interval=timedelta(minutes=5).total_seconds(),
        logging_config=None,
    )


settings = get_settings()
app = make_app(settings)
codecs = CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)


@app.page("/health")
async def health_view(web: Any, request: Any) -> Any:
    """200 once the worker runs (its web server starts with the app, after the broker answered);
    while it waits for the broker, streams/broker_wait.py answers 503 on the same port."""
    return web.json({"status": "ok"})


_topics: dict[str, faust.TopicT] = {}


def topic(name: str) -> faust.TopicT:
    """The Faust topic of logical topic ``name`` (prefixed, raw bytes, declared up front).

    One object per topic for the process: agents emit through it for every event, and building a
    Topic is not free.
    """
    if name not in _topics:
        spec = topic_specs.by_name(name)
        _topics[name] = app.topic(settings.topic(spec.name), key_type=bytes, value_type=bytes,
                                  partitions=spec.partitions or settings.partitions)
    return _topics[name]
