"""Downstream ``topic:<name>`` targets: topic names, specs, the codec subject, target parsing."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from connectors.targets import build_sinks
from docket.errors import ConfigError
from docket.model import PostingRequested
from streams.codecs import CodecRegistry, registry_client
from streams.contracts import TOPIC_MODELS
from streams.settings import Settings
from streams.topics import ALL_TOPICS, downstream_name, downstream_targets, downstream_topic, topics_for
from tests.contract.harness import invoice_request


def test_a_downstream_target_names_its_topic() -> None:
    spec = downstream_topic("topic:crm")

    assert downstream_name("topic:crm") == "crm"
    assert spec.name == "postings.out.crm"
    assert spec.compacted and spec.kafka_config()["cleanup.policy"] == "compact"


@pytest.mark.parametrize("target", ["crm", "topic:", "topic:CRM", "topic:a b", "topic:../x", "tryton"])
def test_targets_that_are_not_valid_downstream_topics_are_refused(target: str) -> None:
    with pytest.raises(ValueError):
        downstream_name(target)


def test_only_topic_targets_get_topics_and_mapping_versions_are_ignored() -> None:
    assert downstream_targets("tryton, topic:crm=crm/2 ,files,topic:dwh") == ["topic:crm", "topic:dwh"]
    names = [spec.name for spec in topics_for("tryton,topic:crm=crm/2,topic:dwh")]
    assert names[:len(ALL_TOPICS)] == [spec.name for spec in ALL_TOPICS]
    assert names[len(ALL_TOPICS):] == ["postings.out.crm", "postings.out.dwh"]
    assert topics_for("tryton") == ALL_TOPICS


def test_downstream_topics_carry_posting_requests_on_their_own_subject() -> None:
    codecs = CodecRegistry(registry_client(f"mock://{uuid.uuid4()}"), prefix="t.")
    request = invoice_request("abc", target="topic:crm")

    codec = codecs.for_topic("postings.out.crm")

    assert TOPIC_MODELS["postings.out.crm"] is PostingRequested
    assert codec.subject == "t.postings.out.crm-value"
    assert codec.decode(codec.encode(request)) == request
    with pytest.raises(KeyError):
        TOPIC_MODELS["postings.nowhere"]


def test_build_sinks_makes_a_sink_per_topic_target_and_refuses_bad_names(tmp_path: Path) -> None:
    good = Settings(state_dir=tmp_path, posting_targets="files,topic:crm", files_dir=tmp_path / "out")
    bad = Settings(state_dir=tmp_path, posting_targets="files,topic:Not Valid", files_dir=tmp_path / "out")

    sinks = build_sinks(good, lambda uri: b"")

    assert set(sinks) == {"files", "topic:crm"}
    assert sinks["topic:crm"].target == "topic:crm"
    with pytest.raises(ConfigError) as refused:
        build_sinks(bad, lambda uri: b"")
    assert refused.value.code == "CONFIG_SETTING_INVALID"
    assert refused.value.details["target"] == "topic:Not Valid"


def test_build_sinks_reads_the_target_name_before_a_mapping_version(tmp_path: Path) -> None:
    sinks = build_sinks(Settings(state_dir=tmp_path, posting_targets="files=csv_invoice/3, topic:crm=crm/2",
                                 files_dir=tmp_path / "out"), lambda uri: b"")
    assert set(sinks) == {"files", "topic:crm"}
