"""``docket regress FOLDER... --baseline FILE [--update]``: replay labelled documents through capture and
the posting mapping; compare every labelled field and every posting payload with a stored baseline;
exit 1 on a regressed field or a changed payload (accept a change with ``--update``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.regress_payloads import PayloadMaker
from docket.understanding.learn.regress import baseline_of, compare, replay


def register(app: typer.Typer) -> None:
    """Add the ``regress`` command to ``app``."""
    app.command("regress")(regress)


def regress(folders: Annotated[list[Path], typer.Argument(help="labelled folders (truth sidecars, hybrid PDFs)")],
            baseline: Annotated[Path, typer.Option(help="the stored baseline (JSON)")],
            update: Annotated[bool, typer.Option(help="write the current results as the new baseline")] = False,
            images: Annotated[bool, typer.Option(help="also OCR labelled images (slow)")] = False) -> None:
    """Improved / regressed / unchanged per field against the baseline; a missing baseline is written."""
    console = Console()
    current = replay(folders, images=images, payload=PayloadMaker())
    if not baseline.exists() or update:
        baseline.parent.mkdir(parents=True, exist_ok=True)
        baseline.write_text(json.dumps(baseline_of(current), indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                            encoding="utf-8")
        console.print(f"baseline of {len(current.results)} files written to {baseline}")
        return
    report = compare(json.loads(baseline.read_text(encoding="utf-8")), current)
    table = Table(title=f"{len(current.results)} files ({report['new_files']} new, {report['gone_files']} gone)")
    for column in ("field", "improved", "regressed", "unchanged"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, row in report["per_field"].items():
        table.add_row(name, str(row["improved"]), str(row["regressed"]), str(row["unchanged"]))
    console.print(table)
    for row in report["regressions"]:
        console.print(f"[red]regressed[/red] {row['file']} {row['field']}: {row['was']!r} -> {row['now']!r}")
    for row in report["payload_changes"]:
        console.print(f"[red]payload changed[/red] {row['file']}: {', '.join(row['paths'][:12])}")
    posted = sum(1 for payload in current.payloads.values() if payload is not None)
    console.print(f"posting payloads: {posted} compared, {len(report['payload_changes'])} changed")
    if report["regressions"] or report["payload_changes"]:
        raise typer.Exit(code=1)
