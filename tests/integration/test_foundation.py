"""The foundation on real infrastructure: registry wire format, broker restarts, poison, replay."""

from __future__ import annotations

import json
import struct
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from confluent_kafka import Consumer, Producer, TopicPartition

from connectors.blobstore import LocalBlobStore
from connectors.sources.intake import Intake
from docket.model import DeadLetter, DocumentExtracted, DocumentRouted
from docket.model.avro import canonical_json
from infra import kafka
from infra.process import free_port
from streams.codecs import split_wire
from streams.inspect import read_raw
from streams.producer import EventProducer
from streams.replay import REPLAY_HEADER, Position, replay
from streams.settings import Settings
from tests import factories
from tests.documents import invoice_pdf
from tests.integration.harness import Worker, codecs_for, collect


def _intake(settings: Settings) -> Intake:
    return Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs_for(settings)),
                  default_legal_entity="DE01")


def test_events_carry_the_registry_schema_id_on_the_wire(run: Settings) -> None:
    producer = EventProducer(run, codecs_for(run))
    event = factories.received()
    producer.send("documents.received", event.sha256, event)
    producer.flush()
    (message,) = list(read_raw(run, "documents.received", limit=1, idle_timeout=10))
    schema_id, _ = split_wire(message.value())
    subject = f"{run.topic_prefix}documents.received-value"
    # Ask the registry over its Confluent-compatible REST API, as a Java consumer would.
    latest = httpx.get(f"{run.schema_registry_url}/subjects/{subject}/versions/latest", timeout=10).json()
    assert latest["id"] == schema_id
    by_id = httpx.get(f"{run.schema_registry_url}/schemas/ids/{schema_id}", timeout=10).json()
    assert canonical_json(json.loads(by_id["schema"])) == canonical_json(codecs_for(run).for_topic(
        "documents.received").schema)
    assert codecs_for(run).for_topic("documents.received").decode(message.value()) == event


def test_broker_restart_keeps_topics_and_messages(tmp_path: Path) -> None:
    node = kafka.KafkaNode(state_dir=tmp_path, cache_dir=Settings().cache_dir, port=free_port(),
                           controller_port=free_port())
    kafka.start(node)
    try:
        from streams.topics import DOCUMENTS_RECEIVED, create_topics

        create_topics(node.bootstrap, [DOCUMENTS_RECEIVED], prefix="restart.", partitions=1)
        producer = Producer({"bootstrap.servers": node.bootstrap, "acks": "all", "enable.idempotence": True})
        for i in range(50):
            producer.produce("restart.documents.received", key=str(i).encode(), value=f"message {i}".encode())
        assert producer.flush(30) == 0
        assert kafka.stop(node)
        kafka.start(node)
        consumer = Consumer({"bootstrap.servers": node.bootstrap, "group.id": "restart-check",
                             "auto.offset.reset": "earliest"})
        consumer.assign([TopicPartition("restart.documents.received", 0, 0)])
        values = []
        while len(values) < 50:
            message = consumer.poll(15)
            assert message is not None, f"only {len(values)} of 50 messages after the restart"
            values.append(message.value().decode())
        consumer.close()
        assert values == [f"message {i}" for i in range(50)]
    finally:
        kafka.stop(node)


