"""Capture on the fixed golden set, scored field by field against the committed truth.

Each ``*.truth.json`` here was written by the generator next to its document (see README.md).
Every document is captured once (two worker processes: OCR is ~3 s/page on an idle machine) and
scored with ``devkit.corpus.scoring``: amounts compare as Decimal, names after whitespace collapse
and case-fold, dates and codes as exact strings. Field exact match = correct / (truth + predicted
- correct), so missing, wrong and invented fields all count against it.

Thresholds (set from the figures measured when extraction landed, with a margin; raise them as
extraction improves, never lower them to make a regression pass):
- each document: exact match >= PER_DOCUMENT_FLOOR[condition];
- each condition: exact match >= CONDITION_EXACT[condition], share of documents with all
  required fields right >= CONDITION_REQUIRED[condition];
- document type right on every text-layer and clean-scan document.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from devkit.corpus.crm_vocabulary import CRM_DOCUMENT_TYPES
from devkit.corpus.generate import Truth, read_truths
from devkit.corpus.scoring import DocumentScore, aggregate, score_document
from devkit.corpus.vocabulary import CONDITIONS, DOCUMENT_TYPES

GOLDEN = Path(__file__).parent
TRUTHS = read_truths(GOLDEN)
MEDIA_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "tiff": "image/tiff"}

PER_DOCUMENT_FLOOR = {"text_layer": 0.55, "clean_scan": 0.5, "damaged_scan": 0.4}
CONDITION_EXACT = {"text_layer": 0.85, "clean_scan": 0.8, "damaged_scan": 0.7}
CONDITION_REQUIRED = {"text_layer": 0.8, "clean_scan": 0.5, "damaged_scan": 0.4}


def _capture_and_score(truth_json: str) -> DocumentScore:
    from docket.capture import capture_document

    truth = Truth.from_json(truth_json)
    data = (GOLDEN / truth.file).read_bytes()
    captured = capture_document(data, truth.file, MEDIA_TYPES[truth.file.rsplit(".", 1)[1]])
    assert captured, f"{truth.id}: capture returned no document"
    first = captured[0]
    return score_document(
        truth.id, truth.document_type, truth.fields, truth.line_items, first.document_type,
        {f.name: f.value for f in first.fields},
        [{f.name: f.value for f in item.fields} for item in first.line_items],
        {"condition": truth.condition, "split": truth.layout_split})


@pytest.fixture(scope="module")
def scores() -> Iterator[dict[str, DocumentScore]]:
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_capture_and_score, [truth.to_json() for truth in TRUTHS]))
    yield {score.id: score for score in results}


def test_golden_set_covers_types_conditions_and_splits() -> None:
    combos = {(t.document_type, t.condition) for t in TRUTHS}
    assert combos == {(kind, condition) for kind in DOCUMENT_TYPES for condition in CONDITIONS} | {
        (kind, "text_layer") for kind in CRM_DOCUMENT_TYPES}
    assert {t.layout_split for t in TRUTHS} == {"dev", "holdout"}
    assert any(t.pages > 1 for t in TRUTHS)


@pytest.mark.parametrize("truth", TRUTHS, ids=[t.id for t in TRUTHS])
def test_document_fields(truth: Truth, scores: dict[str, DocumentScore]) -> None:
    score = scores[truth.id]
    exact = score.correct / (score.truth + score.predicted - score.correct)
    wrong = {f.name: (f.truth, f.predicted) for f in score.fields if not f.correct}
    assert exact >= PER_DOCUMENT_FLOOR[truth.condition], f"exact match {exact:.2f}; wrong: {wrong}"
    if truth.condition != "damaged_scan":
        assert score.type_ok, f"classified wrongly ({truth.document_type} expected)"


@pytest.mark.parametrize("condition", sorted(CONDITION_EXACT))
def test_condition_figures(condition: str, scores: dict[str, DocumentScore]) -> None:
    figures = aggregate([s for s in scores.values() if s.labels["condition"] == condition])
    assert figures["documents"]
    exact, required = figures["field_exact_match"], figures["required_all_right"]
    assert exact is not None and exact >= CONDITION_EXACT[condition], figures
    assert required is not None and required >= CONDITION_REQUIRED[condition], figures
