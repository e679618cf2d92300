"""``docket masterdata import KIND FILE.csv``: publish master data on its compacted topic.

Each record is produced keyed ``legal_entity:id`` (``legal_entity:system:external_id`` for
cross-references), so a re-import overwrites; ``--delete`` publishes tombstones for the file's
keys instead. Every worker reads these topics whole (see ``agents/masterdata.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from docket.errors import DocketError
from docket.masterdata_csv import KINDS, kind_of, parse_masterdata_csv, record_key

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    masterdata_app = typer.Typer(help="Master data on the compacted masterdata.* topics.", no_args_is_help=True)
    masterdata_app.command("import")(import_csv)
    app.add_typer(masterdata_app, name="masterdata")


def import_csv(
    kind: Annotated[str, typer.Argument(help=f"one of: {', '.join(KINDS)}")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV with a header row")],
    delete: Annotated[bool, typer.Option("--delete", help="publish tombstones for the file's keys")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check the file, publish nothing")] = False,
) -> None:
    """Check FILE and publish its records (all or nothing) on masterdata.KIND."""
    try:
        spec = kind_of(kind)
        records = parse_masterdata_csv(kind, file.read_text(encoding="utf-8"), now=datetime.now(UTC))
    except DocketError as error:
        console.print(f"[red]{error.code}[/red] {error.message}")
        raise typer.Exit(1) from error
    if dry_run:
        console.print(f"{file.name}: {len(records)} {kind} record(s) valid; nothing published")
        return
    from streams.codecs import CodecRegistry, registry_client
    from streams.producer import EventProducer
    from streams.settings import get_settings

    settings = get_settings()
    producer = EventProducer(settings, CodecRegistry(registry_client(settings.schema_registry_url),
                                                     prefix=settings.topic_prefix))
    for record in records:
        producer.send(spec.topic, record_key(spec, record), None if delete else record)
    producer.flush()
    action = "tombstone(s)" if delete else "record(s)"
    console.print(f"{file.name}: published {len(records)} {kind} {action} on {settings.topic(spec.topic)}")
