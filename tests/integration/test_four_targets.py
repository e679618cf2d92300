"""One running worker posting every document to four targets at once: ``tryton,rest,sql,files``.

Real Kafka and registry (the shared test stack), a real Tryton copied from the template, a real
PostgreSQL started for this module holding the interface tables, a small real HTTP API started
here (it records every request and creates a record once per ``Idempotency-Key``), and a temp
folder for UBL and CSV files. Every target is configured through settings only, as an operator
would (``DOCKET_POSTING_TARGETS`` and each target's ``DOCKET_*``), and the worker is ``docket worker``.

Fresh PDFs from the demo ERP's vendors go in through the intake source; each document must land
exactly once in every target. Then ``docket replay`` sends the received documents through the
pipeline again: every posting is answered ``already_posted`` and every target still holds each
record exactly once (the REST API is not even called again: the posting ledger answers).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pydantic import SecretStr
from sqlalchemy import create_engine, text

from connectors.blobstore import LocalBlobStore
from connectors.files import file_name_for
from connectors.sources.intake import Intake
from connectors.tryton.invoices import like_pattern, marker
from connectors.tryton.sync import sync_masterdata
from docket.model import PostingResult
from infra import postgres
from streams.producer import EventProducer
from streams.settings import Settings
from tests.contract.tryton_server import TrytonServer, running_tryton
from tests.integration.demo_invoices import ACME, NORDLICHT, DemoDocument, demo_document
from tests.integration.harness import (
    REPO,
    Worker,
    codecs_for,
    collect,
    create_all_topics,
    run_settings,
    settings_env,
    throwaway_postgres,
)
from tests.unit.connectors.fake_rest_erp import FakeErp, running_erp

pytestmark = pytest.mark.integration

TARGETS = ("tryton", "rest", "sql", "files")
LEGAL_ENTITY = "DEMO"
REST_CREDENTIAL = "Bearer four-targets-token"


@pytest.fixture(scope="module")
def tryton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrytonServer]:
    with running_tryton(tmp_path_factory.mktemp("tryton-four-targets")) as server:
        yield server


@pytest.fixture(scope="module")
def interface_db() -> Iterator[postgres.PostgresServer]:
    with throwaway_postgres("docket_erp_interface") as server:
        yield server


@pytest.fixture
def rest_api() -> Iterator[tuple[FakeErp, str]]:
    with running_erp() as (state, base):
        yield state, base


@pytest.fixture
def pipeline(infra: Settings, tryton: TrytonServer, interface_db: postgres.PostgresServer,
             rest_api: tuple[FakeErp, str], tmp_path: Path) -> Iterator[Settings]:
    """A run posting to the four targets, the ERP's master data published, one ``docket worker``."""
    _, base = rest_api
    settings = run_settings(
        infra, tmp_path, **tryton.settings_fields(), posting_targets=",".join(TARGETS),
        rest_url=f"{base}/invoices", rest_auth_value=SecretStr(REST_CREDENTIAL),
        sql_url=SecretStr(interface_db.url), files_dir=tmp_path / "outbox", files_formats="ubl,csv",
        posting_batch_window_s=0.2, default_legal_entity=LEGAL_ENTITY)
    create_all_topics(settings)
    client = tryton.client(timeout=60)
    sync_masterdata(client, EventProducer(settings, codecs_for(settings)), legal_entity=LEGAL_ENTITY,
                    now=datetime.now(UTC))
    client.close()
    worker = Worker(settings, tmp_path / "worker.log")
    worker.start()
    yield settings
    worker.stop()


def _submit(settings: Settings, documents: list[DemoDocument]) -> list[str]:
    intake = Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs_for(settings)),
                    default_legal_entity=LEGAL_ENTITY)
    ids = [intake.submit(document.pdf, f"four-{n}.pdf", channel="four-targets-test").envelope.document_id
           for n, document in enumerate(documents)]
    intake.flush()
    return ids


def _results(settings: Settings, ids: list[str], status: str) -> dict[str, PostingResult]:
    """``{idempotency key: result}`` once every document has a result with ``status`` for every target."""
    wanted = {(document_id, target) for document_id in ids for target in TARGETS}

    def reached(records: list[Any]) -> bool:
        seen = {(e.envelope.document_id, e.target) for _, e in records if e is not None and e.status == status}
        failed = [e for _, e in records if e is not None and e.status in ("rejected", "failed")]
        assert not failed, [(e.target, e.error_code, e.error_message) for e in failed]
        return wanted <= seen

    records = collect(settings, "postings.results", until=reached, timeout=360)
    return {e.idempotency_key: e for _, e in records if e is not None and e.status == status}


def _in_tryton(tryton: TrytonServer, keys: list[str]) -> dict[str, int]:
    client = tryton.client(timeout=60)
    try:
        return {key: len(client.search_read("account.invoice", [("comment", "like", like_pattern(marker(key)))],
                                            ["id"])) for key in keys}
    finally:
        client.close()


