"""Entry point of the ``docket`` command: one Typer app, commands registered from small modules."""

from __future__ import annotations

import typer

from cli import (
    cashapp_cmd,
    corrections_cmd,
    demo_cmd,
    extract_cmd,
    infra_cmd,
    masterdata_cmd,
    model_cmd,
    ops_cmd,
    regress_cmd,
    sources_cmd,
    stream_cmd,
    web_cmd,
)

app = typer.Typer(help="Docket: business documents in, ERP transactions out.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)

for module in (infra_cmd, stream_cmd, sources_cmd, extract_cmd, masterdata_cmd, cashapp_cmd, ops_cmd, web_cmd,
               demo_cmd, model_cmd, regress_cmd, corrections_cmd):
    module.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
