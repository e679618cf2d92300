"""Routing policies as data: ``policies/default.yaml`` plus optional ``policies/<entity>.yaml``.

Layers, later wins: default ``defaults``, default ``document_types.<type>``, entity ``defaults``,
entity ``document_types.<type>``. Dictionaries merge key by key; lists and scalars replace. The
version of a decision names every file that shaped it (``default-…+ACME-DE-…``), and the
field-confidence model whose measured error rates set its ``measured`` thresholds
(``default-…/fc-<sha256 prefix>``, :mod:`docket.routing.thresholds`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from docket.errors import DocketError
from docket.routing.thresholds import MEASURED, MeasuredThreshold, measured_threshold
from docket.understanding.learn.error_rates import POOLED, Accepted, shipped_error_curve

Curve = dict[str, list[Accepted]]


class PolicyInvalidError(DocketError):
    """A routing policy file that is missing, not YAML, or not of the expected shape."""

    code = "ROUTING_POLICY_INVALID"


@dataclass(frozen=True)
class PartyRule:
    """How sure party resolution must be for straight-through posting."""

    required: bool
    strong_methods: frozenset[str]
    min_name_score: float


@dataclass(frozen=True)
class RoutingPolicy:
    """The merged policy for one legal entity and document type."""

    version: str
    posting_types: dict[str, str]
    post_state: str
    auto_post_limits: dict[str, Decimal]
    default_confidence: float
    field_confidence: dict[str, float]
    required_fields: tuple[str, ...]
    vendor: PartyRule
    customer: PartyRule
    risk: dict[str, bool]
    review_on_warnings: frozenset[str]
    reextract_enabled: bool
    reextract_below: float
    reextract_min: float
    measured_defaults: dict[str, float]
    measurements: dict[str, MeasuredThreshold]

    def threshold(self, field_name: str) -> float:
        """The confidence ``field_name`` needs (a line field ``line[3].amount`` uses ``amount``'s): the
        policy's own for the field, else the measured one when the default is ``measured``, else the
        default (``fallback`` for fields the calibration never measured)."""
        base = field_name.split(".")[-1]
        for table in (self.field_confidence, self.measured_defaults):
            for key in (field_name, base):
                if key in table:
                    return table[key]
        return self.default_confidence

    def risk_on(self, name: str) -> bool:
        """Whether risk rule ``name`` is switched on (unknown rules are on)."""
        return self.risk.get(name, True)


def _merge(base: dict[str, Any], layer: dict[str, Any] | None) -> dict[str, Any]:
    merged = dict(base)
    for key, value in (layer or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _party_rule(data: dict[str, Any]) -> PartyRule:
    return PartyRule(required=bool(data.get("required", False)),
                     strong_methods=frozenset(data.get("strong_methods", [])),
                     min_name_score=float(data.get("min_name_score", 1.0)))


class _Thresholds:
    """The ``confidence`` section resolved: numbers as given, ``measured`` from the curve."""

    def __init__(self, confidence: dict[str, Any], curve: Curve) -> None:
        self.curve = curve
        limits = confidence.get("max_error") or {}
        self.max_error_default = float(limits.get("default", 0.01))
        self.max_error = {str(k): float(v) for k, v in (limits.get("fields") or {}).items()}
        self.fallback = float(confidence.get("fallback", 0.9))
        self.default = confidence.get("default", 0.9)
        self.measurements: dict[str, MeasuredThreshold] = {}

    def resolve(self, name: str, value: Any) -> float:
        """``value`` as a number, or the measured threshold of ``name`` (recorded in :attr:`measurements`)."""
        if value != MEASURED:
            self.measurements.pop(name, None)  # a fixed threshold wins over the measured default
            return float(value)
        measured = measured_threshold(self.curve, name, self.max_error.get(name, self.max_error_default))
        if measured is None:
            return self.fallback
        self.measurements[name] = measured
        return measured.threshold

    def defaults(self) -> tuple[float, dict[str, float]]:
        """The default threshold and, when it is ``measured``, the measured one of every field."""
        if self.default != MEASURED:
            return float(self.default), {}
        return self.fallback, {name: self.resolve(name, MEASURED) for name in self.curve if name != POOLED}


def _build(version: str, data: dict[str, Any], curve: Curve) -> RoutingPolicy:
    try:
        confidence = data.get("confidence", {})
        thresholds = _Thresholds(confidence, curve)
        default_confidence, measured_defaults = thresholds.defaults()
        field_confidence = {str(k): thresholds.resolve(str(k), v) for k, v in (confidence.get("fields") or {}).items()}
        reextract = data.get("reextract", {})
        return RoutingPolicy(
            version=version,
            posting_types={str(k): str(v) for k, v in data["posting_types"].items()},
            post_state=str(data.get("post_state", "posted")),
            auto_post_limits={str(k).upper(): Decimal(str(v)) for k, v in data.get("auto_post_limits", {}).items()},
            default_confidence=default_confidence, measured_defaults=measured_defaults,
            measurements=thresholds.measurements, field_confidence=field_confidence,
            required_fields=tuple(str(f) for f in data.get("required_fields", [])),
            vendor=_party_rule(data.get("vendor", {})), customer=_party_rule(data.get("customer", {})),
            risk={str(k): bool(v) for k, v in data.get("risk", {}).items()},
            review_on_warnings=frozenset(str(r) for r in data.get("review_on_warnings", [])),
            reextract_enabled=bool(reextract.get("enabled", False)),
            reextract_below=float(reextract.get("below", 1.0)),
            reextract_min=float(reextract.get("min", 0.0)))
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
        raise PolicyInvalidError(f"routing policy does not fit the expected shape: {exc}") from exc


def _read(text: str, origin: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyInvalidError(f"{origin} is not YAML: {exc}") from exc
    if not isinstance(data, dict) or "version" not in data:
        raise PolicyInvalidError(f"{origin} needs a 'version' and a 'defaults' section")
    return data


class PolicyBook:
    """The default policy and per-entity overrides; :meth:`for_document` merges and caches."""

    def __init__(self, default: dict[str, Any], entities: dict[str, dict[str, Any]] | None = None, *,
                 curve: Curve | None = None, model: str = "") -> None:
        self._default = default
        self._entities = dict(entities or {})
        self._curve = curve or {}
        self._model = model
        self._cache: dict[tuple[str, str], RoutingPolicy] = {}

    @classmethod
    def load(cls, directory: Path | None = None, *, curve: Curve | None = None, model: str = "") -> PolicyBook:
        """``default.yaml`` and every ``<entity>.yaml`` in ``directory`` (packaged policies when None);
        ``measured`` thresholds rest on ``curve`` (the shipped model's, named by its sha256, when None)."""
        if curve is None:
            curve, model = shipped_error_curve()
        if directory is None:
            folder = resources.files("docket.routing").joinpath("policies")
            texts = {p.name: p.read_text("utf-8") for p in folder.iterdir() if p.name.endswith(".yaml")}
        else:
            texts = {p.name: p.read_text("utf-8") for p in directory.glob("*.yaml")}
        if "default.yaml" not in texts:
            raise PolicyInvalidError("no default.yaml routing policy")
        default = _read(texts.pop("default.yaml"), "default.yaml")
        entities = {name.removesuffix(".yaml"): _read(text, name) for name, text in texts.items()}
        return cls(default, entities, curve=curve, model=model)

    def for_document(self, legal_entity: str, document_type: str) -> RoutingPolicy:
        """The merged policy for ``legal_entity`` and ``document_type``."""
        key = (legal_entity, document_type)
        if key not in self._cache:
            layers = [self._default]
            versions = [str(self._default["version"]) + (f"/fc-{self._model[:8]}" if self._model else "")]
            if legal_entity in self._entities:
                layers.append(self._entities[legal_entity])
                versions.append(str(self._entities[legal_entity]["version"]))
            merged: dict[str, Any] = {}
            for layer in layers:
                merged = _merge(merged, layer.get("defaults"))
                merged = _merge(merged, (layer.get("document_types") or {}).get(document_type))
            self._cache[key] = _build("+".join(versions), merged, self._curve)
        return self._cache[key]
