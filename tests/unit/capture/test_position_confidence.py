"""The confidence of a field read at a learned position is the measured rate shipped with the package
(``docket/understanding/data/position_reads.json``, written by ``bench/position_reads.py``), not a chosen number."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest

from docket.capture import CaptureOptions, capture_document
from docket.model import BBox
from docket.review.positions import learned_position
from docket.understanding.extract.positions import MEASURED_FILE, measured_confidence, reread_at_positions
from tests import factories
from tests.documents import vendor_layout_invoice, vendor_layout_number_box

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _shipped() -> dict[str, Any]:
    text = resources.files("docket.understanding.data").joinpath(MEASURED_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _wilson_lower(right: int, reads: int, z: float) -> float:
    p = right / reads
    spread = z * math.sqrt(p * (1 - p) / reads + z * z / (4 * reads * reads))
    return (p + z * z / (2 * reads) - spread) / (1 + z * z / reads)


def test_every_shipped_figure_is_the_lowest_wilson_bound_of_its_counts() -> None:
    data = _shipped()
    sources = data["sources"].values()
    z, min_reads = data["z"], data["min_reads"]
    assert data["confidence"] and set(data["pooled"]) == {"1", "2", "3+"}
    for field, by_bucket in data["confidence"].items():
        for bucket, figure in by_bucket.items():
            rows = [s["counts"][field][bucket] for s in sources]
            assert all(0 <= r["right"] <= r["reads"] and r["reads"] >= min_reads for r in rows)
            assert figure == pytest.approx(min(_wilson_lower(r["right"], r["reads"], z) for r in rows), abs=1e-4)
            assert figure <= min(r["right"] / r["reads"] for r in rows)  # a lower bound, never the rate itself
    for bucket, figure in data["pooled"].items():
        pooled = []
        for source in sources:
            rows = [by_bucket[bucket] for by_bucket in source["counts"].values() if bucket in by_bucket]
            pooled.append(_wilson_lower(sum(r["right"] for r in rows), sum(r["reads"] for r in rows), z))
        assert figure == pytest.approx(min(pooled), abs=1e-4)


def test_the_measured_confidence_is_the_shipped_figure_by_field_and_samples() -> None:
    data = _shipped()
    figures = data["confidence"]["invoice_number"]
    assert measured_confidence("invoice_number", 1) == figures["1"]
    assert measured_confidence("invoice_number", 2) == figures.get("2", data["pooled"]["2"])
    assert measured_confidence("invoice_number", 3) == measured_confidence("invoice_number", 7) == figures.get(
        "3+", data["pooled"]["3+"])


def test_a_field_measured_too_rarely_takes_the_pooled_figure() -> None:
    data = _shipped()
    assert "payment_terms" not in data["confidence"]
    assert measured_confidence("payment_terms", 1) == data["pooled"]["1"]
    assert measured_confidence("payment_terms", 4) == data["pooled"]["3+"]


def _reread(samples: int, *, identified: bool) -> float:
    box = BBox.model_validate(vendor_layout_number_box())
    position = None
    for _ in range(samples):
        position = learned_position(position, legal_entity="DE01", vendor_id="V-1001", document_type="invoice",
                                    field="number", box=box, now=T0)
    assert position is not None and position.samples == samples
    [second] = capture_document(vendor_layout_invoice("VG-2025-0522", quantity=25), "second.pdf",
                                options=CaptureOptions(keep_pages=True))
    number = {f.name: f for f in reread_at_positions(second, [position], vendor_identified=identified).fields}[
        "invoice_number"]
    assert (number.value, number.method) == ("VG-2025-0522", "position")
    return number.confidence


@pytest.mark.parametrize("samples", [1, 2, 3])
def test_a_position_read_of_an_identified_vendor_has_the_measured_confidence(samples: int) -> None:
    assert _reread(samples, identified=True) == measured_confidence("invoice_number", samples)


def test_an_unidentified_vendor_never_gets_more_than_the_measured_confidence() -> None:
    unidentified = _reread(1, identified=False)
    assert 0 < unidentified <= measured_confidence("invoice_number", 1)


def test_a_rules_read_stays_unless_position_reads_were_measured_more_reliable() -> None:
    box = BBox.model_validate(vendor_layout_number_box())
    position = learned_position(None, legal_entity="DE01", vendor_id="V-1001", document_type="invoice",
                                field="number", box=box, now=T0)
    [second] = capture_document(vendor_layout_invoice("VG-2025-0522", quantity=25), "second.pdf",
                                options=CaptureOptions(keep_pages=True))
    measured = measured_confidence("invoice_number", 1)
    for claimed, replaced in ((round(measured + 0.01, 4), False), (round(measured - 0.01, 4), True)):
        ruled = factories.field("invoice_number", "VG-2025-9999", confidence=claimed)
        with_rule = replace(second, fields=[*second.fields, ruled])
        number = {f.name: f for f in reread_at_positions(with_rule, [position], vendor_identified=True).fields}[
            "invoice_number"]
        assert number.value == ("VG-2025-0522" if replaced else "VG-2025-9999")
