"""Masking of secrets and bank details before anything reaches the audit trail.

The same rules as ``connectors.base.redact`` (kept here so the pure ``docket`` package does not
depend on ``connectors``), plus two cases an audit trail meets: lists of bank identifiers
(``ibans: [...]``) and JSON documents carried as strings (a posting's request and response).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_SECRET_KEYS = re.compile(r"(pass(word)?|secret|token|authorization|api[_-]?key|session|cookie)", re.I)
_BANK_KEYS = re.compile(r"(iban|bic|account_number|bank_account|payer_account)", re.I)
_IBAN_TEXT = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")
MASK = "***"


def redact(value: Any) -> Any:
    """A copy of a JSON-like value with secrets replaced by ``***`` and bank identifiers masked
    to their last four characters (``***3000``), so two accounts can still be told apart.

    Strings that hold a JSON object or array are parsed, redacted and written back as JSON;
    IBAN-shaped text inside any other string is masked in place.
    """
    if isinstance(value, Mapping):
        return {key: _redact_item(str(key), item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return _redact_text(value)
    return value


def _redact_item(key: str, item: Any) -> Any:
    if _SECRET_KEYS.search(key):
        return MASK
    if _BANK_KEYS.search(key):
        if isinstance(item, str):
            return mask_tail(item)
        if isinstance(item, list | tuple):
            return [mask_tail(entry) if isinstance(entry, str) else redact(entry) for entry in item]
    return redact(item)


def _redact_text(text: str) -> str:
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict | list):
            return json.dumps(redact(parsed), ensure_ascii=False, sort_keys=True)
    return _IBAN_TEXT.sub(lambda match: mask_tail(match.group(0)), text)


def mask_tail(text: str) -> str:
    """``***`` plus the last four characters (spaces ignored); just ``***`` for short values."""
    compact = text.replace(" ", "")
    return MASK + compact[-4:] if len(compact) > 4 else MASK
