"""The candidate ranker of receipt fields: candidates and their features on synthetic till slips, the shipped
model picking a slip's total, training reproducible byte for byte, and capture using the ranker."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
from collections.abc import Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from docket.capture import CaptureOptions, capture_document
from docket.errors import DocketError
from docket.reading.ocr.base import OcrWord
from docket.reading.page import Page, Word
from docket.understanding.extract import Context, extract_fields
from docket.understanding.learn.candidates import FEATURES, RANKED_FIELDS, Candidate, candidates
from docket.understanding.learn.judge import verdict
from docket.understanding.learn.labels import LabelledDocument
from docket.understanding.learn.ranker import (
    RANKER_FILE,
    RANKER_MANIFEST,
    CandidateRanker,
    Example,
    model_text,
    rank_receipt,
    shipped_ranker,
    train_field,
)
from docket.understanding.learn.ranker_merge import merge_rankers
from docket.understanding.learn.ranker_train import (
    CORPUS_COMMANDS,
    SHIPPED_FIELDS,
    SHIPPED_PARTS,
    labelled_receipts,
    selected,
)

Row = tuple[float, float, str]


def _page(rows: Sequence[Row]) -> Page:
    """An OCR'd slip page whose segments start at (x, y) (page fractions)."""
    words = []
    for x, y, text in rows:
        cursor = x
        for part in text.split():
            end = cursor + 0.018 * len(part)
            words.append(Word(part, cursor, y, end, y + 0.012, 0.97))
            cursor = end + 0.012
    return Page(number=1, words=tuple(words), width=1000.0, height=2000.0, source="ocr", engine="test-ocr")


def _slip(shop: str, total: Decimal, cash: Decimal, day: int) -> list[Row]:
    items = [Decimal("4.50"), total - Decimal("4.50") - Decimal("0.02")]
    return [
        (0.20, 0.04, shop),
        (0.30, 0.06, "SDN BHD"),
        (0.28, 0.08, "(CO.REG:933109-X)"),
        (0.12, 0.10, "NO 12, JALAN MAWAR 3,"),
        (0.14, 0.12, "43300 SERI KEMBANGAN, SELANGOR"),
        (0.25, 0.14, "TEL 03-89451234"),
        (0.38, 0.17, "TAX INVOICE"),
        (0.05, 0.20, f"DATE: {day:02d}/03/2018"), (0.55, 0.20, "TIME 18:46"),
        (0.05, 0.25, "PAPER A4"), (0.80, 0.25, f"{items[0]:.2f}"),
        (0.05, 0.27, "PEN BLUE"), (0.80, 0.27, f"{items[1]:.2f}"),
        (0.05, 0.31, "SUBTOTAL"), (0.78, 0.31, f"{total + Decimal('0.02'):.2f}"),
        (0.05, 0.33, "ROUNDING ADJ"), (0.78, 0.33, "-0.02"),
        (0.05, 0.35, "TOTAL"), (0.78, 0.35, f"RM {total:.2f}"),
        (0.05, 0.37, "CASH"), (0.78, 0.37, f"RM {cash:.2f}"),
        (0.05, 0.39, "CHANGE"), (0.78, 0.39, f"RM {cash - total:.2f}"),
        (0.05, 0.43, "GST SUMMARY 6%"), (0.78, 0.43, f"{total * Decimal('0.06'):.2f}"),
        (0.10, 0.47, "THANK YOU PLEASE COME AGAIN"),
    ]


def _candidates(rows: Sequence[Row]) -> dict[str, list[Candidate]]:
    ctx = Context.build([_page(rows)])
    return candidates(ctx, extract_fields(ctx, "receipt").found)


def _feature(candidate: Candidate, name: str) -> float:
    return candidate.features[FEATURES[candidate.field].index(name)]


SLIP = _slip("KEDAI BUKU MAJU", Decimal("33.90"), Decimal("50.00"), 5)


def test_every_amount_date_and_upper_line_becomes_a_candidate_with_a_full_vector() -> None:
    found = _candidates(SLIP)
    assert set(found) == set(RANKED_FIELDS)
    for name, items in found.items():
        assert items, name
        assert all(len(c.features) == len(FEATURES[name]) for c in items)
    totals = {c.value for c in found["total"]}
    assert {"4.50", "33.90", "50.00", "16.10", "33.92"} <= totals
    assert "2018-03-05" in {c.value for c in found["receipt_date"]}
    assert "2018-05-03" in {c.value for c in found["receipt_date"]}  # the other reading of 05/03 competes
    assert "KEDAI BUKU MAJU SDN BHD" in {c.value for c in found["supplier_name"]}
    assert any(verdict("supplier_address", "NO 12, JALAN MAWAR 3, 43300 SERI KEMBANGAN, SELANGOR", c.value)[1]
               for c in found["supplier_address"])


