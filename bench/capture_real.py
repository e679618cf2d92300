"""Capture accuracy on real, labelled development documents, beside the generated corpus.

    python bench/capture_real.py [--limit N] [--ocr-limit N] [--generated N] [--jobs 1]
    python bench/capture_real.py --sets sroie --limit 100

Sets (unpacked development parts; held-out parts are never read):
- ``sroie``: scanned receipts (``$DOCKET_SROIE``, default /data/sroie/data): company, address, date, total;
  read by OCR (RapidOCR) with word boxes cached on disk (see devkit/ocr_cache.py) so reruns are fast.
- ``einvoice-text`` / ``einvoice-ocr``: hybrid ZUGFeRD / Factur-X PDFs (``$DOCKET_ZUGFERD``), their XML
  removed before capture so they are read as printed, by text layer / rendered at 200 dpi and OCR'd
  (a subset chosen by file hash, ``--ocr-limit``); labels come from the XML they carried.
- ``generated``: the project's corpus generator (text layer), a regression guard.

Per set and field: exact and lenient match. Exact: names case-folded after whitespace collapse, ids as
printed, dates as ISO dates, amounts as Decimals. Lenient: names and addresses equal on letters and
digits or within 90 (names) / 85 (addresses) rapidfuzz ratio of them; ids equal on letters and digits.
A label the page does not print (checked loosely on its text layer) is not scored. Each document
belongs to the ``train`` or ``calib`` split by its sha256 (see devkit/real_split.py), reported apart.
Writes bench/results/capture_real.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docket.understanding.learn.judge import ALIASES, printed, split_of, verdict  # noqa: E402
from docket.understanding.learn.labels import (  # noqa: E402
    LabelledDocument,
    einvoice_documents,
    page_text,
    sroie_documents,
    without_attachments,
)

SROIE = Path(os.environ.get("DOCKET_SROIE", "/data/sroie/data"))
ZUGFERD = Path(os.environ.get("DOCKET_ZUGFERD", "/data/zugferd"))
RESULTS = ROOT / "bench" / "results" / "capture_real.json"
SETS = ("sroie", "einvoice-text", "einvoice-ocr", "generated")
EINVOICE_FIELDS = ("supplier_name", "invoice_number", "invoice_date", "due_date", "net_total", "tax_total", "total",
                   "currency", "supplier_vat_id", "supplier_iban")
SROIE_FIELDS = ("supplier_name", "supplier_address", "receipt_date", "total")

_ENGINE: Any = None


def _engine() -> Any:
    global _ENGINE
    if _ENGINE is None:
        from devkit.ocr_cache import CachedOcrEngine
        from docket.reading.ocr import RapidOcrEngine

        _ENGINE = CachedOcrEngine(RapidOcrEngine())
    return _ENGINE


def run_one(set_name: str, path: str, document_type: str, labels: dict[str, str], ranker: bool = True
            ) -> dict[str, Any]:
    """Worker: capture one labelled file (``ranker`` False: the rules alone, without the candidate
    ranker), score every labelled field; a plain dict out."""
    from docket.capture import CaptureOptions, capture_document
    from docket.errors import DocketError

    raw = Path(path).read_bytes()
    engine = _engine()
    text = None
    if set_name.startswith("einvoice"):
        text = page_text(raw)
        data, media = without_attachments(raw), "application/pdf"
        fields = EINVOICE_FIELDS
    else:
        data, media = raw, "image/jpeg"
        fields = SROIE_FIELDS
    options = CaptureOptions(ocr_engine=engine, force_ocr=set_name == "einvoice-ocr", candidate_ranker=ranker)
    engine_before, fresh_before = engine.seconds, engine.fresh_seconds
    started = time.perf_counter()
    error, predicted_type, predicted, pages, confidences = None, None, {}, 1, {}
    try:
        documents = capture_document(data, Path(path).name, media, options=options)
        first = documents[0]
        predicted_type, pages = first.document_type, sum(d.page_count for d in documents)
        predicted = {f.name: f.value for f in first.fields}
        confidences = {f.name: f.confidence for f in first.fields}
    except DocketError as exc:
        error = exc.code
    except Exception as exc:  # a crash is a result to report
        error = f"CRASH {type(exc).__name__}: {exc}"
    wall = time.perf_counter() - started
    ocr_seconds = engine.seconds - engine_before
    capture_seconds = wall - (engine.fresh_seconds - fresh_before)
    scored = {}
    for name in fields:
        truth = labels.get(name)
        if not truth or (text is not None and not printed(name, truth, text)):
            continue
        names = (name, *ALIASES.get(name, ()))
        got_name = next((n for n in names if n in predicted), None)
        value = predicted.get(got_name) if got_name else None
        exact, lenient = verdict(name, truth, value)
        scored[name] = {"truth": truth, "predicted": value, "exact": exact, "lenient": lenient,
                        "confidence": confidences.get(got_name) if got_name else None}
    return {"set": set_name, "file": path, "split": split_of(raw), "expected_type": document_type,
            "predicted_type": predicted_type, "pages": pages, "error": error,
            "capture_ms_per_page": 1000 * capture_seconds / max(pages, 1),
            "ocr_s_per_page": ocr_seconds / max(pages, 1) if ocr_seconds else None, "fields": scored}


def _generated(count: int, seed: int) -> list[dict[str, Any]]:
    """The generator's text-layer documents scored on their own truth (exact = lenient there)."""
    from devkit.corpus.generate import generate_corpus
    from devkit.corpus.scoring import score_document
    from docket.capture import capture_document

    out = Path(tempfile.mkdtemp(prefix="docket-generated-"))
    rows = []
    for truth in generate_corpus(out, count, seed, conditions=["text_layer"]):
        started = time.perf_counter()
        documents = capture_document((out / truth.file).read_bytes(), truth.file)
        seconds = time.perf_counter() - started
        first = documents[0]
        predicted = {f.name: f.value for f in first.fields}
        score = score_document(truth.id, truth.document_type, truth.fields, truth.line_items, first.document_type,
                               predicted, [], {})
        fields = {r.name: {"truth": r.truth, "predicted": r.predicted, "exact": r.correct, "lenient": r.correct,
                           "confidence": None} for r in score.fields if r.truth is not None}
        rows.append({"set": "generated", "file": truth.file, "split": truth.layout_split,
                     "expected_type": truth.document_type, "predicted_type": first.document_type,
                     "pages": truth.pages, "error": None, "capture_ms_per_page": 1000 * seconds / truth.pages,
                     "ocr_s_per_page": None, "fields": fields})
    return rows


