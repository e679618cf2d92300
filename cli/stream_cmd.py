"""Commands that talk to Kafka: topics, schemas, submit, worker, replay, tail."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    topics_app = typer.Typer(help="Kafka topics Docket uses.", no_args_is_help=True)
    topics_app.command("create")(topics_create)
    topics_app.command("list")(topics_list)
    app.add_typer(topics_app, name="topics")
    schemas_app = typer.Typer(help="Avro event contracts in schemas/.", no_args_is_help=True)
    schemas_app.command("check")(schemas_check)
    schemas_app.command("release")(schemas_release)
    schemas_app.command("register")(schemas_register)
    app.add_typer(schemas_app, name="schemas")
    app.command("submit")(submit)
    app.command("worker")(worker)
    app.command("replay")(replay)
    app.command("tail")(tail)
    app.command("trail")(trail)


def topics_create() -> None:
    """Create every Docket topic that does not exist yet (safe to repeat)."""
    from streams.settings import get_settings
    from streams.topics import create_topics, topics_for

    settings = get_settings()
    outcome = create_topics(settings.bootstrap_servers, topics_for(settings.posting_targets),
                            prefix=settings.topic_prefix, partitions=settings.partitions,
                            replication_factor=settings.replication_factor)
    table = Table("topic", "state", title="docket topics create")
    for name, state in outcome.items():
        table.add_row(name, state)
    console.print(table)


def topics_list() -> None:
    """List Docket's topics with their purpose and retention policy."""
    from streams.settings import get_settings
    from streams.topics import topics_for

    settings = get_settings()
    table = Table("topic", "policy", "purpose")
    for spec in topics_for(settings.posting_targets):
        config = spec.kafka_config()
        policy = "compact" if spec.compacted else f"delete after {int(config['retention.ms']) // 86_400_000} d"
        table.add_row(settings.topic(spec.name), policy, spec.description)
    console.print(table)


def schemas_check() -> None:
    """Fail when a model changed without a released schema version (run in CI via the tests)."""
    from streams.contracts import EVENT_MODELS, pending_release, subject_of

    pending = [subject_of(model) for model in EVENT_MODELS if pending_release(model) is not None]
    if pending:
        console.print(f"[red]unreleased schema changes:[/red] {', '.join(pending)} (run `docket schemas release`)")
        raise typer.Exit(1)
    console.print(f"{len(EVENT_MODELS)} subjects match their newest released schema")


def schemas_release() -> None:
    """Write the next schema version of every subject whose model changed."""
    from streams.contracts import EVENT_MODELS, release

    for model in EVENT_MODELS:
        path = release(model)
        if path is not None:
            console.print(f"released {path}")


def schemas_register() -> None:
    """Register every topic's newest schema with the schema registry; print the ids."""
    from streams.codecs import CodecRegistry, registry_client
    from streams.settings import get_settings

    settings = get_settings()
    codecs = CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)
    table = Table("subject", "schema id")
    for subject, schema_id in codecs.register_all().items():
        table.add_row(subject, str(schema_id))
    console.print(table)


def submit(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="documents to submit")],
    legal_entity: Annotated[str | None, typer.Option(help="tenant; default DOCKET_DEFAULT_LEGAL_ENTITY")] = None,
    channel: Annotated[str, typer.Option(help="how the document arrived")] = "cli",
    reference: Annotated[str | None, typer.Option(help="the upstream system's reference")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object per document")] = False,
) -> None:
    """Store each file in the blob store and publish it on documents.received."""
    intake = _intake()
    events = [intake.submit(path.read_bytes(), path.name, channel=channel, legal_entity=legal_entity,
                            external_reference=reference) for path in files]
    intake.flush()
    for path, event in zip(files, events, strict=True):
        if as_json:
            print(json.dumps({"file": str(path), "document_id": event.envelope.document_id,
                              "sha256": event.sha256, "blob_uri": event.blob_uri}))
        else:
            console.print(f"{path.name}: document {event.envelope.document_id}")


def _intake() -> Any:
    from connectors.blobstore import LocalBlobStore
    from connectors.sources.intake import Intake
    from streams.codecs import CodecRegistry, registry_client
    from streams.producer import EventProducer
    from streams.settings import get_settings

    settings = get_settings()
    codecs = CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)
    return Intake(LocalBlobStore(settings.blob_root), EventProducer(settings, codecs),
                  default_legal_entity=settings.default_legal_entity)


