"""Field confidence learned from labelled documents: how likely a value read by a given method, for a
given field, at a given place and raw score, is right.

A small gradient-boosted tree model (LightGBM, CPU, seconds to train) maps the features of an extracted
field to the probability that it matches its label. It is trained on labelled folders (sidecar truth
files of the corpus generator, hybrid e-invoice PDFs whose XML labels the page) and shipped as a text
file with a manifest naming its training data and its metrics. Capture uses it, when present, to
replace the rules' raw confidence; without it the raw confidence stands.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from docket.model import ExtractedField

MODEL_FILE = "field_confidence.txt"
MANIFEST_FILE = "field_confidence.json"
FIELDS = ("supplier_name", "supplier_address", "supplier_vat_id", "supplier_iban", "buyer_name", "invoice_number",
          "invoice_date", "due_date", "receipt_date", "receipt_number", "currency", "net_total", "tax_total", "total",
          "po_number", "payment_terms")
METHODS = ("layout", "pattern", "derived", "table", "template", "structured", "review")
# Fields found these ways keep the confidence they come with — a template's, a vendor position's
# measured rate, the candidate ranker's probability — at run time and so in training too.
OWN_CONFIDENCE_METHODS = frozenset({"template", "position", "ranked"})
TYPES = ("invoice", "credit_note", "receipt", "purchase_order", "customer_order", "remittance_advice", "other")
FEATURES = ("field", "method", "document_type", "ocr", "raw_confidence", "type_confidence", "value_length",
            "digits", "letters", "y0", "x0", "page", "fields_found")
CATEGORICAL = ("field", "method", "document_type")


@dataclass(frozen=True)
class FieldExample:
    """The features of one extracted field and, for training, whether it was right."""

    field: str
    method: str
    document_type: str
    ocr: bool
    raw_confidence: float
    type_confidence: float
    value: str
    y0: float
    x0: float
    page: int
    fields_found: int
    right: bool | None = None

    def vector(self) -> list[float]:
        return [float(_index(FIELDS, self.field)), float(_index(METHODS, self.method)),
                float(_index(TYPES, self.document_type)), float(self.ocr), self.raw_confidence, self.type_confidence,
                float(len(self.value)), float(sum(ch.isdigit() for ch in self.value)),
                float(sum(ch.isalpha() for ch in self.value)), self.y0, self.x0, float(self.page),
                float(self.fields_found)]


def _index(values: Sequence[str], value: str) -> int:
    return values.index(value) if value in values else len(values)


def example_of(field: ExtractedField, document_type: str, type_confidence: float, ocr: bool,
               fields_found: int, right: bool | None = None) -> FieldExample:
    """The features of ``field`` as captured in a document of ``document_type``."""
    box = field.bbox
    return FieldExample(field=field.name, method=field.method, document_type=document_type, ocr=ocr,
                        raw_confidence=field.confidence, type_confidence=type_confidence, value=field.value,
                        y0=box.y0 if box else -1.0, x0=box.x0 if box else -1.0, page=box.page if box else 0,
                        fields_found=fields_found, right=right)


PARAMS: dict[str, Any] = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 8, "min_data_in_leaf": 20,
                          "feature_fraction": 0.9, "bagging_fraction": 0.9, "bagging_freq": 1, "lambda_l2": 1.0,
                          "verbose": -1, "num_threads": 1, "deterministic": True, "force_row_wise": True}
ROUNDS = 100


def train(examples: Sequence[FieldExample], seed: int = 7) -> str:
    """The model text of a booster trained on ``examples`` (all labelled); fixed seeds, one thread."""
    import lightgbm as lgb
    import numpy as np

    labelled = [e for e in examples if e.right is not None]
    data = lgb.Dataset(np.array([e.vector() for e in labelled], dtype=np.float64),
                       label=np.array([float(bool(e.right)) for e in labelled]), feature_name=list(FEATURES),
                       categorical_feature=list(CATEGORICAL), free_raw_data=False)
    params = {**PARAMS, "seed": seed, "bagging_seed": seed, "feature_fraction_seed": seed, "data_random_seed": seed}
    booster = lgb.train(params, data, num_boost_round=ROUNDS)
    return str(booster.model_to_string())


class ConfidenceModel:
    """A trained booster: ``predict`` gives P(right) per example."""

    def __init__(self, model_text: str) -> None:
        import lightgbm as lgb

        self._booster = lgb.Booster(model_str=model_text)

    def predict(self, examples: Sequence[FieldExample]) -> list[float]:
        import numpy as np

        if not examples:
            return []
        matrix = np.array([e.vector() for e in examples], dtype=np.float64)
        return [float(p) for p in self._booster.predict(matrix, num_threads=1)]


@lru_cache(maxsize=1)
def shipped_model() -> ConfidenceModel | None:
    """The model shipped in ``docket/understanding/data/models`` (None when absent or unloadable)."""
    try:
        text = resources.files("docket.understanding.data").joinpath("models", MODEL_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    try:
        return ConfidenceModel(text)
    except Exception:  # a missing lightgbm or a damaged file leaves the rules' confidence in place
        return None


def shipped_manifest() -> dict[str, Any]:
    """The manifest beside the shipped model ({} when absent)."""
    try:
        text = resources.files("docket.understanding.data").joinpath("models", MANIFEST_FILE).read_text(
            encoding="utf-8")
    except (FileNotFoundError, OSError):
        return {}
    loaded = json.loads(text)
    return loaded if isinstance(loaded, dict) else {}


def reliability(probabilities: Sequence[float], right: Sequence[bool],
                bins: Sequence[float] = (0.0, 0.5, 0.8, 0.9, 0.95, 1.0001)) -> list[dict[str, Any]]:
    """Fields per confidence bin and the share of them that was right."""
    rows = []
    for low, high in itertools.pairwise(bins):
        chosen = [r for p, r in zip(probabilities, right, strict=True) if low <= p < high]
        rows.append({"from": low, "to": min(high, 1.0), "fields": len(chosen), "right": sum(chosen),
                     "right_pct": round(100 * sum(chosen) / len(chosen), 1) if chosen else None})
    return rows
