"""E-invoice capture speed: XML invoices per second per core (read + EN 16931 rules + schema),
hybrid PDFs per second (XML + printed page read and compared), beside the text-layer PDF rate of
the same printed pages without their XML, all measured in this run on one core (CPU seconds).

    .venv/bin/python bench/einvoice_speed.py [--rounds 5] [--data DIR ...]

Files: the committed real e-invoices under tests/data/einvoices (and every *.xml / *.pdf under
each --data directory). Scanned hybrid PDFs are left out of the PDF figures (their rate is the
OCR rate, measured by bench/capture_speed.py). Writes bench/results/einvoice_speed.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docket.capture import CaptureOptions, capture_document
from docket.errors import DocketError
from docket.reading import sniff
from docket.reading.einvoice.embedded import embedded_einvoice
from docket.reading.pdf import iter_pages, open_pdf, text_layer

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "einvoice_speed.json"


def _files(dirs: list[Path]) -> tuple[list[bytes], list[bytes]]:
    xml, hybrid = [], []
    for directory in dirs:
        for path in sorted(directory.rglob("*")):
            if path.suffix.lower() not in (".xml", ".pdf"):
                continue
            data = path.read_bytes()
            try:
                kind = sniff.sniff_media_type(data)
            except DocketError:
                continue
            if kind in sniff.EINVOICE_TYPES:
                xml.append(data)
            elif kind == sniff.PDF and embedded_einvoice(data) is not None and _has_text_layer(data):
                hybrid.append(data)
    return xml, hybrid


def _has_text_layer(data: bytes) -> bool:
    """Every page has the words capture needs to skip OCR (its own criterion)."""
    pdf = open_pdf(data, max_pages=200)
    try:
        return all(len(text_layer(page, number).words) >= CaptureOptions().min_text_words
                   for number, page in iter_pages(pdf))
    finally:
        pdf.close()


def _without_attachments(data: bytes) -> bytes:
    import io

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(data)
    try:
        for index in reversed(range(pdf.count_attachments())):
            raw.FPDFDoc_DeleteAttachment(pdf, index)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
    finally:
        pdf.close()


def _rate(documents: list[bytes], rounds: int) -> dict[str, float]:
    """Documents per CPU second of this process (capture errors count: they are coded outcomes)."""
    for data in documents[:3]:
        _capture(data)  # warm: compiled XPaths, schemas, label tables
    started = time.process_time()
    for _ in range(rounds):
        for data in documents:
            _capture(data)
    cpu = time.process_time() - started
    count = rounds * len(documents)
    return {"documents": count, "cpu_seconds": round(cpu, 4), "per_second_per_core": round(count / cpu, 1),
            "ms_per_document": round(1000 * cpu / count, 3)}


def _capture(data: bytes) -> None:
    with contextlib.suppress(DocketError):  # a coded rejection is an outcome too
        capture_document(data, "bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", type=Path, action="append", default=[])
    args = parser.parse_args()
    original = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(original)})
    try:
        xml, hybrid = _files([ROOT / "tests" / "data" / "einvoices", *args.data])
        printed = [_without_attachments(d) for d in hybrid]
        figures = {"xml": _rate(xml, args.rounds), "hybrid_pdf": _rate(hybrid, max(1, args.rounds // 2)),
                   "text_layer_pdf_same_pages": _rate(printed, max(1, args.rounds // 2))}
    finally:
        os.sched_setaffinity(0, original)
    figures["xml_vs_text_layer"] = round(figures["xml"]["per_second_per_core"]
                                         / figures["text_layer_pdf_same_pages"]["per_second_per_core"], 1)
    for name, value in figures.items():
        print(f"{name:28s} {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
