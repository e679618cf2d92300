"""Avro schemas derived from the pydantic models, so the two cannot drift apart silently.

:func:`avro_schema` turns a model class into an Avro record schema (a plain dict). The released
schemas in ``schemas/<subject>/v<N>.avsc`` are files, never edited; ``tests/unit/test_schemas.py``
checks that each model still produces its subject's newest released schema, and that every
released version resolves against the newest in both directions.

Mapping: ``str`` → string, ``int`` → long, ``float`` → double, ``bool`` → boolean, ``bytes`` →
bytes, :data:`~docket.model.common.Amount` → ``decimal(20, 4)`` on bytes, ``date`` → int/date,
``datetime`` → long/timestamp-micros, ``X | None`` → ``["null", X]`` with default null,
``list[X]`` → array (default []), ``dict[str, X]`` → map (default {}), a model → a named record
(defined once, then referenced by name).
"""

from __future__ import annotations

import json
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from docket.model.common import AMOUNT_PRECISION, AMOUNT_SCALE

NAMESPACE = "dev.docket"

_PRIMITIVES: dict[type, Any] = {
    str: "string",
    int: "long",
    float: "double",
    bool: "boolean",
    bytes: "bytes",
    Decimal: {"type": "bytes", "logicalType": "decimal",
              "precision": AMOUNT_PRECISION, "scale": AMOUNT_SCALE},
    date: {"type": "int", "logicalType": "date"},
    datetime: {"type": "long", "logicalType": "timestamp-micros"},
}


class AvroMappingError(TypeError):
    """A model field has a Python type with no Avro mapping here."""


def avro_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The Avro record schema of ``model`` (named ``dev.docket.<ClassName>``)."""
    schema = _record(model, defined=set())
    assert isinstance(schema, dict)
    return schema


def canonical_json(schema: Any) -> str:
    """A stable text form for comparing and storing schemas (sorted keys, 2-space indent)."""
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def _record(model: type[BaseModel], defined: set[str]) -> dict[str, Any] | str:
    full_name = f"{NAMESPACE}.{model.__name__}"
    if full_name in defined:
        return full_name
    defined.add(full_name)
    fields = [_field(name, info, defined) for name, info in model.model_fields.items()]
    record: dict[str, Any] = {"type": "record", "name": model.__name__, "namespace": NAMESPACE,
                              "fields": fields}
    doc = _first_paragraph(model.__doc__)
    if doc:
        record["doc"] = doc
    return record


def _field(name: str, info: FieldInfo, defined: set[str]) -> dict[str, Any]:
    avro_type = _type(info.annotation, defined)
    field: dict[str, Any] = {"name": name, "type": avro_type}
    if info.description:
        field["doc"] = info.description
    default = _default(info)
    if default is not _NO_DEFAULT:
        field["default"] = default
    return field


_NO_DEFAULT = object()


def _default(info: FieldInfo) -> Any:
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
        if value in ([], {}):
            return value
        raise AvroMappingError(f"unsupported default factory result {value!r}")
    if info.default is PydanticUndefined:
        return _NO_DEFAULT
    value = info.default
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise AvroMappingError(f"unsupported default {value!r}")


def _type(annotation: Any, defined: set[str]) -> Any:
    annotation = _strip_annotated(annotation)
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [m for m in typing.get_args(annotation) if m is not type(None)]
        if len(members) != 1:
            raise AvroMappingError(f"only X | None unions are supported, got {annotation}")
        return ["null", _type(members[0], defined)]
    if origin is list:
        (item,) = typing.get_args(annotation)
        return {"type": "array", "items": _type(item, defined)}
    if origin is dict:
        key, value = typing.get_args(annotation)
        if _strip_annotated(key) is not str:
            raise AvroMappingError("map keys must be str")
        return {"type": "map", "values": _type(value, defined)}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _record(annotation, defined)
    if annotation in _PRIMITIVES:
        return _PRIMITIVES[annotation]
    raise AvroMappingError(f"no Avro mapping for {annotation!r}")


def _strip_annotated(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _first_paragraph(doc: str | None) -> str:
    if not doc:
        return ""
    return " ".join(doc.strip().split("\n\n")[0].split())
