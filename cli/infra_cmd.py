"""``docket infra up | down | status``: the local Kafka and schema registry."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from streams.settings import Settings

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    infra = typer.Typer(help="Start, stop and inspect the local infrastructure (Kafka, schema registry).",
                        no_args_is_help=True)
    infra.command("up")(up)
    infra.command("down")(down)
    infra.command("status")(status)
    app.add_typer(infra, name="infra")


def up(erp: bool = typer.Option(False, "--erp", help="also start the local Tryton ERP")) -> None:
    """Fetch (first run only) and start Kafka (KRaft) and the schema registry on 127.0.0.1."""
    from docket.errors import DocketError
    from infra import stack
    from infra.process import InfraError
    from streams.settings import get_settings

    local = stack.stack_for(get_settings())
    try:
        timings = stack.up(local, erp=erp)
    except (InfraError, DocketError) as error:
        console.print(f"[red]infra up failed:[/red] {error}")
        raise typer.Exit(1) from error
    table = Table("step", "seconds", title="docket infra up")
    for step, seconds in timings.items():
        table.add_row(step, "cached" if seconds == 0 and step.startswith("fetch") else f"{seconds:.1f}")
    console.print(table)
    _print_status(local)
    if erp:
        _print_tryton_env(get_settings())


def _print_tryton_env(settings: Settings) -> None:
    """The settings that point a worker at the local Tryton, as ``export`` lines on stdout
    (``eval "$(docket infra up --erp)"``): workers never find the local ERP by themselves."""
    import shlex

    from cli.local_tryton import local_tryton_settings, tryton_env

    console.print("the local development Tryton, for a worker with DOCKET_POSTING_TARGETS=tryton:")
    for name, value in tryton_env(local_tryton_settings(settings)).items():
        print(f"export {name}={shlex.quote(value)}")


def down() -> None:
    """Stop the registry and Kafka (their data stays under the state directory)."""
    from infra import stack
    from streams.settings import get_settings

    for name, was_running in stack.down(stack.stack_for(get_settings())).items():
        console.print(f"{name}: {'stopped' if was_running else 'was not running'}")


def status() -> None:
    """Show whether each local service is running and answering; exit 1 when one is not."""
    from infra import stack
    from streams.settings import get_settings

    if not _print_status(stack.stack_for(get_settings())):
        raise typer.Exit(1)


def _print_status(local: object) -> bool:
    from infra import stack

    assert isinstance(local, stack.Stack)
    table = Table("service", "state", "pid", "address", "detail")
    healthy = True
    for service in stack.status(local):
        if service.name.startswith("erp") and not service.running:
            table.add_row(service.name, "not started", "-", service.address, "docket infra up --erp")
            continue
        healthy &= service.running
        state = "[green]up[/green]" if service.running else "[red]down[/red]"
        table.add_row(service.name, state, str(service.pid or "-"), service.address, service.detail)
    console.print(table)
    return healthy