def test_amount_features_say_label_arithmetic_and_rule_agreement() -> None:
    totals = _candidates(SLIP)["total"]
    paid = next(c for c in totals if c.value == "33.90")
    tendered = next(c for c in totals if c.value == "50.00")
    assert _feature(paid, "cash_minus_change") == 1.0 and _feature(tendered, "cash_minus_change") == 0.0
    assert _feature(paid, "same_total") == 1.0 and _feature(paid, "same_cash") == 0.0
    assert _feature(tendered, "same_cash") == 1.0 and _feature(tendered, "is_max") == 1.0
    assert _feature(paid, "rule_agrees") == 1.0 and _feature(tendered, "rule_agrees") == 0.0
    assert _feature(paid, "prev_rounding") == 1.0 and _feature(paid, "next_cash") == 1.0


def test_name_and_address_features_see_legal_forms_and_contact_lines() -> None:
    found = _candidates(SLIP)
    pair = next(c for c in found["supplier_name"] if c.value == "KEDAI BUKU MAJU SDN BHD")
    alone = next(c for c in found["supplier_name"] if c.value == "KEDAI BUKU MAJU")
    assert _feature(pair, "legal_form") == 1.0 and _feature(pair, "span_lines") == 2.0
    assert _feature(alone, "next_legal_form") == 1.0 and _feature(alone, "upper_ratio") == 1.0
    address = next(c for c in found["supplier_address"] if c.value.startswith("NO 12") and c.value.endswith("SELANGOR"))
    assert _feature(address, "postcode") == 1.0 and _feature(address, "next_stops") == 1.0
    assert _feature(address, "address_words") >= 3 and _feature(address, "contact_span") == 0.0


def test_a_slip_without_amounts_or_dates_has_no_such_candidates() -> None:
    found = _candidates([(0.2, 0.05, "HELLO SHOP"), (0.2, 0.1, "THANK YOU")])
    assert found["total"] == [] and found["receipt_date"] == []
    assert [c.value for c in found["supplier_name"]][:1] == ["HELLO SHOP"]


def test_the_shipped_ranker_ranks_the_fields_it_was_trained_for_and_reads_a_slips_date() -> None:
    ranker = shipped_ranker()
    assert ranker is not None and set(ranker.fields) == set(SHIPPED_FIELDS) < set(RANKED_FIELDS)
    rows = _slip("PERNIAGAAN HARAPAN", Decimal("27.40"), Decimal("100.00"), 14)
    ctx = Context.build([_page(rows)])
    extraction = extract_fields(ctx, "receipt")
    fields = {f.name: f for f in rank_receipt(ctx, extraction.found, extraction.fields, ranker)}
    assert fields["receipt_date"].value == "2018-03-14" and fields["receipt_date"].method == "ranked"
    assert 0.0 < fields["receipt_date"].confidence <= 1.0
    assert fields["total"].value == "27.40" and fields["total"].method == "ranked"  # not the cash tendered
    # The address is not among the shipped fields: the rules' reading stands.
    assert all(f.method != "ranked" for name, f in fields.items() if name not in SHIPPED_FIELDS)


def test_the_ranker_takes_the_amount_due_after_a_rounding_printed_under_the_total() -> None:
    # the rules read the amount after the rounding (cash_rounded); the ranker agrees with them
    ranker = shipped_ranker()
    assert ranker is not None
    # the total first, then the rounding and the amount due (as many Malaysian tills print it), paid by card
    rows = [row for row in _slip("PERNIAGAAN HARAPAN", Decimal("27.40"), Decimal("100.00"), 14)
            if row[2] not in ("SUBTOTAL", "ROUNDING ADJ", "-0.02", "TOTAL", "RM 27.40", "27.42", "CASH", "RM 100.00",
                              "CHANGE", "RM 72.60")]
    rows += [(0.05, 0.31, "TOTAL (INCL GST)"), (0.78, 0.31, "27.42"),
             (0.05, 0.33, "ROUNDING ADJ"), (0.78, 0.33, "-0.02"), (0.78, 0.35, "RM 27.40")]
    ctx = Context.build([_page(sorted(rows, key=lambda row: row[1]))])
    extraction = extract_fields(ctx, "receipt")
    fields = {f.name: f for f in rank_receipt(ctx, extraction.found, extraction.fields, ranker)}
    assert fields["total"].value == "27.40" and fields["total"].method == "ranked"
    box = fields["total"].bbox
    assert box is not None and box.y0 > 0.34  # its box is the amount due's, below the rounding