def worker(
    loglevel: Annotated[str, typer.Option("--loglevel", "-l")] = "info",
) -> None:
    """Run the Faust worker with every stage's agents (stop with Ctrl-C or SIGTERM).

    Every posting target's settings are checked first: a worker that could not post refuses to
    start (exit code 2) with the error naming the missing or invalid setting.

    A broker that is not there yet is waited for (with backoff, reported on GET /health as 503
    ``waiting_for_broker``) instead of exiting.
    """
    from connectors.target_config import TargetConfigError, check_targets
    from streams.settings import get_settings

    try:
        check_targets(get_settings())
    except TargetConfigError as error:
        console.print(f"[red]worker not started:[/red] {escape(str(error))}")
        raise typer.Exit(2) from error

    import faust

    from agents.registry import load_agents
    from streams.app import app, settings
    from streams.broker_wait import wait_for_broker
    from streams.logging import configure_logging

    configure_logging(settings.log_format, loglevel)
    settings.state_dir.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
    if settings.worker_read_token is None or not settings.worker_read_token.get_secret_value():
        from agents.read_access import is_loopback

        if not is_loopback(settings.web_host):
            console.print(f"[yellow]The worker's web server listens on {settings.web_host} and "
                          "DOCKET_WORKER_READ_TOKEN is not set: /trail and /metrics refuse every request[/]")
    wait_for_broker(settings)
    load_agents()
    worker_ = faust.Worker(app, loglevel=loglevel, redirect_stdouts=False, override_logging=False)
    worker_.execute_from_commandline()


def replay(
    topic: Annotated[str, typer.Option("--topic", help="logical topic, e.g. documents.received")],
    start: Annotated[str, typer.Option("--from", help="offset, or ISO time with timezone")],
    end: Annotated[str | None, typer.Option("--to", help="offset or time (exclusive); default: the end")] = None,
    group: Annotated[str | None, typer.Option(help="consumer group that records progress (resumable)")] = None,
    into: Annotated[str | None, typer.Option(help="logical topic to replay into; default: the same")] = None,
    partition: Annotated[list[int] | None, typer.Option(help="only these partitions")] = None,
) -> None:
    """Re-consume a range of a topic into the pipeline (idempotent downstream; see streams/replay.py)."""
    from streams.codecs import CodecRegistry, registry_client
    from streams.replay import Position
    from streams.replay import replay as run_replay
    from streams.settings import get_settings

    settings = get_settings()
    codecs = CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)
    report = run_replay(settings, codecs, topic, Position.parse(start), Position.parse(end) if end else None,
                        group=group, into=into, partitions=partition)
    console.print(f"replayed {report.total} record(s) of {report.topic} into {report.into} "
                  f"(per partition: {report.replayed}; dead letters re-driven: {report.redriven_dead_letters})")


def tail(
    topic: Annotated[str, typer.Option("--topic", help="logical topic")],
    count: Annotated[int, typer.Option(help="stop after this many records")] = 10,
    timeout: Annotated[float, typer.Option(help="stop after this many idle seconds")] = 5.0,
) -> None:
    """Print decoded events of a topic from the beginning, one JSON object per line."""
    from streams.inspect import read_events
    from streams.settings import get_settings

    for record in read_events(get_settings(), topic, limit=count, idle_timeout=timeout):
        sys.stdout.write(json.dumps(record, default=str) + "\n")


def trail(
    document_id: Annotated[str, typer.Argument(help="the document id")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
) -> None:
    """Print a document's trail: every event, version, posting attempt (from the audit store)."""
    from connectors.stores.audit import AuditStore
    from streams.settings import get_settings

    audit = AuditStore(get_settings().audit_database_url)
    timeline = audit.timeline(document_id)
    attempts = audit.posting_attempts(document_id)
    if not timeline:
        console.print(f"no events recorded for document {document_id}")
        raise typer.Exit(1)
    if as_json:
        data = {"timeline": [e.__dict__ for e in timeline], "posting_attempts": [a.__dict__ for a in attempts]}
        print(json.dumps(data, default=str, indent=2))
        return
    table = Table("time", "stage", "event", "producer", "versions", "summary", title=f"trail of {document_id}")
    for entry in timeline:
        table.add_row(entry.occurred_at.strftime("%Y-%m-%d %H:%M:%S"), entry.stage, entry.subject, entry.producer,
                      ", ".join(f"{k}={v}" for k, v in entry.versions.items()),
                      ", ".join(f"{k}={v}" for k, v in entry.summary.items())[:80])
    console.print(table)
    if attempts:
        posts = Table("attempt", "target", "status", "ERP reference", "error", "ms", title="posting attempts")
        for attempt in attempts:
            posts.add_row(str(attempt.attempt), attempt.target, attempt.status, attempt.erp_reference or "-",
                          attempt.error_code or "-", str(attempt.duration_ms or "-"))
        console.print(posts)
