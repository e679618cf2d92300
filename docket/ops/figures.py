"""The operations figures over a time interval ``[since, until)``, from :class:`DocumentFacts`.

Each figure counts a document by the instant of the fact it is about, so a document received
last week and posted today counts in today's posting figures:

* **STP rate**: documents whose *first* routing decision falls in the interval and was ``post``,
  over all documents first routed in it. **Exception rate**: the same denominator, first
  decision ``review`` or ``reject`` (``duplicate`` is neither: see duplicate prevention).
* **Posting latency** p50/p95: first ``posted``/``already_posted`` result minus the document's
  first event (received/submitted), for documents first posted in the interval. Percentiles are
  nearest-rank (the value at rank ⌈p·n⌉ of the sorted values).
* **Field accuracy after normalization**: 1 - corrected fields / fields shown, over reviews
  completed in the interval whose request is known (a field corrected twice counts once).
* **Duplicate prevention rate**: documents flagged as duplicates in the interval (received with
  ``duplicate_of``, routed ``duplicate`` or reviewed ``duplicate``) that no target posted
  (``already_posted`` answers are prevention by the ERP, so they count as prevented).
* **Manual touch time**: ``decided_at - opened_at`` of reviews completed in the interval (p50, mean).
* **Automation coverage**: documents whose outcome (posted, rejected, duplicate) falls in the
  interval that ended posted without any review, over all of them.
* **Data-sync accuracy**: idempotency keys requested in the interval that a target confirmed
  (``posted`` or ``already_posted``, at any time up to now), over all keys requested.
* **Posting errors** by target and code, and **retries** (``retrying`` answers), in the interval.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from docket.ops.facts import POSTED_STATUSES, DocumentFacts
from docket.ops.model import Figures, PostingErrorCount

_EXCEPTION_ROUTES = frozenset({"review", "reject"})


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` in 0..1) of ``values``; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def ratio(part: int, whole: int) -> float | None:
    """``part / whole``, None when ``whole`` is 0."""
    return part / whole if whole else None


def figures_of(facts: Sequence[DocumentFacts], since: datetime, until: datetime) -> Figures:
    """The figures of ``facts`` over ``[since, until)`` (definitions in the module docstring)."""

    def inside(at: datetime | None) -> bool:
        return at is not None and since <= at < until

    routed = [f.first_route[1] for f in facts if f.first_route and inside(f.first_route[0])]
    straight = sum(1 for route in routed if route == "post")
    exceptions = sum(1 for route in routed if route in _EXCEPTION_ROUTES)
    latencies = [(f.posted_at - f.first_seen).total_seconds() for f in facts
                 if f.posted_at is not None and inside(f.posted_at)]
    reviews = [r for f in facts for r in f.reviews if inside(r.at)]
    scored = [r for r in reviews if r.fields_shown]
    shown = sum(r.fields_shown or 0 for r in scored)
    corrected = sum(min(r.corrected, r.fields_shown or 0) for r in scored)
    touches = [r.touch_seconds for r in reviews if r.touch_seconds is not None]
    flagged = [f for f in facts if inside(f.duplicate_flagged_at)]
    prevented = sum(1 for f in flagged if not f.newly_posted)
    finished = [f for f in facts if inside(f.outcome_at)]
    unattended = sum(1 for f in finished if f.outcome == "posted" and not f.touched)
    requested = {key for f in facts for key, at in f.postings_requested.items() if inside(at)}
    confirmed = {a.idempotency_key for f in facts for a in f.answers if a.status in POSTED_STATUSES}
    answers = [a for f in facts for a in f.answers if inside(a.at)]
    errors = Counter((a.target, a.error_code) for a in answers if a.error_code)
    return Figures(
        documents_received=sum(1 for f in facts if inside(f.first_seen)),
        documents_routed=len(routed), straight_through=straight, exceptions=exceptions,
        stp_rate=ratio(straight, len(routed)), exception_rate=ratio(exceptions, len(routed)),
        documents_posted=len(latencies),
        posting_latency_p50_seconds=percentile(latencies, 0.50),
        posting_latency_p95_seconds=percentile(latencies, 0.95),
        reviewed_fields=shown, corrected_fields=corrected,
        field_accuracy=None if not shown else 1 - corrected / shown,
        duplicates_flagged=len(flagged), duplicates_prevented=prevented,
        duplicate_prevention_rate=ratio(prevented, len(flagged)),
        reviews_completed=len(reviews),
        manual_touch_p50_seconds=percentile(touches, 0.50),
        manual_touch_mean_seconds=sum(touches) / len(touches) if touches else None,
        documents_finished=len(finished), finished_without_person=unattended,
        automation_coverage=ratio(unattended, len(finished)),
        postings_requested=len(requested), postings_confirmed=len(requested & confirmed),
        data_sync_accuracy=ratio(len(requested & confirmed), len(requested)),
        posting_retries=sum(1 for a in answers if a.status == "retrying"),
        posting_errors=[PostingErrorCount(target=target, error_code=str(code), count=count)
                        for (target, code), count in sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))],
    )
