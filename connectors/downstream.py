"""Posting to a Kafka topic that an ERP (or CRM, or data warehouse) consumes, instead of calling it.

A ``topic:<name>`` posting target produces each posting request, Avro in the Confluent wire format
(subject ``<prefix>postings.out.<name>-value``, the :class:`~docket.model.PostingRequested`
schema), to ``postings.out.<name>``, keyed by the idempotency key, with the headers
:data:`HEADERS` names. The outcome is ``posted`` once the broker acknowledged the record with
``acks=all``; a record the broker did not acknowledge in time is :class:`TargetUnavailable`
(retried by the posting stage); a record Kafka can never take (larger than the broker allows)
is :class:`PostingRejected` with Kafka's own error text.

Repeats: a key this sink produced before answers ``already_posted`` from its memory of the keys it
produced; across restarts the posting ledger in front of it (``connectors/targets.py``) does the same.
A record produced twice anyway (an acknowledgement lost on the way back) carries the same key,
so the compacted topic keeps one and consumers dedupe on the key.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from confluent_kafka import KafkaError, KafkaException

from connectors.base import BatchSinkBase, PostingOutcome, PostingRejected, TargetUnavailable, redact
from docket.errors import DocketError
from docket.model import PostingRequested
from streams import topics
from streams.codecs import CodecRegistry
from streams.producer import EventProducer, ProduceError
from streams.settings import Settings

HEADERS = ("idempotency-key", "document-id", "posting-type", "target", "mapping-version")
REMEMBERED_KEYS = 100_000
# librdkafka refuses these at ``produce`` and would refuse them again on every retry.
_PERMANENT = {KafkaError.MSG_SIZE_TOO_LARGE, KafkaError._INVALID_ARG, KafkaError.INVALID_RECORD,
              KafkaError.RECORD_LIST_TOO_LARGE}


def headers_for(request: PostingRequested) -> dict[str, str]:
    """The Kafka headers of one downstream record, in the order :data:`HEADERS` lists them."""
    return {"idempotency-key": request.idempotency_key, "document-id": request.envelope.document_id,
            "posting-type": request.posting_type, "target": request.target,
            "mapping-version": request.mapping_version}


class DownstreamTopicSink(BatchSinkBase):
    """Produces postings for target ``topic:<name>`` to ``postings.out.<name>``.

    ``codecs`` encode with the schema registry; ``producer_config`` overrides the producer settings
    (tests point ``bootstrap.servers`` elsewhere). ``settings.downstream_delivery_timeout_s`` bounds
    how long one batch waits for the broker.
    """

    def __init__(self, target: str, settings: Settings, codecs: CodecRegistry, **producer_config: Any) -> None:
        super().__init__()
        self.target = target
        self.topic = topics.downstream_topic(target).name
        self._timeout = settings.downstream_delivery_timeout_s
        self._producer = EventProducer(settings, codecs, **{
            "message.timeout.ms": int(self._timeout * 1000), **producer_config})
        self._physical = settings.topic(self.topic)
        self._produced: OrderedDict[str, PostingOutcome] = OrderedDict()

    def post_batch(self, requests: Sequence[PostingRequested]) -> list[PostingOutcome | DocketError]:
        """Produce every new request, then wait once for the broker to acknowledge them all."""
        self._ensure_open()
        results: list[PostingOutcome | DocketError | None] = []
        queued: dict[str, int] = {}
        for request in requests:
            key = request.idempotency_key
            if key in self._produced or key in queued:
                results.append(None)  # answered below, from the first outcome
                continue
            try:
                self._producer.send(self.topic, key, request, headers=headers_for(request))
            except KafkaException as error:
                results.append(_produce_error(error.args[0] if error.args else None, str(error)))
                continue
            except DocketError as error:  # the registry would not give a schema id
                results.append(error if not error.retryable else TargetUnavailable(error.message))
                continue
            queued[key] = len(results)
            results.append(None)
        if queued:
            try:
                self._producer.flush(self._timeout + 5)
            except ProduceError as error:
                unavailable = TargetUnavailable(f"{self._physical} did not acknowledge: {error}")
                for index in queued.values():
                    results[index] = unavailable
        answers: list[PostingOutcome | DocketError] = []
        for index, (request, result) in enumerate(zip(requests, results, strict=True)):
            key = request.idempotency_key
            if result is None and queued.get(key, index) != index:
                result = results[queued[key]]  # a repeat within the batch shares its first's answer
            if isinstance(result, DocketError):
                answers.append(result)
            elif key in self._produced:
                answers.append(dataclasses.replace(self._produced[key], status="already_posted"))
            else:
                answers.append(self._posted(request))
        return answers

    def _posted(self, request: PostingRequested) -> PostingOutcome:
        """The outcome of a record the broker acknowledged, remembered for repeats."""
        key = request.idempotency_key
        outcome = PostingOutcome(
            idempotency_key=key, target=self.target, status="posted", erp_reference=self._physical, erp_id=key,
            request=redact({"topic": self._physical, "key": key, "headers": headers_for(request)}),
            response={"acknowledged": "all"})
        self._produced[key] = outcome
        while len(self._produced) > REMEMBERED_KEYS:
            self._produced.popitem(last=False)
        return outcome

    def flush(self) -> None:
        self._ensure_open()
        try:
            self._producer.flush(self._timeout + 5)
        except ProduceError as error:
            raise TargetUnavailable(f"{self._physical} did not acknowledge: {error}") from error

    def close(self) -> None:
        if not self._closed:
            # Every record queued was already answered (acknowledged, or unavailable when the
            # broker timed out), so a failure to flush here loses nothing.
            with contextlib.suppress(ProduceError):
                self._producer.flush(self._timeout + 5)
        self._closed = True


def _produce_error(error: KafkaError | None, text: str) -> DocketError:
    """A refusal at ``produce``: permanent for records Kafka can never take, retryable otherwise."""
    if error is not None and error.code() in _PERMANENT:
        return PostingRejected(f"Kafka refused the record: {error.str()}", details={"kafka_error": error.name()})
    return TargetUnavailable(f"Kafka could not queue the record: {text}")


def downstream_sink(target: str, settings: Settings) -> DownstreamTopicSink:
    """The sink of posting target ``topic:<name>`` for ``settings`` (its own schema-registry client)."""
    from streams.codecs import registry_client

    codecs = CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)
    return DownstreamTopicSink(target, settings, codecs)
