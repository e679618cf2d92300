"""Events per second through one Faust agent hop with Avro + schema registry, beside the raw
confluent-kafka produce and consume rates on the same broker, in the same run.

    python bench/agent_hop.py [--events 20000] [--raw 200000] [--profile hop.raw]

``--profile FILE`` samples the worker with py-spy (in the dev extra) while it works through
the backlog and writes FILE in py-spy's raw (collapsed stack) format; the hottest frames are printed.
The worker is set up as ``docket worker`` sets itself up (structlog and stdlib logging at INFO).
Starts the local stack if it is not running (``infra/``), uses its own topic prefix, and writes
``bench/results/agent_hop.json``. The hop is the real agent loop (:func:`agents.runtime.handle`:
decode with the registry codec, call a handler, encode, produce); the handler itself does
nothing, so the figure is the pipeline's own overhead per stage.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

RESULTS = REPO / "bench" / "results" / "agent_hop.json"


def run_worker() -> None:
    """The worker side (a subprocess): one agent documents.received → documents.routed."""
    import faust

    from agents.driver import drive
    from agents.runtime import Outgoing, Source, Stage
    from docket.model import DocumentReceived, DocumentRouted
    from streams.app import app, codecs, settings, topic
    from streams.logging import configure_logging

    configure_logging(settings.log_format, "info")  # as `docket worker -l info` does

    stage = Stage("bench-hop", codecs)

    async def hop(event: DocumentReceived, source: Source) -> Sequence[Outgoing]:
        routed = DocumentRouted(envelope=event.envelope.follow(producer=stage.producer, now=stage.clock()),
                                route="post", policy_version="bench", document_type="invoice")
        return [Outgoing("documents.routed", event.envelope.document_id, routed)]

    @app.agent(topic("documents.received"))
    async def hop_agent(stream: Any) -> None:
        await drive(stage, "documents.received", stream, hop)

    faust.Worker(app, loglevel="info", redirect_stdouts=False, override_logging=False).execute_from_commandline()


def raw_rates(bootstrap: str, count: int, size: int) -> dict[str, float]:
    from confluent_kafka import Consumer, Producer

    from streams.topics import TopicSpec, create_topics

    name = f"bench-raw-{uuid.uuid4().hex[:6]}"
    create_topics(bootstrap, [TopicSpec(name, "bench")], partitions=1)
    payload = os.urandom(size)
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "acks": "all",
                         "enable.idempotence": True, "queue.buffering.max.messages": 500000})
    started = time.perf_counter()
    for i in range(count):
        while True:
            try:
                producer.produce(name, value=payload, key=str(i).encode())
                break
            except BufferError:
                producer.poll(0.05)
    producer.flush(60)
    produce_s = time.perf_counter() - started
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": name, "auto.offset.reset": "earliest",
                         "fetch.max.bytes": 52428800})
    consumer.subscribe([name])
    seen = 0
    started = None
    while seen < count:
        batch = consumer.consume(10000, timeout=10)
        if not batch:
            raise RuntimeError(f"raw consume stalled at {seen}/{count}")
        if started is None:
            started = time.perf_counter()
        seen += len(batch)
    consume_s = time.perf_counter() - (started or time.perf_counter())
    consumer.close()
    return {"messages": count, "message_bytes": size, "produce_per_s": count / produce_s,
            "consume_per_s": count / max(consume_s, 1e-9)}


def hop_rate(base: Any, events: int, tmp: Path, profile: Path | None = None) -> dict[str, float]:
    from confluent_kafka import Consumer

    from connectors.blobstore import sha256_hex
    from docket.model import DocumentReceived, Envelope
    from infra.process import free_port
    from streams.codecs import CodecRegistry, registry_client
    from streams.producer import EventProducer
    from streams.settings import Settings
    from streams.topics import ALL_TOPICS, create_topics
    from tests.integration.harness import settings_env, wait_for

    settings = Settings(kafka_port=base.kafka_port, registry_port=base.registry_port,
                        topic_prefix=f"bench-{uuid.uuid4().hex[:6]}.", partitions=1, state_dir=tmp,
                        broker_session_timeout=6.0, broker_heartbeat_interval=1.0, web_port=free_port())
    create_topics(settings.bootstrap_servers, ALL_TOPICS, prefix=settings.topic_prefix, partitions=1)
    codecs = CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)
    producer = EventProducer(settings, codecs)
    now = __import__("datetime").datetime.now(__import__("datetime").UTC)
    for i in range(events):
        digest = sha256_hex(str(i).encode())
        event = DocumentReceived(envelope=Envelope.new(document_id=f"bench-{i}", legal_entity="DE01",
                                                       producer="bench", now=now),
                                 blob_uri=f"blob:sha256:{digest}", sha256=digest, filename=f"{i}.pdf",
                                 media_type="application/pdf", size_bytes=1000, channel="bench")
        producer.send("documents.received", digest, event)
    producer.flush(120)
    sample = codecs.for_topic("documents.received").encode(event)

    env = {**os.environ, **settings_env(settings)}
    command = [sys.executable, __file__, "--worker"]
    worker = subprocess.Popen(command, env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=(tmp / "worker.log").open("wb"))
    sampler = None
    cpu_at_first: float | None = None
    consumer = Consumer({"bootstrap.servers": settings.bootstrap_servers, "group.id": f"bench-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([settings.topic("documents.routed")])
    timestamps: list[int] = []
    try:
        def drain() -> bool:
            nonlocal sampler, cpu_at_first
            for message in consumer.consume(5000, timeout=1):
                if not message.error():
                    timestamps.append(message.timestamp()[1])
            if cpu_at_first is None and timestamps:
                cpu_at_first = cpu_seconds(worker.pid)
            if profile is not None and sampler is None and timestamps:
                # Sample once the hop is busy, so start-up and rebalancing stay out of the profile.
                sampler = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "--pid",
                                            str(worker.pid), "--rate", "250", "--format", "raw", "--nonblocking",
                                            "--output", str(profile)], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
            return len(timestamps) >= events
        wait_for(drain, timeout=600, interval=0, what="hop output",
                 on_timeout=lambda: (tmp / "worker.log").read_text()[-3000:])
        cpu_spent = cpu_seconds(worker.pid) - (cpu_at_first or 0.0)
    finally:
        consumer.close()
        if sampler is not None:
            sampler.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            sampler.wait(60)
        worker.terminate()
        worker.wait(30)
    span_s = (max(timestamps) - min(timestamps)) / 1000
    # Worker CPU per event is what the code costs; events per second also depends on what else the
    # (shared) machine is running, so both are reported.
    return {"events": events, "event_bytes": len(sample), "events_per_s": (events - 1) / max(span_s, 1e-3),
            "span_s": span_s, "worker_cpu_s": cpu_spent,
            "worker_cpu_ms_per_event": 1000 * cpu_spent / max(len(timestamps) - 1, 1)}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process ``pid`` has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def print_hottest(profile: Path, count: int = 25) -> None:
    """The frames holding the most samples of the worker (every thread), inclusive and self."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in profile.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        frames = stack.split(";")
        total += int(samples)
        own[frames[-1]] += int(samples)
        for frame in set(frames):
            inclusive[frame] += int(samples)
    print(f"py-spy: {total} samples of the worker ({profile})")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"  -- {title}")
        for frame, samples in counter.most_common(count):
            print(f"  {100 * samples / max(total, 1):5.1f}%  {frame[:140]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--raw", type=int, default=200000)
    parser.add_argument("--profile", type=Path, default=None, help="py-spy raw profile of the worker")
    args = parser.parse_args()
    if args.worker:
        run_worker()
        return
    import tempfile

    from rich.console import Console
    from rich.table import Table

    from infra import stack
    from streams.settings import Settings

    base = Settings()
    stack.up(stack.stack_for(base))
    with tempfile.TemporaryDirectory() as tmp:
        hop = hop_rate(base, args.events, Path(tmp), args.profile)
    if args.profile is not None:
        print_hottest(args.profile)
    raw = raw_rates(base.bootstrap_servers, args.raw, hop["event_bytes"])
    table = Table("path", "messages", "bytes each", "per second", title="one agent hop vs raw Kafka")
    table.add_row("raw confluent-kafka produce (acks=all, idempotent)", str(raw["messages"]),
                  str(raw["message_bytes"]), f"{raw['produce_per_s']:,.0f}")
    table.add_row("raw confluent-kafka consume", str(raw["messages"]), str(raw["message_bytes"]),
                  f"{raw['consume_per_s']:,.0f}")
    table.add_row("Faust agent hop: consume + Avro decode + handle + Avro encode + produce", str(hop["events"]),
                  str(hop["event_bytes"]), f"{hop['events_per_s']:,.0f}")
    Console().print(table)
    ratio = raw["consume_per_s"] / hop["events_per_s"]
    print(f"overhead: one agent hop is {ratio:,.1f}x slower than a raw consume of the same bytes")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    print(f"worker CPU per hop event: {hop['worker_cpu_ms_per_event']:.3f} ms "
          f"(= {1000 / hop['worker_cpu_ms_per_event']:,.0f} events per CPU second); load average {os.getloadavg()}")
    RESULTS.write_text(json.dumps({"command": "python bench/agent_hop.py " + " ".join(sys.argv[1:]), "raw": raw,
                                   "hop": hop, "raw_consume_over_hop": ratio, "cores": os.cpu_count(),
                                   "load_average": os.getloadavg()}, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
