"""Master data on every worker: the compacted ``masterdata.*`` topics (and ``vendors.field-positions``,
what reviewers taught about where vendors print fields) read whole into local stores.

Enrichment (and cash application) needs *every* vendor, customer, purchase order, open item and
cross-reference on *every* worker, whatever partitions it was assigned. Faust GlobalTables have
a history of multi-worker bugs (workers missing keys or updates after rebalances), so each
worker instead reads the compacted topics itself: a plain consumer without a consumer group,
assigned every partition from offset 0, never committing. A restarted worker therefore rebuilds
the same state from the log, and a new upsert or tombstone reaches all workers.

Keys follow the topics' contract: ``legal_entity:id`` (``legal_entity:system:external_id`` for
cross-references); a record with a null value (tombstone) deletes the key.

All mutation happens on the event loop thread between ``await`` points, so an agent never sees a
directory half-updated. :attr:`MasterDataReader.ready` is set once everything that was on the
topics when the worker started has been applied. The agents wait for more, :meth:`MasterDataReader.wait`:
every record written *before the document or payment was taken up* is applied, so a vendor or an open
item synced a moment before the document that needs it is seen (master data and documents travel on
different topics, with no order between them).
"""

from __future__ import annotations

import asyncio
import gc
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog
from confluent_kafka import Consumer, KafkaException, Message, TopicPartition
from confluent_kafka.admin import AdminClient

from docket.enrich import ReferenceData
from docket.errors import DecodeError, DocketError
from docket.model import CrossReference, Customer, OpenItem, PurchaseOrder, Vendor, VendorFieldPositions
from docket.review.positions import PositionBook
from streams import topics
from streams.app import app, codecs, settings
from streams.codecs import CodecRegistry
from streams.lag import end_offsets
from streams.settings import Settings

log = structlog.get_logger(__name__)

MASTERDATA_TOPICS: tuple[str, ...] = (
    topics.MASTERDATA_VENDORS.name, topics.MASTERDATA_CUSTOMERS.name, topics.MASTERDATA_PURCHASE_ORDERS.name,
    topics.MASTERDATA_OPEN_ITEMS.name, topics.MASTERDATA_XREFS.name, topics.VENDOR_FIELD_POSITIONS.name,
)


class MasterDataKeyError(DocketError):
    """A master-data record whose key does not follow ``legal_entity:id``."""

    code = "MASTERDATA_BAD_KEY"


def split_key(key: bytes | str | None, parts: int = 2) -> list[str]:
    """``legal_entity:id`` (``parts`` = 2) or ``legal_entity:system:external_id`` (3) split on the
    first colons, so ids may themselves contain colons. MasterDataKeyError when parts are missing or
    the key is not UTF-8."""
    try:
        text = key.decode() if isinstance(key, bytes) else (key or "")
    except UnicodeDecodeError as error:
        reason = f"{error.reason} at byte {error.start}"
        raise MasterDataKeyError(f"master-data key {key!r} is not UTF-8 ({reason})") from error
    pieces = text.split(":", parts - 1)
    if len(pieces) != parts or not all(pieces):
        raise MasterDataKeyError(f"master-data key {text!r} is not {':'.join(['x'] * parts)}")
    return pieces


