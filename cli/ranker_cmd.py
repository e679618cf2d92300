"""``docket model ranker train|evaluate``: the learned candidate ranker of receipt fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from docket.understanding.learn.ranker import RANKER_FILE, RANKER_MANIFEST, CandidateRanker
from docket.understanding.learn.ranker_merge import merge_rankers
from docket.understanding.learn.ranker_train import (
    DEFAULT_EXCLUDE,
    SHIPPED_FIELDS,
    evaluate,
    gather,
    train_and_write,
)

SHIPPED = Path(__file__).resolve().parents[1] / "docket" / "understanding" / "data" / "models"
ranker_app = typer.Typer(help="The learned candidate ranker of receipt fields.", no_args_is_help=True)


def _ranges(text: str) -> tuple[tuple[int, int], ...]:
    """``131-260,400-410`` as ((131, 260), (400, 410)); empty text: none."""
    ranges = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        low, _, high = part.partition("-")
        ranges.append((int(low), int(high or low)))
    return tuple(ranges)


def field_names(text: str) -> list[str]:
    """``supplier_name,receipt_date`` as a list of field names (spaces and empty items dropped)."""
    return [name.strip() for name in text.split(",") if name.strip()]


_DEFAULT = ",".join(f"{low}-{high}" for low, high in DEFAULT_EXCLUDE)


def _engine() -> Any:
    from docket.reading.ocr import RapidOcrEngine

    return RapidOcrEngine()


_RECEIPTS_HELP = "labelled receipts: a generated corpus (*.truth.json) or a SROIE-style folder (img/ + key/)"


@ranker_app.command("train")
def train_command(receipts: Annotated[Path, typer.Argument(help=_RECEIPTS_HELP)],
                  out: Annotated[Path, typer.Option(help="where model and manifest go")] = SHIPPED,
                  seed: Annotated[int, typer.Option(help="seed of every random choice")] = 7,
                  exclude: Annotated[str, typer.Option(help="1-based file ranks never read")] = _DEFAULT,
                  limit: Annotated[int, typer.Option(help="at most N receipts (0: all)")] = 0,
                  fields: Annotated[str, typer.Option(help="the fields to rank")] = ",".join(SHIPPED_FIELDS),
                  ) -> None:
    """OCR the selected receipts, fit the ranker on their train split, write it with its manifest."""
    errors = Console(stderr=True)
    gathered = gather(receipts, _engine(), exclude=_ranges(exclude), limit=limit,
                      progress=lambda name: errors.print(f"[dim]{name}[/dim]", highlight=False))
    manifest = train_and_write(gathered, out, seed=seed, source=receipts.name, fields=field_names(fields))
    console = Console()
    console.print(f"{sum(manifest['candidates'].values())} candidates from {len(gathered.documents)} receipts "
                  f"written to {out / RANKER_FILE} (sha256 {manifest['model_sha256'][:16]})")
    print_metrics(console, "calib split", manifest["metrics_calib"])


@ranker_app.command("merge")
def merge_command(parts: Annotated[list[str], typer.Option("--part", help="DIR=field,field: fields taken from "
                                                            "the ranker trained into DIR (repeat)")],
                  out: Annotated[Path, typer.Option(help="where model and manifest go")] = SHIPPED) -> None:
    """One ranker from the fields of rankers trained on different corpora (see ranker_merge)."""
    pairs = []
    for part in parts:
        directory, _, names = part.partition("=")
        pairs.append((Path(directory), field_names(names)))
    manifest = merge_rankers(pairs, out)
    Console().print(f"ranker of {', '.join(manifest['fields'])} written to {out / RANKER_FILE} "
                    f"(sha256 {manifest['model_sha256'][:16]})")


@ranker_app.command("evaluate")
def evaluate_command(receipts: Annotated[Path, typer.Argument(help=_RECEIPTS_HELP)],
                     model_dir: Annotated[Path, typer.Option(help="model directory")] = SHIPPED,
                     split: Annotated[str, typer.Option(help="calib, train or all")] = "calib",
                     exclude: Annotated[str, typer.Option(help="1-based file ranks never read")] = _DEFAULT,
                     limit: Annotated[int, typer.Option(help="at most N receipts (0: all)")] = 0,
                     as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The per-field table (rules vs ranker vs candidate ceiling) and reliability on the receipts' ``split``."""
    ranker = CandidateRanker((model_dir / RANKER_FILE).read_text(encoding="utf-8"))
    gathered = gather(receipts, _engine(), exclude=_ranges(exclude), limit=limit)
    metrics = evaluate(ranker, [d for d in gathered.documents if split in ("all", d.split)])
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False))
        return
    manifest = json.loads((model_dir / RANKER_MANIFEST).read_text(encoding="utf-8"))
    Console().print(f"ranker {manifest.get('model_sha256', '?')[:16]}")
    print_metrics(Console(), f"{split} split", metrics)


def print_metrics(console: Console, title: str, metrics: dict[str, Any]) -> None:
    """The per-field table and the reliability of the chosen candidates' probabilities."""
    table = Table(title=f"{title}: right per field (lenient)")
    for column in ("field", "documents", "rules %", "ranker %", "any candidate %"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, row in metrics["per_field"].items():
        table.add_row(name, str(row["documents"]), f"{row['rules_right_pct']:.1f}", f"{row['ranker_right_pct']:.1f}",
                      f"{row['any_candidate_right_pct']:.1f}")
    console.print(table)
    reliability = Table(title="reliability (ranker probability of the chosen candidate)")
    for column in ("confidence", "fields", "right", "right %"):
        reliability.add_column(column, justify="right")
    for row in metrics["reliability"]:
        reliability.add_row(f"[{row['from']:.2f}, {row['to']:.2f}]", str(row["fields"]), str(row["right"]),
                            "-" if row["right_pct"] is None else f"{row['right_pct']:.1f}")
    console.print(reliability)
