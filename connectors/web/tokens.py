"""API tokens for administrators: the HTTP source's token file (``DOCKET_API_TOKENS_FILE``), edited.

Only hashes are stored; a new token is shown once, to the administrator who issued it. The file
is rewritten whole (to a temporary file, then renamed) and re-validated with the parser the API
uses; the API server reads it at start, so a change takes effect when it restarts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from connectors.sources.tokens import KNOWN_SCOPES, TokenStore, hash_token, new_token
from docket.review.errors import ReviewError


class TokenFile:
    def __init__(self, path: Path | None) -> None:
        self.path = path

    def _require_path(self) -> Path:
        if self.path is None:
            raise ReviewError("no token file is configured (DOCKET_API_TOKENS_FILE)",
                              code="REVIEW_TOKENS_UNCONFIGURED")
        return self.path

    def _entries(self) -> list[dict[str, Any]]:
        path = self._require_path()
        if not path.exists():
            return []
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {"tokens": []}
        TokenStore.from_data(data)  # the API's own validation: refuse to edit a file it would reject
        return [dict(entry) for entry in data["tokens"]]

    def entries(self) -> list[dict[str, Any]]:
        """Name, scopes and legal entities of every token (never the hashes)."""
        return [{"name": e["name"], "scopes": sorted(e["scopes"]),
                 "legal_entities": sorted(e.get("legal_entities") or [])} for e in self._entries()]

    def issue(self, name: str, scopes: list[str], legal_entities: list[str]) -> str:
        """Add a token and return it (the only time it is shown); raises REVIEW_TOKEN_INVALID."""
        entries = self._entries()
        if not name.strip() or any(e["name"] == name.strip() for e in entries):
            raise ReviewError(f"token name {name!r} is empty or taken", code="REVIEW_TOKEN_INVALID")
        if not scopes or not set(scopes) <= KNOWN_SCOPES:
            raise ReviewError(f"scopes must be some of {', '.join(sorted(KNOWN_SCOPES))}",
                              code="REVIEW_TOKEN_INVALID")
        token = new_token()
        entry: dict[str, Any] = {"name": name.strip(), "sha256": hash_token(token), "scopes": sorted(set(scopes))}
        if legal_entities:
            entry["legal_entities"] = sorted(set(legal_entities))
        self._write([*entries, entry])
        return token

    def revoke(self, name: str) -> None:
        entries = self._entries()
        kept = [e for e in entries if e["name"] != name]
        if len(kept) == len(entries):
            raise ReviewError(f"no token named {name!r}", code="REVIEW_TOKEN_INVALID")
        self._write(kept)

    def _write(self, entries: list[dict[str, Any]]) -> None:
        path = self._require_path()
        TokenStore.from_data({"tokens": entries})
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tokens-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            yaml.safe_dump({"tokens": entries}, out, sort_keys=False)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
