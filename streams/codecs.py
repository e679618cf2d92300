"""Avro in the Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro body.

Any Kafka tool or Java consumer with a schema-registry deserializer reads Docket's topics. The
codec writes with the newest released schema of the topic's model (``schemas/``) and reads with
schema resolution from whatever version the writer used, so old events stay readable.

Decoding failures carry stable codes: ``DECODE_NOT_WIRE_FORMAT`` (no magic byte),
``DECODE_UNKNOWN_SCHEMA_ID`` (the registry does not know the id), ``DECODE_BAD_AVRO`` (the body
does not parse), ``SCHEMA_MISMATCH`` (it parses but does not fit the model), and — retryable,
not poison — ``REGISTRY_UNAVAILABLE`` when the registry cannot be reached.
"""

from __future__ import annotations

import io
import json
import struct
from typing import Any, Generic, TypeVar

import fastavro
import faust
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from fastavro.read import SchemaResolutionError
from pydantic import BaseModel, ValidationError

from docket.errors import DecodeError, SchemaMismatchError
from streams.contracts import TOPIC_MODELS, latest_schema

MAGIC_BYTE = 0
_HEADER = struct.Struct(">bI")

M = TypeVar("M", bound=BaseModel)


def registry_client(url: str) -> SchemaRegistryClient:
    """A registry client for ``url`` (``mock://name`` gives the library's in-process mock)."""
    return SchemaRegistryClient.new_client({"url": url})


def split_wire(data: bytes) -> tuple[int, bytes]:
    """``(schema_id, avro_body)`` of a Confluent-framed message, or DECODE_NOT_WIRE_FORMAT."""
    if len(data) < _HEADER.size:
        raise DecodeError("message shorter than the 5-byte Confluent header", code="DECODE_NOT_WIRE_FORMAT")
    magic, schema_id = _HEADER.unpack_from(data)
    if magic != MAGIC_BYTE:
        raise DecodeError(f"first byte is {magic}, not the Confluent magic byte 0",
                          code="DECODE_NOT_WIRE_FORMAT")
    return schema_id, data[_HEADER.size:]


