"""How often a field read at a vendor's learned position is right: the measured rate that gives a position
read its confidence (``docket/understanding/data/position_reads.json``).

    python bench/position_reads.py [--generated-per-layout 6] [--seed 11] [--max-samples 3] [--write-data]

For documents of one issuer and layout, positions are learned from the true boxes of ``k`` documents (as a
reviewer's clicks would teach them: a :class:`FieldCorrection` with the clicked box, ``positions_to_learn``,
``learned_position`` once per correction), then every OTHER document of the issuer is read at those
positions (``read_at_positions`` with nothing read yet, so every position is read) and the value compared
with its truth (exact verdict, ``docket.understanding.learn.judge``). Each document of a group takes its turn
as the first taught one (the next ``k - 1`` in the group's order follow), so a group of ``n`` documents
gives ``n * (n - k)`` reads per field and ``k``.

A true box is where the page prints the true value: the words of a line that parse, as the field's kind,
to the truth (the first such place in reading order; the last for totals, which stand at the end).

Sources, reported apart:
- ``zugferd``: the ZUGFeRD / Factur-X development corpus (``$DOCKET_ZUGFERD``), XML removed before reading;
  the truth is the embedded XML; an issuer is a generator folder and a seller (VAT id, else name).
- ``generated``: the corpus generator, text layer, ``--generated-per-layout`` invoices per layout family;
  an issuer is a layout family.

Per source, field and taught samples (1, 2, 3+): reads, right, right %, the 95 % Wilson lower bound.
Writes bench/results/position_reads.json; ``--write-data`` also writes the shipped data file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docket.capture import CaptureOptions, capture_document  # noqa: E402
from docket.model import BBox, FieldCorrection  # noqa: E402
from docket.review.positions import FieldPosition, learned_position, positions_to_learn  # noqa: E402
from docket.understanding.extract.base import Context  # noqa: E402
from docket.understanding.extract.fields import FIELD_KINDS, Candidate, parse_candidate  # noqa: E402
from docket.understanding.extract.positions import read_at_positions  # noqa: E402
from docket.understanding.labels import tokens_of  # noqa: E402
from docket.understanding.learn.judge import verdict  # noqa: E402
from docket.understanding.learn.labels import einvoice_documents, without_attachments  # noqa: E402

ZUGFERD = Path(os.environ.get("DOCKET_ZUGFERD", "/data/zugferd"))
RESULTS = ROOT / "bench" / "results" / "position_reads.json"
DATA = ROOT / "docket" / "understanding" / "data" / "position_reads.json"
FIELDS = ("invoice_number", "invoice_date", "due_date", "net_total", "tax_total", "total", "supplier_iban",
          "supplier_vat_id", "po_number", "payment_reference", "supplier_bic")
_LAST = frozenset({"net_total", "tax_total", "total"})
_WINDOW = 6
_Z = 1.959964  # 95 % two-sided
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Document:
    """One read document of an issuer: its name, type, read pages as a context, and its truth."""

    name: str
    issuer: str
    document_type: str
    ctx: Context
    truth: dict[str, str]


def wilson_lower(right: int, reads: int, z: float = _Z) -> float:
    """The lower end of the Wilson score interval of ``right`` out of ``reads`` (0 without reads)."""
    if reads == 0:
        return 0.0
    p = right / reads
    centre = p + z * z / (2 * reads)
    spread = z * math.sqrt(p * (1 - p) / reads + z * z / (4 * reads * reads))
    return (centre - spread) / (1 + z * z / reads)


def true_box(ctx: Context, field: str, truth: str) -> BBox | None:
    """Where the page prints ``truth`` as ``field``: the words that parse to it (see the module doc)."""
    kind = FIELD_KINDS[field]
    found: list[BBox] = []
    for index, line in enumerate(ctx.lines):
        words = line.words
        for start in range(len(words)):
            window = words[start:start + _WINDOW]
            read = parse_candidate(ctx, field, kind, Candidate(line=index, tokens=tuple(tokens_of(list(window))),
                                                               where="right"))
            if read is None or not read.words or not verdict(field, truth, read.value)[0]:
                continue
            if read.words[0] is not window[0]:
                continue  # found again from a later start; counted there
            found.append(BBox(page=line.page, x0=min(w.x0 for w in read.words), y0=min(w.y0 for w in read.words),
                              x1=max(w.x1 for w in read.words), y1=max(w.y1 for w in read.words)))
    if not found:
        return None
    return found[-1] if field in _LAST else found[0]


def taught(documents: Sequence[Document], field: str) -> list[FieldPosition]:
    """The position of ``field`` learned from the clicked true boxes of ``documents``, one correction each."""
    known: FieldPosition | None = None
    for document in documents:
        box = true_box(document.ctx, field, document.truth[field])
        if box is None:
            return []
        correction = FieldCorrection(field=field, old_value=None, new_value=document.truth[field], bbox=box)
        for name, clicked in positions_to_learn([correction]):
            known = learned_position(known, legal_entity="bench", vendor_id=document.issuer,
                                     document_type=document.document_type, field=name, box=clicked, now=T0)
    return [known] if known is not None else []


def measure(groups: dict[str, list[Document]], max_samples: int) -> dict[tuple[str, int], list[int]]:
    """(field, samples) -> [taught, reads, right, unread]: every document of a group taught in turn."""
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for documents in groups.values():
        for field in FIELDS:
            labelled = [d for d in documents if d.truth.get(field)]
            for k in range(1, min(max_samples, len(labelled) - 1) + 1):
                for first in range(len(labelled)):
                    teachers = [labelled[(first + j) % len(labelled)] for j in range(k)]
                    positions = taught(teachers, field)
                    if not positions:
                        continue
                    row = counts[(field, k)]
                    row[0] += 1
                    for other in labelled:
                        if any(other is t for t in teachers):
                            continue
                        fields, _ = read_at_positions(other.ctx, other.document_type, [], [], positions)
                        read = {f.name: f.value for f in fields}.get(field)
                        if read is None:
                            row[3] += 1
                            continue
                        row[1] += 1
                        row[2] += int(verdict(field, other.truth[field], read)[0])
    return counts


def _read(name: str, issuer: str, data: bytes, truth: dict[str, str]) -> Document | None:
    [captured, *_] = capture_document(data, name, options=CaptureOptions(keep_pages=True))
    if not captured.pages:
        return None
    ctx = Context.build(captured.pages, language=captured.language)
    return Document(name, issuer, captured.document_type, ctx, {k: v for k, v in truth.items() if k in FIELDS and v})


def zugferd_groups(root: Path) -> dict[str, list[Document]]:
    """Issuers of the ZUGFeRD corpus with at least two readable documents."""
    groups: dict[str, list[Document]] = defaultdict(list)
    for labelled in einvoice_documents(root):
        seller = (labelled.labels.get("supplier_vat_id") or labelled.labels.get("supplier_name") or "").strip()
        if not seller:
            continue
        issuer = f"{labelled.path.parent.relative_to(root)}|{' '.join(seller.split()).casefold()}"
        try:
            document = _read(labelled.path.name, issuer, without_attachments(labelled.path.read_bytes()),
                             labelled.labels)
        except Exception:  # an unreadable PDF is no material
            continue
        if document is not None:
            groups[issuer].append(document)
    return {k: v for k, v in groups.items() if len(v) >= 2}


def generated_groups(per_layout: int, seed: int) -> dict[str, list[Document]]:
    """``per_layout`` text-layer invoices of every invoice layout family."""
    from devkit.corpus.generate import generate_document
    from devkit.corpus.layouts import layouts_for

    groups: dict[str, list[Document]] = {}
    for number, layout in enumerate(layouts_for("invoice")):
        documents = []
        for i in range(per_layout):
            made = generate_document(seed, number * 1000 + i, "invoice", "text_layer", layout_id=layout.id)
            document = _read(made.truth.file, layout.id, made.data, made.truth.fields)
            if document is not None:
                documents.append(document)
        groups[layout.id] = documents
    return groups


def bucket(samples: int) -> str:
    """The sample-count bucket: ``1``, ``2`` or ``3+``."""
    return str(samples) if samples < 3 else "3+"


def summarise(counts: dict[tuple[str, int], list[int]]) -> dict[str, dict[str, dict[str, Any]]]:
    """field -> bucket -> {reads, right, unread, taught, right_pct, wilson_lower}."""
    merged: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    for (field, k), row in counts.items():
        into = merged[field][bucket(k)]
        for i, value in enumerate(row):
            into[i] += value
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for field in sorted(merged):
        out[field] = {}
        for key in sorted(merged[field]):
            taught_, reads, right, unread = merged[field][key]
            out[field][key] = {"taught": taught_, "reads": reads, "right": right, "unread": unread,
                               "right_pct": round(100 * right / reads, 1) if reads else None,
                               "wilson_lower": round(wilson_lower(right, reads), 4)}
    return out


def _print(name: str, summary: dict[str, dict[str, dict[str, Any]]], groups: int, documents: int) -> None:
    print(f"\n{name}: {groups} issuers, {documents} documents")
    print(f"{'field':18} {'k':>3} {'taught':>7} {'reads':>6} {'right':>6} {'unread':>7} {'right%':>7} {'wilson':>7}")
    for field, by_k in summary.items():
        for key, row in by_k.items():
            pct = "-" if row["right_pct"] is None else f"{row['right_pct']:.1f}"
            print(f"{field:18} {key:>3} {row['taught']:>7} {row['reads']:>6} {row['right']:>6} {row['unread']:>7} "
                  f"{pct:>7} {row['wilson_lower']:>7.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generated-per-layout", type=int, default=6)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--max-samples", type=int, default=3)
    parser.add_argument("--write-data", action="store_true", help="also write the shipped data file")
    args = parser.parse_args(argv)
    started, cpu = time.perf_counter(), time.process_time()
    sources: dict[str, dict[str, list[Document]]] = {}
    if ZUGFERD.exists():
        sources["zugferd"] = zugferd_groups(ZUGFERD)
    sources["generated"] = generated_groups(args.generated_per_layout, args.seed)
    prefix = ["DOCKET_ZUGFERD=<ZUGFeRD corpus folder>"] if "zugferd" in sources else []
    report: dict[str, Any] = {"command": " ".join([*prefix, "python", "bench/position_reads.py",
                                                   *(argv or sys.argv[1:])]),
                              "measured": dt.date.today().isoformat(), "sources": {}}
    for name, groups in sources.items():
        summary = summarise(measure(groups, args.max_samples))
        count = sum(len(v) for v in groups.values())
        _print(name, summary, len(groups), count)
        report["sources"][name] = {"issuers": len(groups), "documents": count, "fields": summary}
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["cpu_seconds"] = round(time.process_time() - cpu, 1)
    print(f"\n{report['seconds']} s wall, {report['cpu_seconds']} CPU-s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if args.write_data:
        write_data(report)
    return 0


MIN_READS = 30
"""Fewer reads than this for a field and bucket in any source: the field takes the pooled figure."""


def shipped(report: dict[str, Any]) -> dict[str, Any]:
    """The shipped figures. Per field and bucket the lowest Wilson lower bound over the sources that read it at
    least :data:`MIN_READS` times (neither corpus is every vendor: the real one's issuers are a few generators'
    samples, the generated one's layout families mix sellers and languages); a field or bucket without enough
    reads in every source takes the bucket's figure pooled over all fields, again the lowest over the sources."""
    sources: dict[str, Any] = report["sources"]
    counts = {name: {field: {key: {"reads": row["reads"], "right": row["right"]} for key, row in by_k.items()}
                     for field, by_k in source["fields"].items()} for name, source in sources.items()}
    buckets = ("1", "2", "3+")
    pooled: dict[str, float] = {}
    for key in buckets:
        figures = []
        for by_field in counts.values():
            reads = sum(by_k[key]["reads"] for by_k in by_field.values() if key in by_k)
            right = sum(by_k[key]["right"] for by_k in by_field.values() if key in by_k)
            if reads:
                figures.append(round(wilson_lower(right, reads), 4))
        pooled[key] = min(figures)
    confidence: dict[str, dict[str, float]] = {}
    for field in sorted({f for by_field in counts.values() for f in by_field}):
        for key in buckets:
            rows = [by_field[field][key] for by_field in counts.values() if key in by_field.get(field, {})]
            if rows and len(rows) == len(counts) and all(r["reads"] >= MIN_READS for r in rows):
                confidence.setdefault(field, {})[key] = min(round(wilson_lower(r["right"], r["reads"]), 4)
                                                            for r in rows)
    return {"what": "How often a field read at a vendor's learned position is right, by field and number of "
                    "taught corrections (1, 2, 3+): the 95 % Wilson lower bound of right / reads.",
            "command": report["command"], "measured": report["measured"], "z": _Z, "min_reads": MIN_READS,
            "rule": "per field and bucket the lowest Wilson lower bound over the sources with at least min_reads "
                    "reads each; otherwise the bucket's pooled figure (all fields), lowest over the sources",
            "sources": {name: {"what": SOURCES[name], "issuers": sources[name]["issuers"],
                               "documents": sources[name]["documents"], "counts": counts[name]} for name in counts},
            "confidence": confidence, "pooled": pooled}


SOURCES = {"zugferd": "ZUGFeRD / Factur-X development corpus (Apache-2.0), XML removed before reading, truth from "
                      "the embedded XML; an issuer is a generator folder and a seller",
           "generated": "the project's corpus generator, text-layer invoices; an issuer is a layout family"}


def write_data(report: dict[str, Any]) -> None:
    """Write the shipped figures (:func:`shipped`) to ``docket/understanding/data/position_reads.json``."""
    DATA.write_text(json.dumps(shipped(report), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {DATA.relative_to(ROOT)}")


if __name__ == "__main__":
    raise SystemExit(main())
