"""Enrichment and routing on real Kafka: master data through the compacted topics, two workers,
a scripted stream of documents with known decisions, and a restart that must lose nothing.

Documents enter as ``documents.extracted`` events built like capture's (no OCR). The workers
run only the master-data, enrich and route agents, so the test exercises exactly this stage.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient
from schwifty import IBAN
from stdnum.iso7064 import mod_11_10

from docket.masterdata_csv import parse_masterdata_csv
from docket.model import (
    DocumentEnriched,
    DocumentExtracted,
    DocumentRouted,
    PostingRequested,
    ReviewCompleted,
    Vendor,
)
from infra.process import free_port
from streams.inspect import read_raw
from streams.settings import Settings
from tests.agents.builders import invoice
from tests.integration.harness import REPO, Worker, codecs_for, collect, settings_env, wait_for

SAMPLES = REPO / "samples" / "masterdata"
STAGE_MODULES = ("agents.masterdata", "agents.enrich", "agents.route")
WORKER_SCRIPT = f"""
import faust
from agents.registry import load_agents
from streams.app import app, settings
from streams.logging import configure_logging
configure_logging(settings.log_format, "info")
load_agents({STAGE_MODULES!r})
faust.Worker(app, loglevel="info", redirect_stdouts=False, override_logging=False).execute_from_commandline()
"""
CLI_SCRIPT = ("import typer; from cli import masterdata_cmd; app = typer.Typer(); "
              "masterdata_cmd.register(app); app()")


class StageWorker(Worker):
    """A worker process running only this stage's agents (capture's OCR pool stays out of it)."""

    def start(self, timeout: float = 120.0) -> None:
        env = {**os.environ, **settings_env(self.settings)}
        (self.settings.state_dir / "faust").mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT], cwd=REPO, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        wait_for(self._group_stable, timeout=timeout, what="worker consumer group", on_timeout=self.log_tail)


def _import_masterdata(settings: Settings, kind: str, path: Path) -> None:
    """Publish a sample CSV through the ``docket masterdata import`` command."""
    env = {**os.environ, **settings_env(settings)}
    done = subprocess.run([sys.executable, "-c", CLI_SCRIPT, "masterdata", "import", kind, str(path)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


class Feed:
    """Produces extracted documents to a chosen partition and waits for their routing decisions."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.codecs = codecs_for(settings)
        # murmur2, as Faust (aiokafka) and Java producers partition: a verdict keyed by document id
        # must land on the partition its review task (produced by the route agent) landed on.
        self.producer = Producer({"bootstrap.servers": settings.bootstrap_servers, "acks": "all",
                                  "partitioner": "murmur2_random"})

    def send(self, document: DocumentExtracted, partition: int | None = None) -> None:
        value = self.codecs.for_topic("documents.extracted").encode(document)
        extra = {} if partition is None else {"partition": partition}
        self.producer.produce(self.settings.topic("documents.extracted"), key=document.envelope.document_id.encode(),
                              value=value, **extra)
        assert self.producer.flush(30) == 0

    def read(self, topic: str, until: Callable[[list[Any]], bool], timeout: float = 120) -> list[Any]:
        return [event for _, event in collect(self.settings, topic, until=until, timeout=timeout,
                                              codecs=self.codecs)]

    def snapshot(self, topic: str) -> list[Any]:
        """Every event on ``topic`` right now (possibly none)."""
        codec = self.codecs.for_topic(topic)
        return [codec.decode(m.value()) for m in read_raw(self.settings, topic, idle_timeout=2.0) if m.value()]

    def decisions(self, document_ids: set[str], timeout: float = 120) -> dict[str, list[DocumentRouted]]:
        """Every routing decision so far, per document id, once each of ``document_ids`` has one."""
        events = self.read("documents.routed", lambda r: document_ids <= {e.envelope.document_id for _, e in r},
                           timeout)
        by_document: dict[str, list[DocumentRouted]] = {}
        for event in events:
            by_document.setdefault(event.envelope.document_id, []).append(event)
        return by_document

    def route_of(self, document: DocumentExtracted) -> DocumentRouted:
        """Send ``document`` and wait for its (first) routing decision."""
        self.send(document)
        return self.decisions({document.envelope.document_id})[document.envelope.document_id][0]


def _valid_de_vat(seed: int) -> str:
    body = f"{seed:08d}"
    return f"DE{body}{mod_11_10.calc_check_digit(body)}"


