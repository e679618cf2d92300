"""The CRM form generator: deterministic, its truth is what the page shows, and its holdout
families speak words the CRM extractor has no list of."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from devkit.corpus.crm_generate import generate_crm_document
from devkit.corpus.crm_layouts import crm_layouts
from devkit.corpus.crm_render import format_crm_date
from devkit.corpus.crm_vocabulary import CRM_DOCUMENT_TYPES, CRM_FIELDS, LABELS, TITLES
from devkit.corpus.generate import CorpusError
from docket.understanding.crm_forms import LABELS as EXTRACTOR_LABELS
from docket.understanding.crm_forms import TITLES as EXTRACTOR_TITLES
from docket.understanding.crm_forms import fold


def _page_text(data: bytes) -> str:
    return " ".join(pdfium.PdfDocument(data)[0].get_textpage().get_text_range().split())


def test_same_seed_same_bytes_and_truth() -> None:
    first = generate_crm_document(3, 4, "contract", split="holdout")
    again = generate_crm_document(3, 4, "contract", split="holdout")

    assert first.data == again.data and first.truth == again.truth
    assert first.truth.layout_split == "holdout" and first.truth.layout.startswith("crm-h")


@pytest.mark.parametrize("layout", [layout.id for layout in crm_layouts()])
def test_every_recorded_field_is_printed_on_the_page(layout: str) -> None:
    for index, kind in enumerate(CRM_DOCUMENT_TYPES):
        doc = generate_crm_document(5, index, kind, layout_id=layout)
        text = _page_text(doc.data)
        assert {"buyer_name", "signature_date"} <= set(doc.truth.fields)
        assert set(doc.truth.fields) <= set(CRM_FIELDS[kind])
        for name, printed in doc.truth.printed.items():
            assert printed in text, (layout, kind, name, printed)


def test_holdout_families_cover_five_languages_and_the_new_arrangements() -> None:
    holdout = crm_layouts("holdout")

    assert {layout.vocabulary for layout in holdout} >= {"ho_en", "ho_de", "fr", "nl", "es"}
    assert {layout.arrangement for layout in holdout} >= {"table", "grid", "columns", "letter"}
    assert not {layout.arrangement for layout in holdout} & {layout.arrangement for layout in crm_layouts("dev")}


def test_the_extractor_lists_hold_no_word_only_the_holdout_uses() -> None:
    """A word may stand in both (``Client`` is English and French, ``Land`` German and Dutch) only
    when a development family prints it too: holdout words are never added to the extractor."""
    dev = {layout.vocabulary for layout in crm_layouts("dev")}
    dev_labels = {fold(label) for vocabulary in dev for labels in LABELS[vocabulary].values() for label in labels}
    dev_titles = {fold(t) for vocabulary in dev for titles in TITLES[vocabulary].values() for t in titles}
    known_labels = {label for labels in EXTRACTOR_LABELS.values() for label in labels}
    known_titles = {fold(title) for titles in EXTRACTOR_TITLES.values() for title in titles}
    for vocabulary in {layout.vocabulary for layout in (*crm_layouts("holdout"), *crm_layouts("holdout2"))}:
        for name, labels in LABELS[vocabulary].items():
            assert not ({fold(label) for label in labels} & known_labels) - dev_labels, (vocabulary, name)
        for titles in TITLES[vocabulary].values():
            assert not ({fold(title) for title in titles} & known_titles) - dev_titles, vocabulary


def test_dates_are_written_the_ways_the_holdout_asks_for() -> None:
    import datetime as dt

    day = dt.date(2026, 4, 1)
    assert format_crm_date(day, "ordinal", "en") == "1st April 2026"
    assert format_crm_date(day, "long", "de") == "1. April 2026"
    assert format_crm_date(day, "dmy_slash", "es") == "01/04/2026"
    assert format_crm_date(day, "ordinal", "fr") == "1er avril 2026"


def test_an_unknown_type_is_refused_with_a_code() -> None:
    with pytest.raises(CorpusError) as raised:
        generate_crm_document(1, 0, "invoice")
    assert raised.value.code == "CORPUS_BAD_REQUEST"
