"""The scorer's comparison rules and figures."""

from __future__ import annotations

from devkit.corpus.scoring import aggregate, group, score_document, values_equal


def test_comparison_rules_follow_the_vocabulary() -> None:
    assert values_equal("total", "-1234.50", "-1234.5")
    assert not values_equal("total", "1234.50", "1234.05")
    assert not values_equal("total", "1234.50", "1.234,50")  # canonical text is required
    assert values_equal("tax_2_rate", "5.5", "5.50")
    assert values_equal("supplier_name", "Brandt  GmbH", "brandt gmbh")
    assert not values_equal("invoice_number", "INV-1", "inv-1")
    assert not values_equal("invoice_date", "2025-03-03", "03.03.2025")


def test_document_score_counts_missing_wrong_and_invented() -> None:
    truth = {"supplier_name": "Acme", "total": "10.00", "invoice_number": "7", "currency": "EUR"}
    predicted = {"supplier_name": "ACME", "total": "11.00", "due_date": "2025-01-01", "customer_number": "x"}
    score = score_document("d", "invoice", truth, [], "invoice", predicted, [])
    # customer_number is not invoice vocabulary: ignored; due_date is invented: counted
    assert (score.truth, score.predicted, score.correct) == (4, 3, 1)
    assert not score.required_ok and score.type_ok and not score.all_correct


def test_line_items_pair_by_best_overlap() -> None:
    truth_lines = [{"description": "Bolts", "amount": "5.00"}, {"description": "Nuts", "amount": "2.00"}]
    predicted_lines = [{"description": "Nuts", "amount": "2.00"}]  # first row missed, second found
    score = score_document("d", "invoice", {"total": "7.00"}, truth_lines, "invoice", {"total": "7.00"},
                           predicted_lines)
    assert (score.line_truth, score.line_predicted, score.line_correct) == (4, 2, 2)


def test_aggregate_and_group() -> None:
    right = score_document("a", "receipt", {"total": "1.00"}, [], "receipt", {"total": "1.00"}, [],
                           {"condition": "text_layer"})
    wrong = score_document("b", "receipt", {"total": "1.00"}, [], "invoice", {"total": "2.00"}, [],
                           {"condition": "clean_scan"})
    figures = aggregate([right, wrong])
    assert figures["field_precision"] == 0.5 and figures["field_recall"] == 0.5
    assert figures["field_exact_match"] == 1 / 3
    assert figures["required_all_right"] == 0.5 and figures["type_accuracy"] == 0.5
    assert set(group([right, wrong], "condition")) == {"text_layer", "clean_scan"}
    assert aggregate([])["field_precision"] is None