def _new_vendor(settings: Settings) -> Vendor:
    """A vendor published while the workers run (live upsert through the compacted topic)."""
    iban = str(IBAN.generate("DE", bank_code="37040044", account_code="0532013099").compact)
    vendor = Vendor(party_id="V-1020", legal_entity="DE01", name="Quellwerk Analytik GmbH", vat_id=_valid_de_vat(
        27182818), country="DE", ibans=[iban], default_gl_account="6400", currency="EUR",
                    updated_at=datetime.now(UTC))
    from streams.producer import EventProducer

    producer = EventProducer(settings, codecs_for(settings))
    producer.send("masterdata.vendors", "DE01:V-1020", vendor)
    producer.flush()
    return vendor


def approve_with_vendor(feed: Feed, decision: DocumentRouted, vendor_id: str) -> None:
    """Complete the review task of ``decision``'s document as a reviewer would, naming the vendor.

    The verdict is sent again while it is rejected as ``ROUTE_REVIEW_TASK_UNKNOWN`` (retryable): the
    task travels on another topic and may reach the route agent after the verdict.
    """
    document_id = decision.envelope.document_id
    (task,) = [t for t in feed.read("reviews.requested", lambda r: any(
        e.envelope.document_id == document_id for _, e in r)) if t.envelope.document_id == document_id]

    def rejections() -> int:
        return sum(e.envelope.document_id == document_id and e.error_code == "ROUTE_REVIEW_TASK_UNKNOWN"
                   for e in feed.snapshot("documents.rejected"))

    def posted() -> bool:
        rejected_before = rejections()
        verdict = ReviewCompleted(
            envelope=task.envelope.follow(producer="tests/review-ui", now=datetime.now(UTC),
                                          part=f"verdict:{time.monotonic_ns()}"),
            task_id=task.task_id, task_version=1, reviewer="rita", decision="approve", vendor_id=vendor_id,
            decided_at=datetime.now(UTC))
        feed.producer.produce(feed.settings.topic("reviews.completed"), key=document_id.encode(),
                              value=feed.codecs.for_topic("reviews.completed").encode(verdict))
        assert feed.producer.flush(30) == 0

        def outcome() -> str | None:
            if any(o.route == "post" for o in feed.decisions({document_id})[document_id]):
                return "posted"
            return "retry" if rejections() > rejected_before else None

        return wait_for(outcome, timeout=60, what=f"an outcome of the verdict on {document_id}") == "posted"

    wait_for(posted, timeout=180, what=f"the approval of {document_id} to post")
    xrefs = feed.read("masterdata.xrefs", lambda r: any(getattr(e, "system", "") == "name_alias" and
                                                         e.party_id == vendor_id for _, e in r))
    assert any(x.party_id == vendor_id and x.source and x.source.startswith("review:") for x in xrefs)


def _codes(decision: DocumentRouted) -> set[str]:
    return {r.code for r in decision.reasons}


def _extracted_partitions_per_member(settings: Settings) -> list[set[int]]:
    admin = AdminClient({"bootstrap.servers": settings.bootstrap_servers})
    group = f"{settings.topic_prefix}{settings.app_id}"
    description = admin.describe_consumer_groups([group])[group].result(timeout=10)
    topic = settings.topic("documents.extracted")
    return [{tp.partition for tp in member.assignment.topic_partitions if tp.topic == topic}
            for member in description.members]