@dataclass
class MasterDataStore:
    """Everything the master-data topics hold, in the forms the domain looks things up in.

    ``reference`` is what :func:`docket.enrich.enrich_document` takes; ``open_items`` is keyed
    ``(legal_entity, item_id)`` for cash application; ``positions`` is what capture's second pass
    reads a known vendor's documents with. ``applied`` counts records per topic.
    """

    reference: ReferenceData = field(default_factory=ReferenceData)
    open_items: dict[tuple[str, str], OpenItem] = field(default_factory=dict)
    positions: PositionBook = field(default_factory=PositionBook)
    applied: Counter[str] = field(default_factory=Counter)

    def apply(self, logical_topic: str, key: bytes | str | None, value: Any) -> None:
        """Apply one record of ``logical_topic``: ``value`` an upsert, None a tombstone of ``key``.

        Raises MasterDataKeyError for a tombstone whose key cannot name what to delete, and
        DocketError (``MASTERDATA_UNKNOWN_TOPIC``) for a topic that is not master data.
        """
        reference = self.reference
        if logical_topic == topics.MASTERDATA_VENDORS.name:
            self._party(reference.vendors, Vendor, key, value)
        elif logical_topic == topics.MASTERDATA_CUSTOMERS.name:
            self._party(reference.customers, Customer, key, value)
        elif logical_topic == topics.MASTERDATA_PURCHASE_ORDERS.name:
            if isinstance(value, PurchaseOrder):
                reference.purchase_orders.upsert(value)
            else:
                reference.purchase_orders.remove(*split_key(key))
        elif logical_topic == topics.MASTERDATA_OPEN_ITEMS.name:
            if isinstance(value, OpenItem):
                self.open_items[(value.legal_entity, value.item_id)] = value
            else:
                self.open_items.pop(tuple(split_key(key)), None)  # type: ignore[arg-type]
        elif logical_topic == topics.MASTERDATA_XREFS.name:
            self._xref(key, value)
        elif logical_topic == topics.VENDOR_FIELD_POSITIONS.name:
            self._positions(key, value)
        else:
            raise DocketError(f"{logical_topic} is not a master-data topic", code="MASTERDATA_UNKNOWN_TOPIC")
        self.applied[logical_topic] += 1

    @staticmethod
    def _party(directory: Any, model: type[Vendor] | type[Customer], key: bytes | str | None, value: Any) -> None:
        if isinstance(value, model):
            directory.upsert(value)
        else:
            directory.remove(*split_key(key))

    def _positions(self, key: bytes | str | None, value: Any) -> None:
        if isinstance(value, VendorFieldPositions):
            self.positions.put(value)
            log.info("field_positions_applied", legal_entity=value.legal_entity, vendor_id=value.vendor_id,
                     document_type=value.document_type, fields=len(value.positions))
            return
        legal_entity, rest = split_key(key)
        vendor_and_type = rest.rsplit(":", 1)  # vendor ids may hold colons, document types never do
        if len(vendor_and_type) != 2 or not all(vendor_and_type):
            raise MasterDataKeyError(f"field-positions key {rest!r} is not legal_entity:vendor_id:document_type")
        self.positions.remove(legal_entity, *vendor_and_type)

    def _xref(self, key: bytes | str | None, value: Any) -> None:
        reference = self.reference
        if isinstance(value, CrossReference):
            # Bank accounts belong to both directories; other kinds to the one that accepts them.
            reference.vendors.add_xref(value)
            reference.customers.add_xref(value)
            return
        legal_entity, system, external_id = split_key(key, 3)
        reference.vendors.remove_xref(legal_entity, system, external_id)
        reference.customers.remove_xref(legal_entity, system, external_id)


class MasterDataGate(Protocol):
    """What an agent awaits before it reads the master data (the reader; an ``asyncio.Event`` in tests)."""

    async def wait(self) -> object:
        """Returns once the master data is as fresh as the agent needs."""


