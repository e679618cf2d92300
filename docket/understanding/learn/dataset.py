"""Labelled folders into training examples: every file with a label source is captured (as printed)
and each extracted field becomes a :class:`FieldExample` marked right or wrong.

Label sources: a sidecar ``<name>.truth.json`` (the corpus generator's format: ``file``, ``document_type``,
``fields``; every field on the page is listed, so a field read that the truth lacks is wrong; a sidecar
with ``"complete": false`` labels only some fields, and ``source`` names where its labels came from, e.g.
``review`` for reviewers' corrections exported by ``docket review export-corrections``), or the
invoice XML embedded in a hybrid PDF (removed before capture; only labelled, printed fields are judged).
Each file belongs to the ``train`` or ``calib`` split by its sha256, so retraining sees the same split.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from docket.model import ExtractedField
from docket.understanding.learn.confidence import FIELDS, OWN_CONFIDENCE_METHODS, FieldExample, example_of
from docket.understanding.learn.judge import ALIASES, printed, split_of, verdict
from docket.understanding.learn.labels import embedded_xml, page_text, without_attachments, xml_labels

_MEDIA = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
          ".tif": "image/tiff", ".tiff": "image/tiff"}


@dataclass(frozen=True)
class LabelledFile:
    """A file to capture, its labels, whether all its fields are labelled, and its split."""

    path: Path
    data: bytes
    media_type: str
    document_type: str
    labels: dict[str, str]
    complete: bool
    split: str
    source: str
    sha256: str = ""


def labelled_files(folders: Sequence[Path], *, images: bool = False) -> Iterator[LabelledFile]:
    """Labelled files under ``folders`` (recursively), sorted by path; images only when asked (OCR is slow)."""
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            media = _MEDIA.get(path.suffix.lower())
            if media is None or (media != "application/pdf" and not images):
                continue
            sidecar = path.with_name(f"{path.stem}.truth.json")
            if sidecar.exists():
                truth = json.loads(sidecar.read_text(encoding="utf-8"))
                data = path.read_bytes()
                yield LabelledFile(path, data, media, str(truth["document_type"]),
                                   {k: str(v) for k, v in truth["fields"].items()}, bool(truth.get("complete", True)),
                                   split_of(data), str(truth.get("source", "generated")),
                                   hashlib.sha256(data).hexdigest())
            elif media == "application/pdf":
                labelled = _embedded(path)
                if labelled is not None:
                    yield labelled


def _embedded(path: Path) -> LabelledFile | None:
    raw = path.read_bytes()
    try:
        xml = embedded_xml(path)
        if xml is None:
            return None
        document_type, labels = xml_labels(xml)
        data = without_attachments(raw)
        text = page_text(raw)
    except Exception:  # an unreadable PDF or XML is no training material
        return None
    labels = {name: value for name, value in labels.items() if printed(name, value, text)}
    if not labels:
        return None
    return LabelledFile(path, data, "application/pdf", document_type, labels, False, split_of(raw), "einvoice",
                        hashlib.sha256(raw).hexdigest())


def examples_of(labelled: LabelledFile, fields: Sequence[ExtractedField], document_type: str,
                type_confidence: float, ocr: bool) -> list[FieldExample]:
    """Training examples for the fields captured from ``labelled``: those the model re-scores at run
    time (not the ones found by a method that keeps its own confidence)."""
    examples = []
    # as at run time, where the model's field count is the count of the fields it re-scores
    captured = [f for f in fields if f.name in FIELDS and f.method not in OWN_CONFIDENCE_METHODS]
    for field in captured:
        names = (field.name, *ALIASES.get(field.name, ()))
        truth = next((labelled.labels[n] for n in names if n in labelled.labels), None)
        if truth is None and not labelled.complete:
            continue
        right = truth is not None and verdict(field.name, truth, field.value)[1]
        examples.append(example_of(field, document_type, type_confidence, ocr, len(captured), right))
    return examples
