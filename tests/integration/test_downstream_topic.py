"""The downstream-topic posting target on the shared Kafka: what a consumer of ``postings.out.<name>`` sees."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.base import PostingOutcome, PostingRejected, TargetUnavailable
from connectors.downstream import HEADERS, DownstreamTopicSink
from connectors.targets import build_sinks
from docket.model import InvoiceLine, PostingRequested
from infra.process import free_port
from streams.codecs import split_wire
from streams.inspect import read_raw
from streams.settings import Settings
from streams.topics import create_topics, downstream_topic, topics_for
from tests.contract.harness import invoice_request
from tests.integration.harness import codecs_for, run_settings

TARGET = "topic:crm"


@pytest.fixture
def topic_run(infra: Settings, tmp_path: Path) -> Settings:
    settings = run_settings(infra, tmp_path, posting_targets=f"files,{TARGET}", downstream_delivery_timeout_s=3.0)
    create_topics(settings.bootstrap_servers, [downstream_topic(TARGET)], prefix=settings.topic_prefix,
                  partitions=settings.partitions)
    return settings


@pytest.fixture
def sink(topic_run: Settings) -> Iterator[DownstreamTopicSink]:
    made = DownstreamTopicSink(TARGET, topic_run, codecs_for(topic_run))
    yield made
    made.close()


def _request(target: str = TARGET) -> PostingRequested:
    return invoice_request(uuid.uuid4().hex[:10], target=target)


def _records(settings: Settings) -> list[tuple[str, dict[str, bytes], PostingRequested, bytes]]:
    codec = codecs_for(settings).for_topic(downstream_topic(TARGET).name)
    return [(m.key().decode(), dict(m.headers() or []), codec.decode(m.value()), m.value())
            for m in read_raw(settings, downstream_topic(TARGET).name, idle_timeout=2.0)]


def test_a_posting_lands_on_the_topic_keyed_with_its_headers_in_avro(topic_run: Settings,
                                                                     sink: DownstreamTopicSink) -> None:
    request = _request()

    outcome = sink.post(request)

    assert outcome.status == "posted" and outcome.target == TARGET
    assert outcome.erp_reference == f"{topic_run.topic_prefix}postings.out.crm"
    (key, headers, event, raw), = _records(topic_run)
    assert key == request.idempotency_key
    assert set(HEADERS) <= set(headers)
    assert headers["idempotency-key"].decode() == request.idempotency_key
    assert headers["posting-type"].decode() == "supplier_invoice"
    assert event == request
    schema_id, _ = split_wire(raw)
    codec = codecs_for(topic_run).for_topic("postings.out.crm")
    assert codec.subject == f"{topic_run.topic_prefix}postings.out.crm-value"
    assert schema_id == codec.schema_id


def test_a_repeat_is_answered_without_producing_again(topic_run: Settings, sink: DownstreamTopicSink) -> None:
    request, other = _request(), _request()

    results = sink.post_batch([request, other, request])
    again = sink.post(request)

    assert [r.status for r in results if isinstance(r, PostingOutcome)] == ["posted", "posted", "already_posted"]
    assert again.status == "already_posted"
    keys = [key for key, *_ in _records(topic_run)]
    assert sorted(keys) == sorted([request.idempotency_key, other.idempotency_key])


def test_a_record_kafka_can_never_take_is_refused_alone(topic_run: Settings, sink: DownstreamTopicSink) -> None:
    fine = _request()
    huge = _request()
    assert huge.record is not None
    line = InvoiceLine(index=0, description="x" * 2_000_000)
    huge = huge.model_copy(update={"record": huge.record.model_copy(update={"lines": [line]})})

    results = sink.post_batch([huge, fine])

    assert isinstance(results[0], PostingRejected) and "too large" in results[0].message.lower()
    assert isinstance(results[1], PostingOutcome) and results[1].status == "posted"
    assert [key for key, *_ in _records(topic_run)] == [fine.idempotency_key]


def test_a_broker_that_does_not_acknowledge_is_retryable(topic_run: Settings) -> None:
    down = DownstreamTopicSink(TARGET, topic_run, codecs_for(topic_run),
                               **{"bootstrap.servers": f"127.0.0.1:{free_port()}"})

    results = down.post_batch([_request(), _request()])

    assert len(results) == 2
    assert all(isinstance(result, TargetUnavailable) and result.retryable for result in results)
    down.close()


def test_targets_from_settings_make_the_topic_sink_and_its_topic(topic_run: Settings) -> None:
    topic_run.state_dir.mkdir(parents=True, exist_ok=True)  # the posting ledger lives there
    sinks = build_sinks(topic_run, lambda uri: b"")
    request = _request()

    outcome = sinks[TARGET].post(request)
    repeat = sinks[TARGET].post(request)

    assert set(sinks) == {"files", TARGET}
    assert (outcome.status, repeat.status) == ("posted", "already_posted")
    assert [key for key, *_ in _records(topic_run)] == [request.idempotency_key]
    assert "postings.out.crm" in {spec.name for spec in topics_for(topic_run.posting_targets)}
    for sink in sinks.values():
        sink.close()