class MasterDataReader:
    """Reads the compacted topics from the beginning, forever, into ``store`` (one per worker).

    ``batch`` records are decoded and applied per poll; between polls the event loop serves the
    agents. A record that does not decode is logged with its code and skipped (every worker
    reads every record, so a dead letter per worker would only multiply it). :attr:`positions`
    holds, per partition, the offset after the last record read.
    """

    def __init__(self, settings: Settings, codecs: CodecRegistry, store: MasterDataStore, *,
                 batch: int = 2000, poll_timeout: float = 0.5, catch_up_timeout_s: float = 10.0) -> None:
        self.settings = settings
        self.codecs = codecs
        self.store = store
        self.batch = batch
        self.poll_timeout = poll_timeout
        self.catch_up_timeout_s = catch_up_timeout_s
        self.ready = asyncio.Event()
        self.skipped: Counter[str] = Counter()
        self.positions: dict[tuple[str, int], int] = {}
        self._partitions: tuple[tuple[str, int], ...] = ()
        self._advanced = asyncio.Condition()
        self._admin: AdminClient | None = None
        self._logical = {settings.topic(name): name for name in MASTERDATA_TOPICS}

    def _consumer(self) -> Consumer:
        return Consumer({
            "bootstrap.servers": self.settings.bootstrap_servers,
            # Never used to commit: it only satisfies librdkafka; every start reads from offset 0.
            "group.id": f"{self.settings.topic_prefix}docket-masterdata-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "enable.partition.eof": False,
        })

    def _assign_all(self, consumer: Consumer) -> dict[tuple[str, int], int]:
        """Assign every partition from 0; return the end offset of each as the worker started."""
        metadata = consumer.list_topics(timeout=30)
        partitions, ends = [], {}
        for physical in self._logical:
            topic_meta = metadata.topics.get(physical)
            if topic_meta is None or topic_meta.error is not None:
                raise DocketError(f"master-data topic {physical} does not exist (run `docket topics create`)",
                                  code="MASTERDATA_TOPIC_MISSING", retryable=True)
            for partition in topic_meta.partitions:
                _, high = consumer.get_watermark_offsets(TopicPartition(physical, partition), timeout=30)
                ends[(physical, partition)] = high
                partitions.append(TopicPartition(physical, partition, 0))
        consumer.assign(partitions)
        return ends

    def apply_message(self, message: Message) -> bool:
        """Decode and apply one message (on the caller's thread); False when it was skipped.

        Raises the retryable DecodeError (registry unreachable): the caller retries the message.
        Anything else wrong with one record (bytes that do not decode, a key that names nothing,
        a bug applying it) skips that record with a code: the loader must reach the end of the log.
        """
        if message.error() is not None:
            log.warning("masterdata_consume_error", reason=str(message.error()))
            return False
        logical = self._logical[str(message.topic())]
        raw = message.value()
        try:
            value = None if raw is None else self.codecs.for_topic(logical).decode(raw)
            self.store.apply(logical, message.key(), value)
            return True
        except DecodeError as error:
            if error.retryable:
                raise
            self._skip(logical, message, error)
        except DocketError as error:
            self._skip(logical, message, error)
        except Exception as error:  # one record must never stop the loader (enrichment waits on it)
            log.exception("masterdata_apply_crashed", topic=logical, offset=message.offset())
            self._skip(logical, message, DocketError(f"{type(error).__name__}: {error}", code="INTERNAL_ERROR"))
        return False

    def _skip(self, logical: str, message: Message, error: DocketError) -> None:
        self.skipped[error.code] += 1
        log.warning("masterdata_skipped", topic=logical, partition=message.partition(), offset=message.offset(),
                    code=error.code, reason=error.message)

    async def run(self) -> None:
        """Read forever (until cancelled); sets :attr:`ready` once the start-up backlog is applied."""
        loop = asyncio.get_running_loop()
        consumer = await loop.run_in_executor(None, self._consumer)
        try:
            ends = await loop.run_in_executor(None, self._assign_all, consumer)
            self._partitions = tuple(ends)
            pending = {tp for tp, end in ends.items() if end > 0}
            self._mark_ready_if(pending)
            while True:
                messages = await loop.run_in_executor(None, consumer.consume, self.batch, self.poll_timeout)
                for message in messages:
                    await self._apply_with_retry(message)
                    self._advance(message)
                async with self._advanced:
                    self._advanced.notify_all()
                if pending:
                    pending = {tp for tp in pending if not self._reached({tp: ends[tp]})}
                    self._mark_ready_if(pending)
        finally:
            consumer.close()

    def _advance(self, message: Message) -> None:
        if message.error() is None:
            tp = (str(message.topic()), message.partition() or 0)
            self.positions[tp] = max(self.positions.get(tp, 0), (message.offset() or 0) + 1)

    async def wait(self) -> None:
        """Returns once the start-up backlog is applied (:attr:`ready`) and, beyond it, every record
        that was on the topics when this call began.

        The end offsets are asked of the broker; when it does not answer, or the reader has not
        reached them within ``catch_up_timeout_s``, the caller goes on with what is loaded (logged
        ``masterdata_behind``): a document then meets older master data, it is never held forever.
        """
        await self.ready.wait()
        try:
            ends = await self._end_offsets()
        except (KafkaException, TimeoutError) as error:  # the broker refused, or did not answer in time
            log.warning("masterdata_behind", reason=f"end offsets unknown: {error}")
            return
        try:
            async with self._advanced:
                await asyncio.wait_for(self._advanced.wait_for(lambda: self._reached(ends)), self.catch_up_timeout_s)
        except TimeoutError:
            behind = {f"{t}[{p}]": end - self.positions.get((t, p), 0) for (t, p), end in ends.items()
                      if self.positions.get((t, p), 0) < end}
            log.warning("masterdata_behind", reason="not caught up in time", records_behind=behind)

    def _reached(self, ends: dict[tuple[str, int], int]) -> bool:
        return all(self.positions.get(tp, 0) >= end for tp, end in ends.items())

    async def _end_offsets(self) -> dict[tuple[str, int], int]:
        """The offset after the last record of every partition read, as the broker says now."""
        if not self._partitions:
            return {}
        if self._admin is None:
            self._admin = AdminClient({"bootstrap.servers": self.settings.bootstrap_servers, "log_level": 0})
        return await asyncio.get_running_loop().run_in_executor(None, end_offsets, self._admin,
                                                                 list(self._partitions), 5.0)

    async def run_forever(self, *, first_delay_s: float = 0.5, max_delay_s: float = 30.0) -> None:
        """:meth:`run`, started again with backoff whenever it fails (the broker away, its topics
        not created yet), so :attr:`ready` is reached once they are there; only cancellation ends it."""
        delay = first_delay_s
        while True:
            try:
                await self.run()
                return
            except Exception as error:  # cancellation is a BaseException: it still ends the loop
                log.warning("masterdata_reader_restarting", code=getattr(error, "code", type(error).__name__),
                            reason=str(error), retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, max_delay_s)

    async def _apply_with_retry(self, message: Message) -> None:
        delay = 0.5
        while True:
            try:
                self.apply_message(message)
                return
            except DecodeError as error:  # the registry is unreachable: this record must not be lost
                log.warning("masterdata_retry", code=error.code, reason=error.message, delay=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    def _mark_ready_if(self, pending: set[tuple[str, int]]) -> None:
        if not pending and not self.ready.is_set():
            log.info("masterdata_ready", **{k.replace(".", "_"): v for k, v in self.store.applied.items()})
            # The loaded directories live as long as the worker: keep the cyclic collector off them.
            gc.freeze()
            self.ready.set()


store = MasterDataStore()
reader = MasterDataReader(settings, codecs, store)


@app.task  # type: ignore[untyped-decorator]  # Faust's task decorator is untyped
async def load_master_data() -> None:
    """Runs on every worker for its whole life: master data is never partitioned."""
    await reader.run_forever()
