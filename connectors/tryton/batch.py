"""What the Tryton sinks share when they settle a batch of postings: per-item failures, repeats
within a batch, and JSON-safe request records for the audit trail."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from connectors.base import PostingOutcome, PostingRejected, TargetUnavailable
from docket.errors import DocketError


class Settled(Protocol):
    """One posting on its way through a batch; ``result`` is set once it is settled."""

    result: PostingOutcome | DocketError | None


Item = TypeVar("Item", bound=Settled)


def settle_each(items: list[Item], step: Callable[[Item], None]) -> list[Item]:
    """Run ``step`` per item; an item's own failure (a refusal, an unreadable blob) settles that item,
    a down target is everyone's failure and propagates. Returns the items still unsettled."""
    for item in items:
        try:
            step(item)
        except TargetUnavailable:
            raise
        except DocketError as error:
            item.result = error
    return [item for item in items if item.result is None]


def repeat_answer(first: PostingOutcome | DocketError | None, key: str, what: str) -> PostingOutcome | DocketError:
    """The answer for a request (idempotency key ``key``) repeating ``first``'s posting in the same batch:
    ``already_posted`` with the first outcome, the same error, or a refusal when ``first`` was never
    settled (``what`` names the record, e.g. "invoice")."""
    if isinstance(first, PostingOutcome):
        return dataclasses.replace(first, status="already_posted", idempotency_key=key)
    if first is None:
        return PostingRejected(f"the {what} it repeats was not settled", details={"reason": "unsettled"})
    return first


def jsonable(value: Any) -> Any:
    """``value`` with Decimal, dates and bytes turned into JSON-safe text."""
    return json.loads(json.dumps(value, default=lambda item: f"<{len(item)} bytes>"
                                 if isinstance(item, bytes) else str(item)))
