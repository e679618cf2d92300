"""The committed golden set is what the golden plan generates (truth byte for byte) and stays small."""

from __future__ import annotations

import json
from pathlib import Path

from devkit.corpus.golden import golden_document, golden_plan

GOLDEN = Path(__file__).resolve().parents[2] / "golden"


def test_committed_truth_matches_the_generator() -> None:
    for position, entry in enumerate(golden_plan()):
        doc = golden_document(position, entry)
        committed = json.loads((GOLDEN / f"{doc.truth.id}.truth.json").read_text(encoding="utf-8"))
        assert committed == json.loads(doc.truth.to_json()), doc.truth.id
        assert (GOLDEN / doc.truth.file).stat().st_size > 0


def test_golden_set_is_small_and_complete() -> None:
    files = [p for p in GOLDEN.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 8 * 2**20
    assert len([p for p in files if p.name.endswith(".truth.json")]) == len(golden_plan())
