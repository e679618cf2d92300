"""Enrich stage: ``documents.extracted`` → ``documents.enriched`` and ``documents.by-vendor``.

Enrichment itself is :func:`docket.enrich.enrich_document` against the worker's master data
(:mod:`agents.masterdata`). The enriched document is published twice: on
``documents.enriched`` keyed by document id (the record of what enrichment made of it), and on
``documents.by-vendor`` keyed by :func:`docket.dedup.index.history_key`, which repartitions the
stream so every document of one vendor reaches the route agent that holds that vendor's history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents import masterdata
from agents.masterdata import MasterDataGate, MasterDataStore
from agents.runtime import Outgoing, Source, Stage
from docket.cashapp.intake import is_cash_document
from docket.dedup.index import history_key
from docket.enrich import enrich_document
from docket.model import DocumentExtracted
from streams import topics
from streams.app import app, codecs, topic


class EnrichHandler:
    """Enriches one extracted document once the worker's master data is loaded.

    ``loaded`` (the master-data reader) returns once its start-up backlog and every record written
    before the document was taken up are applied: a document enriched earlier would miss vendors
    that are on the topics and go to review for nothing.
    """

    def __init__(self, stage: Stage, store: MasterDataStore, loaded: MasterDataGate) -> None:
        self.stage = stage
        self.store = store
        self.loaded = loaded

    async def __call__(self, extracted: DocumentExtracted, source: Source) -> Sequence[Outgoing]:
        if is_cash_document(extracted):
            return []  # statements and remittance advices are cash application's (agents.cashapp)
        await self.loaded.wait()
        enriched = enrich_document(extracted, self.store.reference, now=self.stage.clock(),
                                   producer=self.stage.producer)
        document_id = enriched.envelope.document_id
        return [Outgoing(topics.DOCUMENTS_ENRICHED.name, document_id, enriched),
                Outgoing(topics.DOCUMENTS_BY_VENDOR.name, history_key(enriched), enriched)]


stage = Stage("enrich", codecs)
handler = EnrichHandler(stage, masterdata.store, masterdata.reader)


@app.agent(topic(topics.DOCUMENTS_EXTRACTED.name))
async def enrich_agent(stream: Any) -> None:
    from agents.driver import drive

    await drive(stage, topics.DOCUMENTS_EXTRACTED.name, stream, handler)
