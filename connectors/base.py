"""The contract every posting sink honours, fakes included (``tests/contract``).

A sink turns a :class:`~docket.model.PostingRequested` into a record in one target system.

Guarantees a sink gives, checked by the contract suite:

* **Idempotent per key.** Posting a request whose ``idempotency_key`` the sink has seen before
  creates nothing and returns the first outcome with ``status="already_posted"``; where the
  target has its own natural key (Tryton: supplier + reference) the sink checks it too, so a
  lost ledger does not double-post either.
* **Permanent refusals** raise :class:`PostingRejected` carrying the target's own error text.
* **Transient failures** (timeout, connection refused, 5xx) raise :class:`TargetUnavailable`,
  ``retryable=True``; nothing was created, or the retry will find it through the key.
* ``post_batch`` returns one outcome or error per request, in order; a failure of one request
  does not fail the others.
* ``flush`` makes every returned outcome durable at the target; ``close`` flushes and releases
  connections; using a closed sink raises :class:`SinkClosed`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from docket.errors import DocketError
from docket.model import PostingRequested


class PostingRejected(DocketError):
    """The target refused the record; retrying the same request will not help."""

    code = "POSTING_REJECTED"
    retryable = False


class TargetUnavailable(DocketError):
    """The target could not be reached or failed transiently; retry later."""

    code = "POSTING_TARGET_UNAVAILABLE"
    retryable = True


class SinkClosed(DocketError):
    """The sink was used after ``close()``."""

    code = "POSTING_SINK_CLOSED"


@dataclass(frozen=True)
class PostingOutcome:
    """What a target answered for one posting.

    ``status`` is ``posted`` or ``already_posted``; ``erp_reference`` is the number people see in
    the target (invoice number), ``erp_id`` its internal id. ``request`` and ``response`` are
    already redacted (:func:`redact`) and safe to store in the audit trail.
    """

    idempotency_key: str
    target: str
    status: str
    erp_reference: str | None
    erp_id: str | None
    request: Mapping[str, Any] = field(default_factory=dict)
    response: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class PostingSink(Protocol):
    """A target system Docket posts into. ``target`` is the name used in idempotency keys."""

    target: str

    def post(self, request: PostingRequested) -> PostingOutcome:
        """Create the record (or find the one made before) and return the outcome."""
        ...

    def post_batch(self, requests: Sequence[PostingRequested]) -> list[PostingOutcome | DocketError]:
        """Post several requests, in as few target calls as the target allows."""
        ...

    def connect(self) -> None:
        """Reach the target and read what every posting needs (a session, reference data), so the
        first posting does not wait for it. Optional for the caller: a sink connects on first use.
        Raises :class:`TargetUnavailable` when the target cannot be reached."""
        ...

    def flush(self) -> None:
        """Make everything posted so far durable at the target."""
        ...

    def close(self) -> None:
        """Flush and release resources; later calls raise :class:`SinkClosed`."""
        ...


class SinkBase(ABC):
    """Shared mechanics for sinks: a per-request ``post_batch`` and the closed-state guard.

    Subclasses implement ``post`` (calling ``self._ensure_open()`` first) and may override
    ``post_batch`` where the target takes several records in one call.
    """

    target: str = "base"

    def __init__(self) -> None:
        self._closed = False

    def _ensure_open(self) -> None:
        if self._closed:
            raise SinkClosed(f"sink {self.target!r} is closed")

    @abstractmethod
    def post(self, request: PostingRequested) -> PostingOutcome:
        """Create the record (or find the one made before); see :class:`PostingSink`."""

    def post_batch(self, requests: Sequence[PostingRequested]) -> list[PostingOutcome | DocketError]:
        self._ensure_open()
        results: list[PostingOutcome | DocketError] = []
        for request in requests:
            try:
                results.append(self.post(request))
            except DocketError as error:
                results.append(error)
        return results

    def connect(self) -> None:
        """Nothing to prepare by default (see :class:`PostingSink`); :class:`SinkClosed` once closed."""
        self._ensure_open()

    def flush(self) -> None:
        self._ensure_open()

    def close(self) -> None:
        if not self._closed:
            self.flush()
        self._closed = True


class BatchSinkBase(SinkBase):
    """For targets that take several records per call: subclasses implement ``post_batch``;
    ``post`` is a batch of one (its error raised)."""

    def post(self, request: PostingRequested) -> PostingOutcome:
        result = self.post_batch([request])[0]
        if isinstance(result, DocketError):
            raise result
        return result

    @abstractmethod
    def post_batch(self, requests: Sequence[PostingRequested]) -> list[PostingOutcome | DocketError]:
        """Post ``requests`` in as few target calls as the target allows; one answer per request, in order."""


_SECRET_KEYS = re.compile(r"(pass(word)?|secret|token|authorization|api[_-]?key|session|cookie)", re.I)
_BANK_KEYS = re.compile(r"(iban|bic|account_number|bank_account|payer_account)", re.I)
_IBAN_TEXT = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")


def refuse_unapproved_bank_change(request: PostingRequested) -> None:
    """Raise :class:`PostingRejected` (``bank_change_not_approved``) for new bank details a reviewer has
    not approved: every sink that can carry a customer change applies this, whatever routing did."""
    crm = request.record.crm if request.record is not None else None
    if crm is not None and (crm.new_iban or crm.new_bic) and not crm.bank_change_approved_by:
        raise PostingRejected("a bank-detail change is applied only after a reviewer approves it",
                              details={"reason": "bank_change_not_approved"})


def redact(value: Any) -> Any:
    """A copy of a JSON-like structure with secrets and bank details masked.

    Keys that name a secret are replaced by ``"***"``; bank identifiers keep their last four
    characters (``"***1234"``) so a person can still tell two accounts apart; IBAN-shaped text
    inside free strings is masked the same way.
    """
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if _SECRET_KEYS.search(str(key)):
                out[key] = "***"
            elif _BANK_KEYS.search(str(key)) and isinstance(item, str):
                out[key] = _mask_tail(item)
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return _IBAN_TEXT.sub(lambda m: _mask_tail(m.group(0)), value)
    return value


def _mask_tail(text: str) -> str:
    compact = text.replace(" ", "")
    return "***" + compact[-4:] if len(compact) > 4 else "***"
