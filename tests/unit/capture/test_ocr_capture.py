"""OCR of scanned pages (a handful: ~3 s per page on this machine)."""

from __future__ import annotations

import io
from decimal import Decimal

import numpy as np
import pytest
from PIL import Image

from docket.capture import CaptureOptions, capture_document
from docket.errors import DocketError
from docket.reading.ocr import PaddleOcrEngine, RapidOcrEngine
from docket.reading.pdf import open_pdf, render
from docket.reading.preprocess import quarter_turn
from tests.unit.capture.builders import InvoiceSpec, invoice_pdf

SPEC = InvoiceSpec(language="de", number="RE-4711", buyer="Kunde Beispiel GmbH")


@pytest.fixture(scope="module")
def scan() -> np.ndarray:
    pdf = open_pdf(invoice_pdf(SPEC), max_pages=2)
    return render(pdf[0], dpi=200, max_pixels=50_000_000)


def _png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", dpi=(200, 200))
    return buffer.getvalue()


def _check_fields(fields: dict[str, str]) -> None:
    assert fields["invoice_number"] == SPEC.number
    assert fields["invoice_date"] == "{:04d}-{:02d}-{:02d}".format(*SPEC.date)
    assert Decimal(fields["total"]) == SPEC.total
    assert fields["supplier_iban"] == SPEC.iban


def test_scanned_image_is_read_by_ocr(scan: np.ndarray) -> None:
    [document] = capture_document(_png(scan), "scan.png")
    fields = {f.name: f.value for f in document.fields}
    assert document.reading == "ocr"
    assert document.engine.startswith("rapidocr-3.10.0/")
    assert all(f.engine == document.engine for f in document.fields)
    assert document.timings["ocr"] > 0
    _check_fields(fields)


def test_upside_down_scan_is_turned_and_read(scan: np.ndarray) -> None:
    [document] = capture_document(_png(quarter_turn(scan, 2)), "scan.png")
    _check_fields({f.name: f.value for f in document.fields})
    assert any("half_turn" in note for note in document.notes)


def test_pdf_without_text_layer_is_ocrd(scan: np.ndarray) -> None:
    buffer = io.BytesIO()
    Image.fromarray(scan).save(buffer, format="PDF", resolution=200)
    [document] = capture_document(buffer.getvalue(), "scan.pdf")
    assert document.reading == "ocr"
    _check_fields({f.name: f.value for f in document.fields})


def test_engine_pickles_without_its_model() -> None:
    import pickle

    engine = RapidOcrEngine(threads=1, det_max_side=960)
    clone = pickle.loads(pickle.dumps(engine))
    assert clone.name == engine.name
    assert clone.__getstate__() == {"threads": 1, "det_max_side": 960}


def test_paddle_engine_without_local_models_fails_with_a_code(tmp_path: object) -> None:
    with pytest.raises(DocketError) as caught:
        PaddleOcrEngine(f"{tmp_path}/det", f"{tmp_path}/rec")
    assert caught.value.code == "CAPTURE_OCR_ENGINE_UNAVAILABLE"


def test_failing_engine_surfaces_as_ocr_error(scan: np.ndarray) -> None:
    from docket.reading.errors import OcrFailedError

    class Broken:
        name = "broken-0"

        def recognize(self, image: np.ndarray) -> list[object]:
            raise OcrFailedError("model crashed")

    with pytest.raises(DocketError) as caught:
        capture_document(_png(scan), "scan.png", options=CaptureOptions(ocr_engine=Broken()))  # type: ignore[arg-type]
    assert caught.value.code == "CAPTURE_OCR_FAILED"


def test_tesseract_tsv_words_are_parsed() -> None:
    from docket.reading.ocr.tesseract import parse_tsv

    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = ["5\t1\t1\t1\t1\t1\t100\t50\t80\t20\t96.5\tInvoice", "5\t1\t1\t1\t1\t2\t190\t50\t60\t20\t88\tINV-7",
            "4\t1\t1\t1\t1\t0\t100\t50\t150\t20\t-1\t", "5\t1\t1\t1\t1\t3\t260\t50\t10\t20\t-1\t "]
    words = parse_tsv("\n".join([header, *rows]))
    assert [(w.text, w.x0, w.x1, w.confidence) for w in words] == [("Invoice", 100.0, 180.0, 0.965),
                                                                    ("INV-7", 190.0, 250.0, 0.88)]


def test_tesseract_engine_reports_unavailable_without_binary(monkeypatch: pytest.MonkeyPatch,
                                                             scan: np.ndarray) -> None:
    import shutil

    from docket.reading.ocr import TesseractEngine

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(DocketError) as caught:
        TesseractEngine().recognize(scan)
    assert caught.value.code == "CAPTURE_OCR_ENGINE_UNAVAILABLE"
