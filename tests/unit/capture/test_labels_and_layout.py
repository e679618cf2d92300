"""Label matching on word tokens and the grouping of words into lines and segments."""

from __future__ import annotations

from docket.reading.page import Page, Word
from docket.understanding.labels import find_labels, label_table, normalise, tokens_of
from docket.understanding.layout import page_lines
from docket.understanding.values import parse_amount


def _words(texts: list[str], y: float = 0.1) -> list[Word]:
    words, x = [], 0.05
    for text in texts:
        width = 0.012 * len(text)
        words.append(Word(text, x, y, x + width, y + 0.012))
        x += width + 0.006
    return words


def _names(texts: list[str], fuzzy: bool = False) -> list[tuple[str, ...]]:
    return [m.names for m in find_labels(tokens_of(_words(texts)), label_table("fields"), fuzzy=fuzzy)]


def test_normalise_folds_case_accents_and_ordinal_signs() -> None:
    assert normalise("N°") == normalise("Nº") == "no"
    assert normalise("Fälligkeit:") == "falligkeit"
    assert normalise("Qté.") == "qte"


def test_a_hyphenated_compound_label_is_the_compound_written_together() -> None:
    assert normalise("Beleg-Datum") == normalise("Belegdatum") == "belegdatum"
    assert normalise("-12.50") == "12.50" and normalise("2025-01-01") == "2025-01-01"  # only between letters
    [label] = _names(["Beleg-Datum", ":", "16.09.2013"])
    assert "invoice_date" in label


def test_issued_on_or_at_names_the_issue_date() -> None:
    for words in (["Invoice", "#", "RE-1", "issued", "at", "2019-06-10"], ["issued", "on", "10/06/2019"]):
        assert any("invoice_date" in names for names in _names(words))


def test_remit_or_pay_until_names_the_due_date() -> None:
    for words in (["Please", "remit", "until", "2019-07-01."], ["payable", "until", "01/07/2019"]):
        assert any("due_date" in names for names in _names(words))


def test_longest_label_wins_over_the_label_it_contains() -> None:
    assert _names(["Due", "date:", "2025-01-01"]) == [("due_date",)]
    [total_vat] = _names(["Total", "VAT"])
    assert "tax_total" in total_vat and "total" not in total_vat


def test_glued_label_and_value_are_split() -> None:
    tokens = tokens_of(_words(["Rechnungsnummer:RE-1"]))
    assert [t.norm for t in tokens] == ["rechnungsnummer", "re-1"]
    assert tokens[0].word.x1 <= tokens[1].word.x0


def test_fuzzy_matching_tolerates_ocr_slips_only_when_asked() -> None:
    assert _names(["Rechnungsnunmer", "123"]) == []
    assert _names(["Rechnungsnunmer", "123"], fuzzy=True) == [("invoice_number",)]


def test_words_group_into_lines_and_segments() -> None:
    left = _words(["Invoice", "number:"], y=0.2)
    right = [Word("INV-1", 0.6, 0.201, 0.66, 0.213)]
    below = _words(["Total"], y=0.4)
    page = Page(number=1, words=tuple(below + right + left), width=595.0, height=842.0, source="text_layer",
                engine="text_layer")
    lines = page_lines(page)
    assert [line.text for line in lines] == ["Invoice number: INV-1", "Total"]
    assert [segment.text for segment in lines[0].segments] == ["Invoice number:", "INV-1"]


def test_ocr_misread_decimal_comma_keeps_the_cents() -> None:
    assert parse_amount("10.635.50") == "10635.50"
    assert parse_amount("1.234.567") == "1234567"


def test_touching_header_words_are_split() -> None:
    tokens = tokens_of(_words(["UnidadPrecio", "Hoev.Prijs", "McDonald"]))
    assert [t.word.text for t in tokens] == ["Unidad", "Precio", "Hoev.", "Prijs", "McDonald"]


def test_letter_spaced_and_split_titles_are_titles() -> None:
    from docket.understanding.classify import spaced_title

    assert spaced_title("Com mande client") == "customer_order"
    assert spaced_title("I N V O I C E") == "invoice"
    assert spaced_title("Commande du jour") is None


def test_rows_follow_a_slightly_skewed_line() -> None:
    # Five words drifting down by 40% of a text height each: one line, not several.
    words = [Word(f"w{i}", 0.1 + 0.1 * i, 0.3 + 0.004 * i, 0.18 + 0.1 * i, 0.31 + 0.004 * i) for i in range(5)]
    other = [Word("below", 0.1, 0.36, 0.2, 0.37)]
    page = Page(number=1, words=tuple(words + other), width=600.0, height=600.0, source="ocr", engine="x")
    assert [line.text for line in page_lines(page)] == ["w0 w1 w2 w3 w4", "below"]
