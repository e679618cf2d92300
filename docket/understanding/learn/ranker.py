"""The learned candidate ranker: one LightGBM binary classifier per receipt field scores every candidate
(see :mod:`docket.understanding.learn.candidates`); the best-scoring candidate is the field's value and its
probability the field's confidence. The rules' choice is a feature and stays the fallback: a field with no
candidate, or a document without a shipped model, keeps what the rules read.

The model file (``candidate_ranker.json``) holds, per field, the feature names and the booster text;
retraining with the same examples and seed gives the same file byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from docket.model import ExtractedField
from docket.understanding.extract.base import Context, Found, to_field
from docket.understanding.learn.candidates import FEATURES, RANKED_FIELDS, Candidate, candidates

RANKER_FILE = "candidate_ranker.json"
RANKER_MANIFEST = "candidate_ranker.manifest.json"
FORMAT = 1
PARAMS: dict[str, Any] = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 10,
                          "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
                          "verbose": -1, "num_threads": 1, "deterministic": True, "force_row_wise": True}
ROUNDS = 200
METHOD = "ranked"


@dataclass(frozen=True)
class Example:
    """A candidate of one document and, for training, whether its value is right."""

    document: str
    candidate: Candidate
    right: bool


def train_field(examples: Sequence[Example], field: str, seed: int = 7) -> str:
    """The booster text of a classifier of ``field``'s candidates; fixed seeds, one thread."""
    import lightgbm as lgb
    import numpy as np

    rows = [e for e in examples if e.candidate.field == field]
    data = lgb.Dataset(np.array([e.candidate.features for e in rows], dtype=np.float64),
                       label=np.array([float(e.right) for e in rows]), feature_name=list(FEATURES[field]),
                       free_raw_data=False)
    params = {**PARAMS, "seed": seed, "bagging_seed": seed, "feature_fraction_seed": seed, "data_random_seed": seed}
    booster = lgb.train(params, data, num_boost_round=ROUNDS)
    return str(booster.model_to_string())


def model_text(models: dict[str, str]) -> str:
    """The model file: format, feature names and booster text per field (sorted keys: stable bytes)."""
    payload = {"format": FORMAT, "fields": {name: {"features": list(FEATURES[name]), "booster": models[name]}
                                            for name in sorted(models)}}
    return json.dumps(payload, sort_keys=True, indent=0) + "\n"


def write_ranker(out: Path, text: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write the model file ``text`` and ``manifest`` (completed with the model's sha256, its last key)
    into ``out``; return the manifest as written."""
    written = {**manifest, "model_sha256": hashlib.sha256(text.encode()).hexdigest()}
    out.mkdir(parents=True, exist_ok=True)
    (out / RANKER_FILE).write_text(text, encoding="utf-8")
    (out / RANKER_MANIFEST).write_text(json.dumps(written, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return written


class CandidateRanker:
    """A loaded ranker: ``score`` gives P(right) per candidate, ``best`` the top candidate and its probability."""

    def __init__(self, text: str) -> None:
        import lightgbm as lgb

        payload = json.loads(text)
        if payload.get("format") != FORMAT:
            raise ValueError(f"unknown ranker format {payload.get('format')!r}")
        self._boosters = {}
        for name, entry in payload["fields"].items():
            if tuple(entry["features"]) != FEATURES.get(name):
                raise ValueError(f"ranker features of {name} differ from this code's")
            self._boosters[name] = lgb.Booster(model_str=entry["booster"])

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(sorted(self._boosters))

    def score(self, field: str, items: Sequence[Candidate]) -> list[float]:
        import numpy as np

        if not items or field not in self._boosters:
            return []
        matrix = np.array([c.features for c in items], dtype=np.float64)
        return [float(p) for p in self._boosters[field].predict(matrix, num_threads=1)]

    def best(self, field: str, items: Sequence[Candidate]) -> tuple[Candidate, float] | None:
        """The highest-scoring candidate (the first of equals, in page order) and its probability."""
        scores = self.score(field, items)
        if not scores:
            return None
        top = max(range(len(scores)), key=lambda i: (scores[i], -i))
        return items[top], scores[top]


@lru_cache(maxsize=1)
def shipped_ranker() -> CandidateRanker | None:
    """The ranker shipped in ``docket/understanding/data/models`` (None when absent or unloadable)."""
    try:
        text = resources.files("docket.understanding.data").joinpath("models", RANKER_FILE).read_text(
            encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    try:
        return CandidateRanker(text)
    except Exception:  # a missing lightgbm or a damaged file leaves the rules' fields in place
        return None


def rank_receipt(ctx: Context, found: dict[str, Found], fields: list[ExtractedField], ranker: CandidateRanker, *,
                 min_probability: float = 0.0, date_name: str | None = None) -> list[ExtractedField]:
    """``fields`` with each ranked field set to the ranker's best candidate (method ``ranked``, its probability
    as confidence) when that probability reaches ``min_probability``; a field without such a candidate keeps
    the rules' value. The date goes by ``date_name``, else by the name the rules used (``receipt_date``, or
    ``invoice_date`` when the slip was read as an invoice)."""
    names = {f.name: i for i, f in enumerate(fields)}
    updated = list(fields)
    for field, items in candidates(ctx, found).items():
        if field not in ranker.fields:
            continue
        chosen = ranker.best(field, items)
        if chosen is None:
            continue
        candidate, probability = chosen
        if probability < min_probability:
            continue
        name = field
        if field == "receipt_date":
            name = date_name or ("invoice_date" if "invoice_date" in names else field)
        value = Found(name, candidate.value, candidate.words, candidate.page, METHOD, probability)
        ranked = to_field(value, ctx.engine).model_copy(update={"confidence": round(probability, 4)})
        if name in names:
            updated[names[name]] = ranked
        else:
            names[name] = len(updated)
            updated.append(ranked)
    return updated


__all__ = ["RANKED_FIELDS", "CandidateRanker", "Example", "model_text", "rank_receipt", "shipped_ranker",
           "train_field"]
