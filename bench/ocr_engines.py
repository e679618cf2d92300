"""OCR engines available offline, on the same real scans: accuracy and CPU-seconds per page.

    python bench/ocr_engines.py [--receipts 6] [--pdfs 4] [--engines rapid-default,rapid-1thread,...]
                                [--sroie DIR] [--zugferd DIR]

Pages: SROIE development receipts (photos/scans of till receipts, ``data/img/*.jpg``; fields
company, date, address, total in ``data/key/*.json``; receipts whose number is divisible by 6 are
held out and never read) and ZUGFeRD PDFs rendered at 200 dpi (their text layer is the reference;
the Mustang project's PDFs are held out and skipped). Nothing of them is written anywhere.

Accuracy: for receipts the field-hit rate (a labelled field counts when its text, spaces and case
ignored, appears in the OCR text); for rendered PDFs the word recall (share of the text layer's
words of 2+ characters found among the OCR words) and the character error rate of the sorted
word lists. Cost: each engine runs in its own child process; models load first (reported apart);
per page the child's CPU-seconds (``time.process_time()`` of the process and all its threads, plus
``RUSAGE_CHILDREN`` for engines that run a program), wall seconds and peak RSS. Figures go to
``bench/results/ocr_engines.json``; the load average is recorded beside them.

RapidOCR's wheel (3.10.0) ships one detection and one recognition model (PP-OCRv6 small) and the
text-line classifier; other sizes would be downloaded, so the variants here are of how the shipped
models run (threads, the detector's input size). Tesseract is Debian's ``tesseract-ocr`` (eng).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results" / "ocr_engines.json"
# Where the public development sets were unpacked, one folder per set (sroie/, zugferd/).
DATA = Path(os.environ.get("DOCKET_DEV_DATA", REPO / "var" / "data"))
SROIE = DATA / "sroie" / "data"
ZUGFERD = DATA / "zugferd"

# name -> (engine, options). Threads: onnxruntime intra-op threads (None: all cores).
ENGINES: dict[str, tuple[str, dict[str, Any]]] = {
    "rapid-wheel-defaults": ("rapid", {"threads": None, "det_max_side": None}),  # Docket's engine until now
    "rapid-1thread": ("rapid", {"threads": 1, "det_max_side": None}),
    "rapid-1thread-det960": ("rapid", {"threads": 1, "det_max_side": 960}),  # Docket's default now
    "rapid-1thread-det1280": ("rapid", {"threads": 1, "det_max_side": 1280}),
    "rapid-1thread-det736": ("rapid", {"threads": 1, "det_max_side": 736}),
    "tesseract-eng": ("tesseract", {}),
}


def pages(sroie: Path, zugferd: Path, receipts: int, pdfs: int) -> list[dict[str, Any]]:
    """The pages to read: ``{"id", "kind", "path", "fields" | "page"}`` (images are loaded in the child)."""
    chosen: list[dict[str, Any]] = []
    images = sorted(p for p in (sroie / "img").glob("*.jpg") if p.stem.isdigit() and int(p.stem) % 6 != 0)
    step = max(1, len(images) // max(1, receipts))
    for image in images[::step][:receipts]:
        key = sroie / "key" / f"{image.stem}.json"
        if key.exists():
            chosen.append({"id": f"sroie/{image.stem}", "kind": "receipt", "path": str(image),
                           "fields": json.loads(key.read_text(encoding="utf-8"))})
    documents = sorted(p for p in zugferd.rglob("*.pdf") if "mustang" not in str(p).lower())
    step = max(1, len(documents) // max(1, pdfs))
    for document in documents[::step]:
        if len([p for p in chosen if p["kind"] == "pdf"]) >= pdfs:
            break
        if _text_layer(document):
            chosen.append({"id": f"zugferd/{document.relative_to(zugferd)}", "kind": "pdf", "path": str(document)})
    return chosen


def _text_layer(path: Path) -> str:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return ""
    text = pdf[0].get_textpage().get_text_range()
    return text if len(text.split()) >= 20 else ""


def _image(page: dict[str, Any]) -> Any:
    import numpy as np

    if page["kind"] == "receipt":
        from PIL import Image

        return np.asarray(Image.open(page["path"]).convert("RGB"))
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(page["path"])
    return np.asarray(pdf[0].render(scale=200 / 72).to_pil().convert("RGB"))


def _engine(kind: str, options: dict[str, Any]) -> Any:
    if kind == "tesseract":
        from docket.reading.ocr.tesseract import TesseractEngine

        return TesseractEngine("eng")
    from docket.reading.ocr.rapid import RapidOcrEngine

    return RapidOcrEngine(threads=options["threads"], det_max_side=options["det_max_side"])


def child(name: str, pages_file: Path) -> None:
    """Run one engine over the pages in ``pages_file``; print JSON figures (in its own process)."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # tesseract: one thread, like one OCR core
    kind, options = ENGINES[name]
    chosen = json.loads(pages_file.read_text(encoding="utf-8"))
    engine = _engine(kind, options)
    warm = _image(chosen[0])
    t0, c0 = time.perf_counter(), _cpu()
    engine.recognize(warm)  # models load on first use
    load = {"wall_s": round(time.perf_counter() - t0, 2), "cpu_s": round(_cpu() - c0, 2)}
    rows = []
    for page in chosen:
        image = _image(page)
        t0, c0 = time.perf_counter(), _cpu()
        words = engine.recognize(image)
        rows.append({"id": page["id"], "kind": page["kind"], "wall_s": round(time.perf_counter() - t0, 3),
                     "cpu_s": round(_cpu() - c0, 3), "pixels": int(image.shape[0] * image.shape[1]),
                     "text": " ".join(word.text for word in words)})
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"engine": engine.name, "first_page_incl_model_load": load, "pages": rows,
                      "peak_rss_mb": round(peak_mb)}))


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[\w.,/%€$:-]+", text.lower()) if len(w) >= 2]