def test_two_workers_resolve_every_vendor_route_as_expected_and_recover_after_restart(
        run: Settings, tmp_path: Path) -> None:
    for kind in ("vendors", "customers", "purchase_orders", "open_items", "xrefs"):
        _import_masterdata(run, kind, SAMPLES / f"{kind}.csv")
    vendors = parse_masterdata_csv("vendors", (SAMPLES / "vendors.csv").read_text(encoding="utf-8"),
                                   now=datetime.now(UTC))
    workers = [StageWorker(run.model_copy(update={"web_port": free_port(), "state_dir": tmp_path / f"w{i}"}),
                           tmp_path / f"worker-{i}.log") for i in range(2)]
    try:
        for worker in workers:
            worker.start()
        # Both workers in the group, each owning one partition of documents.extracted.
        def one_partition_each() -> list[set[int]] | None:
            assignment = _extracted_partitions_per_member(run)
            return assignment if sorted(map(sorted, assignment)) == [[0], [1]] else None

        assert len(wait_for(one_partition_each, timeout=90, what="one extracted partition per worker")) == 2
        feed = Feed(run)

        # 1. Every vendor, sent to each partition (so to each worker), resolves from master data.
        expected_vendor: dict[str, str] = {}
        for n, vendor in enumerate(vendors):
            assert isinstance(vendor, Vendor)
            for partition in (0, 1):
                document_id = f"res-{vendor.party_id}-{partition}"
                feed.send(invoice(document_id, f"R{n}-{partition}", net=f"{100 + 10 * n + partition}.00",
                                  issue_date=f"2026-10-{1 + n:02d}", supplier=vendor.name, vat_id=vendor.vat_id,
                                  iban=vendor.ibans[0] if vendor.ibans else None), partition)
                expected_vendor[document_id] = vendor.party_id
        enriched = feed.read("documents.enriched", lambda r: len(r) >= len(expected_vendor))
        resolved = {e.envelope.document_id: e.vendor.party_id if e.vendor else None for e in enriched
                    if isinstance(e, DocumentEnriched)}
        assert resolved == expected_vendor

        # 2. A stream with a duplicate, a changed IBAN, a known bank xref, a first-time and an unknown vendor.
        altaris = dict(supplier="Altaris AG", vat_id="DE628950061", iban="DE28600501013640059188")
        first = feed.route_of(invoice("s1", "AL-2001", net="310.00", issue_date="2026-11-05", **altaris))
        resend = feed.route_of(invoice("s2", "AL-2001", net="310.00", issue_date="2026-11-05", **altaris))
        changed_iban = feed.route_of(invoice("s3", "AL-2002", net="420.00", issue_date="2026-11-06", **{
            **altaris, "iban": "DE02120300000000202051"}))
        xref_iban = feed.route_of(invoice("s4", "AL-2003", net="530.00", issue_date="2026-11-07", **{
            **altaris, "iban": "DE75512108001245126199"}))
        new_vendor = _new_vendor(run)
        quellwerk = dict(supplier=new_vendor.name, vat_id=new_vendor.vat_id, iban=new_vendor.ibans[0])

        def routed_once_the_upsert_arrived() -> DocumentRouted | None:
            # The workers read master data on their own: retry until the new vendor has reached them.
            decision = feed.route_of(invoice(f"s5-{time.monotonic_ns()}", "QW-1", net="640.00",
                                             issue_date="2026-11-08", **quellwerk))
            return None if "VENDOR_NOT_MATCHED" in _codes(decision) else decision

        first_time = wait_for(routed_once_the_upsert_arrived, timeout=90, what="the new vendor upsert")
        unknown = feed.route_of(invoice("s6", "ZZ-1", net="750.00", supplier="Zeta Unbekannt GmbH", vat_id=None,
                                        iban=None))

        assert (first.route, _codes(first)) == ("post", set())
        assert (resend.route, _codes(resend)) == ("duplicate", {"DUPLICATE"}) and "s1" in resend.reasons[0].message
        assert (changed_iban.route, _codes(changed_iban)) == ("review", {"BANK_DETAILS_CHANGED"})
        assert (xref_iban.route, _codes(xref_iban)) == ("post", set())
        assert (first_time.route, _codes(first_time)) == ("review", {"FIRST_INVOICE_FROM_VENDOR"})
        assert unknown.route == "review" and "VENDOR_NOT_MATCHED" in _codes(unknown)
        # 3. The reviewer maps the unknown name to a vendor: s6 posts, and the name becomes an alias.
        approve_with_vendor(feed, unknown, "V-1003")
        learned = feed.route_of(invoice("s9", "ZZ-2", net="820.00", issue_date="2026-11-10",
                                        supplier="Zeta Unbekannt GmbH", vat_id=None, iban=None))
        assert (learned.route, _codes(learned)) == ("post", set())
        postings = [p for p in feed.read("postings.requested", lambda r: sum(
            e.envelope.document_id in ("s1", "s4", "s6", "s9") for _, e in r) >= 4)
                    if isinstance(p, PostingRequested) and p.envelope.document_id.startswith("s")]
        assert sorted((p.envelope.document_id, p.party_id, p.revision) for p in postings) == [
            ("s1", "V-1010", 0), ("s4", "V-1010", 0), ("s6", "V-1003", 1), ("s9", "V-1003", 0)]
    finally:
        for worker in workers:
            worker.stop()

    # 3. A new worker process: tables recovered from their changelogs, master data re-read.
    restarted = StageWorker(run.model_copy(update={"web_port": free_port(), "state_dir": tmp_path / "w2"}),
                            tmp_path / "worker-restarted.log")
    restarted.start()
    try:
        feed = Feed(run)
        again = feed.route_of(invoice("s7", "AL-2001", net="310.00", issue_date="2026-11-05", **altaris))
        assert (again.route, _codes(again)) == ("duplicate", {"DUPLICATE"}) and "s1" in again.reasons[0].message
        second_time = feed.route_of(invoice("s8", "QW-2", net="860.00", issue_date="2026-11-12", **quellwerk))
        assert (second_time.route, _codes(second_time)) == ("post", set())  # its first invoice was before
        for n, vendor in enumerate(vendors):
            assert isinstance(vendor, Vendor)
            feed.send(invoice(f"after-{vendor.party_id}", f"AR{n}", net=f"{900 + n}.00", supplier=vendor.name,
                              vat_id=vendor.vat_id, iban=vendor.ibans[0] if vendor.ibans else None))
        enriched = feed.read("documents.enriched", lambda r: sum(
            e.envelope.document_id.startswith("after-") for _, e in r) >= len(vendors))
        after = {e.envelope.document_id: e.vendor.party_id if e.vendor else None for e in enriched
                 if e.envelope.document_id.startswith("after-")}
        assert after == {f"after-{v.party_id}": v.party_id for v in vendors if isinstance(v, Vendor)}
    finally:
        restarted.stop()


