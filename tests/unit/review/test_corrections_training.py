"""Reviewers' corrections become training rows of the field-confidence model: exported from a review
store (SQLite here) as a labelled folder, captured again, each read field judged against the corrected
labels; the manifest says how many corrections came from which store."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from connectors.blobstore import LocalBlobStore
from connectors.stores.corrections_export import export_corrections
from connectors.stores.review import ReviewStore
from docket.model import BBox, FieldCorrection, InvoiceRecord, ReviewRequested
from docket.review.workflow import completion, decide
from docket.understanding.learn.corrections import correction_labels
from docket.understanding.learn.runner import corrections_of, gather
from tests import factories
from tests.unit.capture.test_vendor_positions import _vendor_invoice
from tests.unit.review.builders import T0, anna

NAME_READ = "Kaltenbrunner Feinmechanik GmbH RECHNUNG"  # the title beside the letterhead, read into the name
NAME_RIGHT = "Kaltenbrunner Feinmechanik GmbH"


def _record(**overrides: object) -> InvoiceRecord:
    values: dict[str, object] = dict(document_type="invoice", number=None, issue_date=date(2025, 4, 3),
                                     currency="EUR", total=Decimal("1190.00"), supplier_name=NAME_READ,
                                     supplier_address="Industriestraße 4, 6020 Innsbruck")
    values.update(overrides)
    return InvoiceRecord.model_validate(values)


def _task(store: ReviewStore, blobs: LocalBlobStore, document_id: str, data: bytes) -> ReviewRequested:
    stored = blobs.put(data)
    envelope = factories.envelope(event_id=f"ev-{document_id}", document_id=document_id, correlation_id=document_id)
    request = factories.review_requested(envelope=envelope, task_id=f"{document_id}:0", document=factories.enriched(
        envelope=envelope, blob_uri=stored.uri, sha256=stored.sha256, record=_record()))
    store.add_request(request)
    return request


def _decide(store: ReviewStore, task_id: str, decision: str, corrections: list[FieldCorrection]) -> None:
    seen = store.task(task_id)
    verdict = completion(seen, store.request(task_id), decision=decision, user=anna, seen_version=1, now=T0,
                         corrections=corrections, reason="not ours" if decision == "reject" else None)
    changed = decide(seen, decision=decision, seen_version=1, user=anna, now=T0, corrections=corrections)
    store.commit_change(changed, seen_version=1, actor="anna", action=decision, now=T0, review=verdict)


@pytest.fixture
def reviewed(tmp_path: Path) -> tuple[ReviewStore, LocalBlobStore]:
    """One approval with two corrections, one approval without any, one rejection."""
    store = ReviewStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    blobs = LocalBlobStore(tmp_path / "blobs")
    _task(store, blobs, "doc-1", _vendor_invoice("VG-2025-0417"))
    _task(store, blobs, "doc-2", _vendor_invoice("VG-2025-0418"))
    _task(store, blobs, "doc-3", _vendor_invoice("VG-2025-0419"))
    box = BBox(page=1, x0=0.66, y0=0.11, x1=0.82, y1=0.13)
    _decide(store, "doc-1:0", "approve", [
        FieldCorrection(field="supplier_name", old_value=NAME_READ, new_value=NAME_RIGHT),
        FieldCorrection(field="number", old_value=None, new_value="VG-2025-0417", bbox=box)])
    _decide(store, "doc-2:0", "approve", [])
    _decide(store, "doc-3:0", "reject", [FieldCorrection(field="total", old_value="1190.00", new_value="1.00")])
    return store, blobs


def test_labels_are_the_approved_record_with_the_corrections_under_capture_names() -> None:
    labels = correction_labels(_record(), [FieldCorrection(field="number", new_value="VG-1"),
                                           FieldCorrection(field="supplier_address", old_value="x", new_value=None)])
    assert labels == {"currency": "EUR", "invoice_date": "2025-04-03", "invoice_number": "VG-1",
                      "supplier_name": NAME_READ, "total": "1190.0000"}
    receipt = correction_labels(_record(document_type="receipt", number="R-9"), [])
    assert receipt["receipt_number"] == "R-9" and receipt["receipt_date"] == "2025-04-03"


def test_only_corrected_approvals_are_exported_with_partial_labels(reviewed: tuple[ReviewStore, LocalBlobStore],
                                                                   tmp_path: Path) -> None:
    store, blobs = reviewed
    out = tmp_path / "corrections"
    summary = export_corrections(store, blobs, out, now=T0)
    assert (summary["reviews"], summary["corrected_fields"], summary["documents_missing"]) == (1, 2, 0)
    assert summary["store"].startswith("sqlite:///") and summary["store"].endswith("audit.sqlite")
    (sidecar,) = out.glob("*.truth.json")
    truth = json.loads(sidecar.read_text(encoding="utf-8"))
    assert (truth["complete"], truth["source"], truth["task_id"]) == (False, "review", "doc-1:0")
    assert truth["fields"]["invoice_number"] == "VG-2025-0417" and truth["fields"]["supplier_name"] == NAME_RIGHT
    document = store.request("doc-1:0").document
    assert (out / truth["file"]).read_bytes() == blobs.get(document.blob_uri)
    assert truth["file"] == f"{document.sha256[:16]}.pdf"


def test_exported_corrections_become_training_rows_with_the_corrected_labels(
        reviewed: tuple[ReviewStore, LocalBlobStore], tmp_path: Path) -> None:
    store, blobs = reviewed
    out = tmp_path / "corrections"
    export_corrections(store, blobs, out, now=T0)
    gathered = gather([out])
    rows = {e.field: e for items in gathered.examples.values() for e in items}
    assert gathered.sources == {"review": 1}
    # The reviewer corrected the name: the rules' reading is a wrong row; approved values are right rows.
    assert rows["supplier_name"].right is False
    assert rows["total"].right is True and rows["invoice_date"].right is True and rows["currency"].right is True
    # A field the rules missed has no row (the model scores values read), and unlabelled fields are not judged.
    assert "invoice_number" not in rows and "supplier_vat_id" not in rows
    (described,) = corrections_of([tmp_path / "elsewhere", out])
    assert (described["folder"], described["reviews"], described["corrected_fields"]) == ("corrections", 1, 2)


def test_the_export_command_writes_the_folder(reviewed: tuple[ReviewStore, LocalBlobStore], tmp_path: Path) -> None:
    store, blobs = reviewed
    out = tmp_path / "exported"
    result = CliRunner().invoke(app, ["review", "export-corrections", str(out), "--store", str(store.engine.url),
                                      "--blobs", str(blobs.root), "--entity", "DE01"])
    assert result.exit_code == 0, result.output
    assert "1 corrected reviews (2 fields)" in result.output
    assert len(list(out.glob("*.pdf"))) == 1 and (out / "corrections.json").is_file()
    empty = tmp_path / "none"
    assert CliRunner().invoke(app, ["review", "export-corrections", str(empty), "--store", str(store.engine.url),
                                    "--blobs", str(blobs.root), "--entity", "FR01"]).exit_code == 0
    assert list(empty.glob("*.pdf")) == []
