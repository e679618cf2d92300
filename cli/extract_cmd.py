"""``docket extract FILE... [--json] [--template-dir DIR]``: capture documents from the shell."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
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
    """Read each file and print its documents' fields (value, confidence, page, box, method). Template
    fields Docket cannot run are reported on stderr (``template_field_skipped``) and the rest apply."""
    configure_logging("console", "WARNING")  # warnings to stderr: stdout holds the JSON lines
    templates = load_templates(template_dir) if template_dir is not None else ()
    options = CaptureOptions(templates=templates)
    console = Console()
    failed = False
    for path in files:
        try:
            documents = capture_document(path.read_bytes(), path.name, mimetypes.guess_type(path.name)[0],
                                         options=options)
        except DocketError as exc:
            failed = True
            _print_error(console, path, exc, as_json)
            continue
        if as_json:
            typer.echo(json.dumps({"file": str(path), "documents": [document_json(d) for d in documents]},
                                  ensure_ascii=False))
        else:
            for document in documents:
                console.print(_table(path, document))
    if failed:
        raise typer.Exit(code=1)


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
    for field in document.fields:
        box = field.bbox
        # An e-invoice value has no box but its business term (BT-112).
        where = f"{box.x0:.2f},{box.y0:.2f},{box.x1:.2f},{box.y1:.2f}" if box else (field.business_term or "")
        table.add_row(field.name, field.value, f"{field.confidence:.2f}", str(box.page) if box else "", where,
                      field.method, field.engine)
    for missing in document.missing:
        table.add_row(missing.name, "[dim]missing[/dim]", "", "", "", missing.reason, "")
    for item in document.line_items:
        cells = ", ".join(f"{f.name}={f.value}" for f in item.fields)
        table.add_row(f"line {item.index + 1}", cells, "", "", "", "table", "")
    for finding in document.findings:
        table.add_row(finding.rule_id, f"[yellow]{finding.message}[/yellow]", "", "", "", finding.severity, "")
    return table
