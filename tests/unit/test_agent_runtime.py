"""The shared agent loop: nothing a message or a stage does escapes as an exception."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from agents.runtime import Outgoing, Source, Stage, handle, handle_with_retry
from docket.errors import DecodeError, DocketError
from docket.model import DeadLetter, DocumentReceived, DocumentRejected
from streams.codecs import CodecRegistry, registry_client
from tests import factories


@pytest.fixture
def stage() -> Stage:
    codecs = CodecRegistry(registry_client(f"mock://{uuid.uuid4()}"))
    return Stage("capture", codecs, clock=lambda: factories.NOW)


def _source(stage: Stage, value: bytes | None, topic: str = "documents.received") -> Source:
    return Source(topic=topic, partition=2, offset=41, key=b"k", value=value, headers={"trace": "t-1"})


async def _echo(event: Any, source: Source) -> Sequence[Outgoing]:
    return [Outgoing("documents.extracted", event.envelope.document_id, factories.extracted())]


async def test_valid_event_reaches_the_handler(stage: Stage) -> None:
    data = stage.codecs.for_topic("documents.received").encode(factories.received())
    outgoing = await handle(stage, _source(stage, data), _echo)
    assert [o.topic for o in outgoing] == ["documents.extracted"]


async def test_undecodable_bytes_become_a_dead_letter_with_the_original(stage: Stage) -> None:
    outgoing = await handle(stage, _source(stage, b"not avro at all"), _echo)
    assert len(outgoing) == 1 and outgoing[0].topic == "docket.deadletter"
    letter = outgoing[0].value
    assert isinstance(letter, DeadLetter)
    assert letter.value == b"not avro at all" and letter.key == b"k"
    assert letter.error_code == "DECODE_NOT_WIRE_FORMAT"
    assert (letter.source_topic, letter.source_partition, letter.source_offset) == ("documents.received", 2, 41)
    assert letter.headers == {"trace": "t-1"}
    # The dead letter itself must encode, or it could not be produced.
    assert stage.codecs.for_topic("docket.deadletter").encode(letter)[0] == 0


async def test_empty_value_is_dead_lettered(stage: Stage) -> None:
    outgoing = await handle(stage, _source(stage, None), _echo)
    assert isinstance(outgoing[0].value, DeadLetter) and outgoing[0].value.error_code == "DECODE_EMPTY_VALUE"


async def test_stage_error_becomes_a_rejection_with_its_code(stage: Stage) -> None:
    async def failing(event: DocumentReceived, source: Source) -> Sequence[Outgoing]:
        raise DocketError("the PDF is encrypted", code="CAPTURE_PDF_ENCRYPTED", details={"pages": "3"})

    received = factories.received()
    data = stage.codecs.for_topic("documents.received").encode(received)
    (outgoing,) = await handle(stage, _source(stage, data), failing)
    rejection = outgoing.value
    assert isinstance(rejection, DocumentRejected)
    assert outgoing.topic == "documents.rejected" and outgoing.key == received.envelope.document_id
    assert rejection.error_code == "CAPTURE_PDF_ENCRYPTED" and rejection.stage == "capture"
    assert rejection.blob_uri == received.blob_uri
    assert rejection.details == {"pages": "3", "source": "documents.received:2:41"}
    assert rejection.envelope.causation_id == received.envelope.event_id


async def test_unexpected_exception_becomes_internal_error(stage: Stage) -> None:
    async def crashing(event: DocumentReceived, source: Source) -> Sequence[Outgoing]:
        raise ZeroDivisionError("boom")

    data = stage.codecs.for_topic("documents.received").encode(factories.received())
    (outgoing,) = await handle(stage, _source(stage, data), crashing)
    assert isinstance(outgoing.value, DocumentRejected)
    assert outgoing.value.error_code == "INTERNAL_ERROR" and "ZeroDivisionError" in outgoing.value.message


async def test_failure_on_master_data_goes_to_dead_letters(stage: Stage) -> None:
    async def failing(event: Any, source: Source) -> Sequence[Outgoing]:
        raise DocketError("bad vendor", code="MASTERDATA_INVALID")

    data = stage.codecs.for_topic("masterdata.vendors").encode(factories.vendor())
    (outgoing,) = await handle(stage, _source(stage, data, "masterdata.vendors"), failing)
    assert isinstance(outgoing.value, DeadLetter) and outgoing.value.error_code == "MASTERDATA_INVALID"
    assert outgoing.value.value == data


async def test_registry_outage_is_retried_not_dead_lettered(stage: Stage, monkeypatch: pytest.MonkeyPatch) -> None:
    data = stage.codecs.for_topic("documents.received").encode(factories.received())
    calls = {"n": 0}
    real_decode = stage.decode

    def flaky(source: Source) -> Any:
        calls["n"] += 1
        if calls["n"] < 3:
            raise DecodeError("registry down", code="REGISTRY_UNAVAILABLE", retryable=True)
        return real_decode(source)

    monkeypatch.setattr(stage, "decode", flaky)
    monkeypatch.setattr("agents.runtime.asyncio.sleep", _no_sleep)
    outgoing = await handle_with_retry(stage, _source(stage, data), _echo)
    assert calls["n"] == 3 and outgoing[0].topic == "documents.extracted"


async def _no_sleep(delay: float) -> None:
    return None


def test_derived_event_ids_are_stable_across_replays() -> None:
    received = factories.received()
    first = received.envelope.follow(producer="p", now=factories.NOW, versions={"extraction": "1"})
    again = received.envelope.follow(producer="p", now=factories.NOW, versions={"extraction": "1"})
    newer = received.envelope.follow(producer="p", now=factories.NOW, versions={"extraction": "2"})
    other_part = received.envelope.follow(producer="p", now=factories.NOW, versions={"extraction": "1"}, part="2")
    assert first.event_id == again.event_id
    assert len({first.event_id, newer.event_id, other_part.event_id}) == 3
    assert first.causation_id == received.envelope.event_id
