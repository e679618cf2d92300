"""The downstream-topic sink (``connectors/downstream.py``) under the sink contract, on the test Kafka.

The target's refusal is Kafka's own: a record larger than the broker takes ("Message size too
large"). A target that is down is a broker address nobody listens on. Records are counted by
reading ``postings.out.<name>`` back and counting the request's key.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from connectors.base import PostingSink
from connectors.downstream import DownstreamTopicSink
from docket.model import InvoiceLine, PostingRequested
from infra import stack
from infra.process import free_port
from streams.inspect import read_raw
from streams.settings import Settings
from streams.topics import create_topics, downstream_topic
from tests.contract.harness import SinkHarness, invoice_request
from tests.contract.tryton_server import TrytonServer
from tests.integration.harness import codecs_for, infra_settings, run_settings

TARGET = "topic:contract"


def kafka_stack() -> Iterator[Settings]:
    """The shared test Kafka and registry (started when not running; stopped only when started
    here and DOCKET_KEEP_INFRA is not 1)."""
    base = infra_settings()
    local = stack.stack_for(base)
    timings = stack.up(local)
    yield base
    started_here = timings.get("kafka", 0) > 0
    if started_here and os.environ.get("DOCKET_KEEP_INFRA") != "1":
        stack.down(local)


def _too_large(label: str) -> PostingRequested:
    request = invoice_request(label, target=TARGET)
    assert request.record is not None
    huge = InvoiceLine(index=0, description="x" * 2_000_000)
    return request.model_copy(update={"record": request.record.model_copy(update={"lines": [huge]})})


def topic_harness(tmp: Path, _: TrytonServer | None) -> SinkHarness:
    settings = run_settings(infra_settings(), tmp, downstream_delivery_timeout_s=3.0,
                            topic_prefix=f"contract-{uuid.uuid4().hex[:8]}.")
    topic = downstream_topic(TARGET)
    create_topics(settings.bootstrap_servers, [topic], prefix=settings.topic_prefix, partitions=1)
    sink = DownstreamTopicSink(TARGET, settings, codecs_for(settings))

    def unreachable() -> PostingSink:
        return DownstreamTopicSink(TARGET, settings, codecs_for(settings),
                                   **{"bootstrap.servers": f"127.0.0.1:{free_port()}"})

    def count(request: PostingRequested) -> int:
        key = request.idempotency_key.encode()
        return sum(1 for message in read_raw(settings, topic.name, idle_timeout=1.5) if message.key() == key)

    return SinkHarness(
        name="topic", sink=sink, accepted=lambda label: invoice_request(label, target=TARGET), refused=_too_large,
        refusal_text="Message size too large", unreachable=unreachable, count_records=count)