def _synthetic_examples(count: int, seed: int) -> list[Example]:
    rng = random.Random(seed)
    examples = []
    for number in range(count):
        total = Decimal(rng.randrange(500, 20000)) / 100
        cash = total + Decimal(rng.randrange(1, 5000)) / 100
        rows = _slip(rng.choice(["ALPHA MART", "BETA TRADING", "GAMMA STORE"]), total, cash, rng.randrange(1, 28))
        for c in _candidates(rows)["total"]:
            examples.append(Example(f"slip{number}", c, Decimal(c.value) == total))
    return examples


def test_training_is_deterministic_and_learns_the_synthetic_totals() -> None:
    examples = _synthetic_examples(30, seed=3)
    first = model_text({"total": train_field(examples, "total", seed=7)})
    second = model_text({"total": train_field(examples, "total", seed=7)})
    assert hashlib.sha256(first.encode()).hexdigest() == hashlib.sha256(second.encode()).hexdigest()
    ranker = CandidateRanker(first)
    fresh = _synthetic_examples(5, seed=11)
    for document in sorted({e.document for e in fresh}):
        items = [e for e in fresh if e.document == document]
        best = ranker.best("total", [e.candidate for e in items])
        assert best is not None
        assert next(e for e in items if e.candidate is best[0]).right


def test_the_split_leaves_out_the_excluded_ranks_by_name() -> None:
    documents = [LabelledDocument(Path(f"img/{n:03d}.jpg"), "sroie", "receipt")
                 for n in range(1, 11)]
    kept, left_out = selected(documents, ((3, 5), (9, 9)))
    assert left_out == ["003.jpg", "004.jpg", "005.jpg", "009.jpg"]
    assert [d.path.name for d in kept] == ["001.jpg", "002.jpg", "006.jpg", "007.jpg", "008.jpg", "010.jpg"]


def test_a_bar_above_every_probability_keeps_the_rules_values_and_the_date_goes_by_the_name_asked() -> None:
    ranker = shipped_ranker()
    assert ranker is not None
    rows = _slip("PERNIAGAAN HARAPAN", Decimal("27.40"), Decimal("100.00"), 14)
    ctx = Context.build([_page(rows)])
    extraction = extract_fields(ctx, "receipt")
    kept = rank_receipt(ctx, extraction.found, extraction.fields, ranker, min_probability=1.01)
    assert [(f.name, f.value, f.method) for f in kept] == [(f.name, f.value, f.method) for f in extraction.fields]
    renamed = {f.name: f for f in rank_receipt(ctx, extraction.found, extraction.fields, ranker,
                                               date_name="invoice_date")}
    assert renamed["invoice_date"].value == "2018-03-14" and renamed["invoice_date"].method == "ranked"


class _SlipEngine:
    """An OCR engine that reads the synthetic slip off any image (boxes scaled to the image)."""

    name = "test-ocr"

    def __init__(self, rows: Sequence[Row]) -> None:
        self._words = _page(rows).words

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrWord]:
        height, width = image.shape[:2]
        return [OcrWord(w.text, w.x0 * width, w.y0 * height, w.x1 * width, w.y1 * height, w.confidence)
                for w in self._words]


def test_capture_ranks_a_scanned_slip_and_keeps_the_ranker_probability_as_confidence() -> None:
    buffer = io.BytesIO()
    Image.new("L", (600, 1200), 255).save(buffer, format="PNG")
    rows = _slip("KEDAI RUNCIT SETIA", Decimal("58.65"), Decimal("60.00"), 21)
    [document] = capture_document(buffer.getvalue(), "slip.png",
                                  options=CaptureOptions(ocr_engine=_SlipEngine(rows)))
    fields = {f.name: f for f in document.fields}
    assert document.document_type == "receipt"
    assert fields["receipt_date"].value == "2018-03-21" and fields["receipt_date"].method == "ranked"
    assert fields["total"].value == "58.65"
    assert fields["supplier_name"].value == "KEDAI RUNCIT SETIA SDN BHD"
    unranked = capture_document(buffer.getvalue(), "slip.png", options=CaptureOptions(
        ocr_engine=_SlipEngine(rows), candidate_ranker=False))[0]
    assert all(f.method != "ranked" for f in unranked.fields)


