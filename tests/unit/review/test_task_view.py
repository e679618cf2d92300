"""The task page's data: extracted names mapped to form fields, findings beside them, masking."""

from __future__ import annotations

from connectors.web.task_view import record_field_of, task_view
from docket.model import Finding
from docket.review.tasks import AUDITOR, User
from tests.unit.review.builders import anna, request, rita, task

EXTRACTED = [
    {"name": "invoice_number", "value": "RE-1", "bbox": {"page": 1, "x0": 0.6, "y0": 0.2, "x1": 0.7, "y1": 0.22}},
    {"name": "total", "value": "119.00", "bbox": {"page": 2, "x0": 0.7, "y0": 0.3, "x1": 0.8, "y1": 0.32}},
    {"name": "supplier_iban", "value": "••••3000", "bbox": None},
]


def _fields(view: object) -> dict[str, object]:
    return {f.name: f for f in view.fields}  # type: ignore[attr-defined]


def test_extracted_names_map_to_the_fields_the_form_corrects() -> None:
    assert record_field_of("invoice_number") == "number" and record_field_of("credit_note_date") == "issue_date"
    assert record_field_of("total") == "total" and record_field_of("line_amount") is None


def test_boxes_confidence_and_findings_sit_beside_their_field() -> None:
    req = request()
    document = req.document.model_copy(update={
        "findings": [Finding(rule_id="TOTALS", severity="error", message="net + tax != total", fields=["total"]),
                     Finding(rule_id="GENERAL", severity="warning", message="odd layout")],
        "field_confidence": {"invoice_number": 0.4, "total": 0.97}})
    view = task_view(task(), req.model_copy(update={"document": document}), rita, extracted=EXTRACTED,
                     unmasked=frozenset(), page_count=2, words={})
    fields = _fields(view)
    number, total = fields["number"], fields["total"]
    assert number.boxes[0]["page"] == 1 and number.confidence == 0.4 and number.confidence_class == "low"  # type: ignore[attr-defined]
    assert total.boxes[0]["page"] == 2 and total.findings == ["error: net + tax != total (TOTALS)"]  # type: ignore[attr-defined]
    assert view.other_findings == ["warning: odd layout (GENERAL)"]
    assert view.can_decide and number.editable  # type: ignore[attr-defined]


def test_protected_fields_are_masked_and_read_only_unless_unmasked_by_an_approver() -> None:
    req = request()
    iban = req.document.record.supplier_iban
    for user, unmasked in ((rita, frozenset({"supplier_iban"})), (anna, frozenset())):
        field = _fields(task_view(task(), req, user, extracted=EXTRACTED, unmasked=unmasked, page_count=1,
                                  words={}))["supplier_iban"]
        assert field.masked and not field.editable and field.value != iban  # type: ignore[attr-defined]
    shown = _fields(task_view(task(), req, anna, extracted=EXTRACTED, unmasked=frozenset({"supplier_iban"}),
                              page_count=1, words={}))["supplier_iban"]
    assert shown.value == iban and shown.editable  # type: ignore[attr-defined]


def test_an_auditor_gets_a_read_only_page() -> None:
    view = task_view(task(), request(), User("otto", AUDITOR, frozenset({"*"})), extracted=EXTRACTED,
                     unmasked=frozenset(), page_count=1, words={})
    assert not view.can_decide and not any(f.editable for f in view.fields)


def test_an_e_invoice_value_shows_its_business_term_and_xml_path() -> None:
    extracted = [{"name": "total", "value": "119.00", "bbox": None, "business_term": "BT-112",
                  "xml_path": "/ubl:Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"}, *EXTRACTED[:1]]
    fields = _fields(task_view(task(), request(), rita, extracted=extracted, unmasked=frozenset(), page_count=1,
                               words={}))
    assert fields["total"].source == "BT-112 /ubl:Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"  # type: ignore[attr-defined]
    assert fields["number"].source is None  # type: ignore[attr-defined]
