"""Corpus generation: documents plus ``<id>.truth.json`` files, deterministic from a seed.

Document ``i`` of seed ``s`` draws everything from ``random.Random(f"{s}:{i}")``, so one document
can be regenerated alone and adding documents never changes earlier ones. Types and conditions are
dealt round-robin so that a small corpus still covers every combination evenly.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from devkit.corpus.content import make_content
from devkit.corpus.damage import make_scan
from devkit.corpus.layouts import Layout, layout_by_id, layouts_for
from devkit.corpus.render import RenderedDocument, render_pdf
from devkit.corpus.vocabulary import CONDITIONS, DOCUMENT_TYPES, LANGUAGES
from docket.errors import DocketError


class CorpusError(DocketError):
    """A generation request that cannot be met (unknown type, condition or split)."""

    code = "CORPUS_BAD_REQUEST"


@dataclass(frozen=True)
class Truth:
    """The ground truth of one generated document, as written to ``<id>.truth.json``."""

    id: str
    document_type: str
    layout: str
    layout_split: str
    language: str
    condition: str
    damage: list[str]
    file: str
    pages: int
    fields: dict[str, str]
    line_items: list[dict[str, str]]
    seed: str = ""
    printed: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """The truth file's text (stable key order, UTF-8 characters kept)."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Truth:
        """Parse a truth file written by :meth:`to_json`."""
        data = json.loads(text)
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


@dataclass(frozen=True)
class GeneratedDocument:
    """One document: its file bytes, its truth and the text-layer rendering it was made from."""

    data: bytes
    truth: Truth
    rendered: RenderedDocument


def _check(values: Sequence[str], allowed: Sequence[str], what: str) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown or not values:
        raise CorpusError(f"unknown or empty {what}: {unknown or 'none given'} (allowed: {', '.join(allowed)})")


def generate_document(seed: int, index: int, document_type: str, condition: str, split: str = "all",
                      layout_id: str | None = None, damage: tuple[str, ...] | None = None) -> GeneratedDocument:
    """Document ``index`` of corpus ``seed``: ``document_type`` in ``condition``.

    ``split`` (``dev``, ``holdout`` or ``all``) restricts the layout families drawn from;
    ``layout_id`` forces one family, ``damage`` the damage of a damaged scan.
    Raises :class:`CorpusError` for an unknown type or condition.
    """
    _check([document_type], DOCUMENT_TYPES, "document type")
    _check([condition], CONDITIONS, "condition")
    rng = random.Random(f"{seed}:{index}")
    layout: Layout = layout_by_id(layout_id) if layout_id else rng.choice(
        layouts_for(document_type, None if split == "all" else split))
    language = rng.choice(LANGUAGES)
    content = make_content(document_type, language, rng)
    rendered = render_pdf(content, layout)
    doc_id = f"s{seed}-{index:05d}-{document_type}"
    applied: tuple[str, ...]
    if condition == "text_layer":
        data, extension, applied, pages = rendered.pdf, "pdf", (), rendered.pages
    else:
        damaged = condition == "damaged_scan"
        scan = make_scan(rendered.pdf, rng, damaged=damaged, damage=damage if damaged else None)
        data, extension, applied, pages = scan.data, scan.extension, scan.damage, scan.pages
    truth = Truth(id=doc_id, document_type=document_type, layout=layout.id, layout_split=layout.split,
                  language=language, condition=condition, damage=list(applied), file=f"{doc_id}.{extension}",
                  pages=pages, fields=rendered.fields, line_items=rendered.line_items, seed=f"{seed}:{index}",
                  printed=rendered.printed)
    return GeneratedDocument(data=data, truth=truth, rendered=rendered)


def plan(count: int, types: Sequence[str] = DOCUMENT_TYPES,
         conditions: Sequence[str] = CONDITIONS) -> Iterator[tuple[int, str, str]]:
    """(index, document type, condition) for ``count`` documents, dealt round-robin."""
    _check(types, DOCUMENT_TYPES, "document types")
    _check(conditions, CONDITIONS, "conditions")
    for index in range(count):
        yield index, types[index % len(types)], conditions[(index // len(types)) % len(conditions)]


def generate_corpus(out: Path, count: int, seed: int, types: Sequence[str] = DOCUMENT_TYPES,
                    conditions: Sequence[str] = CONDITIONS, split: str = "all") -> list[Truth]:
    """Write ``count`` documents and their truth files into ``out``; return the truths in order."""
    if split not in {"all", "dev", "holdout"}:
        raise CorpusError(f"unknown split {split!r} (dev, holdout or all)")
    out.mkdir(parents=True, exist_ok=True)
    truths = []
    for index, document_type, condition in plan(count, types, conditions):
        generated = generate_document(seed, index, document_type, condition, split)
        (out / generated.truth.file).write_bytes(generated.data)
        (out / f"{generated.truth.id}.truth.json").write_text(generated.truth.to_json(), encoding="utf-8")
        truths.append(generated.truth)
    return truths


def read_truths(directory: Path) -> list[Truth]:
    """Every ``*.truth.json`` in ``directory``, sorted by id."""
    return sorted((Truth.from_json(path.read_text(encoding="utf-8"))
                   for path in directory.glob("*.truth.json")), key=lambda truth: truth.id)
