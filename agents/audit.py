"""Audit stage: every document event → the audit store; the trail over HTTP.

The store records each event once (by event id), so replays and redeliveries leave it as it
was. ``GET /trail/{document_id}/`` on the worker's web server returns the timeline as JSON;
``docket trail DOC_ID`` prints it from the same store. The trail and ``/metrics`` need the bearer
token ``DOCKET_WORKER_READ_TOKEN`` (without one they answer only on a loopback-bound worker; see
:mod:`agents.read_access`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import faust

from agents.read_access import read_refusal
from agents.runtime import Outgoing, Source, Stage, patiently
from agents.stores import audit_store
from connectors.stores.audit import AuditStore
from docket.audit.trail import trail_data
from docket.model import Event
from streams import topics
from streams.app import app, codecs, settings
from streams.settings import Settings

AUDITED_TOPICS = (
    topics.DOCUMENTS_RECEIVED, topics.DOCUMENTS_EXTRACTED, topics.DOCUMENTS_ENRICHED, topics.DOCUMENTS_ROUTED,
    topics.DOCUMENTS_REJECTED, topics.REVIEWS_REQUESTED, topics.REVIEWS_COMPLETED, topics.POSTINGS_REQUESTED,
    topics.POSTINGS_RESULTS, topics.PAYMENTS_RECEIVED, topics.CASH_APPLICATIONS,
)

stage = Stage("audit", codecs, rejects_documents=False)
store = audit_store


async def record(event: Event, source: Source) -> Sequence[Outgoing]:
    """Record ``event``; a store that is down is waited for (the event must not be skipped)."""
    await patiently(lambda: store().record(event))
    return []


def trail_json(document_id: str) -> dict[str, Any]:
    """The document's trail from the worker's store (see :func:`docket.audit.trail.trail_data`)."""
    return trail_data(store(), document_id)


_channel = app.topic(*(settings.topic(spec.name) for spec in AUDITED_TOPICS), key_type=bytes, value_type=bytes)


@app.agent(_channel)
async def audit_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(stage, None, stream, record)


def register_read_views(faust_app: faust.App, read_settings: Settings, read_store: Callable[[], AuditStore]) -> None:
    """``/trail/{document_id}/`` and ``/metrics`` on ``faust_app``'s web server, each behind
    :func:`agents.read_access.read_refusal` (the worker's own app gets them below)."""

    def refused(web: Any, request: Any) -> Any | None:
        token = read_settings.worker_read_token.get_secret_value() if read_settings.worker_read_token else None
        refusal = read_refusal(request.headers.get("Authorization"), token, read_settings.web_host)
        if refusal is None:
            return None
        return web.json(refusal.body(), status=refusal.status, headers={"WWW-Authenticate": "Bearer"})

    @faust_app.page("/trail/{document_id}/")
    async def trail_view(web: Any, request: Any, document_id: str) -> Any:
        if (refusal := refused(web, request)) is not None:
            return refusal
        data = await asyncio.get_running_loop().run_in_executor(None, trail_data, read_store(), document_id)
        status = 200 if data["state"] is not None else 404
        return web.json(data, status=status)

    @faust_app.page("/metrics")
    async def metrics_view(web: Any, request: Any) -> Any:
        """The operations figures in Prometheus' text format (see connectors/web/prometheus.py)."""
        if (refusal := refused(web, request)) is not None:
            return refusal
        from connectors.web.prometheus import render_metrics
        from streams.lag import worker_lag_reader

        body, content_type = await asyncio.get_running_loop().run_in_executor(
            None, render_metrics, read_store, worker_lag_reader(read_settings))
        # aiohttp refuses a charset in ``content_type=``: the full header goes in ``headers``.
        return web.bytes(body, headers={"Content-Type": content_type})


register_read_views(app, settings, lambda: store())
