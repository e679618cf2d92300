"""Train and evaluate the candidate ranker on labelled receipts.

Two kinds of labelled folders are read (:func:`labelled_receipts`): the project's generated corpus
(``*.truth.json`` beside each scan; what the shipped model is trained on, its licence being the
project's own) and SROIE-style folders (``img/NNN.jpg`` + ``key/NNN.json`` with company, address,
date, total; research-use data that only *measures* the shipped model, never trains it). In a
SROIE-style folder the receipts are taken in file-name order (the order ``bench/capture_real.py``
scores them in) and the ranks in ``exclude`` (1-based, inclusive ranges; by default 131-260, the ranks
the bench reports as held out) are never read. Of the files read, one in five by sha256
(``judge.split_of``) is held back as ``calib``: the model is fitted on ``train`` only and its accuracy
and reliability are measured on ``calib``. Every candidate of a file is labelled right when its value
matches the label leniently, as the bench judges (``judge.verdict``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docket.errors import DocketError
from docket.reading import sniff
from docket.reading.ocr import OcrEngine
from docket.reading.read import read_pages
from docket.understanding.classify import classify_pages
from docket.understanding.extract import Context, extract_fields
from docket.understanding.learn.candidates import RANKED_FIELDS, candidates
from docket.understanding.learn.confidence import reliability
from docket.understanding.learn.judge import split_of, verdict
from docket.understanding.learn.labels import LabelledDocument, corpus_documents, sroie_documents
from docket.understanding.learn.ranker import (
    PARAMS,
    RANKER_FILE,
    ROUNDS,
    CandidateRanker,
    Example,
    model_text,
    train_field,
    write_ranker,
)

DEFAULT_EXCLUDE = ((131, 260),)
# The generated corpora the shipped ranker is trained on (folder → the command that writes it), and the
# fields it takes from each (``ranker_merge``): per field, the corpus whose ranker reads the real development
# receipts (SROIE ranks 1-130) best, where that beats the rules (the models README gives the figures; the
# address stays with the rules).
CORPUS_COMMANDS = {
    "till-corpus": "python -m devkit.corpus tills --out var/till-corpus --count 480 --seed 2032",
    "ranker-corpus": ("python -m devkit.corpus generate --out var/ranker-corpus --count 360 --seed 2031 "
                      "--types receipt --split dev"),
}
SHIPPED_PARTS = (("till-corpus", ("supplier_name", "total")), ("ranker-corpus", ("receipt_date",)))
SHIPPED_FIELDS = tuple(name for _, fields in SHIPPED_PARTS for name in fields)


@dataclass
class DocumentExamples:
    """One receipt's candidates (labelled) and what the rules read for each field."""

    name: str
    sha256: str
    split: str
    examples: list[Example]
    rule_right: dict[str, bool]
    labelled: tuple[str, ...]


@dataclass
class Gathered:
    documents: list[DocumentExamples] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    exclude: tuple[tuple[int, int], ...] = DEFAULT_EXCLUDE
    failed: list[str] = field(default_factory=list)
    data: str = ""  # what the folder holds, for the manifest

    def examples(self, split: str) -> list[Example]:
        return [e for d in self.documents if split in ("all", d.split) for e in d.examples]


def selected(documents: Sequence[LabelledDocument],
             exclude: Sequence[tuple[int, int]] = DEFAULT_EXCLUDE) -> tuple[list[LabelledDocument], list[str]]:
    """The documents whose 1-based rank is outside every ``exclude`` range, and the names left out."""
    kept, left_out = [], []
    for rank, document in enumerate(documents, start=1):
        if any(low <= rank <= high for low, high in exclude):
            left_out.append(document.path.name)
        else:
            kept.append(document)
    return kept, left_out


def document_examples(document: LabelledDocument, data: bytes, engine: OcrEngine) -> DocumentExamples:
    """Read ``data`` as capture does, run the receipt rules, and label every candidate against the key."""
    pages, _ = read_pages(data, sniff.sniff_media_type(data), engine=engine, max_pages=200, max_pixels=60_000_000,
                          dpi=200)
    ctx = Context.build(pages)
    ctx.language = classify_pages(pages, ctx.lines, ctx.tokens).language
    found = extract_fields(ctx, "receipt").found
    examples: list[Example] = []
    rule_right: dict[str, bool] = {}
    for name, items in candidates(ctx, found).items():
        truth = document.labels.get(name)
        if truth is None:
            continue
        rule = found.get(name)
        rule_right[name] = rule is not None and verdict(name, truth, rule.value)[1]
        examples.extend(Example(document.path.name, c, verdict(name, truth, c.value)[1]) for c in items)
    return DocumentExamples(document.path.name, hashlib.sha256(data).hexdigest(), split_of(data), examples,
                            rule_right, tuple(sorted(rule_right)))


def is_sroie_folder(root: Path) -> bool:
    """Whether ``root`` is laid out as SROIE (``img/`` and ``key/``) rather than a generated corpus."""
    return (root / "img").is_dir() and (root / "key").is_dir()


