"""The Confluent-wire Avro codec against the client library's in-process mock registry."""

from __future__ import annotations

import json
import struct
import uuid
from decimal import Decimal

import pytest
from confluent_kafka.schema_registry import Schema

from docket.errors import DecodeError, SchemaMismatchError
from docket.model import DocumentReceived
from docket.model.avro import avro_schema
from streams.codecs import AvroCodec, CodecRegistry, registry_client, split_wire
from tests import factories


@pytest.fixture
def codecs() -> CodecRegistry:
    return CodecRegistry(registry_client(f"mock://{uuid.uuid4()}"), prefix="t.")


def test_encodes_confluent_wire_format_with_registered_id(codecs: CodecRegistry) -> None:
    codec = codecs.for_topic("documents.received")
    data = codec.encode(factories.received())
    schema_id, body = split_wire(data)
    assert data[0] == 0
    assert schema_id == codec.schema_id
    assert codecs.registry.get_latest_version("t.documents.received-value").schema_id == schema_id
    assert body


def test_round_trip_keeps_decimals_and_dates(codecs: CodecRegistry) -> None:
    event = factories.payment(amount=Decimal("1234.5678"))
    codec = codecs.for_topic("payments.received")
    decoded = codec.decode(codec.encode(event))
    assert decoded == event
    assert decoded.amount == Decimal("1234.5678")


def test_not_wire_format_is_a_decode_error(codecs: CodecRegistry) -> None:
    with pytest.raises(DecodeError) as raised:
        codecs.for_topic("documents.received").decode(b'{"json": true}')
    assert raised.value.code == "DECODE_NOT_WIRE_FORMAT"
    assert not raised.value.retryable


def test_unknown_schema_id_is_a_decode_error(codecs: CodecRegistry) -> None:
    with pytest.raises(DecodeError) as raised:
        codecs.for_topic("documents.received").decode(struct.pack(">bI", 0, 9999) + b"\x02x")
    assert raised.value.code == "DECODE_UNKNOWN_SCHEMA_ID"


def test_truncated_body_is_bad_avro(codecs: CodecRegistry) -> None:
    codec = codecs.for_topic("documents.received")
    data = codec.encode(factories.received())
    with pytest.raises(DecodeError) as raised:
        codec.decode(data[:-10])
    assert raised.value.code == "DECODE_BAD_AVRO"


def test_trailing_garbage_is_bad_avro(codecs: CodecRegistry) -> None:
    codec = codecs.for_topic("documents.received")
    with pytest.raises(DecodeError) as raised:
        codec.decode(codec.encode(factories.received()) + b"\x00\x01")
    assert raised.value.code == "DECODE_BAD_AVRO"


def test_event_of_another_subject_is_a_schema_mismatch(codecs: CodecRegistry) -> None:
    payment_bytes = codecs.for_topic("payments.received").encode(factories.payment())
    with pytest.raises(SchemaMismatchError) as raised:
        codecs.for_topic("documents.received").decode(payment_bytes)
    assert raised.value.code == "SCHEMA_MISMATCH"


def test_reader_fills_defaults_for_records_written_by_an_older_schema(codecs: CodecRegistry) -> None:
    """An older producer that did not know `metadata` and `duplicate_of` is still readable."""
    old = avro_schema(DocumentReceived)
    old["fields"] = [f for f in old["fields"] if f["name"] not in ("metadata", "duplicate_of")]
    subject = "t.documents.received-value"
    old_id = codecs.registry.register_schema(subject, Schema(json.dumps(old), "AVRO"))
    writer = AvroCodec(codecs.registry, subject, DocumentReceived, old)
    record = factories.received(metadata={}, duplicate_of=None)
    data = writer.encode(record)
    assert split_wire(data)[0] == old_id
    decoded = codecs.for_topic("documents.received").decode(data)
    assert decoded == record


def test_encoding_the_wrong_model_is_refused(codecs: CodecRegistry) -> None:
    with pytest.raises(TypeError):
        codecs.for_topic("documents.received").encode(factories.payment())


def test_amounts_beyond_four_places_are_rounded_half_even() -> None:
    assert factories.payment(amount=Decimal("10.00005")).amount == Decimal("10.0000")
    assert factories.payment(amount=Decimal("10.00015")).amount == Decimal("10.0002")
