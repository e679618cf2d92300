"""The local broker's cluster id never reads as a command-line option."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

from infra import kafka

# 0xF8 encodes to "-" as the first base64url character.
_DASHED = bytes([0xF8]) + bytes(15)
_PLAIN = bytes(range(16))


def _draws(*values: bytes) -> Iterator[bytes]:
    yield from values


def test_a_draw_that_would_start_with_a_dash_is_drawn_again() -> None:
    assert base64.urlsafe_b64encode(_DASHED).decode().startswith("-")
    draws = _draws(_DASHED, _PLAIN)

    cluster_id = kafka.new_cluster_id(lambda: next(draws))

    assert cluster_id == base64.urlsafe_b64encode(_PLAIN).decode().rstrip("=")
    assert len(cluster_id) == 22


def test_a_stored_id_that_starts_with_a_dash_is_replaced_before_formatting(tmp_path: Path) -> None:
    node = kafka.KafkaNode(state_dir=tmp_path, cache_dir=tmp_path / "cache")
    node.home.mkdir(parents=True)
    (node.home / "cluster.id").write_text("-" + "A" * 21)

    cluster_id = kafka._cluster_id(node)

    assert not cluster_id.startswith("-")
    assert (node.home / "cluster.id").read_text() == cluster_id


def test_a_usable_stored_id_is_kept(tmp_path: Path) -> None:
    node = kafka.KafkaNode(state_dir=tmp_path, cache_dir=tmp_path / "cache")
    node.home.mkdir(parents=True)
    (node.home / "cluster.id").write_text("MkU3OEVBNTcwNTJENDM2Qg\n")

    assert kafka._cluster_id(node) == "MkU3OEVBNTcwNTJENDM2Qg"
