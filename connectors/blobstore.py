"""The claim-check store: documents are kept once, content-addressed by sha256, write-once.

Events carry a blob URI, never the bytes. The local store (the default) lays files out as
``<root>/sha256/<aa>/<bb>/<hash>`` and hands out ``blob:sha256:<hash>`` URIs, which name the
content rather than a place, so the root can move without rewriting events.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from docket.errors import BlobError

URI_PREFIX = "blob:sha256:"


@dataclass(frozen=True)
class StoredBlob:
    """Where a document's bytes are, and whether this ``put`` stored them for the first time."""

    uri: str
    sha256: str
    size_bytes: int
    created: bool


class BlobStore(Protocol):
    """Content-addressed, write-once storage."""

    def put(self, data: bytes) -> StoredBlob:
        """Store ``data`` (a no-op when the same bytes are stored already)."""
        ...

    def get(self, uri: str) -> bytes:
        """The bytes behind ``uri``; BlobError ``BLOB_NOT_FOUND`` / ``BLOB_CORRUPT``."""
        ...

    def exists(self, uri: str) -> bool:
        ...


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_uri(uri: str) -> str:
    """The sha256 named by ``uri``; BlobError ``BLOB_BAD_URI`` for anything else."""
    if not uri.startswith(URI_PREFIX):
        raise BlobError(f"not a blob URI: {uri!r}", code="BLOB_BAD_URI")
    digest = uri[len(URI_PREFIX):]
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise BlobError(f"not a sha256 in blob URI: {uri!r}", code="BLOB_BAD_URI")
    return digest


class LocalBlobStore:
    """Blobs in a local directory; safe for several processes (atomic rename, write-once)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, digest: str) -> Path:
        return self.root / "sha256" / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> StoredBlob:
        digest = sha256_hex(data)
        path = self.path_for(digest)
        uri = URI_PREFIX + digest
        if path.exists():
            return StoredBlob(uri, digest, len(data), created=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".incoming-", delete=False) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            temp = Path(handle.name)
        temp.chmod(0o444)
        try:
            # link() fails if another writer won the race: the content is the same, keep theirs.
            os.link(temp, path)
            created = True
        except FileExistsError:
            created = False
        finally:
            temp.unlink(missing_ok=True)
        return StoredBlob(uri, digest, len(data), created=created)

    def get(self, uri: str) -> bytes:
        digest = parse_uri(uri)
        try:
            data = self.path_for(digest).read_bytes()
        except FileNotFoundError as error:
            raise BlobError(f"no blob {uri} under {self.root}", code="BLOB_NOT_FOUND") from error
        if sha256_hex(data) != digest:
            raise BlobError(f"blob {uri} does not match its hash", code="BLOB_CORRUPT")
        return data

    def exists(self, uri: str) -> bool:
        return self.path_for(parse_uri(uri)).exists()
