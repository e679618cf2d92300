"""``docket demo`` (what ``make demo`` runs) and ``docket erp``: the local ERP and its master data."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

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
    """Publish the ERP's vendors, customers, open POs and receivables to the master-data topics.

    The ERP is the one ``DOCKET_TRYTON_URL`` names; without it, the local development Tryton
    (``docket infra up --erp``), and the command says so.
    """
    from datetime import UTC, datetime

    from cli.local_tryton import local_tryton_settings
    from connectors.target_config import TargetConfigError
    from connectors.targets import tryton_client
    from connectors.tryton.sync import sync_masterdata
    from docket.errors import DocketError
    from streams.codecs import CodecRegistry, registry_client
    from streams.producer import EventProducer
    from streams.settings import get_settings

    settings = get_settings()
    if not settings.tryton_url:
        try:
            settings = local_tryton_settings(settings)
        except DocketError as error:
            console.print(f"[red]erp sync not started:[/red] DOCKET_TRYTON_URL is not set and {escape(str(error))}")
            raise typer.Exit(2) from error
        console.print(f"DOCKET_TRYTON_URL is not set: syncing from the local development Tryton at "
                      f"{settings.tryton_url} ({settings.tryton_state_dir})")
    try:
        client = tryton_client(settings)
    except TargetConfigError as error:
        console.print(f"[red]erp sync not started:[/red] {escape(str(error))}")
        raise typer.Exit(2) from error
    codecs = CodecRegistry(registry_client(settings.schema_registry_url), prefix=settings.topic_prefix)
    counts = sync_masterdata(client, EventProducer(settings, codecs), legal_entity=settings.default_legal_entity,
                             now=datetime.now(UTC))
    console.print(", ".join(f"{n} {kind}" for kind, n in counts.items()))
