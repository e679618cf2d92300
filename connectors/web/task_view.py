"""What the task page shows, built from the task, its request, the extraction and the viewer.

Extracted field names (``invoice_number``, ``invoice_date`` ...) are mapped to the record fields a
reviewer corrects (``number``, ``issue_date`` ...), so confidence, boxes and findings sit beside
the form field they concern. Protected values arrive here already masked for the viewer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from docket.model import ReviewRequested
from docket.records.normalize import ISSUE_DATE_FIELDS, NUMBER_FIELDS
from docket.review.masking import is_protected, masked_values, may_unmask
from docket.review.permissions import may_decide
from docket.review.tasks import Task, User
from docket.review.workflow import CORRECTABLE_FIELDS, record_values

LABELS = {"number": "Document number", "issue_date": "Issue date", "due_date": "Due date",
          "net_total": "Net total", "tax_total": "Tax total", "total": "Total", "supplier_iban": "Supplier IBAN",
          "supplier_bic": "Supplier BIC", "supplier_vat_id": "Supplier VAT ID", "po_number": "PO number"}


def record_field_of(extracted_name: str) -> str | None:
    """The record field an extracted field fills, or None when it fills none the form shows."""
    if extracted_name in NUMBER_FIELDS:
        return "number"
    if extracted_name in ISSUE_DATE_FIELDS:
        return "issue_date"
    return extracted_name if extracted_name in CORRECTABLE_FIELDS else None


@dataclass
class FieldView:
    name: str
    label: str
    value: str
    protected: bool
    masked: bool
    editable: bool
    confidence: float | None = None
    boxes: list[dict[str, Any]] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    source: str | None = None  # an e-invoice value's business term and XML path (``BT-112 /rsm:...``)

    @property
    def confidence_class(self) -> str:
        if self.confidence is None:
            return "unknown"
        return "low" if self.confidence < 0.85 else "medium" if self.confidence < 0.95 else "high"


@dataclass
class TaskView:
    task: Task
    request: ReviewRequested
    fields: list[FieldView]
    other_findings: list[str]
    can_decide: bool
    can_unmask: bool
    page_count: int
    words: dict[int, list[dict[str, Any]]]
    cash: dict[str, Any] | None
    mail: dict[str, Any] | None = None


def _confidences(request: ReviewRequested) -> dict[str, float]:
    found: dict[str, float] = {}
    for name, value in request.document.field_confidence.items():
        target = record_field_of(name)
        if target is not None:
            found[target] = min(value, found.get(target, 1.0))
    return found


def _boxes(extracted: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for item in extracted:
        target = record_field_of(str(item.get("name", "")))
        if target is not None and item.get("bbox"):
            found.setdefault(target, []).append(dict(item["bbox"]))
    return found


def _sources(extracted: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Where an e-invoice's values stand in its XML: ``BT-112 /rsm:…/ram:GrandTotalAmount``."""
    found: dict[str, str] = {}
    for item in extracted:
        target = record_field_of(str(item.get("name", "")))
        if target is not None and item.get("business_term") and target not in found:
            found[target] = f"{item['business_term']} {item.get('xml_path') or ''}".strip()
    return found


def _cash(request: ReviewRequested) -> dict[str, Any] | None:
    """A payment task's proposal: the payment, the items it would settle with their amounts, and the
    ranked candidates (each a choice the reviewer can approve); None for documents."""
    application = request.cash_application
    if application is None:
        return None
    return {"payment_id": application.payment_id, "amount": application.payment_amount,
            "currency": application.currency, "customer_id": application.customer_id,
            "unapplied": application.unapplied_amount, "confidence": application.confidence,
            "applications": [a.model_dump() for a in application.applications],
            "candidates": [{**c.model_dump(), "choice": ", ".join(c.open_item_ids)} for c in application.candidates],
            "evidence": list(application.evidence)}


def _mail(request: ReviewRequested) -> dict[str, Any] | None:
    """A customer-mail task's mail: who wrote, what, what it was read as, and the open items it names
    (each with what the master data said of it when the task was made); None for other tasks."""
    mail = request.customer_mail
    if mail is None:
        return None
    described = {f.fields[0]: f.message for f in request.document.findings
                 if f.rule_id == "MAIL_OPEN_ITEM" and f.fields}
    return {"sender": mail.sender or "", "subject": mail.subject, "body": mail.body,
            "intent": mail.intent.replace("_", " "), "probability": mail.probability,
            "promised_date": mail.promised_date, "amounts": list(mail.amounts),
            "invoice_numbers": list(mail.invoice_numbers),
            "open_items": [{"item_id": i, "detail": described.get(i, "")} for i in mail.open_item_ids]}


def task_view(task: Task, request: ReviewRequested, user: User, *, extracted: Iterable[Mapping[str, Any]],
              unmasked: frozenset[str], page_count: int, words: Mapping[int, Iterable[Any]]) -> TaskView:
    """The task page's data for ``user`` (``unmasked``: protected fields they unmasked, already logged)."""
    values = record_values(request.document.record)
    shown = masked_values(values, user, unmasked)
    extracted = list(extracted)
    confidences, boxes, sources = _confidences(request), _boxes(extracted), _sources(extracted)
    deciding = may_decide(user) and task.is_open
    # a payment's record is the bank line, a mail's the item it names: nothing to correct
    payment = request.cash_application is not None or request.customer_mail is not None
    findings_by_field: dict[str, list[str]] = {}
    other: list[str] = []
    for finding in request.document.findings:
        text = f"{finding.severity}: {finding.message} ({finding.rule_id})"
        targets = {t for t in (record_field_of(f) or f for f in finding.fields) if t in values}
        for target in targets:
            findings_by_field.setdefault(target, []).append(text)
        if not targets:
            other.append(text)
    views = []
    for name in CORRECTABLE_FIELDS:
        protected = is_protected(name)
        masked = protected and shown[name] != values[name]
        views.append(FieldView(
            name=name, label=LABELS.get(name, name.replace("_", " ").capitalize()), value=shown[name] or "",
            protected=protected, masked=masked,
            editable=deciding and not payment and (not protected or (may_unmask(user) and not masked)),
            confidence=confidences.get(name), boxes=boxes.get(name, []), findings=findings_by_field.get(name, []),
            source=sources.get(name)))
    page_words = {number: [{"text": w.text, "x0": w.x0, "y0": w.y0, "x1": w.x1, "y1": w.y1} for w in items]
                  for number, items in words.items()}
    return TaskView(task=task, request=request, fields=views, other_findings=other, can_decide=deciding,
                    can_unmask=may_unmask(user), page_count=page_count, words=page_words,
                    cash=_cash(request), mail=_mail(request))
