"""E-invoice coverage over whole development sets: how many files are read, rejected with a code,
or crash; for every core term the XML holds (found by element name, independently of the reader),
whether capture found it with the same value; lines; business terms; findings by rule.

    .venv/bin/python bench/einvoice_coverage.py --data DIR [--data DIR ...] [--list]

Every *.xml and *.pdf below each DIR is captured as an upload would be (PDFs without e-invoice
XML are counted apart). Writes bench/results/einvoice_coverage.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devkit.einvoice_terms import expected_terms, same_value
from docket.capture import capture_document
from docket.errors import DocketError
from docket.reading.einvoice.embedded import embedded_einvoice

RESULTS = Path(__file__).parent / "results" / "einvoice_coverage.json"


def _xml_of(path: Path, data: bytes) -> bytes | None:
    if path.suffix.lower() != ".pdf":
        return data
    embedded = embedded_einvoice(data)
    return embedded.data if embedded is not None else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, action="append", required=True)
    parser.add_argument("--list", action="store_true", help="print one line per file")
    args = parser.parse_args()
    outcomes: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    present: Counter[str] = Counter()
    found: Counter[str] = Counter()
    business_terms: Counter[str] = Counter()
    lines_expected = lines_read = 0
    documents_with: Counter[str] = Counter()
    missed: list[str] = []
    started = time.perf_counter()
    for directory in args.data:
        for path in sorted(p for p in directory.rglob("*") if p.suffix.lower() in (".xml", ".pdf")):
            data = path.read_bytes()
            xml = _xml_of(path, data)
            if xml is None:
                outcomes["pdf_without_einvoice"] += 1
                continue
            try:
                (document,) = capture_document(data, path.name)
            except DocketError as error:
                outcomes["rejected_with_code"] += 1
                codes[error.code] += 1
                if args.list:
                    print(f"{error.code:32s} {path}")
                continue
            except Exception:  # counted: the point is to show there are none
                outcomes["crash"] += 1
                traceback.print_exc()
                continue
            outcomes["read_" + ("hybrid_pdf" if path.suffix.lower() == ".pdf" else "xml")] += 1
            fields = {f.name: f for f in document.fields}
            business_terms.update({f.business_term for f in document.fields if f.business_term})
            expected, line_count = expected_terms(xml)
            for name, value in expected.items():
                present[name] += 1
                if name in fields and same_value(name, value, fields[name].value):
                    found[name] += 1
                else:
                    missed.append(f"{path}: {name} {value!r}")
            lines_expected += line_count
            lines_read += sum(1 for item in document.line_items if not any(f.name == "kind" for f in item.fields))
            rules.update(f.rule_id for f in document.findings)
            if any(f.severity == "error" for f in document.findings):
                documents_with["an_error_finding (review)"] += 1
            if any(f.rule_id == "PRINTED_XML_MISMATCH" for f in document.findings):
                documents_with["a_printed_xml_mismatch"] += 1
            if not document.findings:
                documents_with["no_finding"] += 1
            if args.list:
                print(f"{'read ' + document.engine:32s} {path} {sorted({f.rule_id for f in document.findings})}")
    coverage = {name: f"{found[name]}/{present[name]}" for name in sorted(present)}
    total_present, total_found = sum(present.values()), sum(found.values())
    report = {"files": dict(outcomes), "rejection_codes": dict(codes),
              "core_terms_found": f"{total_found}/{total_present}"
                                  f" ({100 * total_found / max(1, total_present):.2f}%)",
              "per_term": coverage, "lines": f"{lines_read}/{lines_expected}",
              "distinct_business_terms_read": len(business_terms),
              "documents_with": dict(documents_with), "findings_by_rule": dict(rules.most_common()), "missed": missed,
              "seconds": round(time.perf_counter() - started, 1)}
    for key, value in report.items():
        print(f"{key}: {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
