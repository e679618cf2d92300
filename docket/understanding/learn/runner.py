"""Train and evaluate the field-confidence model on labelled folders (used by ``docket model``).

Training captures every labelled file of the ``train`` split with the model switched off (the rules'
raw confidence is a feature), fits the booster with fixed seeds and writes the model text and a
manifest (sources, file counts and hashes, parameters, metrics). Evaluation captures the ``calib``
split and reports per field: fields read, right, and the reliability of the learned confidence.
Reviewers' corrections train as one more labelled folder (exported from the review store); the manifest
lists each such folder with the store and the number of reviews and corrected fields it holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docket.understanding.learn.confidence import (
    MANIFEST_FILE,
    MODEL_FILE,
    PARAMS,
    ROUNDS,
    ConfidenceModel,
    FieldExample,
    reliability,
    train,
)
from docket.understanding.learn.dataset import LabelledFile, examples_of, labelled_files
from docket.understanding.learn.error_rates import curve_as_json, error_curve

CORRECTIONS_FILE = "corrections.json"
"""Written by ``docket review export-corrections`` beside the labelled files it exports."""


@dataclass
class Gathered:
    """Examples per split and the files they came from."""

    examples: dict[str, list[FieldExample]] = field(default_factory=lambda: {"train": [], "calib": []})
    files: dict[str, list[str]] = field(default_factory=lambda: {"train": [], "calib": []})
    sources: dict[str, int] = field(default_factory=dict)
    failed: int = 0


def gather(folders: Sequence[Path], *, images: bool = False,
           progress: Callable[[LabelledFile], None] | None = None) -> Gathered:
    """Capture every labelled file under ``folders`` (model off) and turn its fields into examples."""
    from docket.capture import CaptureOptions, capture_document
    from docket.errors import DocketError

    gathered = Gathered()
    options = CaptureOptions(confidence_model=False)
    for labelled in labelled_files(folders, images=images):
        if progress is not None:
            progress(labelled)
        try:
            documents = capture_document(labelled.data, labelled.path.name, labelled.media_type, options=options)
        except DocketError:
            gathered.failed += 1
            continue
        first = documents[0]
        examples = examples_of(labelled, first.fields, first.document_type, first.type_confidence,
                               first.reading == "ocr")
        gathered.examples[labelled.split].extend(examples)
        gathered.files[labelled.split].append(labelled.sha256[:16])
        gathered.sources[labelled.source] = gathered.sources.get(labelled.source, 0) + 1
    return gathered


def per_field(examples: Sequence[FieldExample], probabilities: Sequence[float]) -> dict[str, dict[str, Any]]:
    """Per field: read, right, mean raw and learned confidence."""
    table: dict[str, dict[str, Any]] = {}
    for example, probability in zip(examples, probabilities, strict=True):
        row = table.setdefault(example.field, {"read": 0, "right": 0, "raw": 0.0, "learned": 0.0})
        row["read"] += 1
        row["right"] += bool(example.right)
        row["raw"] += example.raw_confidence
        row["learned"] += probability
    return {name: {"read": row["read"], "right": row["right"],
                   "right_pct": round(100 * row["right"] / row["read"], 1),
                   "mean_raw_confidence": round(row["raw"] / row["read"], 3),
                   "mean_learned_confidence": round(row["learned"] / row["read"], 3)}
            for name, row in sorted(table.items())}


def brier(examples: Sequence[FieldExample], probabilities: Sequence[float]) -> float:
    return round(sum((p - float(bool(e.right))) ** 2 for e, p in zip(examples, probabilities, strict=True))
                 / max(len(examples), 1), 4)


def evaluate(model: ConfidenceModel, examples: Sequence[FieldExample]) -> dict[str, Any]:
    """Metrics of ``model`` on ``examples``: per field, reliability bins, Brier score (learned vs raw),
    and the error curve (fields accepted and wrong per threshold, per field and pooled)."""
    probabilities = model.predict(examples)
    right = [bool(e.right) for e in examples]
    raw = [e.raw_confidence for e in examples]
    return {"fields": len(examples), "per_field": per_field(examples, probabilities),
            "reliability_learned": reliability(probabilities, right), "reliability_raw": reliability(raw, right),
            "brier_learned": brier(examples, probabilities), "brier_raw": brier(examples, raw),
            "error_curve": curve_as_json(error_curve([e.field for e in examples], probabilities, right))}


def corrections_of(folders: Sequence[Path]) -> list[dict[str, Any]]:
    """What each folder of exported reviewers' corrections says about itself (its ``corrections.json``:
    the review store, how many reviews and corrected fields, when exported), for the model's manifest."""
    import json

    found = []
    for folder in folders:
        described = folder / CORRECTIONS_FILE
        if described.is_file():
            found.append({"folder": folder.name, **json.loads(described.read_text(encoding="utf-8"))})
    return found


def train_and_write(folders: Sequence[Path], out: Path, *, seed: int = 7, images: bool = False,
                    progress: Callable[[LabelledFile], None] | None = None) -> dict[str, Any]:
    """Train on the folders' ``train`` split, evaluate on ``calib``, write model + manifest into ``out``."""
    gathered = gather(folders, images=images, progress=progress)
    model_text = train(gathered.examples["train"], seed=seed)
    model = ConfidenceModel(model_text)
    manifest = {
        "model": MODEL_FILE, "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "library": "lightgbm", "params": PARAMS, "rounds": ROUNDS, "seed": seed,
        "sources": [folder.name for folder in folders], "files_per_source": gathered.sources,
        "files": {split: len(names) for split, names in gathered.files.items()},
        "file_hashes": gathered.files, "failed_files": gathered.failed,
        "split": "calib = sha256(file) % 5 == 0, train otherwise",
        "examples": {split: len(items) for split, items in gathered.examples.items()},
        "corrections": corrections_of(folders),
        "metrics_train": evaluate(model, gathered.examples["train"]),
        "metrics_calib": evaluate(model, gathered.examples["calib"]),
        "model_sha256": hashlib.sha256(model_text.encode()).hexdigest(),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / MODEL_FILE).write_text(model_text, encoding="utf-8")
    import json

    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest
