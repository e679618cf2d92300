"""One ranker file from the per-field boosters of rankers trained on different corpora.

Each field's booster is fitted and measured on its own (``train_field``, ``evaluate`` per field), so a
field can be taken from the corpus that teaches it best: :func:`merge_rankers` takes the named fields of
each trained model directory (model file and manifest) and writes one model file whose manifest lists the
parts — per part, the data and command it was trained on, its files by name and sha256, and its metrics
for the fields taken. Merging the same parts gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docket.errors import DocketError
from docket.understanding.learn.candidates import FEATURES
from docket.understanding.learn.ranker import RANKER_FILE, RANKER_MANIFEST, model_text, write_ranker

_PART_KEYS = ("source", "data", "seed", "params", "rounds", "order", "excluded_ranks", "excluded_files", "split",
              "files", "failed_files", "candidates", "model_sha256")


def _field_metrics(metrics: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    return {name: metrics["per_field"][name] for name in fields if name in metrics.get("per_field", {})}


def merge_rankers(parts: Sequence[tuple[Path, Sequence[str]]], out: Path) -> dict[str, Any]:
    """Write into ``out`` the ranker made of ``fields`` of each ``(model directory, fields)`` part and
    return its manifest. Raises ``MODEL_FIELD_UNKNOWN`` for a field a part has no booster for (or one
    fitted on other features than capture computes now) and ``MODEL_FIELD_TWICE`` for a field named twice."""
    boosters: dict[str, str] = {}
    described = []
    for directory, fields in parts:
        model = json.loads((directory / RANKER_FILE).read_text(encoding="utf-8"))
        manifest = json.loads((directory / RANKER_MANIFEST).read_text(encoding="utf-8"))
        for name in fields:
            entry = model["fields"].get(name)
            if entry is None or entry["features"] != list(FEATURES[name]):
                raise DocketError(f"{directory} has no booster for {name!r} on today's features",
                                  code="MODEL_FIELD_UNKNOWN")
            if name in boosters:
                raise DocketError(f"{name!r} is taken from two parts", code="MODEL_FIELD_TWICE")
            boosters[name] = entry["booster"]
        described.append({"fields": list(fields), **{key: manifest[key] for key in _PART_KEYS if key in manifest},
                          "metrics_calib": _field_metrics(manifest["metrics_calib"], fields),
                          "metrics_train": _field_metrics(manifest["metrics_train"], fields)})
    return write_ranker(out, model_text(boosters), {
        "model": RANKER_FILE, "library": "lightgbm", "objective": "binary per field, best candidate wins",
        "fields": sorted(boosters), "parts": described})