def test_a_worker_replaced_mid_stream_loses_no_document_and_no_history(run: Settings, tmp_path: Path) -> None:
    _import_masterdata(run, "vendors", SAMPLES / "vendors.csv")
    vendors = [v for v in parse_masterdata_csv("vendors", (SAMPLES / "vendors.csv").read_text(encoding="utf-8"),
                                               now=datetime.now(UTC)) if isinstance(v, Vendor)]

    def worker(name: str) -> StageWorker:
        return StageWorker(run.model_copy(update={"web_port": free_port(), "state_dir": tmp_path / name}),
                           tmp_path / f"{name}.log")

    def document(n: int, number: str) -> DocumentExtracted:
        vendor = vendors[n % len(vendors)]
        return invoice(f"m{n}", number, net=f"{200 + n}.00", issue_date="2026-11-04", supplier=vendor.name,
                       vat_id=vendor.vat_id, iban=vendor.ibans[0] if vendor.ibans else None)

    staying, leaving = worker("staying"), worker("leaving")
    staying.start()
    leaving.start()
    replacement = worker("replacement")
    feed = Feed(run)
    try:
        first_batch = [document(n, f"M-{n}") for n in range(26)]
        for item in first_batch[:13]:
            feed.send(item)
        leaving.stop()  # mid-stream: the rest arrives while its partitions move to the other worker
        for item in first_batch[13:]:
            feed.send(item)
        # A document and its resend under another id sit on different partitions of
        # documents.extracted, so which of the two reaches routing first is not ordered while
        # partitions move. The resends therefore follow the first batch's decisions; they arrive
        # while the replacement joins and partitions move again.
        feed.decisions({d.envelope.document_id for d in first_batch}, timeout=240)
        replacement.start()
        # Every document of the first batch again, under new ids: all must be caught as duplicates,
        # whichever worker held the vendor's history before.
        resends = [document(n, f"M-{n}").model_copy(update={"envelope": document(n, f"M-{n}").envelope.model_copy(
            update={"document_id": f"again-{n}", "event_id": f"00000000-0000-4000-a000-{n:012d}"})})
            for n in range(26)]
        for item in resends:
            feed.send(item)
        wanted = {d.envelope.document_id for d in first_batch + resends}
        decisions = feed.decisions(wanted, timeout=240)
    finally:
        for process in (staying, leaving, replacement):
            process.stop()
    assert {d for d in decisions if d.startswith(("m", "again-"))} == wanted
    for document_id in wanted:
        # At-least-once may repeat a decision after the hand-over, but never change it.
        assert len({e.envelope.event_id for e in decisions[document_id]}) == 1, document_id
    assert {decisions[f"again-{n}"][0].route for n in range(26)} == {"duplicate"}
    assert all(f"duplicate of m{n}:" in decisions[f"again-{n}"][0].reasons[0].message for n in range(26))
    assert all(decisions[f"m{n}"][0].route != "duplicate" for n in range(26))
