"""Orientation, deskew, denoise and upscale on images with a known distortion."""

from __future__ import annotations

import numpy as np
import pytest

from docket.reading.pdf import open_pdf, render
from docket.reading.preprocess import (
    estimate_skew,
    noise_level,
    prepare_for_ocr,
    quarter_turn,
    rotate,
    text_runs_vertical,
    to_gray,
)
from tests.unit.capture.builders import InvoiceSpec, invoice_pdf


@pytest.fixture(scope="module")
def page_image() -> np.ndarray:
    pdf = open_pdf(invoice_pdf(InvoiceSpec()), max_pages=5)
    return render(pdf[0], dpi=150, max_pixels=10_000_000)


def test_upright_text_runs_horizontally(page_image: np.ndarray) -> None:
    assert not text_runs_vertical(to_gray(page_image))


@pytest.mark.parametrize("turns", [1, 3])
def test_quarter_turned_page_is_detected(page_image: np.ndarray, turns: int) -> None:
    assert text_runs_vertical(to_gray(quarter_turn(page_image, turns)))


@pytest.mark.parametrize("angle", [-4.0, -1.5, 2.0, 6.0])
def test_skew_estimate_undoes_the_applied_rotation(page_image: np.ndarray, angle: float) -> None:
    skewed = rotate(page_image, angle)
    assert estimate_skew(to_gray(skewed)) == pytest.approx(-angle, abs=0.35)


def test_salt_and_pepper_noise_is_measured_and_removed(page_image: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    noisy = page_image.copy()
    mask = rng.random(noisy.shape[:2]) < 0.01
    noisy[mask] = 0
    assert noise_level(to_gray(noisy)) > noise_level(to_gray(page_image))
    prepared = prepare_for_ocr(noisy)
    assert "denoise" in prepared.steps
    assert noise_level(to_gray(prepared.image)) < noise_level(to_gray(noisy))


def test_low_resolution_scan_is_upscaled(page_image: np.ndarray) -> None:
    small = page_image[::3, ::3].copy()
    prepared = prepare_for_ocr(small)
    assert prepared.scale > 1.0
    assert prepared.image.shape[0] > small.shape[0]


def test_clean_upright_page_is_left_alone(page_image: np.ndarray) -> None:
    prepared = prepare_for_ocr(page_image)
    assert prepared.quarter_turns == 0
    assert prepared.steps == ()
