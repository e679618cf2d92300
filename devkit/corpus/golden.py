"""The fixed golden set: a small plan of documents committed under ``tests/golden``.

Every document type appears in all three conditions and in both layout splits; two documents run
over several pages (one text-layer PDF, one scan). The set is regenerated with
``python -m devkit.corpus golden --out tests/golden`` and is deterministic: the same plan and seed
give the same truth files (scan bytes may differ across Pillow/pdfium versions, truth does not).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devkit.corpus.crm_generate import generate_crm_document
from devkit.corpus.crm_vocabulary import CRM_DOCUMENT_TYPES
from devkit.corpus.generate import GeneratedDocument, Truth, generate_document
from devkit.corpus.vocabulary import DOCUMENT_TYPES

GOLDEN_SEED = 2026


@dataclass(frozen=True)
class GoldenEntry:
    """One planned document; ``min_pages`` > 1 searches indexes from 1000 up for a long one;
    ``layout`` forces a layout family (the CRM forms)."""

    document_type: str
    condition: str
    split: str
    min_pages: int = 1
    damage: tuple[str, ...] | None = None
    layout: str | None = None


#: one damaged scan per type, together covering every damage kind
_GOLDEN_DAMAGE = (("skew", "noise"), ("fax",), ("rotate_180", "jpeg"), ("photo",), ("low_dpi", "blur"),
                  ("skew", "rotate_90"))


def golden_plan() -> list[GoldenEntry]:
    """33 entries: per type text layer and clean scan in dev and holdout, plus one damaged scan; and
    one text-layer CRM form (order form, contract, customer change form) each."""
    plan = []
    for number, document_type in enumerate(DOCUMENT_TYPES):
        plan += [GoldenEntry(document_type, "text_layer", "dev"), GoldenEntry(document_type, "text_layer", "holdout"),
                 GoldenEntry(document_type, "clean_scan", "dev"), GoldenEntry(document_type, "clean_scan", "holdout"),
                 GoldenEntry(document_type, "damaged_scan", "dev" if number % 2 == 0 else "holdout",
                             damage=_GOLDEN_DAMAGE[number])]
    plan[0] = GoldenEntry("invoice", "text_layer", "dev", min_pages=2)
    plan[13] = GoldenEntry("purchase_order", "clean_scan", "holdout", min_pages=2)
    # the CRM forms: one text-layer PDF per type from the development families (a regression guard
    # for what the CRM reader was built on; its holdout figures come from bench/capture_crm.py)
    plan += [GoldenEntry(kind, "text_layer", "dev", layout=layout)
             for kind, layout in zip(CRM_DOCUMENT_TYPES, ("crm-02", "crm-03", "crm-04"), strict=True)]
    return plan


def golden_document(position: int, entry: GoldenEntry) -> GeneratedDocument:
    """The golden document at ``position`` of the plan."""
    if entry.document_type in CRM_DOCUMENT_TYPES:
        return generate_crm_document(GOLDEN_SEED, position, entry.document_type, entry.condition, entry.split,
                                     layout_id=entry.layout)
    if entry.min_pages <= 1:
        return generate_document(GOLDEN_SEED, position, entry.document_type, entry.condition, entry.split,
                                 damage=entry.damage)
    for index in range(1000, 1400):
        # the page count is known from the text layer; the scan is only made for the one kept
        text = generate_document(GOLDEN_SEED, index, entry.document_type, "text_layer", entry.split)
        if text.truth.pages >= entry.min_pages:
            return generate_document(GOLDEN_SEED, index, entry.document_type, entry.condition, entry.split)
    raise RuntimeError(f"no {entry.min_pages}-page {entry.document_type} in 400 tries")


def write_golden(out: Path) -> list[Truth]:
    """Write the golden set into ``out`` (documents and truth files); return the truths."""
    out.mkdir(parents=True, exist_ok=True)
    truths = []
    for position, entry in enumerate(golden_plan()):
        doc = golden_document(position, entry)
        (out / doc.truth.file).write_bytes(doc.data)
        (out / f"{doc.truth.id}.truth.json").write_text(doc.truth.to_json(), encoding="utf-8")
        truths.append(doc.truth)
    return truths