def _in_rest(api: FakeErp) -> tuple[set[str], Counter[str], set[str | None]]:
    """The keys of the records the API created, its calls per ``Idempotency-Key``, the credentials sent."""
    with api.lock:
        created = set(api.created)
        calls = list(api.seen_headers)
    return created, Counter(headers.get("Idempotency-Key") for headers in calls), \
        {headers.get("Authorization") for headers in calls}


def _in_sql(database: postgres.PostgresServer) -> tuple[Counter[str], Counter[str]]:
    """Header rows per key, and line rows per key (joined on the header)."""
    engine = create_engine(database.url)
    try:
        with engine.connect() as connection:
            headers = Counter(key for (key,) in connection.execute(
                text("SELECT idempotency_key FROM docket_ap_header")))
            lines = Counter(key for (key,) in connection.execute(text(
                "SELECT h.idempotency_key FROM docket_ap_line l JOIN docket_ap_header h ON h.id = l.header_id")))
    finally:
        engine.dispose()
    return headers, lines


def _in_files(folder: Path) -> Counter[str]:
    return Counter(path.name for path in folder.iterdir() if not path.name.startswith("."))


def _without_docket(environ: Mapping[str, str]) -> dict[str, str]:
    """The calling shell's environment without its DOCKET_* settings (only this run's may apply)."""
    return {name: value for name, value in environ.items() if not name.startswith("DOCKET_")}


def _replay_received(settings: Settings) -> str:
    done = subprocess.run([sys.executable, "-m", "cli.main", "replay", "--topic", "documents.received", "--from", "0"],
                          cwd=REPO, env={**_without_docket(os.environ), **settings_env(settings)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return " ".join(done.stderr.split())


def _assert_each_once(settings: Settings, tryton: TrytonServer, api: FakeErp, database: postgres.PostgresServer,
                      documents: dict[str, DemoDocument]) -> None:
    keys = {target: [f"{document_id}:0:{target}" for document_id in documents] for target in TARGETS}

    assert _in_tryton(tryton, keys["tryton"]) == {key: 1 for key in keys["tryton"]}

    created, calls, credentials = _in_rest(api)
    assert created == set(keys["rest"])
    assert calls == Counter(keys["rest"])  # one call per record: no repeat ever reached the API
    assert credentials == {REST_CREDENTIAL}
    for document_id, document in documents.items():
        sent = api.created[f"{document_id}:0:rest"]["payload"]
        assert sent["documentNumber"] == document.content.number
        assert sent["totalAmount"] == f"{document.content.total:.2f}"
        assert len(sent["lines"]) == len(document.content.lines)

    headers, lines = _in_sql(database)
    assert headers == Counter(keys["sql"])
    assert lines == Counter({f"{document_id}:0:sql": len(document.content.lines)
                             for document_id, document in documents.items()})

    expected = Counter(file_name_for(key, extension) for key in keys["files"] for extension in ("xml", "csv"))
    assert _in_files(settings.files_dir or Path("-")) == expected
    for document_id, document in documents.items():
        ubl = etree.parse(str((settings.files_dir or Path("-")) / file_name_for(f"{document_id}:0:files", "xml")))
        assert ubl.getroot().findtext("{*}ID") == document.content.number


def test_documents_land_once_in_four_targets_and_once_after_a_replay(
        pipeline: Settings, tryton: TrytonServer, interface_db: postgres.PostgresServer,
        rest_api: tuple[FakeErp, str]) -> None:
    api, _ = rest_api
    rng = random.Random(random.randrange(1 << 32))
    made = [demo_document(rng, vendor=ACME, lines=rng.randint(2, 4)),
            demo_document(rng, vendor=NORDLICHT, lines=rng.randint(2, 3)),
            demo_document(rng, document_type="credit_note", vendor=ACME, lines=2)]
    ids = _submit(pipeline, made)
    documents = dict(zip(ids, made, strict=True))

    posted = _results(pipeline, ids, "posted")
    assert {(r.envelope.document_id, r.target) for r in posted.values()} == {(i, t) for i in ids for t in TARGETS}
    # Every target names its record; an interface row gets its ERP reference from the import job, later.
    assert all(r.erp_id and (r.erp_reference or r.target == "sql") for r in posted.values())
    _assert_each_once(pipeline, tryton, api, interface_db, documents)

    said = _replay_received(pipeline)
    assert f"replayed {len(ids)} record(s)" in said, said

    repeated = _results(pipeline, ids, "already_posted")
    assert set(repeated) == set(posted)
    for key, result in repeated.items():  # the ledger answers with the first outcome
        assert (result.erp_reference, result.erp_id) == (posted[key].erp_reference, posted[key].erp_id), key
    _assert_each_once(pipeline, tryton, api, interface_db, documents)
