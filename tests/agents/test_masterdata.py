"""Master data applied record by record: upserts, tombstones, cross-references, bad records."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException

from agents.masterdata import MasterDataKeyError, MasterDataReader, MasterDataStore, split_key
from docket.errors import DocketError
from streams.app import codecs, settings
from tests import factories


@dataclass
class FakeMessage:
    """The part of a confluent-kafka Message the reader reads."""

    topic_name: str
    key_bytes: bytes | None
    value_bytes: bytes | None
    offset_value: int = 0

    def error(self) -> None:
        return None

    def topic(self) -> str:
        return self.topic_name

    def key(self) -> bytes | None:
        return self.key_bytes

    def value(self) -> bytes | None:
        return self.value_bytes

    def partition(self) -> int:
        return 0

    def offset(self) -> int:
        return self.offset_value


def _message(topic: str, key: str, event: Any) -> Any:
    value = None if event is None else codecs.for_topic(topic).encode(event)
    return FakeMessage(settings.topic(topic), key.encode(), value)


def test_keys_split_on_the_first_colons_only() -> None:
    assert split_key(b"DE01:V:1") == ["DE01", "V:1"]
    assert split_key("DE01:bank:DE89:x", 3) == ["DE01", "bank", "DE89:x"]
    with pytest.raises(MasterDataKeyError) as error:
        split_key(b"no-colon")
    assert error.value.code == "MASTERDATA_BAD_KEY"


def test_vendor_upsert_replace_and_tombstone() -> None:
    store = MasterDataStore()
    store.apply("masterdata.vendors", None, factories.vendor())
    store.apply("masterdata.vendors", None, factories.vendor(name="Muster Office GmbH", ibans=[]))
    vendors = store.reference.vendors
    assert len(vendors) == 1 and vendors.by_vat_id("DE01", "DE136695976")[0].name == "Muster Office GmbH"
    assert vendors.by_iban("DE01", "DE89370400440532013000") == []  # the replaced record's IBAN is gone
    store.apply("masterdata.vendors", b"DE01:V-1001", None)
    assert len(vendors) == 0 and vendors.by_vat_id("DE01", "DE136695976") == []
    assert store.applied["masterdata.vendors"] == 3


def test_purchase_orders_open_items_and_customers_follow_their_topics() -> None:
    store = MasterDataStore()
    store.apply("masterdata.purchase_orders", None, factories.purchase_order())
    store.apply("masterdata.open_items", None, factories.open_item())
    store.apply("masterdata.customers", None, factories.customer())
    assert store.reference.purchase_orders.get("DE01", "po 77") is not None
    assert ("DE01", "OI-10023") in store.open_items
    assert store.reference.customers.get("DE01", "C-2001") is not None
    store.apply("masterdata.purchase_orders", "DE01:PO-77", None)
    store.apply("masterdata.open_items", "DE01:OI-10023", None)
    store.apply("masterdata.customers", "DE01:C-2001", None)
    assert store.reference.purchase_orders.get("DE01", "PO-77") is None
    assert store.open_items == {} and len(store.reference.customers) == 0


def test_bank_account_xref_reaches_vendors_and_its_tombstone_removes_it() -> None:
    store = MasterDataStore()
    store.apply("masterdata.vendors", None, factories.vendor(ibans=[]))
    xref = factories.xref(system="bank", external_id="DE02120300000000202051", kind="bank_account")
    store.apply("masterdata.xrefs", None, xref)
    (vendor,) = store.reference.vendors.by_iban("DE01", "DE02 1203 0000 0000 2020 51")
    assert vendor.party_id == "V-1001"
    store.apply("masterdata.xrefs", b"DE01:bank:DE02120300000000202051", None)
    assert store.reference.vendors.by_iban("DE01", "DE02120300000000202051") == []


def test_unknown_topic_is_an_error_with_a_code() -> None:
    with pytest.raises(DocketError) as error:
        MasterDataStore().apply("documents.received", None, factories.vendor())
    assert error.value.code == "MASTERDATA_UNKNOWN_TOPIC"


def test_reader_applies_decoded_records_and_skips_bad_ones() -> None:
    store = MasterDataStore()
    reader = MasterDataReader(settings, codecs, store)
    good = _message("masterdata.vendors", "DE01:V-1001", factories.vendor())
    garbage = FakeMessage(settings.topic("masterdata.vendors"), b"DE01:V-2", b"not avro")
    bad_tombstone = FakeMessage(settings.topic("masterdata.vendors"), b"keyless", None)
    messages: list[Any] = [good, garbage, bad_tombstone]
    assert [reader.apply_message(m) for m in messages] == [True, False, False]
    assert store.reference.vendors.get("DE01", "V-1001") is not None
    assert reader.skipped == {"DECODE_NOT_WIRE_FORMAT": 1, "MASTERDATA_BAD_KEY": 1}


NOT_UTF8 = b"DE01:\xff\xfeV-1"


def test_a_key_that_is_not_utf8_is_a_bad_key() -> None:
    with pytest.raises(MasterDataKeyError) as error:
        split_key(NOT_UTF8)
    assert error.value.code == "MASTERDATA_BAD_KEY"


@pytest.mark.parametrize("topic", ["masterdata.vendors", "masterdata.customers", "masterdata.purchase_orders",
                                   "masterdata.open_items", "masterdata.xrefs"])
def test_a_tombstone_whose_key_is_not_utf8_is_skipped_with_its_code(topic: str) -> None:
    reader = MasterDataReader(settings, codecs, MasterDataStore())
    assert reader.apply_message(FakeMessage(settings.topic(topic), NOT_UTF8, None)) is False
    assert reader.skipped == {"MASTERDATA_BAD_KEY": 1}


class FakeConsumer:
    """Hands out ``messages`` once, then nothing (the part of a Consumer the reader's loop uses)."""

    def __init__(self, messages: list[Any]) -> None:
        self.messages = messages
        self.closed = False

    def consume(self, count: int, timeout: float) -> list[Any]:
        batch, self.messages = self.messages[:count], self.messages[count:]
        return batch

    def close(self) -> None:
        self.closed = True


async def test_the_loader_reads_past_undecodable_records_and_becomes_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    store = MasterDataStore()
    reader = MasterDataReader(settings, codecs, store, poll_timeout=0.01)
    vendors = settings.topic("masterdata.vendors")
    messages: list[Any] = [
        FakeMessage(vendors, NOT_UTF8, None, offset_value=0),
        FakeMessage(vendors, b"DE01:V-9", b"\xff\x00\x00\x00\x01\xff", offset_value=1),
        FakeMessage(vendors, b"\xc3(", b"not avro", offset_value=2),
        _message("masterdata.vendors", "DE01:V-1001", factories.vendor()),
    ]
    messages[-1].offset_value = 3
    consumer = FakeConsumer(messages)
    monkeypatch.setattr(reader, "_consumer", lambda: consumer)
    monkeypatch.setattr(reader, "_assign_all", lambda c: {(vendors, 0): 4})

    task = asyncio.create_task(reader.run())
    ready = asyncio.create_task(reader.ready.wait())
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)  # the loader dying ends the wait
    task.cancel()
    ready.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

    assert reader.ready.is_set()

    assert store.reference.vendors.get("DE01", "V-1001") is not None
    assert sum(reader.skipped.values()) == 3 and reader.skipped["MASTERDATA_BAD_KEY"] == 1
    assert consumer.closed


