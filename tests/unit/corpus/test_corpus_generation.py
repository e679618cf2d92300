"""Determinism by seed, the layout catalogue, the round-robin plan and the CLI."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from devkit.corpus.__main__ import main
from devkit.corpus.generate import CorpusError, generate_corpus, generate_document, plan, read_truths
from devkit.corpus.layouts import LAYOUTS, UnknownLayoutError, layout_by_id, layouts_for
from devkit.corpus.vocabulary import CONDITIONS, DOCUMENT_TYPES


@pytest.mark.parametrize("condition", CONDITIONS)
def test_same_seed_same_bytes_and_truth(condition: str) -> None:
    first = generate_document(42, 7, "invoice", condition)
    second = generate_document(42, 7, "invoice", condition)
    assert first.data == second.data
    assert first.truth == second.truth


def test_other_seed_other_document() -> None:
    first = generate_document(1, 0, "invoice", "text_layer")
    second = generate_document(2, 0, "invoice", "text_layer")
    assert first.data != second.data
    assert first.truth.fields != second.truth.fields


def test_layout_catalogue_covers_every_type_with_holdout() -> None:
    invoices = layouts_for("invoice")
    assert len(invoices) >= 9
    assert len(layouts_for("invoice", "holdout")) >= 3
    for document_type in DOCUMENT_TYPES:
        assert len(layouts_for(document_type)) >= 3
        assert layouts_for(document_type, "holdout")
        assert layouts_for(document_type, "dev")
    assert len({layout.id for layout in LAYOUTS}) == len(LAYOUTS)
    with pytest.raises(UnknownLayoutError):
        layout_by_id("nope")


def test_split_restricts_layouts() -> None:
    for index in range(8):
        assert generate_document(9, index, "invoice", "text_layer", split="holdout").truth.layout_split == "holdout"
        assert generate_document(9, index, "receipt", "text_layer", split="dev").truth.layout_split == "dev"


def test_plan_deals_every_type_and_condition() -> None:
    combos = Counter((t, c) for _, t, c in plan(36))
    assert set(combos) == {(t, c) for t in DOCUMENT_TYPES for c in CONDITIONS}
    assert set(combos.values()) == {2}
    with pytest.raises(CorpusError):
        list(plan(3, types=["invoice", "letter"]))


def test_corpus_spans_languages_and_number_styles() -> None:
    truths = [generate_document(4, index, "invoice", "text_layer").truth for index in range(30)]
    assert {truth.language for truth in truths} == {"en", "de", "fr", "es", "nl"}
    assert len({truth.layout for truth in truths}) >= 6
    assert len({truth.fields["currency"] for truth in truths}) >= 2


def test_generate_corpus_writes_files_and_truths(tmp_path: Path) -> None:
    truths = generate_corpus(tmp_path, 6, seed=8, types=["invoice", "receipt"], conditions=["text_layer"])
    assert len(truths) == 6
    for truth in truths:
        data = json.loads((tmp_path / f"{truth.id}.truth.json").read_text(encoding="utf-8"))
        assert data["file"] == truth.file and (tmp_path / truth.file).stat().st_size > 0
        assert data["layout_split"] in {"dev", "holdout"}
    assert read_truths(tmp_path) == sorted(truths, key=lambda t: t.id)


def test_cli_generates_and_rejects_bad_requests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--out", str(tmp_path), "--count", "2", "--seed", "1",
                 "--types", "remittance_advice", "--conditions", "text_layer"]) == 0
    assert len(list(tmp_path.glob("*.truth.json"))) == 2
    assert main(["generate", "--out", str(tmp_path), "--count", "1", "--types", "letter"]) == 2
    assert "CORPUS_BAD_REQUEST" in capsys.readouterr().err
