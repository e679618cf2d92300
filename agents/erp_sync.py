"""The periodic ERP master-data sync: Tryton → ``masterdata.*`` topics, changes only, on one worker.

Every ``settings.erp_sync_interval_s`` seconds (off when 0) the leader worker runs the same sync
as ``docket erp sync`` (:func:`connectors.tryton.sync.sync_masterdata`) in an executor thread, but
through :class:`ChangesOnlyProducer`: a record is produced only when its content differs from what
this worker published last (the ``updated_at`` stamp does not count as a change), and a record
that the ERP no longer lists (a paid receivable, a closed purchase order) gets a tombstone.

The first run after a worker starts publishes everything once (harmless: the topics are compacted);
a failed run (ERP down, broker not acknowledging) publishes nothing new as "known" and the next
run tries again. An exception never escapes the timer.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from datetime import UTC, datetime
from typing import Any

import structlog
from pydantic import BaseModel

from docket.errors import DocketError
from streams.app import app, codecs, settings
from streams.codecs import CodecRegistry
from streams.producer import EventProducer, ProduceError
from streams.settings import Settings

log = structlog.get_logger(__name__)

# Stamped with the time of each run: not a change of the record.
_VOLATILE = {"updated_at"}


def fingerprint(event: BaseModel) -> str:
    """A digest of the record's content, ignoring the fields every run stamps anew."""
    content = event.model_dump(mode="json", exclude=_VOLATILE)
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


class ChangesOnlyProducer(EventProducer):
    """An :class:`EventProducer` that drops records unchanged since the last completed run.

    Use as ``begin()``, the sync's ``send``/``flush`` calls, then ``finish()``, which tombstones the
    keys published before but absent from this run and only then remembers this run as published.
    """

    def __init__(self, settings: Settings, codecs: CodecRegistry, **config: Any) -> None:
        super().__init__(settings, codecs, **config)
        self.published: dict[tuple[str, str], str] = {}
        self._seen: dict[tuple[str, str], str] = {}
        self.sent = 0

    def begin(self) -> None:
        self._seen, self.sent = {}, 0

    def send(self, logical_topic: str, key: str, event: BaseModel | None,
             headers: dict[str, str] | None = None) -> None:
        if event is None:
            super().send(logical_topic, key, None, headers)
            return
        digest = fingerprint(event)
        self._seen[(logical_topic, key)] = digest
        if self.published.get((logical_topic, key)) != digest:
            self.sent += 1
            super().send(logical_topic, key, event, headers)

    def finish(self) -> int:
        """Tombstone what disappeared, wait for the broker, remember this run; the tombstone count."""
        gone = [topic_key for topic_key in self.published if topic_key not in self._seen]
        for logical_topic, key in gone:
            super().send(logical_topic, key, None)
        self.flush()
        self.published = dict(self._seen)
        return len(gone)


class ErpSync:
    """One worker's sync state: the Tryton client (made on first use) and what was published."""

    def __init__(self, settings: Settings, codecs: CodecRegistry) -> None:
        self.settings = settings
        self.producer = ChangesOnlyProducer(settings, codecs)
        self._client: Any = None
        self._lock = threading.Lock()

    def _tryton(self) -> Any:
        if self._client is None:
            from connectors.targets import tryton_client

            self._client = tryton_client(self.settings)
        return self._client

    def run_once(self, now: datetime) -> dict[str, int]:
        """Sync once (blocking; run it in an executor): ``{kind: records read, "changed": n, "removed": n}``."""
        from connectors.tryton.sync import sync_masterdata

        with self._lock:
            self.producer.begin()
            counts = sync_masterdata(self._tryton(), self.producer, legal_entity=self.settings.default_legal_entity,
                                     now=now)
            removed = self.producer.finish()
            return {**counts, "changed": self.producer.sent, "removed": removed}


_sync = ErpSync(settings, codecs) if settings.erp_sync_interval_s > 0 else None


async def sync_tick() -> None:
    """One timer tick: run the sync off the event loop; failures are logged, never raised."""
    if _sync is None:
        return
    sync = _sync
    try:
        counts = await asyncio.get_running_loop().run_in_executor(None, sync.run_once, datetime.now(UTC))
    except DocketError as error:
        log.warning("erp_sync_failed", error_code=error.code, error=error.message[:300])
        return
    except ProduceError as error:
        log.warning("erp_sync_failed", error_code="ERP_SYNC_NOT_ACKNOWLEDGED", error=str(error)[:300])
        return
    except Exception:  # a timer that raises stops ticking: keep syncing, say what broke
        log.exception("erp_sync_crashed", error_code="ERP_SYNC_INTERNAL_ERROR")
        return
    log.info("erp_sync_done", **counts)


if settings.erp_sync_interval_s > 0:
    app.timer(settings.erp_sync_interval_s, on_leader=True)(sync_tick)
