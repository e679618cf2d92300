"""Till slips of many shops and regions: what they print agrees with their truth."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import re
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium

from devkit.corpus.tills import make_till, write_tills


def _page_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return str(document[0].get_textpage().get_text_range())
    finally:
        document.close()


def test_the_same_seed_writes_the_same_slips_and_truths(tmp_path: Path) -> None:
    first, second = write_tills(tmp_path / "a", 6, seed=5), write_tills(tmp_path / "b", 6, seed=5)

    assert [t.to_json() for t in first] == [t.to_json() for t in second]
    assert all((tmp_path / "a" / t.file).read_bytes() == (tmp_path / "b" / t.file).read_bytes() for t in first)
    assert {t.condition for t in first} == {"text_layer", "clean_scan", "damaged_scan"}


def _amount(text: str) -> Decimal:
    """A printed amount (``1,234.50``, ``1 234,50``, ``RM 12.00``, ``-0.02``) as a Decimal."""
    found = re.search(r"-?\d[\d .,]*$", text)
    assert found, text
    number = found.group().replace(" ", "")
    return Decimal(number.replace(",", ".") if "." not in number else number.replace(",", ""))


def test_the_items_with_the_tax_and_rounding_printed_after_them_add_up_to_the_total() -> None:
    for index in range(300):
        till = make_till(random.Random(f"check:{index}"))
        items = sum((_amount(amount) for _, _, amount in till.items), Decimal(0))
        printed = dict(till.after_items)
        tax = next((_amount(v) for k, v in till.after_items if k.endswith("%")), Decimal(0))
        rounding = _amount(printed["ROUNDING ADJ"]) if "ROUNDING ADJ" in printed else Decimal(0)
        assert items + tax + rounding == till.total, (index, till.after_items)
        if "CHANGE" in printed:
            assert _amount(printed["CASH"]) - _amount(printed["CHANGE"]) == till.total


def test_a_text_layer_slip_prints_its_name_address_date_and_total(tmp_path: Path) -> None:
    truths = [t for t in write_tills(tmp_path, 30, seed=9) if t.condition == "text_layer"]

    for truth in truths:
        text = _page_text((tmp_path / truth.file).read_bytes())
        flat = " ".join(text.split())
        assert truth.fields["supplier_name"] in flat
        assert " ".join(truth.fields["supplier_address"].split()) in flat
        total = Decimal(truth.fields["total"])
        assert f"{total:,.2f}" in flat or f"{total:,.2f}".replace(",", " ").replace(".", ",") in flat
        assert truth.fields["receipt_date"] in {d.isoformat() for d in _readings(_printed_date(flat))}


def _printed_date(text: str) -> str:
    found = re.search(r"DATE: (\S+(?: [A-Z]{3} \d{4})?)", text)
    assert found, text
    return found.group(1)


def _readings(printed: str) -> set[dt.date]:
    """Every date ``printed`` can be read as, day or month first."""
    formats = ["%d %b %Y", "%Y-%m-%d", "%Y%m%d"]
    formats += [f"%{a}{sep}%{b}{sep}%{y}" for sep in "/-." for a, b in (("d", "m"), ("m", "d")) for y in "yY"]
    readings = set()
    for pattern in formats:
        with contextlib.suppress(ValueError):
            readings.add(dt.datetime.strptime(printed.title() if "%b" in pattern else printed, pattern).date())
    return readings


def test_truth_files_name_the_file_and_the_four_fields(tmp_path: Path) -> None:
    truth = write_tills(tmp_path, 1, seed=3)[0]
    stored = json.loads((tmp_path / f"{truth.id}.truth.json").read_text(encoding="utf-8"))

    assert stored["document_type"] == "receipt" and stored["layout"] == "till"
    assert set(stored["fields"]) == {"supplier_name", "supplier_address", "receipt_date", "total"}
    assert (tmp_path / stored["file"]).exists()
