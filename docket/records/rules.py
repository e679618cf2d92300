"""Validation rules as data: one YAML file, layered per document type and legal entity.

Layers, later wins: ``defaults``, ``document_types.<type>``, ``entities.<entity>``,
``entities.<entity>.document_types.<type>``. ``severities`` and ``tax_rates`` merge key by key;
every other key is replaced whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from docket.records.errors import RulesInvalidError

SEVERITIES = frozenset({"error", "warning", "off"})
_MERGED_KEYS = ("severities", "tax_rates")


@dataclass(frozen=True)
class RuleSet:
    """The validation settings for one legal entity and document type."""

    version: str
    rounding_tolerance: Decimal
    per_line_tolerance: Decimal
    tax_rounding_tolerance: Decimal
    future_date_tolerance_days: int
    max_due_days: int
    allowed_currencies: frozenset[str]
    required_fields: tuple[str, ...]
    severities: dict[str, str]
    tax_rates: dict[str, frozenset[Decimal]]

    def severity(self, rule_id: str) -> str:
        """``error``, ``warning`` or ``off`` for ``rule_id`` (unknown rules are errors)."""
        return self.severities.get(rule_id, "error")


def _merge(base: dict[str, Any], layer: dict[str, Any] | None) -> dict[str, Any]:
    merged = dict(base)
    for key, value in (layer or {}).items():
        if key == "document_types":
            continue
        if key in _MERGED_KEYS and isinstance(value, dict):
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


def _decimal(raw: Any, key: str) -> Decimal:
    try:
        return Decimal(str(raw))
    except InvalidOperation as exc:
        raise RulesInvalidError(f"{key} is not a number: {raw!r}") from exc


def _build(version: str, data: dict[str, Any]) -> RuleSet:
    try:
        severities = {str(k): str(v) for k, v in data.get("severities", {}).items()}
        if bad := {v for v in severities.values() if v not in SEVERITIES}:
            raise RulesInvalidError(f"unknown severities {sorted(bad)}")
        rates = {str(c).upper(): frozenset(_decimal(r, f"tax_rates.{c}") for r in values)
                 for c, values in data.get("tax_rates", {}).items()}
        return RuleSet(
            version=version,
            rounding_tolerance=_decimal(data["rounding_tolerance"], "rounding_tolerance"),
            per_line_tolerance=_decimal(data.get("per_line_tolerance", "0"), "per_line_tolerance"),
            tax_rounding_tolerance=_decimal(data["tax_rounding_tolerance"], "tax_rounding_tolerance"),
            future_date_tolerance_days=int(data["future_date_tolerance_days"]),
            max_due_days=int(data.get("max_due_days", 365)),
            allowed_currencies=frozenset(str(c).upper() for c in data.get("allowed_currencies") or []),
            required_fields=tuple(str(f) for f in data.get("required_fields", [])),
            severities=severities, tax_rates=rates)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RulesInvalidError(f"rules file does not fit the expected shape: {exc}") from exc


class RuleBook:
    """All rule layers of one file; :meth:`for_document` gives the merged :class:`RuleSet`."""

    def __init__(self, data: dict[str, Any]) -> None:
        if not isinstance(data, dict) or "defaults" not in data:
            raise RulesInvalidError("rules file needs a 'defaults' section")
        self.version = str(data.get("version", "unversioned"))
        self._data = data
        self._cache: dict[tuple[str, str], RuleSet] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> RuleBook:
        """Load ``path``, or the packaged ``docket/records/rules/default.yaml`` when None."""
        text = (path.read_text(encoding="utf-8") if path is not None
                else resources.files("docket.records").joinpath("rules/default.yaml").read_text("utf-8"))
        try:
            return cls(yaml.safe_load(text))
        except yaml.YAMLError as exc:
            raise RulesInvalidError(f"rules file is not YAML: {exc}") from exc

    def for_document(self, legal_entity: str, document_type: str) -> RuleSet:
        """The merged rules for ``legal_entity`` and ``document_type`` (cached)."""
        key = (legal_entity, document_type)
        if key not in self._cache:
            entity = (self._data.get("entities") or {}).get(legal_entity) or {}
            layers = [self._data.get("defaults"),
                      (self._data.get("document_types") or {}).get(document_type),
                      entity, (entity.get("document_types") or {}).get(document_type)]
            merged: dict[str, Any] = {}
            for layer in layers:
                merged = _merge(merged, layer)
            self._cache[key] = _build(self.version, merged)
        return self._cache[key]
