"""API tokens as data: only their sha256 hashes are stored, matched in constant time.

The token file (YAML or JSON) lists one entry per token::

    tokens:
      - name: scanner-berlin            # shown in logs and metadata, never the token
        sha256: 9f86d08...              # hashlib.sha256(token.encode()).hexdigest()
        scopes: [documents:submit]      # documents:submit, documents:read, admin
        legal_entities: [DE01]          # optional: only these tenants; empty or absent = all

``admin`` implies every other scope. ``docket api-token`` prints a fresh token and its entry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from connectors.sources.errors import (
    EntityForbiddenError,
    ScopeForbiddenError,
    TokenFileError,
    UnauthenticatedError,
)

SCOPE_SUBMIT = "documents:submit"
SCOPE_READ = "documents:read"
SCOPE_ADMIN = "admin"
KNOWN_SCOPES = frozenset({SCOPE_SUBMIT, SCOPE_READ, SCOPE_ADMIN})


def hash_token(token: str) -> str:
    """The hex sha256 of ``token``, as stored in the token file."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A random token with 256 bits of entropy, URL-safe."""
    return "dkt_" + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ApiToken:
    """A configured token: its name, hash, scopes and the legal entities it may act for."""

    name: str
    sha256: str
    scopes: frozenset[str]
    legal_entities: frozenset[str] = frozenset()

    def has_scope(self, scope: str) -> bool:
        return SCOPE_ADMIN in self.scopes or scope in self.scopes

    def may_act_for(self, legal_entity: str) -> bool:
        return not self.legal_entities or legal_entity in self.legal_entities

    def require_scope(self, scope: str) -> None:
        """ScopeForbiddenError unless the token carries ``scope`` (or ``admin``)."""
        if not self.has_scope(scope):
            raise ScopeForbiddenError(f"token {self.name!r} lacks the scope {scope!r}",
                                      details={"scope": scope})

    def require_entity(self, legal_entity: str) -> None:
        """EntityForbiddenError unless the token may act for ``legal_entity``."""
        if not self.may_act_for(legal_entity):
            raise EntityForbiddenError(f"token {self.name!r} may not act for legal entity {legal_entity!r}",
                                       details={"legal_entity": legal_entity})


class TokenStore:
    """The configured tokens; :meth:`authenticate` turns a presented token into an ApiToken."""

    def __init__(self, tokens: Iterable[ApiToken]) -> None:
        self.tokens = tuple(tokens)
        names = [t.name for t in self.tokens]
        if len(set(names)) != len(names):
            raise TokenFileError("token names must be unique")

    def authenticate(self, presented: str | None) -> ApiToken:
        """The token whose hash matches ``presented``; UnauthenticatedError otherwise.

        Every configured hash is compared (no early exit) with :func:`hmac.compare_digest`, so the
        time taken says nothing about which or how many leading characters matched.
        """
        if not presented:
            raise UnauthenticatedError("an API token is required (Authorization: Bearer <token>)")
        digest = hash_token(presented).encode()
        found: ApiToken | None = None
        for token in self.tokens:
            if hmac.compare_digest(digest, token.sha256.encode()):
                found = token
        if found is None:
            raise UnauthenticatedError("the API token is not valid")
        return found

    @classmethod
    def from_data(cls, data: Any) -> TokenStore:
        """Tokens from the parsed file content (``{"tokens": [...]}``); TokenFileError if malformed."""
        if not isinstance(data, dict) or not isinstance(data.get("tokens"), list):
            raise TokenFileError("the token file must hold a mapping with a 'tokens' list")
        return cls(_parse_entry(entry, index) for index, entry in enumerate(data["tokens"]))

    @classmethod
    def from_file(cls, path: Path) -> TokenStore:
        """Tokens from a YAML or JSON file (JSON is YAML, but .json is parsed strictly)."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise TokenFileError(f"cannot read the token file {path}: {error.strerror}") from error
        try:
            data = json.loads(text) if Path(path).suffix == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as error:
            raise TokenFileError(f"the token file {path} is not valid YAML/JSON") from error
        return cls.from_data(data)


def _parse_entry(entry: Any, index: int) -> ApiToken:
    where = f"token #{index + 1}"
    if not isinstance(entry, dict):
        raise TokenFileError(f"{where} must be a mapping")
    name, digest, scopes = entry.get("name"), entry.get("sha256"), entry.get("scopes")
    entities = entry.get("legal_entities") or []
    if not isinstance(name, str) or not name:
        raise TokenFileError(f"{where} needs a name")
    if not isinstance(digest, str) or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise TokenFileError(f"{where} ({name}) needs sha256: the lower-case hex sha256 of the token")
    if not isinstance(scopes, list) or not scopes or not set(scopes) <= KNOWN_SCOPES:
        raise TokenFileError(f"{where} ({name}) needs scopes from {sorted(KNOWN_SCOPES)}")
    if not isinstance(entities, list) or not all(isinstance(e, str) and e for e in entities):
        raise TokenFileError(f"{where} ({name}): legal_entities must be a list of names")
    return ApiToken(name=name, sha256=digest, scopes=frozenset(scopes), legal_entities=frozenset(entities))
