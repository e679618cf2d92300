"""Capture accuracy on the labelled corpus: generates (or reads) documents, runs
``docket.capture.capture_document`` on each, scores every field against the truth.

    .venv/bin/python bench/capture_accuracy.py --count 60 --seed 101 --jobs 2
    .venv/bin/python bench/capture_accuracy.py --corpus tests/golden --jobs 2
    .venv/bin/python bench/capture_accuracy.py --count 40 --split holdout --conditions text_layer

Reports per document type x condition, per condition, per layout split (dev / holdout) and per
field: field precision, recall and exact match, line-item precision/recall, the share of documents
with every required field right, type accuracy, seconds per page and peak memory (max RSS of the
worker processes via ``resource``; Python heap peak via ``tracemalloc`` with ``--tracemalloc``).
Prints rich tables and writes ``bench/results/capture_accuracy.json`` (or ``--json``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devkit.corpus.generate import Truth, generate_corpus, read_truths  # noqa: E402
from devkit.corpus.scoring import DocumentScore, FieldResult, group, score_document  # noqa: E402
from devkit.corpus.vocabulary import CONDITIONS, DOCUMENT_TYPES  # noqa: E402

MEDIA_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "tiff": "image/tiff"}


def _capture_one(directory: str, truth_json: str, trace: bool) -> dict[str, Any]:
    """Worker: capture one file and score it. Returns a plain dict (pickles across processes)."""
    from docket.capture import capture_document
    from docket.errors import DocketError

    truth = Truth.from_json(truth_json)
    data = (Path(directory) / truth.file).read_bytes()
    labels = {"document_type": truth.document_type, "condition": truth.condition, "split": truth.layout_split,
              "layout": truth.layout, "language": truth.language}
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    error, predicted_type, fields, lines, documents, reading = None, None, {}, [], 0, None
    try:
        captured = capture_document(data, truth.file, MEDIA_TYPES[truth.file.rsplit(".", 1)[1]])
        documents = len(captured)
        if captured:
            first = captured[0]
            predicted_type, reading = first.document_type, first.reading
            fields = {f.name: f.value for f in first.fields}
            lines = [{f.name: f.value for f in item.fields} for item in first.line_items]
    except DocketError as exc:
        error = exc.code
    except Exception as exc:  # a crash is a result to report, not a reason to stop the benchmark
        error = f"CRASH {type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    heap_peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    score = score_document(truth.id, truth.document_type, truth.fields, truth.line_items, predicted_type,
                           fields, lines, labels)
    score.pages, score.seconds, score.error = truth.pages, seconds, error
    return {"score": asdict(score), "documents": documents, "reading": reading, "heap_peak": heap_peak,
            "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def _load(args: argparse.Namespace) -> tuple[Path, list[Truth]]:
    if args.corpus:
        truths = read_truths(args.corpus)
        directory = args.corpus
    else:
        directory = args.out or Path(tempfile.mkdtemp(prefix="docket-corpus-"))
        truths = generate_corpus(directory, args.count, args.seed, args.types, args.conditions, args.split)
    chosen = [t for t in truths if t.document_type in args.types and t.condition in args.conditions
              and (args.split == "all" or t.layout_split == args.split)]
    return directory, chosen


def _run(directory: Path, truths: Sequence[Truth], jobs: int, trace: bool) -> list[dict[str, Any]]:
    if jobs <= 1:
        return [_capture_one(str(directory), t.to_json(), trace) for t in truths]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_capture_one, str(directory), t.to_json(), trace) for t in truths]
        return [future.result() for future in futures]


def _score(raw: dict[str, Any]) -> DocumentScore:
    data = dict(raw["score"])
    fields = data.pop("fields")
    return DocumentScore(**data, fields=[FieldResult(**f) for f in fields])


def _per_field(scores: Sequence[DocumentScore]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for score in scores:
        for result in score.fields:
            row = table.setdefault(result.name, {"truth": 0, "predicted": 0, "correct": 0})
            row["truth"] += result.truth is not None
            row["predicted"] += result.predicted is not None
            row["correct"] += result.correct
    return dict(sorted(table.items()))


def _pct(value: Any) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _print_group(console: Console, title: str, figures: dict[str, dict[str, Any]]) -> None:
    table = Table(title=title)
    for column in ("group", "docs", "pages", "prec %", "recall %", "exact %", "lines P %", "lines R %",
                   "required %", "all-right %", "type %", "errors", "s/page"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for name, row in figures.items():
        table.add_row(name, str(row["documents"]), str(row["pages"]), _pct(row["field_precision"]),
                      _pct(row["field_recall"]), _pct(row["field_exact_match"]), _pct(row["line_precision"]),
                      _pct(row["line_recall"]), _pct(row["required_all_right"]), _pct(row["document_all_right"]),
                      _pct(row["type_accuracy"]), str(row["errors"]),
                      "-" if row["seconds_per_page"] is None else f"{row['seconds_per_page']:.2f}")
    console.print(table)


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="read this corpus directory instead of generating one")
    parser.add_argument("--out", type=Path, help="where to generate the corpus (default: a temp directory)")
    parser.add_argument("--count", type=int, default=36)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--types", type=_csv, default=list(DOCUMENT_TYPES))
    parser.add_argument("--conditions", type=_csv, default=list(CONDITIONS))
    parser.add_argument("--split", choices=("all", "dev", "holdout"), default="all")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the Python heap peak")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "capture_accuracy.json")
    args = parser.parse_args(argv)

    directory, truths = _load(args)
    started = time.perf_counter()
    raw = _run(directory, truths, args.jobs, args.tracemalloc)
    wall = time.perf_counter() - started
    scores = [_score(r) for r in raw]
    console = Console(width=160)
    views = {
        "by type and condition": group(scores, "document_type", "condition"),
        "by condition": group(scores, "condition"),
        "by layout split": group(scores, "split"),
        "by split and condition": group(scores, "split", "condition"),
        "overall": group(scores),
    }
    for title, figures in views.items():
        _print_group(console, title, figures)
    per_field = _per_field(scores)
    field_table = Table(title="per field (all documents)")
    for column in ("field", "truth", "predicted", "correct", "recall %"):
        field_table.add_column(column, justify="left" if column == "field" else "right")
    for name, row in per_field.items():
        field_table.add_row(name, str(row["truth"]), str(row["predicted"]), str(row["correct"]),
                            _pct(row["correct"] / row["truth"] if row["truth"] else None))
    console.print(field_table)
    max_rss_mb = max((r["max_rss_kb"] for r in raw), default=0) / 1024
    heap_mb = max((r["heap_peak"] for r in raw), default=0) / 2**20
    pages = sum(s.pages for s in scores)
    console.print(f"{len(scores)} documents, {pages} pages, {wall:.1f} s wall with {args.jobs} job(s) "
                  f"({wall / max(pages, 1):.2f} s/page wall); peak worker RSS {max_rss_mb:.0f} MB"
                  + (f"; Python heap peak {heap_mb:.0f} MB" if args.tracemalloc else ""))
    errors = [s for s in scores if s.error]
    for score in errors[:10]:
        console.print(f"[red]{score.id}[/red] {score.error}")
    result = {
        "benchmark": "capture_accuracy",
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "corpus": str(directory),
        "seed": None if args.corpus else args.seed,
        "jobs": args.jobs,
        "wall_seconds": round(wall, 2),
        "peak_worker_rss_mb": round(max_rss_mb, 1),
        "python_heap_peak_mb": round(heap_mb, 1) if args.tracemalloc else None,
        **{title.replace(" ", "_"): figures for title, figures in views.items()},
        "per_field": per_field,
        "documents": [{"id": s.id, **s.labels, "pages": s.pages, "seconds": round(s.seconds, 3),
                       "truth": s.truth, "predicted": s.predicted, "correct": s.correct,
                       "required_ok": s.required_ok, "type_ok": s.type_ok, "error": s.error,
                       "wrong": {f.name: [f.truth, f.predicted] for f in s.fields if not f.correct}}
                      for s in scores],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"written {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
