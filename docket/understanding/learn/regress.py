"""A regression suite for capture: replay labelled folders, judge every labelled field, compare with a
stored baseline (per file and field: right or wrong) and say what improved, regressed, stayed; with a
``payload`` function, also what the posting mapping makes of each file, compared as a snapshot.

Files are keyed by their sha256, so a baseline survives renames; a field right in the baseline and wrong
now is a regression. The baseline is plain JSON, meant to be committed beside the labelled documents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docket.understanding.learn.dataset import LabelledFile, labelled_files
from docket.understanding.learn.judge import ALIASES, verdict


@dataclass
class Replay:
    """Per file (sha256) and field: whether the value read now is right, and what was read."""

    results: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    payloads: dict[str, Any] = field(default_factory=dict)


# (captured document, file name, sha256) -> the payload its posting would carry, None if not posted
PayloadFunction = Callable[[Any, str, str], Any]


def replay(folders: Sequence[Path], *, images: bool = False,
           progress: Callable[[LabelledFile], None] | None = None, payload: PayloadFunction | None = None) -> Replay:
    """Capture every labelled file under ``folders`` and judge its labelled fields (lenient); with
    ``payload``, keep what the posting mapping makes of each file's first document too."""
    from docket.capture import capture_document
    from docket.errors import DocketError

    out = Replay()
    for labelled in labelled_files(folders, images=images):
        if progress is not None:
            progress(labelled)
        key = labelled.sha256 or hashlib.sha256(labelled.data).hexdigest()
        out.names[key] = labelled.path.name
        try:
            documents = capture_document(labelled.data, labelled.path.name, labelled.media_type)
            read = {f.name: f.value for f in documents[0].fields}
            kind = documents[0].document_type
            if payload is not None:
                out.payloads[key] = _payload_of(payload, documents[0], labelled.path.name, key)
        except DocketError as exc:
            read, kind = {}, f"error:{exc.code}"
        fields: dict[str, dict[str, Any]] = {"document_type": {"right": kind == labelled.document_type,
                                                               "value": kind}}
        for name, truth in sorted(labelled.labels.items()):
            value = next((read[n] for n in (name, *ALIASES.get(name, ())) if n in read), None)
            fields[name] = {"right": verdict(name, truth, value)[1], "value": value}
        out.results[key] = fields
    return out


def _payload_of(payload: PayloadFunction, document: Any, name: str, key: str) -> Any:
    """The payload, or the code of the error that stops the mapping (itself part of the snapshot)."""
    from docket.errors import DocketError

    try:
        return payload(document, name, key)
    except DocketError as exc:
        return {"error": exc.code}


def compare(baseline: dict[str, Any], current: Replay) -> dict[str, Any]:
    """Improved / regressed / unchanged per field name, and the regressed (file, field, was, now) rows."""
    before = baseline.get("results", {})
    per_field: dict[str, dict[str, int]] = {}
    regressions = []
    for key, fields in current.results.items():
        old = before.get(key)
        if old is None:
            continue
        for name, result in fields.items():
            was = old.get(name)
            if was is None:
                continue
            row = per_field.setdefault(name, {"improved": 0, "regressed": 0, "unchanged": 0})
            if was["right"] and not result["right"]:
                row["regressed"] += 1
                regressions.append({"file": current.names.get(key, key[:12]), "field": name, "was": was["value"],
                                    "now": result["value"]})
            elif result["right"] and not was["right"]:
                row["improved"] += 1
            else:
                row["unchanged"] += 1
    payloads_before = baseline.get("payloads", {})
    changed = [{"file": current.names.get(key, key[:12]), "paths": paths}
               for key, now in sorted(current.payloads.items()) if key in payloads_before
               for paths in [payload_changes(payloads_before[key], now)] if paths]
    return {"per_field": dict(sorted(per_field.items())), "regressions": regressions, "payload_changes": changed,
            "new_files": sum(1 for key in current.results if key not in before),
            "gone_files": sum(1 for key in before if key not in current.results)}


def baseline_of(current: Replay) -> dict[str, Any]:
    """The JSON to store as the next baseline."""
    return {"results": current.results, "names": current.names, "payloads": current.payloads}


def payload_changes(was: Any, now: Any, path: str = "") -> list[str]:
    """Dotted paths where two payloads differ (a key added, removed or changed)."""
    if isinstance(was, dict) and isinstance(now, dict):
        return [change for key in sorted(set(was) | set(now))
                for change in payload_changes(was.get(key), now.get(key), f"{path}.{key}" if path else key)]
    if isinstance(was, list) and isinstance(now, list) and len(was) == len(now):
        return [change for index, (a, b) in enumerate(zip(was, now, strict=True))
                for change in payload_changes(a, b, f"{path}[{index}]")]
    return [] if was == now else [path or "(payload)"]