class AvroCodec(Generic[M]):
    """Encodes and decodes one model on one Confluent subject (``<topic>-value``).

    The schema id is looked up (or registered, when ``auto_register``) on first use and cached;
    writer schemas of other ids are fetched once per id.
    """

    def __init__(self, registry: SchemaRegistryClient, subject: str, model: type[M],
                 schema: dict[str, Any] | None = None, *, auto_register: bool = True) -> None:
        self.registry = registry
        self.subject = subject
        self.model = model
        self.schema = schema if schema is not None else latest_schema(model)
        self._parsed = fastavro.parse_schema(self.schema)
        self._auto_register = auto_register
        self._schema_id: int | None = None
        self._writers: dict[int, Any] = {}

    @property
    def schema_id(self) -> int:
        """The registry id of this codec's schema under its subject."""
        if self._schema_id is None:
            schema = Schema(json.dumps(self.schema), "AVRO")
            schema_id: int | None
            try:
                if self._auto_register:
                    schema_id = self.registry.register_schema(self.subject, schema)
                else:
                    schema_id = self.registry.lookup_schema(self.subject, schema).schema_id
            except SchemaRegistryError as error:
                raise DecodeError(f"registry refused {self.subject}: {error}", code="SCHEMA_REGISTRATION_FAILED",
                                  retryable=_is_transient(error)) from error
            except Exception as error:  # httpx/connection errors: the registry is down
                raise DecodeError(f"schema registry unreachable: {error}", code="REGISTRY_UNAVAILABLE",
                                  retryable=True) from error
            if schema_id is None:
                raise DecodeError(f"registry returned no id for {self.subject}", code="SCHEMA_REGISTRATION_FAILED")
            self._schema_id = schema_id
            self._writers[schema_id] = self._parsed
        return self._schema_id

    def encode(self, event: M) -> bytes:
        """The Confluent-framed Avro bytes of ``event``."""
        if not isinstance(event, self.model):
            raise TypeError(f"{self.subject} carries {self.model.__name__}, not {type(event).__name__}")
        buffer = io.BytesIO()
        buffer.write(_HEADER.pack(MAGIC_BYTE, self.schema_id))
        fastavro.schemaless_writer(buffer, self._parsed, event.model_dump(mode="python"))
        return buffer.getvalue()

    def decode(self, data: bytes) -> M:
        """The model instance in ``data``, or a DecodeError with a stable code (see module doc)."""
        record = self.decode_record(data)
        try:
            return self.model.model_validate(record)
        except ValidationError as error:
            raise SchemaMismatchError(
                f"record does not fit {self.model.__name__}: {error.error_count()} error(s), "
                f"first: {error.errors()[0]['loc']} {error.errors()[0]['msg']}") from error

    def decode_record(self, data: bytes) -> dict[str, Any]:
        """The Avro record in ``data`` resolved to this codec's schema (a dict)."""
        schema_id, body = split_wire(data)
        writer = self._writer(schema_id)
        buffer = io.BytesIO(body)
        try:
            record = fastavro.schemaless_reader(buffer, writer, self._parsed)
        except SchemaResolutionError as error:
            raise SchemaMismatchError(f"schema id {schema_id} cannot be read as {self.subject}: {error}") from error
        except Exception as error:  # fastavro raises many types on a garbled body
            raise DecodeError(f"Avro body does not parse with schema id {schema_id}: {error!r}",
                              code="DECODE_BAD_AVRO") from error
        if buffer.tell() != len(body):
            raise DecodeError(f"{len(body) - buffer.tell()} trailing bytes after the Avro record",
                              code="DECODE_BAD_AVRO")
        if not isinstance(record, dict):
            raise DecodeError("Avro body is not a record", code="DECODE_BAD_AVRO")
        return record

    def _writer(self, schema_id: int) -> Any:
        if schema_id not in self._writers:
            try:
                registered = self.registry.get_schema(schema_id)
            except SchemaRegistryError as error:
                if _is_transient(error):
                    raise DecodeError(f"schema registry failed: {error}", code="REGISTRY_UNAVAILABLE",
                                      retryable=True) from error
                raise DecodeError(f"schema id {schema_id} is unknown to the registry",
                                  code="DECODE_UNKNOWN_SCHEMA_ID") from error
            except Exception as error:
                raise DecodeError(f"schema registry unreachable: {error}", code="REGISTRY_UNAVAILABLE",
                                  retryable=True) from error
            if registered.schema_type not in (None, "AVRO"):
                raise DecodeError(f"schema id {schema_id} is {registered.schema_type}, not Avro",
                                  code="DECODE_UNKNOWN_SCHEMA_ID")
            self._writers[schema_id] = fastavro.parse_schema(json.loads(registered.schema_str or "null"))
        return self._writers[schema_id]


def _is_transient(error: SchemaRegistryError) -> bool:
    status = getattr(error, "http_status_code", None)
    return status is None or status < 0 or status >= 500


class CodecRegistry:
    """One :class:`AvroCodec` per physical topic, built on demand from :data:`TOPIC_MODELS`."""

    def __init__(self, registry: SchemaRegistryClient, *, prefix: str = "", auto_register: bool = True) -> None:
        self.registry = registry
        self.prefix = prefix
        self.auto_register = auto_register
        self._codecs: dict[str, AvroCodec[Any]] = {}

    def for_topic(self, logical_topic: str) -> AvroCodec[Any]:
        """The codec of logical topic ``logical_topic`` (subject ``<prefix><topic>-value``)."""
        if logical_topic not in self._codecs:
            model = TOPIC_MODELS[logical_topic]
            subject = f"{self.prefix}{logical_topic}-value"
            self._codecs[logical_topic] = AvroCodec(self.registry, subject, model,
                                                    auto_register=self.auto_register)
        return self._codecs[logical_topic]

    def register_all(self) -> dict[str, int]:
        """Register every topic's schema; ``{subject: schema id}``."""
        return {self.for_topic(name).subject: self.for_topic(name).schema_id for name in TOPIC_MODELS}


class FaustAvroCodec(faust.Codec):
    """The same codec plugged into Faust, for topics declared with ``value_serializer=``."""

    def __init__(self, codec: AvroCodec[Any], **kwargs: Any) -> None:
        self.codec = codec
        super().__init__(**kwargs)

    def _dumps(self, obj: Any) -> bytes:
        return self.codec.encode(obj)

    def _loads(self, s: bytes) -> Any:
        return self.codec.decode(s)
