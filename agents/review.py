"""Review workspace feed: ``reviews.requested`` → a task in the workspace store, ``reviews.completed``
→ the task closed.

The store is the audit trail's database (``settings.audit_database_url``), where the web UI
(``connectors/web``) reads tasks. A newer request for the same document supersedes the open
task; a verdict is applied once per event id, so redeliveries and replays change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents.runtime import Outgoing, Source, Stage, patiently
from agents.stores import audit_store
from connectors.stores.review import ReviewStore
from docket.model import ReviewCompleted, ReviewRequested
from streams import topics
from streams.app import app, codecs, topic

# A task that cannot be stored is the workspace's problem, not the document's: dead-letter it
# rather than reject the document.
stage = Stage("review", codecs, rejects_documents=False)
_store: ReviewStore | None = None
# Store calls run in a thread so a slow database does not stall the worker's event loop; agent
# tests turn this off so a message is fully handled when ``put`` returns.
OFFLOAD = True


def store() -> ReviewStore:
    global _store
    if _store is None:
        _store = ReviewStore(audit_store())
    return _store


async def open_task(request: ReviewRequested, source: Source) -> Sequence[Outgoing]:
    await patiently(lambda: store().add_request(request), offload=OFFLOAD)
    return []


async def close_task(review: ReviewCompleted, source: Source) -> Sequence[Outgoing]:
    await patiently(lambda: store().apply_completion(review, stage.clock()), offload=OFFLOAD)
    return []


@app.agent(topic(topics.REVIEWS_REQUESTED.name))
async def review_requested_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(stage, topics.REVIEWS_REQUESTED.name, stream, open_task)


@app.agent(topic(topics.REVIEWS_COMPLETED.name))
async def review_completed_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(stage, topics.REVIEWS_COMPLETED.name, stream, close_task)
