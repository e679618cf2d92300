"""Assemble the :class:`~docket.ops.model.Dashboard` for one window, from audit rows.

Pure: the clock (``now``), the window, the bucket size, the consumer lag and the open items are
passed in; the rows come from :mod:`connectors.stores.ops_queries` (or any other source).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from docket.errors import DocketError
from docket.model import OpenItem
from docket.ops.cash import cash_figures
from docket.ops.facts import DocumentFacts, DocumentRow, EventRow, document_facts
from docket.ops.figures import figures_of
from docket.ops.model import Breakdown, Bucket, ConsumerLag, CrmBoard, CustomerMailFigures, Dashboard

MAX_BUCKETS = 400


class OpsInputError(DocketError):
    """The dashboard's window or bucket size makes no sense (not positive, or too many buckets)."""

    code = "OPS_WINDOW_INVALID"


def build_dashboard(documents: Iterable[DocumentRow], events: Iterable[EventRow], *, now: datetime,
                    window: timedelta, bucket: timedelta, entities: Sequence[str] | None = None,
                    document_type: str | None = None, consumer_lag: Sequence[ConsumerLag] = (),
                    open_items: Mapping[str, OpenItem] | None = None,
                    customer_mail: Sequence[CustomerMailFigures] = (), crm: CrmBoard | None = None) -> Dashboard:
    """The dashboard over ``[now - window, now)``: figures, one bucket per ``bucket`` (the first
    bucket starts at ``now - window``; the last may be shorter), breakdowns per legal entity and
    per document type. ``entities`` (None: all; empty: none) and ``document_type`` restrict the
    documents counted. Raises :class:`OpsInputError` for a non-positive window or bucket, or
    more than :data:`MAX_BUCKETS` buckets. ``customer_mail`` (what customers wrote that is still to
    act on, :func:`docket.ops.customer_mail.customer_mail_figures`) is shown as given, and so is ``crm``
    (:func:`docket.ops.crm.crm_board`, already restricted to ``entities``).
    """
    if window <= timedelta(0) or bucket <= timedelta(0):
        raise OpsInputError("window and bucket must be positive")
    if window / bucket > MAX_BUCKETS:
        raise OpsInputError(f"window / bucket gives more than {MAX_BUCKETS} buckets")
    since = now - window
    allowed = None if entities is None else set(entities)
    facts = [f for f in document_facts(documents, events)
             if (allowed is None or f.legal_entity in allowed)
             and (document_type is None or f.document_type == document_type)]
    return Dashboard(
        now=now, since=since, bucket_size=bucket, entities=None if allowed is None else sorted(allowed),
        document_type=document_type,
        figures=figures_of(facts, since, now), cash=cash_figures(facts, since, now, open_items=open_items),
        series=_series(facts, since, now, bucket),
        by_entity=_breakdown(facts, since, now, lambda f: f.legal_entity),
        by_document_type=_breakdown(facts, since, now, lambda f: f.document_type or "unknown"),
        consumer_lag=list(consumer_lag),
        customer_mail=[c for c in customer_mail if allowed is None or c.legal_entity in allowed], crm=crm)


def _series(facts: Sequence[DocumentFacts], since: datetime, until: datetime, size: timedelta) -> list[Bucket]:
    buckets = []
    start = since
    while start < until:
        end = min(start + size, until)
        figures = figures_of(facts, start, end)
        buckets.append(Bucket(start=start, documents_received=figures.documents_received,
                              documents_routed=figures.documents_routed, stp_rate=figures.stp_rate,
                              exception_rate=figures.exception_rate, documents_posted=figures.documents_posted,
                              posting_latency_p95_seconds=figures.posting_latency_p95_seconds,
                              posting_errors=sum(e.count for e in figures.posting_errors)))
        start = end
    return buckets


def _breakdown(facts: Sequence[DocumentFacts], since: datetime, until: datetime,
               key_of: Callable[[DocumentFacts], str]) -> list[Breakdown]:
    groups: dict[str, list[DocumentFacts]] = {}
    for fact in facts:
        groups.setdefault(key_of(fact), []).append(fact)
    return [Breakdown(key=key, figures=figures_of(group, since, until)) for key, group in sorted(groups.items())]
