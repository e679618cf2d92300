"""Capture speed: text-layer read+extract s/page on one core, OCR s/page and rest-of-stage s/page,
peak memory. Prints the figures and writes bench/results/capture_speed.json.

    .venv/bin/python bench/capture_speed.py [--text-docs 60] [--ocr-pages 3]

Documents come from the corpus generator (dev layouts). Text-layer timing runs pinned to one core;
OCR runs on the cores the machine gives (RapidOCR uses onnxruntime's thread pool).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devkit.corpus.generate import generate_document
from docket.capture import capture_document

RESULTS = Path(__file__).parent / "results" / "capture_speed.json"
TYPES = ("invoice", "credit_note", "purchase_order", "customer_order", "receipt", "remittance_advice")


def _documents(count: int, condition: str, seed: int) -> list[tuple[bytes, str, int]]:
    docs = []
    for index in range(count):
        doc = generate_document(seed=seed, index=index, document_type=TYPES[index % len(TYPES)],
                                condition=condition, split="dev")
        docs.append((doc.data, doc.truth.file, int(doc.truth.pages)))
    return docs


def text_layer_speed(count: int) -> dict[str, float]:
    docs = _documents(count, "text_layer", seed=11)
    original = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(original)})
    try:
        capture_document(*docs[0][:2])  # warm caches (label tables, babel month names)
        per_page = []
        pages_total, started = 0, time.perf_counter()
        for data, name, pages in docs:
            t0 = time.perf_counter()
            capture_document(data, name)
            per_page.append((time.perf_counter() - t0) / pages)
            pages_total += pages
        elapsed = time.perf_counter() - started
    finally:
        os.sched_setaffinity(0, original)
    return {"documents": len(docs), "pages": pages_total, "seconds_per_page_mean": elapsed / pages_total,
            "seconds_per_page_median": statistics.median(per_page),
            "seconds_per_page_p95": sorted(per_page)[int(0.95 * (len(per_page) - 1))]}


def ocr_speed(pages_wanted: int) -> dict[str, float] | None:
    """OCR and rest-of-stage seconds per page over ``pages_wanted`` scanned pages; None when none are asked for."""
    if pages_wanted <= 0:
        return None
    docs = _documents(pages_wanted, "clean_scan", seed=13)
    ocr, rest, pages_total = 0.0, 0.0, 0
    for data, name, _ in docs:
        t0 = time.perf_counter()
        captured = capture_document(data, name)
        wall = time.perf_counter() - t0
        doc_ocr = sum(d.timings["ocr"] for d in captured)
        ocr += doc_ocr
        rest += wall - doc_ocr
        pages_total += sum(d.page_count for d in captured)
    pages_total = max(pages_total, 1)
    return {"pages": pages_total, "ocr_seconds_per_page": ocr / pages_total,
            "rest_of_stage_seconds_per_page": rest / pages_total}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--text-docs", type=int, default=60)
    parser.add_argument("--ocr-pages", type=int, default=3)
    args = parser.parse_args()
    text = text_layer_speed(args.text_docs)
    ocr = ocr_speed(args.ocr_pages)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Other processes share this machine: the load average says how contended the figures are.
    result = {"text_layer_one_core": text, "ocr": ocr, "peak_rss_mb": round(peak_mb, 1),
              "cpu_count": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2),
              "target_text_layer_ms_per_page": 50}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"text layer (1 core): {1000 * text['seconds_per_page_mean']:.1f} ms/page mean, "
          f"{1000 * text['seconds_per_page_median']:.1f} median, {1000 * text['seconds_per_page_p95']:.1f} p95 "
          f"over {text['pages']} pages")
    if ocr is None:
        print("OCR: not measured (--ocr-pages 0)")
    else:
        print(f"OCR: {ocr['ocr_seconds_per_page']:.2f} s/page, rest of stage "
              f"{ocr['rest_of_stage_seconds_per_page']:.3f} s/page over {ocr['pages']} pages")
    print(f"peak RSS: {peak_mb:.0f} MB, load average {os.getloadavg()[0]:.1f} -> {RESULTS}")


if __name__ == "__main__":
    main()
