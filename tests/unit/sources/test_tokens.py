"""API tokens are data: hashed at rest, scoped, entity-limited, validated when loaded."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from connectors.sources.errors import ScopeForbiddenError, TokenFileError, UnauthenticatedError
from connectors.sources.tokens import TokenStore, hash_token, new_token


def _entry(token: str, **extra: object) -> dict[str, object]:
    return {"name": extra.pop("name", "t"), "sha256": hashlib.sha256(token.encode()).hexdigest(),
            "scopes": extra.pop("scopes", ["documents:submit"]), **extra}


def test_yaml_file_is_loaded_and_only_the_hash_is_needed(tmp_path: Path) -> None:
    token = new_token()
    path = tmp_path / "tokens.yaml"
    path.write_text(f"tokens:\n  - name: scanner\n    sha256: {hash_token(token)}\n"
                    f"    scopes: [documents:submit]\n    legal_entities: [DE01, DE02]\n")
    store = TokenStore.from_file(path)
    found = store.authenticate(token)
    assert found.name == "scanner" and found.legal_entities == {"DE01", "DE02"}
    assert token not in path.read_text()
    assert found.may_act_for("DE02") and not found.may_act_for("FR01")
    with pytest.raises(UnauthenticatedError):
        store.authenticate(token[:-1])
    with pytest.raises(UnauthenticatedError):
        store.authenticate("")


def test_json_file_and_admin_implies_every_scope(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"tokens": [_entry("a", name="ops", scopes=["admin"]),
                                           _entry("r", name="reader", scopes=["documents:read"])]}))
    store = TokenStore.from_file(path)
    ops, reader = store.authenticate("a"), store.authenticate("r")
    assert ops.has_scope("documents:read") and ops.has_scope("documents:submit") and ops.may_act_for("ANY")
    reader.require_scope("documents:read")
    with pytest.raises(ScopeForbiddenError) as caught:
        reader.require_scope("documents:submit")
    assert caught.value.code == "SOURCE_SCOPE_FORBIDDEN"


@pytest.mark.parametrize("content", [
    "[]",
    "tokens: nope",
    "tokens:\n  - name: x\n    sha256: abc\n    scopes: [documents:submit]",
    f"tokens:\n  - name: x\n    sha256: {'a' * 64}\n    scopes: [root]",
    f"tokens:\n  - name: x\n    sha256: {'a' * 64}\n    scopes: []",
    f"tokens:\n  - sha256: {'a' * 64}\n    scopes: [admin]",
    f"tokens:\n  - name: x\n    sha256: {'a' * 64}\n    scopes: [admin]\n  - name: x\n    sha256: {'b' * 64}\n"
    "    scopes: [admin]",
    "tokens: [unclosed",
])
def test_malformed_token_files_are_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "tokens.yaml"
    path.write_text(content)
    with pytest.raises(TokenFileError) as caught:
        TokenStore.from_file(path)
    assert caught.value.code == "SOURCE_TOKEN_FILE_INVALID"


def test_missing_token_file_is_a_token_file_error(tmp_path: Path) -> None:
    with pytest.raises(TokenFileError):
        TokenStore.from_file(tmp_path / "absent.yaml")


def test_new_tokens_are_distinct_and_long() -> None:
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50 and all(len(t) >= 40 for t in tokens)
