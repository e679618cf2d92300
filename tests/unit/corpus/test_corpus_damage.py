"""Scans: decodable files, the right page count, damage really applied."""

from __future__ import annotations

import io
import random

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from devkit.corpus.content import make_content
from devkit.corpus.damage import ROTATIONS, choose_damage, make_scan, rasterise
from devkit.corpus.generate import generate_document
from devkit.corpus.layouts import layout_by_id
from devkit.corpus.render import render_pdf


def _frames(data: bytes, extension: str) -> list[Image.Image]:
    if extension == "pdf":
        return [page.render(scale=1).to_pil() for page in pdfium.PdfDocument(data)]
    image = Image.open(io.BytesIO(data))
    frames = []
    for number in range(getattr(image, "n_frames", 1)):
        image.seek(number)
        frames.append(image.copy())
    return frames


@pytest.fixture(scope="module")
def invoice_pdf() -> bytes:
    content = make_content("invoice", "de", random.Random(5))
    return render_pdf(content, layout_by_id("invoice-01")).pdf


def test_clean_scan_is_an_undamaged_raster(invoice_pdf: bytes) -> None:
    scan = make_scan(invoice_pdf, random.Random(1), damaged=False)
    assert scan.damage == ()
    frames = _frames(scan.data, scan.extension)
    assert len(frames) == scan.pages == 1
    width, height = frames[0].size
    assert abs(width - 8.27 * 200) < 4 and abs(height - 11.69 * 200) < 4  # A4 at 200 dpi


@pytest.mark.parametrize("seed", range(10))
def test_damaged_scan_differs_from_clean(invoice_pdf: bytes, seed: int) -> None:
    scan = make_scan(invoice_pdf, random.Random(seed), damaged=True)
    assert scan.damage
    damaged = _frames(scan.data, scan.extension)[0].convert("L")
    clean = rasterise(invoice_pdf, 200)[0]
    if damaged.size == clean.size:
        difference = np.abs(np.asarray(damaged, dtype=np.int16) - np.asarray(clean, dtype=np.int16))
        assert difference.mean() > 0.5
    if any(kind in scan.damage for kind in ("rotate_90", "rotate_270")):
        assert damaged.size[0] > damaged.size[1]
    if "fax" in scan.damage:
        assert scan.extension == "tiff" and Image.open(io.BytesIO(scan.data)).mode == "1"
    if "photo" in scan.damage:
        corner = np.asarray(damaged)[:5, :5]
        assert corner.mean() < 200  # the desk shows around the sheet


def test_rotation_turns_the_page(invoice_pdf: bytes) -> None:
    clean = rasterise(invoice_pdf, 200)[0]
    for seed in range(60):
        rng = random.Random(seed)
        if set(choose_damage(random.Random(seed))) & set(ROTATIONS):
            scan = make_scan(invoice_pdf, rng, damaged=True)
            rotated = _frames(scan.data, scan.extension)[0]
            if "rotate_180" in scan.damage and len(scan.damage) == 1:
                turned = np.asarray(rotated.convert("L").transpose(Image.Transpose.ROTATE_180), dtype=np.int16)
                assert np.abs(turned - np.asarray(clean, dtype=np.int16)).mean() < 3
                return
    pytest.fail("no seed among 60 produced a lone 180 degree rotation")


def test_every_damage_kind_occurs() -> None:
    seen = {kind for seed in range(200) for kind in choose_damage(random.Random(seed))}
    assert seen >= {"skew", "blur", "noise", "low_dpi", "jpeg", "fax", "photo", *ROTATIONS}


def test_multi_page_scan_keeps_all_pages() -> None:
    long_doc = next(doc for index in range(60)
                    if (doc := generate_document(5, index, "invoice", "text_layer")).truth.pages > 1)
    scan = make_scan(long_doc.data, random.Random(3), damaged=False)
    assert scan.extension in {"tiff", "pdf"}
    assert len(_frames(scan.data, scan.extension)) == long_doc.truth.pages
