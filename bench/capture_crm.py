"""Capture of the CRM forms (order forms, contracts, customer change forms): classification and
field exact match, development layouts vs holdout layouts, text layer and a 200 dpi OCR reading.

    .venv/bin/python bench/capture_crm.py --per-split 30 --negatives 12 --ocr 12 --seed 16 --jobs 2

Generates ``--per-split`` CRM forms (types round-robin) from the ``dev`` families and as many from
the ``holdout`` and from the ``holdout2`` families (``devkit.corpus.crm_layouts``; the second
holdout was added after the CRM reader's rules were written), plus ``--negatives`` invoices and
customer orders (half dev, half holdout families of the main corpus) so the confusion matrix shows what the
CRM classifier takes from them. Each document is captured with ``docket.capture.capture_document``
and scored with ``devkit.corpus.scoring`` (exact match = correct / (truth + predicted - correct)).
``--ocr`` CRM pages (half dev, half holdout, <= 12: OCR costs ~1.3 CPU-s a page) are read again by
OCR at 200 dpi, the text layer ignored; word boxes are cached by ``devkit.ocr_cache``.
Prints the tables and writes ``bench/results/capture_crm.json`` (or ``--json``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devkit.corpus.crm_generate import generate_crm_document  # noqa: E402
from devkit.corpus.crm_vocabulary import CRM_DOCUMENT_TYPES, CRM_FIELDS  # noqa: E402
from devkit.corpus.generate import GeneratedDocument, generate_document  # noqa: E402
from devkit.corpus.scoring import DocumentScore, FieldResult, score_document  # noqa: E402

PREDICTED_COLUMNS = (*CRM_DOCUMENT_TYPES, "invoice", "customer_order", "other")
SPLITS = ("dev", "holdout", "holdout2")
_ENGINE: Any = None


def _engine() -> Any:
    global _ENGINE
    if _ENGINE is None:
        from devkit.ocr_cache import CachedOcrEngine
        from docket.reading.ocr import RapidOcrEngine

        _ENGINE = CachedOcrEngine(RapidOcrEngine())
    return _ENGINE


def _documents(per_split: int, negatives: int, seed: int) -> list[GeneratedDocument]:
    # each split gets indexes of its own so that no two splits share a content draw
    offsets = {"dev": 0, "holdout": 10_000, "holdout2": 30_000}
    docs = [generate_crm_document(seed, index + offsets[split], CRM_DOCUMENT_TYPES[index % 3], split=split)
            for split in SPLITS for index in range(per_split)]
    for index in range(negatives):
        kind = ("invoice", "customer_order")[index % 2]
        docs.append(generate_document(seed, 20_000 + index, kind, "text_layer", ("dev", "holdout")[(index // 2) % 2]))
    return docs


def _capture_one(truth_json: str, data: bytes, ocr: bool) -> dict[str, Any]:
    """Worker: capture one document (text layer, or OCR at 200 dpi) and score it; a plain dict out."""
    from devkit.corpus.generate import Truth
    from docket.capture import CaptureOptions, capture_document
    from docket.errors import DocketError

    truth = Truth.from_json(truth_json)
    options = CaptureOptions(ocr_engine=_engine(), force_ocr=True, dpi=200) if ocr else None
    started = time.process_time()
    error, predicted_type, fields = None, None, {}
    try:
        captured = capture_document(data, truth.file, "application/pdf", options=options)
        predicted_type = captured[0].document_type
        fields = {f.name: f.value for f in captured[0].fields}
    except DocketError as exc:
        error = exc.code
    except Exception as exc:  # a crash is a result to report, not a reason to stop the benchmark
        error = f"CRASH {type(exc).__name__}: {exc}"
    labels = {"document_type": truth.document_type, "split": truth.layout_split, "layout": truth.layout,
              "language": truth.language, "reading": "ocr" if ocr else "text_layer"}
    score = score_document(truth.id, truth.document_type, truth.fields, [], predicted_type, fields, [], labels)
    score.pages, score.seconds, score.error = truth.pages, time.process_time() - started, error
    given = None
    if truth.document_type in CRM_DOCUMENT_TYPES and error is None:
        typed = _extract_with_type(data, truth.document_type, options or CaptureOptions())
        given = asdict(score_document(truth.id, truth.document_type, truth.fields, [], truth.document_type, typed,
                                      [], labels))
    return {"score": asdict(score), "predicted_type": predicted_type, "type_given": given}


def _extract_with_type(data: bytes, document_type: str, options: Any) -> dict[str, str]:
    """The CRM extractor's fields when it is told the true type (how well it reads, apart from
    how well the type is recognised)."""
    import inspect

    from docket.capture import default_engine
    from docket.reading.read import read_pages
    from docket.understanding.crm_forms import extract_crm
    from docket.understanding.extract.base import Context

    pages, _ = read_pages(data, "application/pdf", engine=options.ocr_engine or default_engine(),
                          max_pages=options.max_pages, max_pixels=options.max_pixels, dpi=options.dpi,
                          min_text_words=options.min_text_words, force_ocr=options.force_ocr)
    ctx = Context.build(pages)
    texts = [line.text for line in ctx.lines]
    with_layout = "layout" in inspect.signature(extract_crm).parameters  # older extractors read text only
    fields, _ = extract_crm(texts, document_type, ctx.lines) if with_layout else extract_crm(texts, document_type)
    return {f.name: f.value for f in fields}


def _score(raw: dict[str, Any]) -> DocumentScore:
    data = dict(raw["score"])
    fields = data.pop("fields")
    return DocumentScore(**data, fields=[FieldResult(**f) for f in fields])


def _confusion(rows: Sequence[tuple[DocumentScore, str | None]]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = {}
    for score, predicted in rows:
        column = predicted if predicted in PREDICTED_COLUMNS else "other"
        table.setdefault(score.labels["document_type"], Counter())[column or "other"] += 1
    return {kind: {column: counts[column] for column in PREDICTED_COLUMNS} for kind, counts in sorted(table.items())}


def _fields(scores: Sequence[DocumentScore], document_type: str) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for score in scores:
        for result in score.fields:
            row = table.setdefault(result.name, {"truth": 0, "predicted": 0, "correct": 0})
            row["truth"] += result.truth is not None
            row["predicted"] += result.predicted is not None
            row["correct"] += result.correct
    ordered = {name: table[name] for name in CRM_FIELDS[document_type] if name in table}
    for row in ordered.values():
        union = row["truth"] + row["predicted"] - row["correct"]
        row["exact_match"] = round(row["correct"] / union, 3) if union else None
    return ordered


def _summary(scores: Sequence[DocumentScore]) -> dict[str, Any]:
    truth = sum(s.truth for s in scores)
    predicted = sum(s.predicted for s in scores)
    correct = sum(s.correct for s in scores)
    union = truth + predicted - correct
    return {"documents": len(scores), "type_accuracy": round(sum(s.type_ok for s in scores) / len(scores), 3)
            if scores else None, "field_exact_match": round(correct / union, 3) if union else None,
            "field_recall": round(correct / truth, 3) if truth else None,
            "field_precision": round(correct / predicted, 3) if predicted else None,
            "required_all_right": round(sum(s.required_ok for s in scores) / len(scores), 3) if scores else None,
            "cpu_seconds_per_page": round(sum(s.seconds for s in scores) / max(1, sum(s.pages for s in scores)), 3)}


def _report(console: Console, title: str, rows: Sequence[tuple[DocumentScore, str | None]]) -> dict[str, Any]:
    scores = [score for score, _ in rows]
    confusion = _confusion(rows)
    table = Table(title=f"{title}: classification (rows: truth, columns: predicted)")
    table.add_column("truth")
    for column in PREDICTED_COLUMNS:
        table.add_column(column, justify="right")
    for kind, counts in confusion.items():
        table.add_row(kind, *(str(counts[c]) for c in PREDICTED_COLUMNS))
    console.print(table)
    result: dict[str, Any] = {"confusion": confusion, "types": {}}
    summary = Table(title=f"{title}: per type")
    for column in ("type", "docs", "type %", "exact %", "recall %", "precision %", "required %", "CPU s/page"):
        summary.add_column(column, justify="left" if column == "type" else "right")
    for kind in (*CRM_DOCUMENT_TYPES, "invoice", "customer_order"):
        members = [s for s in scores if s.labels["document_type"] == kind]
        if not members:
            continue
        figures = _summary(members)
        entry: dict[str, Any] = {**figures}
        if kind in CRM_DOCUMENT_TYPES:
            entry["fields"] = _fields(members, kind)
        result["types"][kind] = entry
        summary.add_row(kind, str(figures["documents"]), *(_pct(figures[k]) for k in (
            "type_accuracy", "field_exact_match", "field_recall", "field_precision", "required_all_right")),
            f"{figures['cpu_seconds_per_page']:.2f}")
    console.print(summary)
    per_field = Table(title=f"{title}: per field exact match % (correct/truth)")
    per_field.add_column("field")
    for kind in CRM_DOCUMENT_TYPES:
        per_field.add_column(kind, justify="right")
    names = [n for n in dict.fromkeys(n for kind in CRM_DOCUMENT_TYPES for n in CRM_FIELDS[kind])]
    for name in names:
        cells = []
        for kind in CRM_DOCUMENT_TYPES:
            row = result["types"].get(kind, {}).get("fields", {}).get(name)
            cells.append("" if row is None else f"{_pct(row['exact_match'])} ({row['correct']}/{row['truth']})")
        per_field.add_row(name, *cells)
    console.print(per_field)
    crm = [s for s in scores if s.labels["document_type"] in CRM_DOCUMENT_TYPES]
    result["crm_overall"] = _summary(crm) if crm else None
    return result


def _report_given(console: Console, given: Sequence[tuple[DocumentScore, str | None]]) -> dict[str, Any]:
    """Field exact match of the CRM extractor told the true type, per reading and split."""
    table = Table(title="CRM extractor told the true type: field exact match %")
    for column in ("reading / split", *CRM_DOCUMENT_TYPES, "all"):
        table.add_column(column, justify="left" if column == "reading / split" else "right")
    result: dict[str, Any] = {}
    for reading in ("text_layer", "ocr"):
        for split in SPLITS:
            chosen = [s for s, _ in given if s.labels["reading"] == reading and s.labels["split"] == split]
            if not chosen:
                continue
            per_type = {kind: _summary([s for s in chosen if s.labels["document_type"] == kind])
                        for kind in CRM_DOCUMENT_TYPES if any(s.labels["document_type"] == kind for s in chosen)}
            per_type["all"] = _summary(chosen)
            for kind in CRM_DOCUMENT_TYPES:
                members = [s for s in chosen if s.labels["document_type"] == kind]
                if members:
                    per_type[kind]["fields"] = _fields(members, kind)
            result[f"{reading}_{split}"] = per_type
            table.add_row(f"{reading} / {split}", *(_pct(per_type[k]["field_exact_match"]) if k in per_type else "-"
                                                    for k in (*CRM_DOCUMENT_TYPES, "all")))
    console.print(table)
    return result


def _pct(value: Any) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-split", type=int, default=30, help="CRM forms per layout split (types round-robin)")
    parser.add_argument("--negatives", type=int, default=12, help="invoices and customer orders")
    parser.add_argument("--ocr", type=int, default=12, help="CRM pages also read by OCR at 200 dpi (at most 12)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "capture_crm.json")
    args = parser.parse_args(argv)
    ocr_count = min(args.ocr, 12)

    docs = _documents(args.per_split, args.negatives, args.seed)
    crm_docs = [d for d in docs if d.truth.document_type in CRM_DOCUMENT_TYPES]
    dev = [d for d in crm_docs if d.truth.layout_split == "dev"]
    holdout = [d for d in crm_docs if d.truth.layout_split == "holdout"]
    # the OCR sample: the first forms of each split, types round-robin
    ocr_docs = dev[:ocr_count // 2] + holdout[:ocr_count - ocr_count // 2]
    started = time.perf_counter()
    jobs = [(d, False) for d in docs] + [(d, True) for d in ocr_docs]
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(_capture_one, d.truth.to_json(), d.data, ocr) for d, ocr in jobs]
        raw = [future.result() for future in futures]
    wall = time.perf_counter() - started
    rows = [(_score(r), r["predicted_type"]) for r in raw]
    given = [(_score({"score": r["type_given"]}), None) for r in raw if r["type_given"] is not None]
    console = Console(width=170)
    results: dict[str, Any] = {}
    text = [(s, p) for s, p in rows if s.labels["reading"] == "text_layer"]
    for split in SPLITS:
        results[f"text_layer_{split}"] = _report(console, f"text layer, {split} layouts",
                                                 [(s, p) for s, p in text if s.labels["split"] == split])
    ocr_rows = [(s, p) for s, p in rows if s.labels["reading"] == "ocr"]
    for split in ("dev", "holdout"):
        chosen = [(s, p) for s, p in ocr_rows if s.labels["split"] == split]
        if chosen:
            results[f"ocr_{split}"] = _report(console, f"OCR 200 dpi, {split} layouts", chosen)
    results["type_given"] = _report_given(console, given)
    by_layout = {}
    for layout in sorted({s.labels["layout"] for s, _ in text if s.labels["document_type"] in CRM_DOCUMENT_TYPES}):
        by_layout[layout] = _summary([s for s, _ in text if s.labels["layout"] == layout])
    table = Table(title="text layer, per CRM layout family")
    for column in ("layout", "docs", "type %", "exact %"):
        table.add_column(column, justify="left" if column == "layout" else "right")
    for layout, figures in by_layout.items():
        table.add_row(layout, str(figures["documents"]), _pct(figures["type_accuracy"]),
                      _pct(figures["field_exact_match"]))
    console.print(table)
    for split in SPLITS:
        overall = results[f"text_layer_{split}"]["crm_overall"]
        typed = results["type_given"].get(f"text_layer_{split}", {}).get("all", {})
        console.print(f"CRM text layer {split}: type {_pct(overall['type_accuracy'])} %, "
                      f"field exact match {_pct(overall['field_exact_match'])} % over {overall['documents']} forms "
                      f"({_pct(typed.get('field_exact_match'))} % with the type given)")
    console.print(f"{len(rows)} captures ({len(ocr_rows)} by OCR) in {wall:.1f} s wall with {args.jobs} job(s)")
    result = {"benchmark": "capture_crm", "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "command": " ".join(sys.argv), "seed": args.seed, "per_split": args.per_split,
              "negatives": args.negatives, "ocr_pages": len(ocr_rows), "wall_seconds": round(wall, 2),
              **results, "per_layout": by_layout,
              "documents": [{"id": s.id, **s.labels, "predicted_type": p, "error": s.error,
                             "wrong": {f.name: [f.truth, f.predicted] for f in s.fields if not f.correct}}
                            for s, p in rows]}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"written {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