def test_poison_messages_are_dead_lettered_and_the_worker_keeps_going(run: Settings, worker: Worker) -> None:
    topic = run.topic("documents.received")
    garbage = b"this is not avro"
    unknown_id = struct.pack(">bI", 0, 987654) + b"\x02\x04ab"
    producer = Producer({"bootstrap.servers": run.bootstrap_servers})
    producer.produce(topic, key=b"poison-1", value=garbage)
    producer.produce(topic, key=b"poison-2", value=unknown_id)
    assert producer.flush(10) == 0
    intake = _intake(run)
    good = intake.submit(invoice_pdf(), "invoice.pdf", channel="test")
    intake.flush()

    letters = collect(run, "docket.deadletter", until=lambda r: len(r) >= 2, timeout=90)
    by_key = {event.key: event for _, event in letters}
    assert isinstance(by_key[b"poison-1"], DeadLetter)
    assert by_key[b"poison-1"].value == garbage and by_key[b"poison-1"].error_code == "DECODE_NOT_WIRE_FORMAT"
    assert by_key[b"poison-2"].value == unknown_id and by_key[b"poison-2"].error_code == "DECODE_UNKNOWN_SCHEMA_ID"
    assert by_key[b"poison-1"].source_topic == "documents.received"

    extracted = collect(run, "documents.extracted", until=lambda r: len(r) >= 1, timeout=120)
    assert [e.envelope.document_id for _, e in extracted] == [good.envelope.document_id]


def test_same_bytes_twice_are_linked_not_processed_again(run: Settings, worker: Worker) -> None:
    intake = _intake(run)
    pdf = invoice_pdf(number=f"INV-{uuid.uuid4().hex[:6]}")
    first = intake.submit(pdf, "a.pdf", channel="test")
    intake.flush()
    collect(run, "documents.extracted", until=lambda r: len(r) >= 1, timeout=120)
    second = intake.submit(pdf, "a-again.pdf", channel="test")
    intake.flush()
    # documents.routed also carries the first document's routing decision (post or review).
    routed = collect(run, "documents.routed", timeout=60,
                     until=lambda r: any(e.envelope.document_id == second.envelope.document_id for _, e in r))
    (decision,) = [e for _, e in routed if e.envelope.document_id == second.envelope.document_id]
    assert isinstance(decision, DocumentRouted)
    assert decision.envelope.document_id == second.envelope.document_id
    assert decision.route == "duplicate" and decision.reasons[0].code == "DUPLICATE_CONTENT"
    assert first.envelope.document_id in decision.reasons[0].message
    extracted = collect(run, "documents.extracted", until=lambda r: len(r) >= 1, timeout=10)
    assert {e.envelope.document_id for _, e in extracted} == {first.envelope.document_id}


def test_replaying_a_range_twice_has_no_duplicate_effect(run: Settings, worker: Worker) -> None:
    intake = _intake(run)
    before = datetime.now(UTC) - timedelta(seconds=1)
    submitted = [intake.submit(invoice_pdf(number=f"INV-R{i}"), f"r{i}.pdf", channel="test") for i in range(2)]
    intake.flush()
    first_pass = collect(run, "documents.extracted", until=lambda r: len(r) >= 2, timeout=180)
    original_ids = {e.envelope.event_id for _, e in first_pass}
    # The range by time: the two submissions, not the copies a replay appends after them.
    start, end = Position(timestamp=before), Position(timestamp=datetime.now(UTC))

    for attempt in (1, 2):
        report = replay(run, codecs_for(run), "documents.received", start, end)
        assert report.total == 2
        copies = [m for m in read_raw(run, "documents.received", idle_timeout=2)
                  if any(k == REPLAY_HEADER for k, _ in (m.headers() or []))]
        assert len(copies) == 2 * attempt
        # The workers processed the replayed records again: two more extractions per pass...
        records = collect(run, "documents.extracted", until=lambda r, n=attempt: len(r) >= 2 * (n + 1),
                          timeout=180)
        events = [e for _, e in records]
        assert all(isinstance(e, DocumentExtracted) for e in events)
        # ...and they are the same events, not new ones: anything keyed by event id is unchanged.
        assert {e.envelope.event_id for e in events} == original_ids
        assert {e.envelope.document_id for e in events} == {s.envelope.document_id for s in submitted}
    # A replay is never mistaken for a resubmission of the same bytes.
    codec = codecs_for(run).for_topic("documents.routed")
    routes = [codec.decode(m.value()) for m in read_raw(run, "documents.routed", idle_timeout=2)]
    assert [r for r in routes if r.route == "duplicate"] == []
