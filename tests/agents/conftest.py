"""Faust ``test_context()`` set-up: an in-process mock registry, patched sends, clean state.

The registry URL must be set before ``streams.app`` is imported (it builds the module-level
app and codecs at import time). Sends to other topics are captured instead of produced, and
the module-level tables and master-data store are emptied before every test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

# streams.app reads its settings once, at import: point it at an in-process mock registry for
# the import only. The variable must not stay set: integration tests collected in the same run
# build their settings from the environment, and their worker subprocesses inherit it.
_outer_registry_url = os.environ.get("DOCKET_REGISTRY_URL")
os.environ["DOCKET_REGISTRY_URL"] = f"mock://agents-{uuid.uuid4().hex[:8]}"
import streams.app  # noqa: E402, F401

if _outer_registry_url is None:
    del os.environ["DOCKET_REGISTRY_URL"]
else:
    os.environ["DOCKET_REGISTRY_URL"] = _outer_registry_url

from agents import cashapp, driver, masterdata, route  # noqa: E402 (after streams.app's settings above)
from agents.runtime import Outgoing, Stage  # noqa: E402
from docket.enrich import ReferenceData  # noqa: E402
from docket.review.positions import PositionBook  # noqa: E402


class Sent:
    """What the agents asked to produce, in order, per logical topic."""

    def __init__(self) -> None:
        self.messages: list[Outgoing] = []

    def on(self, topic: str) -> list[Any]:
        return [m.value for m in self.messages if m.topic == topic]

    def keys(self, topic: str) -> list[str]:
        return [m.key for m in self.messages if m.topic == topic]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sent]:
    record = Sent()

    async def capture(stage: Stage, messages: Sequence[Outgoing]) -> None:
        for message in messages:
            stage.encode(message)  # what the agent emits must encode with the topic's schema
        record.messages.extend(messages)

    monkeypatch.setattr(driver, "emit", capture)
    masterdata.store.reference = ReferenceData()
    masterdata.store.open_items.clear()
    masterdata.store.positions = PositionBook()
    masterdata.store.applied.clear()
    masterdata.reader.ready.set()
    for table in (route.vendor_history, route.open_reviews, cashapp.open_payment_reviews, cashapp.advice_links):
        table.data.clear()
    yield record
