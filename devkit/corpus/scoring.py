"""Scoring extracted values against the ground truth (pure: values in, figures out).

Comparison follows the capture vocabulary: amounts, quantities and rates compare as Decimal;
names, addresses, descriptions and payment terms after whitespace collapse and case-fold; dates,
codes and identifiers as exact strings. Only names of the document type's vocabulary are scored;
anything else an extractor returns is ignored rather than counted against it.

Per document: ``truth`` fields on the page, ``predicted`` fields returned, ``correct`` predicted
fields equal to the truth. Aggregated: precision = correct / predicted, recall = correct / truth,
exact match = correct / (truth + predicted - correct) (wrong, missing and invented fields all
count against it), and the share of documents whose required fields are all right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from devkit.corpus.formatting import collapse
from devkit.corpus.vocabulary import DEFAULT_LINE_FIELDS, FIELDS, LINE_FIELDS, REQUIRED, field_kind

_TAX_FIELD = re.compile(r"^tax_\d+_(rate|base|amount)$")


def values_equal(name: str, truth: str, predicted: str) -> bool:
    """Whether ``predicted`` is the truth value of field ``name`` under the vocabulary's rules."""
    kind = field_kind(name)
    if kind == "number":
        try:
            return Decimal(truth.strip()) == Decimal(predicted.strip())
        except InvalidOperation:
            return False
    if kind == "text":
        return collapse(truth).casefold() == collapse(predicted).casefold()
    return truth.strip() == predicted.strip()


def scored_field(document_type: str, name: str) -> bool:
    """Whether ``name`` belongs to the vocabulary of ``document_type`` (and is therefore scored)."""
    if name in FIELDS.get(document_type, ()):
        return True
    return document_type in {"invoice", "credit_note"} and bool(_TAX_FIELD.match(name))


@dataclass(frozen=True)
class FieldResult:
    """One field: truth (None if not on the page), prediction (None if not returned), verdict."""

    name: str
    truth: str | None
    predicted: str | None
    correct: bool


@dataclass
class DocumentScore:
    """How one document scored. ``labels`` carry the grouping keys (type, condition, split...)."""

    id: str
    labels: dict[str, str]
    truth: int = 0
    predicted: int = 0
    correct: int = 0
    line_truth: int = 0
    line_predicted: int = 0
    line_correct: int = 0
    required_ok: bool = False
    type_ok: bool = False
    pages: int = 0
    seconds: float = 0.0
    error: str | None = None
    fields: list[FieldResult] = field(default_factory=list)

    @property
    def all_correct(self) -> bool:
        """Every field on the page right and nothing invented."""
        return self.correct == self.truth == self.predicted


def _match_lines(truth_lines: Sequence[Mapping[str, str]], predicted_lines: Sequence[Mapping[str, str]],
                 names: Iterable[str]) -> list[tuple[Mapping[str, str], Mapping[str, str] | None]]:
    """Pair truth rows with predicted rows in order, each predicted row used once, best overlap first."""
    wanted = tuple(names)
    unused = list(range(len(predicted_lines)))
    pairs: list[tuple[Mapping[str, str], Mapping[str, str] | None]] = []
    for row in truth_lines:
        def overlap(index: int, row: Mapping[str, str] = row) -> int:
            other = predicted_lines[index]
            return sum(1 for n in wanted if n in row and n in other and values_equal(n, row[n], other[n]))
        best = max(unused, key=lambda i: (overlap(i), -i), default=None)
        if best is not None and overlap(best) > 0:
            unused.remove(best)
            pairs.append((row, predicted_lines[best]))
        else:
            pairs.append((row, None))
    return pairs


def score_document(doc_id: str, document_type: str, truth_fields: Mapping[str, str],
                   truth_lines: Sequence[Mapping[str, str]], predicted_type: str | None,
                   predicted_fields: Mapping[str, str], predicted_lines: Sequence[Mapping[str, str]],
                   labels: Mapping[str, str] | None = None) -> DocumentScore:
    """Score one document's extraction against its truth (see the module docstring for the rules)."""
    score = DocumentScore(id=doc_id, labels=dict(labels or {}), type_ok=predicted_type == document_type)
    names = sorted({*truth_fields, *(n for n in predicted_fields if scored_field(document_type, n))})
    for name in names:
        truth, predicted = truth_fields.get(name), predicted_fields.get(name)
        correct = truth is not None and predicted is not None and values_equal(name, truth, predicted)
        score.fields.append(FieldResult(name, truth, predicted, correct))
        score.truth += truth is not None
        score.predicted += predicted is not None
        score.correct += correct
    required = [n for n in REQUIRED[document_type] if n in truth_fields]
    right = {result.name for result in score.fields if result.correct}
    score.required_ok = all(n in right for n in required)
    line_names = LINE_FIELDS.get(document_type, DEFAULT_LINE_FIELDS)
    for row, match in _match_lines(truth_lines, predicted_lines, line_names):
        score.line_truth += sum(1 for n in line_names if n in row)
        if match is not None:
            score.line_correct += sum(1 for n in line_names if n in row and n in match
                                      and values_equal(n, row[n], match[n]))
    score.line_predicted = sum(1 for row in predicted_lines for n in line_names if n in row)
    return score


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def aggregate(scores: Sequence[DocumentScore]) -> dict[str, float | int | None]:
    """The figures of a group of documents (None where a ratio has no denominator)."""
    truth = sum(s.truth for s in scores)
    predicted = sum(s.predicted for s in scores)
    correct = sum(s.correct for s in scores)
    line_truth = sum(s.line_truth for s in scores)
    line_predicted = sum(s.line_predicted for s in scores)
    line_correct = sum(s.line_correct for s in scores)
    pages = sum(s.pages for s in scores)
    return {
        "documents": len(scores),
        "pages": pages,
        "field_precision": _ratio(correct, predicted),
        "field_recall": _ratio(correct, truth),
        "field_exact_match": _ratio(correct, truth + predicted - correct),
        "line_precision": _ratio(line_correct, line_predicted),
        "line_recall": _ratio(line_correct, line_truth),
        "required_all_right": _ratio(sum(s.required_ok for s in scores), len(scores)),
        "document_all_right": _ratio(sum(s.all_correct for s in scores), len(scores)),
        "type_accuracy": _ratio(sum(s.type_ok for s in scores), len(scores)),
        "errors": sum(s.error is not None for s in scores),
        "seconds_per_page": _ratio(sum(s.seconds for s in scores), pages),
    }


def group(scores: Sequence[DocumentScore], *keys: str) -> dict[str, dict[str, float | int | None]]:
    """Figures per combination of the label ``keys`` (e.g. ``document_type``, ``condition``)."""
    buckets: dict[str, list[DocumentScore]] = {}
    for score in scores:
        buckets.setdefault(" / ".join(score.labels.get(key, "?") for key in keys), []).append(score)
    return {name: aggregate(members) for name, members in sorted(buckets.items())}