def score(page: dict[str, Any], text: str) -> dict[str, float]:
    """Accuracy of ``text`` read from ``page``: field hits (receipts) or word recall and CER (PDFs)."""
    from rapidfuzz.distance import Levenshtein

    if page["kind"] == "receipt":
        fields = {k: v for k, v in page["fields"].items() if str(v).strip()}
        seen = _squash(text)
        hits = [_squash(str(v)) in seen for v in fields.values()]
        return {"fields": len(hits), "field_hits": sum(hits)}
    reference = _words(_text_layer(Path(page["path"])))
    found = Counter(_words(text))
    recalled = sum(min(count, found[word]) for word, count in Counter(reference).items())
    ref_text, ocr_text = " ".join(sorted(reference)), " ".join(sorted(_words(text)))
    cer = Levenshtein.distance(ref_text, ocr_text) / max(1, len(ref_text))
    return {"words": len(reference), "words_found": recalled, "cer_sorted_words": round(cer, 4)}


def summarise(name: str, figures: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows = figures["pages"]
    scored = [score(by_id[row["id"]], row["text"]) for row in rows]
    receipts = [s for s, r in zip(scored, rows, strict=True) if r["kind"] == "receipt"]
    pdf_scores = [s for s, r in zip(scored, rows, strict=True) if r["kind"] == "pdf"]
    cpu = sorted(row["cpu_s"] for row in rows)
    return {
        "engine": figures["engine"], "pages": len(rows),
        "cpu_s_per_page_mean": round(sum(cpu) / len(cpu), 2), "cpu_s_per_page_median": cpu[len(cpu) // 2],
        "cpu_s_per_receipt": _mean([r["cpu_s"] for r in rows if r["kind"] == "receipt"]),
        "cpu_s_per_pdf_page": _mean([r["cpu_s"] for r in rows if r["kind"] == "pdf"]),
        "wall_s_per_page_mean": _mean([r["wall_s"] for r in rows]),
        "receipt_field_hit_rate": round(sum(s["field_hits"] for s in receipts) / max(1, sum(s["fields"]
                                                                                           for s in receipts)), 3),
        "pdf_word_recall": round(sum(s["words_found"] for s in pdf_scores) / max(1, sum(s["words"]
                                                                                      for s in pdf_scores)), 3),
        "pdf_cer_sorted_words": _mean([s["cer_sorted_words"] for s in pdf_scores], 4),
        "first_page_incl_model_load": figures["first_page_incl_model_load"], "peak_rss_mb": figures["peak_rss_mb"],
        "per_page": [{k: v for k, v in {**row, **s}.items() if k != "text"} for row, s in zip(rows, scored,
                                                                                             strict=True)],
    }


def _mean(values: list[float], digits: int = 2) -> float | None:
    return round(sum(values) / len(values), digits) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=6)
    parser.add_argument("--pdfs", type=int, default=4)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--sroie", type=Path, default=SROIE)
    parser.add_argument("--zugferd", type=Path, default=ZUGFERD)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--pages-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.pages_file)
        return
    chosen = pages(args.sroie, args.zugferd, args.receipts, args.pdfs)
    if not chosen:
        raise SystemExit(f"no pages found under {args.sroie} / {args.zugferd}")
    pages_file = RESULTS.with_name("ocr_engines.pages.tmp.json")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    pages_file.write_text(json.dumps(chosen), encoding="utf-8")
    by_id = {page["id"]: page for page in chosen}
    load_before = [round(x, 2) for x in os.getloadavg()]
    results: dict[str, Any] = {}
    try:
        for name in args.engines.split(","):
            if ENGINES[name][0] == "tesseract" and not _has("tesseract"):
                results[name] = {"error": "tesseract not installed (apt-get install tesseract-ocr)"}
                continue
            done = subprocess.run([sys.executable, __file__, "--child", name, "--pages-file", str(pages_file)],
                                  capture_output=True, text=True, check=False, cwd=REPO)
            if done.returncode != 0:
                results[name] = {"error": done.stderr[-1500:]}
                continue
            results[name] = summarise(name, json.loads(done.stdout.strip().splitlines()[-1]), by_id)
            row = results[name]
            print(f"{name:24} {row['engine']:36} CPU-s/page {row['cpu_s_per_page_mean']:5} "
                  f"(receipt {row['cpu_s_per_receipt']}, pdf page {row['cpu_s_per_pdf_page']})  "
                  f"receipt fields {row['receipt_field_hit_rate']:.1%}  pdf words {row['pdf_word_recall']:.1%}  "
                  f"RSS {row['peak_rss_mb']} MB", flush=True)
    finally:
        pages_file.unlink(missing_ok=True)
    figures = {"command": "python bench/ocr_engines.py " + " ".join(sys.argv[1:]),
               "pages": [{"id": p["id"], "kind": p["kind"]} for p in chosen], "engines": results,
               "cores": os.cpu_count(), "load_average_before": load_before,
               "load_average_after": [round(x, 2) for x in os.getloadavg()]}
    RESULTS.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"load average before {load_before}, after {figures['load_average_after']}; wrote "
          f"{RESULTS.relative_to(REPO)}")


def _has(program: str) -> bool:
    from shutil import which

    return which(program) is not None


if __name__ == "__main__":
    main()