def test_a_generated_corpus_is_read_as_labelled_receipts(tmp_path: Path) -> None:
    from devkit.corpus.generate import generate_corpus

    generate_corpus(tmp_path, count=3, seed=5, types=["receipt", "invoice"], conditions=["clean_scan"])
    receipts, left_out, ranges = labelled_receipts(tmp_path)
    assert (left_out, ranges) == ([], ())
    assert receipts and {d.document_type for d in receipts} == {"receipt"}
    for document in receipts:
        assert document.path.exists() and document.set_name == "generated"
        assert {"supplier_name", "receipt_date", "total"} <= set(document.labels)


def test_the_shipped_ranker_is_trained_on_the_generated_corpora_only() -> None:
    """SROIE's research-use terms allow measuring on it, not shipping a model trained on it."""
    manifest = json.loads(resources.files("docket.understanding.data").joinpath("models", RANKER_MANIFEST)
                          .read_text(encoding="utf-8"))
    assert [(part["source"], tuple(part["fields"])) for part in manifest["parts"]] == list(SHIPPED_PARTS)
    for part in manifest["parts"]:
        assert part["data"] == f"generated corpus, the project's own licence: {CORPUS_COMMANDS[part['source']]}"
        names = [f["name"] for split in part["files"].values() for f in split]
        seed = re.search(r"--seed (\d+)", part["data"])
        assert seed and names and all(re.fullmatch(rf"[st]{seed[1]}-\d{{5}}-receipt\.(png|jpg|tiff|pdf)", name)
                                      for name in names)

def _trained_dir(directory: Path, fields: dict[str, str], source: str) -> Path:
    directory.mkdir(parents=True)
    (directory / RANKER_FILE).write_text(model_text(fields), encoding="utf-8")
    metrics = {"per_field": {name: {"documents": 1} for name in fields}}
    (directory / RANKER_MANIFEST).write_text(json.dumps({
        "source": source, "data": f"generated corpus ({source})", "files": {"train": [], "calib": []},
        "metrics_calib": metrics, "metrics_train": metrics}), encoding="utf-8")
    return directory


def test_a_merged_ranker_takes_each_field_from_its_part_and_names_the_parts(tmp_path: Path) -> None:
    booster = train_field(_synthetic_examples(30, seed=3), "total", seed=7)
    other = train_field(_synthetic_examples(30, seed=4), "total", seed=7)
    first = _trained_dir(tmp_path / "a", {"total": booster}, "slips-a")
    second = _trained_dir(tmp_path / "b", {"total": other, "receipt_date": booster}, "slips-b")

    manifest = merge_rankers([(first, ["total"]), (second, ["receipt_date"])], tmp_path / "out")
    again = merge_rankers([(first, ["total"]), (second, ["receipt_date"])], tmp_path / "again")

    merged = json.loads((tmp_path / "out" / RANKER_FILE).read_text(encoding="utf-8"))
    assert merged["fields"]["total"]["booster"] == booster != other
    assert manifest["fields"] == ["receipt_date", "total"]
    assert [(p["source"], p["fields"], list(p["metrics_calib"])) for p in manifest["parts"]] == [
        ("slips-a", ["total"], ["total"]), ("slips-b", ["receipt_date"], ["receipt_date"])]
    assert (tmp_path / "again" / RANKER_FILE).read_bytes() == (tmp_path / "out" / RANKER_FILE).read_bytes()
    assert again["model_sha256"] == manifest["model_sha256"]


def test_merging_refuses_a_field_a_part_lacks_or_two_parts_give(tmp_path: Path) -> None:
    booster = train_field(_synthetic_examples(30, seed=3), "total", seed=7)
    first = _trained_dir(tmp_path / "a", {"total": booster}, "a")
    second = _trained_dir(tmp_path / "b", {"total": booster}, "b")

    with pytest.raises(DocketError) as missing:
        merge_rankers([(first, ["supplier_name"])], tmp_path / "out")
    with pytest.raises(DocketError) as twice:
        merge_rankers([(first, ["total"]), (second, ["total"])], tmp_path / "out")

    assert (missing.value.code, twice.value.code) == ("MODEL_FIELD_UNKNOWN", "MODEL_FIELD_TWICE")
