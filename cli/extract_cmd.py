"""``docket extract FILE... [--json] [--template-dir DIR]``: capture documents from the shell."""

from __future__ import annotations

import json
import mimetypes
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from docket.capture import CapturedDocument, CaptureOptions, capture_document
from docket.errors import DocketError
from docket.understanding.templates import load_templates
from streams.logging import configure_logging


def register(app: typer.Typer) -> None:
    """Add the ``extract`` command to ``app``."""
    app.command("extract")(extract)


def extract(files: Annotated[list[Path], typer.Argument(help="documents to read (PDF, image, statement)")],
            as_json: Annotated[bool, typer.Option("--json", help="one JSON object per input file")] = False,
            template_dir: Annotated[Path | None, typer.Option("--template-dir",
                                                              help="vendor templates (YAML/JSON)")] = None,
            ) -> None:
    """Read each file and print its documents' fields (value, confidence, page, box, method).

    Template fields Docket cannot run are reported on stderr (``template_field_skipped``) and the
    rest apply. With several files, progress (current file, pages per second) goes to stderr and
    a one-line summary per document type ends the run."""
    configure_logging("console", "WARNING")  # warnings to stderr: stdout holds the JSON lines
    templates = load_templates(template_dir) if template_dir is not None else ()
    options = CaptureOptions(templates=templates)
    console = Console()
    errors = Console(stderr=True)
    summary = ExtractSummary()
    with _progress(errors, len(files)) as progress:
        task = progress.add_task("extract", total=len(files), file="", rate="")
        for path in files:
            progress.update(task, file=path.name)
            started = time.perf_counter()
            try:
                documents = capture_document(path.read_bytes(), path.name, mimetypes.guess_type(path.name)[0],
                                             options=options)
            except DocketError as exc:
                summary.failed(exc.code)
                _print_error(console, path, exc, as_json)
                progress.advance(task)
                continue
            summary.add(documents, time.perf_counter() - started)
            progress.update(task, advance=1, rate=f"{summary.pages_per_second():.1f} pages/s")
            if as_json:
                typer.echo(json.dumps({"file": str(path), "documents": [document_json(d) for d in documents]},
                                      ensure_ascii=False))
            else:
                for document in documents:
                    console.print(_table(path, document))
    if len(files) > 1:
        for line in summary.lines():
            errors.print(line, highlight=False)
    if summary.errors:
        raise typer.Exit(code=1)


def _progress(console: Console, total: int) -> Progress:
    """A progress bar on stderr (hidden for a single file or when stderr is not a terminal)."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("{task.fields[file]}"),
                    console=console, transient=True, disable=total <= 1 or not console.is_terminal)


@dataclass
class ExtractSummary:
    """Counts per document type over a run: documents, pages, fields found, fields missing, seconds."""

    by_type: dict[str, dict[str, float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    pages: int = 0

    def add(self, documents: list[CapturedDocument], seconds: float) -> None:
        self.seconds += seconds
        for document in documents:
            row = self.by_type.setdefault(document.document_type,
                                          {"documents": 0, "pages": 0, "fields": 0, "missing": 0, "confidence": 0.0})
            row["documents"] += 1
            row["pages"] += document.page_count
            row["fields"] += len(document.fields)
            row["missing"] += len(document.missing)
            row["confidence"] += sum(f.confidence for f in document.fields)
            self.pages += document.page_count

    def failed(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1

    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        """One line per document type, then one per error code."""
        out = []
        for kind, row in sorted(self.by_type.items()):
            mean = row["confidence"] / row["fields"] if row["fields"] else 0.0
            out.append(f"{kind}: {int(row['documents'])} documents, {int(row['pages'])} pages, "
                       f"{row['fields'] / row['documents']:.1f} fields and {row['missing'] / row['documents']:.1f} "
                       f"missing per document, mean confidence {mean:.2f}")
        out += [f"failed {code}: {count} files" for code, count in sorted(self.errors.items())]
        out.append(f"{self.pages} pages in {self.seconds:.1f} s ({self.pages_per_second():.1f} pages/s)")
        return out


def document_json(document: CapturedDocument) -> dict[str, Any]:
    """A captured document as plain JSON types."""
    return {"document_type": document.document_type, "type_confidence": document.type_confidence,
            "language": document.language, "page_count": document.page_count, "page_range": document.page_range,
            "reading": document.reading, "engine": document.engine, "template": document.template,
            "fields": [f.model_dump(mode="json") for f in document.fields],
            "missing": [m.model_dump(mode="json") for m in document.missing],
            "line_items": [item.model_dump(mode="json") for item in document.line_items],
            "findings": [f.model_dump(mode="json") for f in document.findings],
            "timings": document.timings}


def _print_error(console: Console, path: Path, exc: DocketError, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"file": str(path), "error": {"code": exc.code, "message": exc.message}}))
    else:
        console.print(f"[red]{path}: {exc.code}[/red] {exc.message}")


def _table(path: Path, document: CapturedDocument) -> Table:
    title = (f"{path.name} [{document.page_range}] {document.document_type} "
             f"({document.type_confidence:.2f}, {document.language or '?'}, {document.reading})")
    table = Table(title=title)
    for column in ("field", "value", "confidence", "page", "box", "method", "engine"):
        table.add_column(column)
    for extracted in document.fields:
        box = extracted.bbox
        # An e-invoice value has no box but its business term (BT-112).
        where = f"{box.x0:.2f},{box.y0:.2f},{box.x1:.2f},{box.y1:.2f}" if box else (extracted.business_term or "")
        table.add_row(extracted.name, extracted.value, f"{extracted.confidence:.2f}", str(box.page) if box else "",
                      where, extracted.method, extracted.engine)
    for missing in document.missing:
        table.add_row(missing.name, "[dim]missing[/dim]", "", "", "", missing.reason, "")
    for item in document.line_items:
        cells = ", ".join(f"{f.name}={f.value}" for f in item.fields)
        table.add_row(f"line {item.index + 1}", cells, "", "", "", "table", "")
    for finding in document.findings:
        table.add_row(finding.rule_id, f"[yellow]{finding.message}[/yellow]", "", "", "", finding.severity, "")
    return table
