"""Consumer lag against the shared test broker: committed offsets vs high watermarks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from streams.lag import LagReadError, read_lag
from streams.settings import Settings


@pytest.fixture
def topics(infra: Settings) -> Iterator[tuple[str, str]]:
    """Two fresh two-partition topics: 10 records on partition 0 and 4 on partition 1 of the first,
    3 on partition 0 of the second."""
    prefix = f"it-lag-{uuid.uuid4().hex[:8]}."
    names = (f"{prefix}work", f"{prefix}other")
    admin = AdminClient({"bootstrap.servers": infra.bootstrap_servers})
    for future in admin.create_topics([NewTopic(name, num_partitions=2, replication_factor=1)
                                       for name in names]).values():
        future.result(timeout=30)
    producer = Producer({"bootstrap.servers": infra.bootstrap_servers})
    for topic, partition, count in ((names[0], 0, 10), (names[0], 1, 4), (names[1], 0, 3)):
        for n in range(count):
            producer.produce(topic, value=f"record {n}".encode(), partition=partition)
    assert producer.flush(30) == 0
    yield names
    for future in admin.delete_topics(list(names)).values():
        future.result(timeout=30)


def commit(bootstrap: str, group: str, offsets: list[TopicPartition]) -> None:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        consumer.commit(offsets=offsets, asynchronous=False)
    finally:
        consumer.close()


def test_lag_is_high_watermark_minus_committed_offset(infra: Settings, topics: tuple[str, str]) -> None:
    work, other = topics
    group = f"it-lag-group-{uuid.uuid4().hex[:8]}"
    commit(infra.bootstrap_servers, group, [TopicPartition(work, 0, 6), TopicPartition(other, 0, 3)])

    rows = read_lag(infra.bootstrap_servers, group)
    assert [(r.topic, r.partition, r.committed, r.end, r.lag) for r in rows] == [
        (other, 0, 3, 3, 0), (work, 0, 6, 10, 4)]
    assert {r.group for r in rows} == {group}

    only_work = read_lag(infra.bootstrap_servers, group, topics=[work])
    assert [(r.partition, r.committed, r.end, r.lag) for r in only_work] == [(0, 6, 10, 4), (1, None, 4, 4)]


def test_a_group_that_never_committed_has_no_rows(infra: Settings, topics: tuple[str, str]) -> None:
    assert read_lag(infra.bootstrap_servers, f"it-lag-none-{uuid.uuid4().hex[:8]}") == []


def test_an_unreachable_broker_is_a_retryable_lag_error() -> None:
    with pytest.raises(LagReadError) as error:
        read_lag("127.0.0.1:9", "nobody", timeout=2.0)
    assert error.value.code == "KAFKA_LAG_UNAVAILABLE" and error.value.retryable
