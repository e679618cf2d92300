"""``docket model train|evaluate|thresholds``: the field-confidence model, rebuilt from labelled folders,
and the routing thresholds its measured error rates set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.ranker_cmd import ranker_app
from docket.routing.policy import PolicyBook
from docket.routing.thresholds import MeasuredThreshold
from docket.understanding.learn.confidence import MANIFEST_FILE, MODEL_FILE, ConfidenceModel
from docket.understanding.learn.runner import evaluate, gather, train_and_write

SHIPPED = Path(__file__).resolve().parents[1] / "docket" / "understanding" / "data" / "models"
model_app = typer.Typer(help="The learned field-confidence model.", no_args_is_help=True)
model_app.add_typer(ranker_app, name="ranker")


def register(app: typer.Typer) -> None:
    """Add the ``model`` command group to ``app``."""
    app.add_typer(model_app, name="model")


@model_app.command("train")
def train_command(folders: Annotated[list[Path], typer.Argument(help="labelled folders (truth sidecars, hybrid PDFs)")],
                  out: Annotated[Path, typer.Option(help="where model and manifest go")] = SHIPPED,
                  seed: Annotated[int, typer.Option(help="seed of every random choice")] = 7,
                  images: Annotated[bool, typer.Option(help="also OCR labelled images (slow)")] = False) -> None:
    """Capture the folders' train split, fit the model, write it with its manifest and metrics."""
    errors = Console(stderr=True)
    manifest = train_and_write(folders, out, seed=seed, images=images,
                               progress=lambda f: errors.print(f"[dim]{f.path.name}[/dim]", highlight=False))
    console = Console()
    console.print(f"{manifest['examples']} examples from {manifest['files']} files written to {out / MODEL_FILE}")
    _print_metrics(console, "calib split", manifest["metrics_calib"])


@model_app.command("evaluate")
def evaluate_command(folders: Annotated[list[Path], typer.Argument(help="labelled folders")],
                     model_dir: Annotated[Path, typer.Option(help="model directory")] = SHIPPED,
                     split: Annotated[str, typer.Option(help="calib, train or all")] = "calib",
                     as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The per-field table and reliability of the model on the folders' ``split``."""
    model = ConfidenceModel((model_dir / MODEL_FILE).read_text(encoding="utf-8"))
    gathered = gather(folders)
    examples = [e for name, items in gathered.examples.items() if split in ("all", name) for e in items]
    metrics = evaluate(model, examples)
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False))
        return
    manifest = json.loads((model_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    Console().print(f"model {manifest.get('model_sha256', '?')[:12]} trained {manifest.get('trained_at')}")
    _print_metrics(Console(), f"{split} split", metrics)


def _print_metrics(console: Console, title: str, metrics: dict[str, Any]) -> None:
    table = Table(title=f"{title}: {metrics['fields']} fields, Brier learned {metrics['brier_learned']} "
                        f"vs raw {metrics['brier_raw']}")
    for column in ("field", "read", "right %", "raw conf", "learned conf"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, row in metrics["per_field"].items():
        table.add_row(name, str(row["read"]), f"{row['right_pct']:.1f}", f"{row['mean_raw_confidence']:.2f}",
                      f"{row['mean_learned_confidence']:.2f}")
    console.print(table)
    reliability = Table(title="reliability (learned confidence)")
    for column in ("confidence", "fields", "right", "right %"):
        reliability.add_column(column, justify="right")
    for row in metrics["reliability_learned"]:
        reliability.add_row(f"[{row['from']:.2f}, {row['to']:.2f}]", str(row["fields"]), str(row["right"]),
                            "-" if row["right_pct"] is None else f"{row['right_pct']:.1f}")
    console.print(reliability)


@model_app.command("thresholds")
def thresholds_command(entity: Annotated[str, typer.Option(help="legal entity whose policy to show")] = "DEMO",
                       document_type: Annotated[str, typer.Option("--type", help="document type")] = "invoice",
                       policies: Annotated[Path | None, typer.Option(help="policy folder (the packaged one when "
                                                                          "absent)")] = None,
                       as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The confidence each checked field needs to post straight through, and the measured error
    rates a ``measured`` threshold rests on (the shipped model's calibration split)."""
    policy = PolicyBook.load(policies).for_document(entity, document_type)
    checked = list(dict.fromkeys([*policy.required_fields, *policy.field_confidence]))
    rows = [threshold_row(name, policy.threshold(name), policy.measurements.get(name)) for name in checked]
    if as_json:
        typer.echo(json.dumps({"policy": policy.version, "fields": rows}, ensure_ascii=False))
        return
    table = Table(title=f"thresholds of {entity} {document_type} (policy {policy.version})")
    for column in ("field", "needs", "source", "max err", "wrong", "pooled", "bound"):
        table.add_column(column, justify="left" if column in ("field", "source") else "right", no_wrap=True)
    for row in rows:
        if row["source"] == "fixed":
            table.add_row(row["field"], f"{row['threshold']:.2f}", "fixed", "-", "-", "-", "-")
            continue
        table.add_row(row["field"], f"{row['threshold']:.2f}", row["source"], f"{row['max_error']:.1%}",
                      f"{row['wrong']}/{row['accepted']}", f"{row['pooled_wrong']}/{row['pooled_accepted']}",
                      f"{row['pooled_upper_bound']:.2%}")
    Console().print(table)


def threshold_row(name: str, threshold: float, measured: MeasuredThreshold | None) -> dict[str, Any]:
    """One field's threshold and, when measured, the counts at it (``source``: fixed, field, pooled, unreached)."""
    if measured is None:
        return {"field": name, "threshold": threshold, "source": "fixed"}
    source = measured.basis if measured.reached else "unreached"
    return {"field": name, "threshold": threshold, "source": source, "max_error": measured.max_error,
            "accepted": measured.accepted, "wrong": measured.wrong, "pooled_accepted": measured.pooled_accepted,
            "pooled_wrong": measured.pooled_wrong, "pooled_upper_bound": measured.pooled_upper_bound}
