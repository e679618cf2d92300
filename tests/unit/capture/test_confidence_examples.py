"""Training examples of the field-confidence model are the fields it re-scores at run time."""

from __future__ import annotations

from pathlib import Path

from docket.model import ExtractedField
from docket.understanding.learn.dataset import LabelledFile, examples_of


def _field(name: str, value: str, method: str) -> ExtractedField:
    return ExtractedField(name=name, value=value, raw_text=value, confidence=0.9, method=method, engine="text_layer")


def _labelled() -> LabelledFile:
    return LabelledFile(path=Path("r.pdf"), data=b"", media_type="application/pdf", document_type="receipt",
                        labels={"total": "9.90", "supplier_name": "ACME SDN BHD", "receipt_number": "R-1"},
                        complete=True, split="train", source="generated")


def test_fields_that_keep_their_own_confidence_are_no_training_examples() -> None:
    fields = [_field("total", "9.90", "ranked"), _field("supplier_name", "ACME SDN BHD", "template"),
              _field("invoice_number", "R-1", "position"), _field("receipt_number", "R-1", "layout")]
    examples = examples_of(_labelled(), fields, "receipt", 0.95, ocr=False)
    assert [example.field for example in examples] == ["receipt_number"]
    # as at run time, the count of fields found is the count the model re-scores
    assert examples[0].fields_found == 1
    assert examples[0].right is True


def test_a_rules_field_is_an_example_labelled_right_or_wrong() -> None:
    fields = [_field("total", "9.00", "layout"), _field("receipt_number", "R-1", "pattern")]
    examples = examples_of(_labelled(), fields, "receipt", 0.95, ocr=True)
    assert {(example.field, example.right) for example in examples} == {("total", False), ("receipt_number", True)}
    assert all(example.fields_found == 2 for example in examples)
