"""``docket demo`` (what ``make demo`` runs) and ``docket erp``: the local ERP and its master data."""

from __future__ import annotations

import typer
from rich.console import Console

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
    erp = typer.Typer(help="The local Tryton ERP: start, stop, master-data sync.", no_args_is_help=True)
    erp.command("sync")(erp_sync)
    app.add_typer(erp, name="erp")


def demo() -> None:
    """Infra up, master data loaded, worker started, sample documents in, postings out, summary."""
    from cli import demo_run as runner
    from docket.errors import DocketError
    from infra.process import InfraError
    from streams.logging import configure_logging
    from streams.settings import get_settings

    configure_logging("console", "WARNING")
    try:
        code = runner.main(get_settings())
    except (DocketError, InfraError) as error:
        console.print(f"[red]demo stopped:[/red] {error}")
        raise typer.Exit(1) from error
    raise typer.Exit(code)


def erp_sync() -> None:
    """Publish the ERP's vendors, customers, open POs and receivables to the master-data topics."""
    from datetime import UTC, datetime

    from connectors.tryton.client import TrytonClient
    from connectors.tryton.sync import sync_masterdata
    from infra import tryton
    from streams.codecs import CodecRegistry, registry_client
    from streams.producer import EventProducer
    from streams.settings import get_settings

    settings = get_settings()
    found = tryton.connection(settings.tryton_state_dir)
    client = TrytonClient(found["url"], found["database"], found["login"], found["password"])
    codecs = CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)
    counts = sync_masterdata(client, EventProducer(settings, codecs), legal_entity=settings.default_legal_entity,
                             now=datetime.now(UTC))
    console.print(", ".join(f"{n} {kind}" for kind, n in counts.items()))