def _pick_ocr(documents: Sequence[LabelledDocument], limit: int) -> list[LabelledDocument]:
    """``limit`` documents chosen by the hash of their path (stable across runs and machines)."""
    keyed = sorted(documents, key=lambda d: hashlib.sha256(d.path.name.encode()).hexdigest())
    return keyed[:limit]


def _tasks(args: argparse.Namespace) -> list[tuple[str, str, str, dict[str, str]]]:
    tasks = []
    if "sroie" in args.sets:
        for doc in sroie_documents(args.sroie)[: args.limit or None]:
            tasks.append(("sroie", str(doc.path), doc.document_type, doc.labels))
    if "einvoice-text" in args.sets or "einvoice-ocr" in args.sets:
        documents = einvoice_documents(args.zugferd)
        if "einvoice-text" in args.sets:
            for doc in documents[: args.limit or None]:
                tasks.append(("einvoice-text", str(doc.path), doc.document_type, doc.labels))
        if "einvoice-ocr" in args.sets:
            for doc in _pick_ocr(documents, args.ocr_limit):
                tasks.append(("einvoice-ocr", str(doc.path), doc.document_type, doc.labels))
    return tasks


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per set (and per split of it): documents, type accuracy, per-field exact/lenient, speed."""
    summary: dict[str, Any] = {}
    for key in sorted({(r["set"], r["split"]) for r in rows} | {(r["set"], "all") for r in rows}):
        group = [r for r in rows if r["set"] == key[0] and key[1] in ("all", r["split"])]
        per_field: dict[str, dict[str, float | int]] = {}
        for row in group:
            for name, result in row["fields"].items():
                entry = per_field.setdefault(name, {"n": 0, "exact": 0, "lenient": 0, "predicted": 0})
                entry["n"] += 1
                entry["exact"] += result["exact"]
                entry["lenient"] += result["lenient"]
                entry["predicted"] += result["predicted"] is not None
        total = sum(int(e["n"]) for e in per_field.values())
        speeds = [r["capture_ms_per_page"] for r in group if r["error"] is None]
        ocr = [r["ocr_s_per_page"] for r in group if r["ocr_s_per_page"]]
        summary[f"{key[0]}/{key[1]}"] = {
            "documents": len(group), "pages": sum(r["pages"] for r in group),
            "errors": sum(1 for r in group if r["error"]),
            "type_accuracy": sum(r["predicted_type"] == r["expected_type"] for r in group) / max(len(group), 1),
            "fields": {n: {**e, "exact_pct": round(100 * e["exact"] / e["n"], 1),
                           "lenient_pct": round(100 * e["lenient"] / e["n"], 1)} for n, e in sorted(per_field.items())},
            "all_fields_exact_pct": round(100 * sum(int(e["exact"]) for e in per_field.values()) / max(total, 1), 1),
            "all_fields_lenient_pct": round(100 * sum(int(e["lenient"]) for e in per_field.values()) / max(total, 1),
                                            1),
            "capture_ms_per_page_median": round(statistics.median(speeds), 2) if speeds else None,
            "ocr_s_per_page_median": round(statistics.median(ocr), 2) if ocr else None,
        }
    return summary


def reliability(rows: Sequence[dict[str, Any]], bins: Sequence[float] = (0.0, 0.5, 0.8, 0.9, 0.95, 1.01),
                split: str = "calib") -> list[dict[str, Any]]:
    """Confidence bins of the real sets' fields (on ``split``): how many fields, how many right (lenient)."""
    table = []
    results = [f for r in rows if r["set"] != "generated" and split in ("all", r["split"])
               for f in r["fields"].values() if f["predicted"] is not None and f["confidence"] is not None]
    for low, high in itertools.pairwise(bins):
        chosen = [f for f in results if low <= f["confidence"] < high]
        right = sum(f["lenient"] for f in chosen)
        table.append({"confidence": f"[{low:.2f}, {min(high, 1.0):.2f}{')' if high <= 1 else ']'}",
                      "fields": len(chosen), "right": right,
                      "right_pct": round(100 * right / len(chosen), 1) if chosen else None})
    return table