async def test_the_loader_starts_again_when_its_topics_are_not_there_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    store = MasterDataStore()
    reader = MasterDataReader(settings, codecs, store, poll_timeout=0.01)
    vendors = settings.topic("masterdata.vendors")
    good = _message("masterdata.vendors", "DE01:V-1001", factories.vendor())
    consumers = [FakeConsumer([]), FakeConsumer([good])]
    handed_out = iter(consumers)
    monkeypatch.setattr(reader, "_consumer", lambda: next(handed_out))
    answers: list[Any] = [DocketError("no topic", code="MASTERDATA_TOPIC_MISSING", retryable=True),
                          {(vendors, 0): 1}]

    def assign(consumer: Any) -> Any:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(reader, "_assign_all", assign)

    task = asyncio.create_task(reader.run_forever(first_delay_s=0.01))
    ready = asyncio.create_task(reader.ready.wait())
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    task.cancel()
    ready.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

    assert reader.ready.is_set() and store.reference.vendors.get("DE01", "V-1001") is not None
    assert all(consumer.closed for consumer in consumers)


async def _running(reader: MasterDataReader, consumer: FakeConsumer, ends: dict[tuple[str, int], int],
                   monkeypatch: pytest.MonkeyPatch) -> asyncio.Task[None]:
    """The reader's loop on ``consumer``, started and past its start-up backlog (``ends``)."""
    monkeypatch.setattr(reader, "_consumer", lambda: consumer)
    monkeypatch.setattr(reader, "_assign_all", lambda c: ends)
    task = asyncio.create_task(reader.run())
    await asyncio.wait_for(reader.ready.wait(), 5)
    return task


async def _stopped(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_waiting_sees_a_record_written_after_start_up_before_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    reader = MasterDataReader(settings, codecs, MasterDataStore(), poll_timeout=0.01)
    vendors = settings.topic("masterdata.vendors")
    first = _message("masterdata.vendors", "DE01:V-1001", factories.vendor())
    consumer = FakeConsumer([first])
    task = await _running(reader, consumer, {(vendors, 0): 1}, monkeypatch)
    # a vendor synced a moment before the document that needs it: on the topic, not read yet
    later = _message("masterdata.vendors", "DE01:V-2002", factories.vendor(party_id="V-2002"))
    later.offset_value = 1
    consumer.messages.append(later)

    async def broker_ends() -> dict[tuple[str, int], int]:
        return {(vendors, 0): 2}

    monkeypatch.setattr(reader, "_end_offsets", broker_ends)
    assert reader.store.reference.vendors.get("DE01", "V-2002") is None
    await asyncio.wait_for(reader.wait(), 5)
    assert reader.store.reference.vendors.get("DE01", "V-2002") is not None
    assert reader.positions[(vendors, 0)] == 2
    await _stopped(task)


async def test_waiting_gives_up_after_its_timeout_and_when_the_broker_does_not_answer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    reader = MasterDataReader(settings, codecs, MasterDataStore(), poll_timeout=0.01, catch_up_timeout_s=0.05)
    vendors = settings.topic("masterdata.vendors")
    task = await _running(reader, FakeConsumer([]), {(vendors, 0): 0}, monkeypatch)

    async def never_reached() -> dict[tuple[str, int], int]:
        return {(vendors, 0): 5}

    monkeypatch.setattr(reader, "_end_offsets", never_reached)
    await asyncio.wait_for(reader.wait(), 5)  # returns (logged behind) instead of holding the document

    async def unreachable() -> dict[tuple[str, int], int]:
        raise KafkaException(KafkaError(KafkaError._TRANSPORT))

    monkeypatch.setattr(reader, "_end_offsets", unreachable)
    await asyncio.wait_for(reader.wait(), 5)

    async def silent() -> dict[tuple[str, int], int]:
        raise TimeoutError("no answer within the request timeout")  # what the offsets future raises

    monkeypatch.setattr(reader, "_end_offsets", silent)
    await asyncio.wait_for(reader.wait(), 5)
    await _stopped(task)
