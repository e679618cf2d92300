"""CRM forms (order forms, contracts, customer change forms) with their truth, deterministic from a seed.

Document ``i`` of seed ``s`` draws everything from ``random.Random(f"crm:{s}:{i}")``, so it can be
regenerated alone. Types are dealt round-robin; the layout family is drawn from the split asked
for (``dev``, ``holdout``, ``holdout2`` or ``all``). Tune the CRM extractor on ``dev`` only; report
``holdout`` and ``holdout2``.

    from devkit.corpus.crm_generate import generate_crm_corpus
    truths = generate_crm_corpus(Path("crm-corpus"), count=30, seed=7, split="holdout")
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from devkit.corpus.crm_content import make_crm_content
from devkit.corpus.crm_layouts import CrmLayout, crm_layout, crm_layouts
from devkit.corpus.crm_render import render_crm
from devkit.corpus.crm_vocabulary import CRM_DOCUMENT_TYPES
from devkit.corpus.damage import make_scan
from devkit.corpus.generate import CorpusError, GeneratedDocument, Truth


def generate_crm_document(seed: int, index: int, document_type: str, condition: str = "text_layer",
                          split: str = "all", layout_id: str | None = None) -> GeneratedDocument:
    """CRM form ``index`` of corpus ``seed``: ``document_type`` as a text-layer PDF or a clean scan."""
    if document_type not in CRM_DOCUMENT_TYPES:
        raise CorpusError(f"unknown CRM document type {document_type!r} (allowed: {', '.join(CRM_DOCUMENT_TYPES)})")
    if condition not in {"text_layer", "clean_scan"}:
        raise CorpusError(f"unknown CRM condition {condition!r} (text_layer or clean_scan)")
    if split not in {"all", "dev", "holdout", "holdout2"}:
        raise CorpusError(f"unknown split {split!r} (dev, holdout, holdout2 or all)")
    rng = random.Random(f"crm:{seed}:{index}")
    layout: CrmLayout = crm_layout(layout_id) if layout_id else rng.choice(
        crm_layouts(None if split == "all" else split))
    content = make_crm_content(document_type, layout.vocabulary, rng)
    rendered = render_crm(content, layout)
    doc_id = f"c{seed}-{index:05d}-{document_type}"
    if condition == "text_layer":
        data, extension, pages = rendered.pdf, "pdf", rendered.pages
    else:
        scan = make_scan(rendered.pdf, rng, damaged=False)
        data, extension, pages = scan.data, scan.extension, scan.pages
    truth = Truth(id=doc_id, document_type=document_type, layout=layout.id, layout_split=layout.split,
                  language=content.language, condition=condition, damage=[], file=f"{doc_id}.{extension}",
                  pages=pages, fields=rendered.fields, line_items=[], seed=f"crm:{seed}:{index}",
                  printed=rendered.printed)
    return GeneratedDocument(data=data, truth=truth, rendered=rendered)


def generate_crm_corpus(out: Path, count: int, seed: int, split: str = "all",
                        types: Sequence[str] = CRM_DOCUMENT_TYPES) -> list[Truth]:
    """Write ``count`` CRM forms (types round-robin) and their truth files into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    truths = []
    for index in range(count):
        generated = generate_crm_document(seed, index, types[index % len(types)], split=split)
        (out / generated.truth.file).write_bytes(generated.data)
        (out / f"{generated.truth.id}.truth.json").write_text(generated.truth.to_json(), encoding="utf-8")
        truths.append(generated.truth)
    return truths