def _print(console: Console, summary: dict[str, Any], calibration: list[dict[str, Any]]) -> None:
    for key, figures in summary.items():
        table = Table(title=f"{key}: {figures['documents']} docs, {figures['pages']} pages, type "
                            f"{100 * figures['type_accuracy']:.0f}%, errors {figures['errors']}, capture "
                            f"{figures['capture_ms_per_page_median']} ms/page median, OCR "
                            f"{figures['ocr_s_per_page_median']} s/page")
        for column in ("field", "n", "predicted", "exact %", "lenient %"):
            table.add_column(column, justify="left" if column == "field" else "right")
        for name, entry in figures["fields"].items():
            table.add_row(name, str(entry["n"]), str(entry["predicted"]), f"{entry['exact_pct']:.1f}",
                          f"{entry['lenient_pct']:.1f}")
        table.add_row("[b]all fields[/b]", "", "", f"{figures['all_fields_exact_pct']:.1f}",
                      f"{figures['all_fields_lenient_pct']:.1f}")
        console.print(table)
    table = Table(title="reliability (real sets, calib split, lenient)")
    for column in ("confidence", "fields", "right", "right %"):
        table.add_column(column, justify="right")
    for row in calibration:
        table.add_row(row["confidence"], str(row["fields"]), str(row["right"]),
                      "-" if row["right_pct"] is None else f"{row['right_pct']:.1f}")
    console.print(table)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=lambda s: [p.strip() for p in s.split(",") if p.strip()], default=list(SETS))
    parser.add_argument("--limit", type=int, default=0, help="at most N documents per set (0: all)")
    parser.add_argument("--ocr-limit", type=int, default=20, help="e-invoice PDFs also read by OCR")
    parser.add_argument("--generated", type=int, default=36, help="generated text-layer documents")
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--sroie", type=Path, default=SROIE)
    parser.add_argument("--zugferd", type=Path, default=ZUGFERD)
    parser.add_argument("--json", type=Path, default=RESULTS)
    parser.add_argument("--rows", action="store_true", help="also write every document's fields into the JSON")
    parser.add_argument("--rules-only", action="store_true", help="without the candidate ranker (the rules' choices)")
    args = parser.parse_args(argv)

    tasks = [(*task, not args.rules_only) for task in _tasks(args)]
    started = time.perf_counter()
    if args.jobs <= 1:
        rows = [run_one(*task) for task in tasks]
    else:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            rows = list(pool.map(run_one, *zip(*tasks, strict=True))) if tasks else []
    if "generated" in args.sets and args.generated:
        rows += _generated(args.generated, args.seed)
    wall = time.perf_counter() - started
    summary = summarise(rows)
    calibration = reliability(rows)
    console = Console(width=140)
    _print(console, summary, calibration)
    console.print(f"{len(rows)} documents in {wall:.1f} s wall")
    result = {"benchmark": "capture_real", "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "command": " ".join(sys.argv), "wall_seconds": round(wall, 1), "summary": summary,
              "reliability_calib": calibration, "rows": rows if args.rows else None}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"written {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
