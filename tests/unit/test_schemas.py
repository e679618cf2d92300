"""The Avro contracts: released files match the models, versions stay compatible, samples round-trip."""

from __future__ import annotations

import io
import json
from typing import Any

import fastavro
import pytest
from fastavro.read import SchemaResolutionError

from docket.model.avro import avro_schema, canonical_json
from streams.contracts import EVENT_MODELS, SCHEMAS_DIR, TOPIC_MODELS, released_versions, samples, subject_of
from streams.topics import ALL_TOPICS

SUBJECTS = [subject_of(model) for model in EVENT_MODELS]
MODEL_OF = {subject_of(model): model for model in EVENT_MODELS}


def _write(schema: dict[str, Any], record: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(schema), record)
    return buffer.getvalue()


def _read(data: bytes, writer: dict[str, Any], reader: dict[str, Any]) -> dict[str, Any]:
    result = fastavro.schemaless_reader(io.BytesIO(data), fastavro.parse_schema(writer), fastavro.parse_schema(reader))
    assert isinstance(result, dict)
    return result


def _python_records(subject: str, version: int) -> list[dict[str, Any]]:
    """Sample JSON → the model → Python values fastavro writes (Decimal, date, datetime)."""
    model = MODEL_OF[subject]
    return [model.model_validate_json(json.dumps(sample)).model_dump(mode="python")
            for sample in samples(subject, version)]


def test_every_topic_has_an_event_model_with_released_schema() -> None:
    assert {spec.name for spec in ALL_TOPICS} == set(TOPIC_MODELS)
    for model in set(TOPIC_MODELS.values()):
        assert released_versions(subject_of(model)), f"{model.__name__} has no released schema"


@pytest.mark.parametrize("subject", SUBJECTS)
def test_model_matches_newest_released_schema(subject: str) -> None:
    """A model change without a new released version fails here (run `docket schemas release`)."""
    newest = released_versions(subject)[-1][1]
    assert canonical_json(avro_schema(MODEL_OF[subject])) == canonical_json(newest)


@pytest.mark.parametrize("subject", SUBJECTS)
def test_released_versions_resolve_both_ways_against_newest(subject: str) -> None:
    """Full compatibility: old writers are read by the newest reader and vice versa."""
    versions = released_versions(subject)
    newest_version, newest = versions[-1]
    for version, schema in versions:
        for record in _python_records(subject, version):
            assert _read(_write(schema, record), schema, newest) is not None
        for record in _python_records(subject, newest_version):
            assert _read(_write(newest, record), newest, schema) is not None


@pytest.mark.parametrize("subject", SUBJECTS)
def test_samples_round_trip_through_avro(subject: str) -> None:
    version, schema = released_versions(subject)[-1]
    model = MODEL_OF[subject]
    for sample in samples(subject, version):
        instance = model.model_validate_json(json.dumps(sample))
        decoded = _read(_write(schema, instance.model_dump(mode="python")), schema, schema)
        assert model.model_validate(decoded) == instance


def test_compatibility_check_catches_a_breaking_change() -> None:
    """The check above would fail for a new required field: old records cannot fill it."""
    subject = "documents.received"
    old = released_versions(subject)[-1][1]
    broken = json.loads(json.dumps(old))
    broken["fields"].append({"name": "priority", "type": "long"})
    record = _python_records(subject, 1)[0]
    with pytest.raises(SchemaResolutionError):
        _read(_write(old, record), old, broken)


def test_schema_files_are_canonical_json() -> None:
    """Released files are byte-for-byte what the release tool writes (no hand edits)."""
    for path in SCHEMAS_DIR.glob("*/v*.avsc"):
        text = path.read_text()
        assert text == canonical_json(json.loads(text)), path
