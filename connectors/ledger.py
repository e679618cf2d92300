"""The posting ledger: every outcome a target gave, keyed by idempotency key, on disk.

:class:`PostingLedger` keeps the first outcome per key in one SQL table (SQLite file by default,
any SQLAlchemy URL otherwise), so it survives restarts. :class:`IdempotentSink` puts it in front
of any sink: repeats are answered from the ledger without touching the target.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, create_engine, insert, select
from sqlalchemy.exc import IntegrityError

from connectors.base import PostingOutcome, PostingSink, SinkBase
from docket.errors import DocketError
from docket.model import PostingRequested

_metadata = MetaData()
postings = Table(
    "postings", _metadata,
    Column("idempotency_key", String(300), primary_key=True),
    Column("target", String(100), nullable=False),
    Column("status", String(30), nullable=False),
    Column("erp_reference", String(200)),
    Column("erp_id", String(200)),
    Column("request", Text, nullable=False),
    Column("response", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


def _database_url(location: str | Path) -> str:
    text = str(location)
    return text if "://" in text else f"sqlite:///{Path(text).expanduser().resolve()}"


class PostingLedger:
    """First outcome per idempotency key, durable.

    ``location`` is a file path (SQLite) or a SQLAlchemy URL. ``clock`` stamps ``recorded_at``.
    ``request``/``response`` are stored as JSON as the outcome holds them (already redacted).
    """

    def __init__(self, location: str | Path, *, clock: Callable[[], datetime] | None = None) -> None:
        self._engine = create_engine(_database_url(location))
        self._clock = clock or (lambda: datetime.now(UTC))
        _metadata.create_all(self._engine)

    def get(self, key: str) -> PostingOutcome | None:
        """The outcome recorded first for ``key``, or None when the key was never recorded."""
        with self._engine.connect() as connection:
            row = connection.execute(select(postings).where(postings.c.idempotency_key == key)).first()
        if row is None:
            return None
        return PostingOutcome(idempotency_key=row.idempotency_key, target=row.target, status=row.status,
                              erp_reference=row.erp_reference, erp_id=row.erp_id,
                              request=json.loads(row.request), response=json.loads(row.response))

    def record(self, outcome: PostingOutcome) -> bool:
        """Store ``outcome`` unless its key is there already; True when it was stored."""
        values: dict[str, Any] = {
            "idempotency_key": outcome.idempotency_key, "target": outcome.target, "status": outcome.status,
            "erp_reference": outcome.erp_reference, "erp_id": outcome.erp_id,
            "request": json.dumps(outcome.request, default=str), "response": json.dumps(outcome.response, default=str),
            "recorded_at": self._clock(),
        }
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(postings).values(**values))
        except IntegrityError:
            return False
        return True

    def close(self) -> None:
        self._engine.dispose()


class IdempotentSink(SinkBase):
    """``sink`` behind ``ledger``: a key seen before is answered ``already_posted`` from the ledger.

    The ledger is written right after the target answered; if the process dies in between, the
    target's own duplicate check (every sink has one, see :mod:`connectors.base`) catches the repeat.
    """

    def __init__(self, sink: PostingSink, ledger: PostingLedger) -> None:
        super().__init__()
        self.target = sink.target
        self._sink = sink
        self._ledger = ledger

    def post(self, request: PostingRequested) -> PostingOutcome:
        self._ensure_open()
        known = self._ledger.get(request.idempotency_key)
        if known is not None:
            return dataclasses.replace(known, status="already_posted")
        outcome = self._sink.post(request)
        self._ledger.record(outcome)
        return outcome

    def post_batch(self, requests: Sequence[PostingRequested]) -> list[PostingOutcome | DocketError]:
        self._ensure_open()
        results: list[PostingOutcome | DocketError | None] = [None] * len(requests)
        first_index: dict[str, int] = {}
        forward: list[int] = []
        for index, request in enumerate(requests):
            known = self._ledger.get(request.idempotency_key)
            if known is not None:
                results[index] = dataclasses.replace(known, status="already_posted")
            elif request.idempotency_key not in first_index:
                first_index[request.idempotency_key] = index
                forward.append(index)
        answers = self._sink.post_batch([requests[index] for index in forward]) if forward else []
        for index, answer in zip(forward, answers, strict=True):
            if isinstance(answer, PostingOutcome):
                self._ledger.record(answer)
            results[index] = answer
        for index, request in enumerate(requests):
            if results[index] is None:
                first = results[first_index[request.idempotency_key]]
                results[index] = (dataclasses.replace(first, status="already_posted")
                                  if isinstance(first, PostingOutcome) else first)
        return [result for result in results if result is not None]

    def connect(self) -> None:
        self._ensure_open()
        self._sink.connect()

    def flush(self) -> None:
        self._ensure_open()
        self._sink.flush()

    def close(self) -> None:
        if not self._closed:
            self._sink.close()
            self._ledger.close()
        self._closed = True
