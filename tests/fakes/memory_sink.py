"""An in-memory posting target for the fast test suite; it honours the full sink contract.

Tests shape its behaviour: ``reject_when`` decides which requests the "ERP" refuses (and why),
``fail_next(n)`` makes the next ``n`` calls fail transiently, as a down ERP would.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from connectors.base import PostingOutcome, PostingRejected, SinkBase, TargetUnavailable, redact
from docket.errors import DocketError
from docket.model import PostingRequested

RejectRule = Callable[[PostingRequested], str | None]


class MemorySink(SinkBase):
    """Keeps posted records in a dict keyed by idempotency key.

    ``reject_when(request)`` returns the ERP's error text for a request it refuses, or None.
    ``records`` holds what was "created", in order, for assertions; ``calls`` counts target calls.
    """

    def __init__(self, target: str = "memory", *, reject_when: RejectRule | None = None) -> None:
        super().__init__()
        self.target = target
        self._reject_when = reject_when
        self._outcomes: dict[str, PostingOutcome] = {}
        self._failures_left = 0
        self.records: list[dict[str, Any]] = []
        self.calls = 0
        self.flushed = 0

    def fail_next(self, count: int = 1) -> None:
        """Make the next ``count`` target calls raise :class:`TargetUnavailable`."""
        self._failures_left = count

    def post(self, request: PostingRequested) -> PostingOutcome:
        self._ensure_open()
        self._touch_target()
        return self._post_one(request)

    def post_batch(self, requests: Sequence[PostingRequested]) -> list[PostingOutcome | DocketError]:
        """One "target call" for the whole batch, like an ERP's bulk create."""
        self._ensure_open()
        try:
            self._touch_target()
        except TargetUnavailable as error:
            return [error for _ in requests]
        results: list[PostingOutcome | DocketError] = []
        for request in requests:
            try:
                results.append(self._post_one(request))
            except DocketError as error:
                results.append(error)
        return results

    def flush(self) -> None:
        self._ensure_open()
        self.flushed += 1

    def _touch_target(self) -> None:
        self.calls += 1
        if self._failures_left > 0:
            self._failures_left -= 1
            raise TargetUnavailable(f"{self.target}: simulated outage")

    def _post_one(self, request: PostingRequested) -> PostingOutcome:
        first = self._outcomes.get(request.idempotency_key)
        if first is not None:
            return dataclasses.replace(first, status="already_posted")
        reason = self._reject_when(request) if self._reject_when else None
        if reason is not None:
            raise PostingRejected(reason, details={"target": self.target})
        number = f"MEM-{len(self.records) + 1:05d}"
        payload = request.model_dump(mode="json")
        self.records.append({"number": number, "request": payload})
        outcome = PostingOutcome(idempotency_key=request.idempotency_key, target=self.target, status="posted",
                                 erp_reference=number, erp_id=str(len(self.records)),
                                 request=redact(payload), response={"number": number})
        self._outcomes[request.idempotency_key] = outcome
        return outcome
