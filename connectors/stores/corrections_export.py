"""Reviewers' corrections out of the review store, as a labelled folder the confidence model trains on.

For every approved review that corrected fields: the document's bytes (from the blob store, by the
content address its task names) as ``<sha256[:16]>.<ext>`` and its labels beside it as
``<sha256[:16]>.truth.json`` (:func:`docket.understanding.learn.corrections.truth_sidecar`), plus one
``corrections.json`` saying where the labels came from (the store's URL without its password), how many
reviews and corrected fields, and when. ``docket model train FOLDER ...`` then adds them to the training
set and records that file in the model's manifest. A document whose blob is gone is counted and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from connectors.blobstore import BlobStore
from connectors.stores.review import ReviewStore
from docket.errors import DocketError
from docket.reading import sniff
from docket.understanding.learn.corrections import correction_labels, truth_sidecar
from docket.understanding.learn.runner import CORRECTIONS_FILE

_EXTENSIONS = {sniff.PDF: ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/tiff": ".tiff"}


def export_corrections(store: ReviewStore, blobs: BlobStore, out: Path, *, now: datetime,
                       legal_entities: Iterable[str] | None = None) -> dict[str, Any]:
    """Write the labelled folder ``out`` (see the module doc); returns what ``corrections.json`` says."""
    out.mkdir(parents=True, exist_ok=True)
    latest: dict[str, tuple[str, Any, list[Any]]] = {}
    for task_id, request, corrections in store.corrected_reviews(legal_entities):
        latest[request.document.sha256] = (task_id, request, corrections)  # a later revision's decision wins
    written, missing, corrected_fields = 0, 0, 0
    for task_id, request, corrections in latest.values():
        document = request.document
        try:
            data = blobs.get(document.blob_uri)
            extension = _EXTENSIONS.get(sniff.sniff_media_type(data))
        except DocketError:  # the blob is gone, corrupt, or nothing capture reads
            missing += 1
            continue
        if extension is None:
            missing += 1
            continue
        stem = document.sha256[:16]
        labels = correction_labels(document.record, corrections)
        sidecar = truth_sidecar(f"{stem}{extension}", document.record.document_type, labels, task_id=task_id,
                                corrected=[c.field for c in corrections])
        (out / f"{stem}{extension}").write_bytes(data)
        (out / f"{stem}.truth.json").write_text(
            json.dumps(sidecar, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        written += 1
        corrected_fields += len(corrections)
    summary = {"store": make_url(str(store.engine.url)).render_as_string(hide_password=True),
               "reviews": written, "corrected_fields": corrected_fields, "documents_missing": missing,
               "exported_at": now.isoformat(timespec="seconds")}
    (out / CORRECTIONS_FILE).write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return summary
