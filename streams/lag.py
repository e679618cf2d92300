"""Consumer lag: per consumer group, topic and partition, committed offset vs high watermark.

The worker's consumer group is its Faust app id (``<topic_prefix><app_id>``, see streams/app.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from confluent_kafka import ConsumerGroupTopicPartitions, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec  # type: ignore[attr-defined]

from docket.errors import DocketError
from docket.ops.model import ConsumerLag
from streams.settings import Settings

_NO_OFFSET = 0  # committed offsets below this are librdkafka's "none" markers (-1001 ...)


class LagReadError(DocketError):
    """The broker did not answer the offset queries (down, group coordinator loading, timeout)."""

    code = "KAFKA_LAG_UNAVAILABLE"
    retryable = True


def read_lag(bootstrap_servers: str, group: str, *, topics: Sequence[str] | None = None,
             timeout: float = 10.0) -> list[ConsumerLag]:
    """The lag of ``group`` on every partition it committed an offset for, sorted by topic and
    partition. With ``topics``, only those topics, and every partition of theirs: a partition the
    group never committed on has ``committed=None`` and lags by all the records it still holds
    (high watermark minus low watermark). Raises :class:`LagReadError` when the broker does not answer.
    """
    admin = AdminClient({"bootstrap.servers": bootstrap_servers})
    try:
        committed = _committed(admin, group, timeout)
        if topics is not None:
            wanted = set(topics)
            committed = {tp: offset for tp, offset in committed.items() if tp[0] in wanted}
            for topic_partition in _partitions(admin, topics, timeout):
                committed.setdefault(topic_partition, None)
        if not committed:
            return []
        ends = end_offsets(admin, list(committed), timeout)
        starts = _watermarks(admin, [tp for tp, offset in committed.items() if offset is None],
                             OffsetSpec.earliest(), timeout)  # type: ignore[no-untyped-call]
    except (KafkaException, TimeoutError) as error:
        raise LagReadError(f"cannot read the lag of {group}: {error}") from error
    rows = []
    for (topic, partition), offset in sorted(committed.items()):
        end = ends[(topic, partition)]
        behind = end - (offset if offset is not None else starts[(topic, partition)])
        rows.append(ConsumerLag(group=group, topic=topic, partition=partition, committed=offset, end=end,
                                lag=max(0, behind)))
    return rows


def worker_lag(settings: Settings, *, timeout: float = 10.0) -> list[ConsumerLag]:
    """The lag of the Docket worker's consumer group (``<topic_prefix><app_id>``)."""
    return read_lag(settings.bootstrap_servers, f"{settings.topic_prefix}{settings.app_id}", timeout=timeout)


def worker_lag_reader(settings: Settings, *, timeout: float = 5.0) -> Callable[[], list[ConsumerLag]]:
    """A no-argument reader of :func:`worker_lag`, as the dashboard and ``/metrics`` take it."""
    return lambda: worker_lag(settings, timeout=timeout)


def _committed(admin: AdminClient, group: str, timeout: float) -> dict[tuple[str, int], int | None]:
    futures = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)], request_timeout=timeout)
    result = futures[group].result(timeout=timeout)
    return {(tp.topic, tp.partition): tp.offset if tp.offset >= _NO_OFFSET else None
            for tp in result.topic_partitions or []}


def _partitions(admin: AdminClient, topics: Sequence[str], timeout: float) -> list[tuple[str, int]]:
    out = []
    for topic in topics:
        metadata = admin.list_topics(topic, timeout=timeout).topics.get(topic)
        if metadata is None or metadata.error is not None:
            raise LagReadError(f"topic {topic} is unknown", code="KAFKA_TOPIC_UNKNOWN", retryable=False)
        out += [(topic, partition) for partition in metadata.partitions]
    return out


def end_offsets(admin: AdminClient, partitions: list[tuple[str, int]], timeout: float) -> dict[tuple[str, int], int]:
    """The offset after the last record of each partition, as the broker answers now (one request
    per broker); raises ``KafkaException`` when it does not answer within ``timeout``."""
    return _watermarks(admin, partitions, OffsetSpec.latest(), timeout)  # type: ignore[no-untyped-call]


def _watermarks(admin: AdminClient, partitions: list[tuple[str, int]], spec: OffsetSpec,
                timeout: float) -> dict[tuple[str, int], int]:
    if not partitions:
        return {}
    futures = admin.list_offsets({TopicPartition(topic, partition): spec for topic, partition in partitions},
                                 request_timeout=timeout)
    return {(tp.topic, tp.partition): future.result(timeout=timeout).offset for tp, future in futures.items()}