def data_description(root: Path) -> str:
    """What the labelled folder ``root`` holds, as the manifest records it."""
    if is_sroie_folder(root):
        return "SROIE-style receipts (img/ + key/)"
    command = CORPUS_COMMANDS.get(root.name)
    if command is not None:
        return f"generated corpus, the project's own licence: {command}"
    return f"generated corpus, the project's own licence (folder {root.name})"


def labelled_receipts(root: Path, exclude: Sequence[tuple[int, int]] = DEFAULT_EXCLUDE
                      ) -> tuple[list[LabelledDocument], list[str], tuple[tuple[int, int], ...]]:
    """The receipts to read under ``root``, the names left out and the rank ranges that left them out
    (a generated corpus is read whole: its holdout is another corpus, not ranks of this one)."""
    if is_sroie_folder(root):
        kept, left_out = selected(sroie_documents(root), exclude)
        return kept, left_out, tuple(exclude)
    return corpus_documents(root), [], ()


def gather(root: Path, engine: OcrEngine, *, exclude: Sequence[tuple[int, int]] = DEFAULT_EXCLUDE,
           limit: int = 0, progress: Callable[[str], None] | None = None) -> Gathered:
    """Examples of every selected receipt under ``root`` (at most ``limit`` when set)."""
    kept, left_out, ranges = labelled_receipts(root, exclude)
    if not kept:
        raise DocketError(f"no labelled receipts under {root}", code="MODEL_NO_TRAINING_DATA")
    gathered = Gathered(excluded=left_out, exclude=ranges, data=data_description(root))
    for document in kept[: limit or None]:
        if progress is not None:
            progress(document.path.name)
        try:
            gathered.documents.append(document_examples(document, document.path.read_bytes(), engine))
        except DocketError:  # an unreadable scan is no training material; it is listed in the manifest
            gathered.failed.append(document.path.name)
    return gathered


def evaluate(ranker: CandidateRanker, documents: Sequence[DocumentExamples]) -> dict[str, Any]:
    """Per field: documents, rules right %, ranker right %, any candidate right % (the ceiling), and the
    reliability of the ranker's probability of its chosen candidate."""
    per_field: dict[str, dict[str, Any]] = {}
    probabilities: list[float] = []
    right: list[bool] = []
    for name in RANKED_FIELDS:
        row = {"documents": 0, "rules_right": 0, "ranker_right": 0, "any_candidate_right": 0}
        for document in documents:
            if name not in document.labelled:
                continue
            items = [e for e in document.examples if e.candidate.field == name]
            row["documents"] += 1
            row["rules_right"] += document.rule_right[name]
            row["any_candidate_right"] += any(e.right for e in items)
            best = ranker.best(name, [e.candidate for e in items])
            if best is None:
                row["ranker_right"] += document.rule_right[name]
                continue
            chosen = next(e for e in items if e.candidate is best[0])
            row["ranker_right"] += chosen.right
            probabilities.append(best[1])
            right.append(chosen.right)
        count = max(row["documents"], 1)
        per_field[name] = {**row, **{f"{key}_pct": round(100 * row[key] / count, 1)
                                     for key in ("rules_right", "ranker_right", "any_candidate_right")}}
    return {"per_field": per_field, "reliability": reliability(probabilities, right)}


def train_ranker(gathered: Gathered, seed: int = 7, fields: Sequence[str] = RANKED_FIELDS) -> dict[str, str]:
    """Booster text per field of ``fields``, fitted on the ``train`` split."""
    examples = gathered.examples("train")
    return {name: train_field(examples, name, seed) for name in fields
            if any(e.candidate.field == name and e.right for e in examples)}


def train_and_write(gathered: Gathered, out: Path, *, seed: int = 7, source: str = "generated",
                    fields: Sequence[str] = RANKED_FIELDS) -> dict[str, Any]:
    """Fit on ``train``, measure on both splits, write the model file and its manifest into ``out``.

    ``source`` names the folder trained on; the manifest also says what it holds and how it was made
    (``gathered.data``: for a generated corpus, the command that writes it again)."""
    unknown = set(fields) - set(RANKED_FIELDS)
    if unknown:
        raise DocketError(f"the ranker has no candidates for {sorted(unknown)}", code="MODEL_FIELD_UNKNOWN")
    text = model_text(train_ranker(gathered, seed, fields))
    ranker = CandidateRanker(text)
    by_split = {split: [d for d in gathered.documents if d.split == split] for split in ("train", "calib")}
    manifest = {
        "model": RANKER_FILE, "library": "lightgbm", "objective": "binary per field, best candidate wins",
        "params": PARAMS, "rounds": ROUNDS, "seed": seed, "source": source, "data": gathered.data,
        "fields": list(fields),
        "order": "files in file-name order; ranks are 1-based",
        "excluded_ranks": [list(r) for r in gathered.exclude], "excluded_files": gathered.excluded,
        "split": "calib = sha256(file) % 5 == 0 (held back, never fitted), train otherwise",
        "files": {split: [{"name": d.name, "sha256": d.sha256} for d in docs] for split, docs in by_split.items()},
        "failed_files": gathered.failed,
        "candidates": {split: sum(len(d.examples) for d in docs) for split, docs in by_split.items()},
        "metrics_train": evaluate(ranker, by_split["train"]), "metrics_calib": evaluate(ranker, by_split["calib"]),
    }
    return write_ranker(out, text, manifest)
