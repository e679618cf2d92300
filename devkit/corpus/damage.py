"""Scans of rendered PDFs: rasterise the pages (pypdfium2) and damage them as real capture does.

Damage kinds (names recorded in the truth's ``damage`` list): ``skew`` (a sheet fed a few degrees
off), ``rotate_90`` / ``rotate_180`` / ``rotate_270`` (pages fed sideways or upside down),
``blur`` (out of focus), ``noise`` (sensor noise and specks), ``low_dpi`` (scanned at 100-120 dpi),
``jpeg`` (heavy JPEG compression), ``fax`` (98 dpi vertical, binarised, saved as CCITT G4 TIFF),
``photo`` (phone photo: perspective, uneven light, desk background). Everything is driven by the
``random.Random`` passed in.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

from docket.errors import DocketError

ROTATIONS = ("rotate_90", "rotate_180", "rotate_270")
DAMAGES = ("skew", "rotate", "blur", "noise", "low_dpi", "jpeg", "fax", "photo")


class ScanError(DocketError):
    """A page could not be rasterised or encoded."""

    code = "CORPUS_SCAN_FAILED"


@dataclass(frozen=True)
class Scan:
    """Encoded scan: file bytes, extension (png, jpg, tiff, pdf), damage names, page count."""

    data: bytes
    extension: str
    damage: tuple[str, ...]
    pages: int


def rasterise(pdf: bytes, dpi: float) -> list[Image.Image]:
    """Every page of ``pdf`` as a grayscale image at ``dpi``."""
    try:
        document = pdfium.PdfDocument(pdf)
        images = [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in document]
        document.close()
    except pdfium.PdfiumError as exc:
        raise ScanError(f"cannot render PDF: {exc}") from exc
    return images


def _skew(image: Image.Image, rng: random.Random) -> Image.Image:
    angle = rng.choice((-1, 1)) * rng.uniform(0.5, 3.0)
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def _blur(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(rng.uniform(0.7, 1.4)))


def _noise(image: Image.Image, rng: random.Random) -> Image.Image:
    generator = np.random.default_rng(rng.randrange(2**32))
    clean = np.asarray(image, dtype=np.float64)
    pixels = clean + generator.normal(0, rng.uniform(6, 18), clean.shape)
    specks = generator.random(pixels.shape) < rng.uniform(0.0005, 0.003)
    pixels[specks] = 0
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _jpeg(image: Image.Image, rng: random.Random) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="JPEG", quality=rng.randint(12, 30))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def _fax(image: Image.Image, rng: random.Random) -> Image.Image:
    # fine-mode fax: full horizontal resolution, half the vertical, then 1-bit
    width, height = image.size
    squashed = image.resize((width, height // 2), Image.Resampling.BOX).resize((width, height),
                                                                              Image.Resampling.NEAREST)
    threshold = rng.randint(150, 190)
    return squashed.point(lambda value: 255 if value > threshold else 0).convert("1")


def _photo(image: Image.Image, rng: random.Random) -> Image.Image:
    page = np.asarray(image.convert("RGB"), dtype=np.float32)
    height, width = page.shape[:2]
    margin = int(0.08 * max(width, height))
    canvas_w, canvas_h = width + 2 * margin, height + 2 * margin
    jitter = [rng.uniform(-0.6, 0.6) * margin for _ in range(8)]
    source = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    target = np.array([[margin + jitter[0], margin + jitter[1]], [margin + width + jitter[2], margin + jitter[3]],
                       [margin + width + jitter[4], margin + height + jitter[5]],
                       [margin + jitter[6], margin + height + jitter[7]]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    desk = tuple(float(rng.randint(60, 140)) for _ in range(3))
    warped = cv2.warpPerspective(page, matrix, (canvas_w, canvas_h), borderValue=desk)
    # light falls off across the sheet and takes a warm tint
    ramp = np.linspace(rng.uniform(0.7, 0.85), rng.uniform(1.0, 1.08), canvas_w, dtype=np.float32)
    shade = np.tile(ramp, (canvas_h, 1))[..., None] * np.array([1.0, 0.97, 0.9], dtype=np.float32)
    lit = np.clip(warped * shade, 0, 255).astype(np.uint8)
    return Image.fromarray(lit).filter(ImageFilter.GaussianBlur(0.6))


def _rotate(image: Image.Image, name: str) -> Image.Image:
    turns = {"rotate_90": Image.Transpose.ROTATE_90, "rotate_180": Image.Transpose.ROTATE_180,
             "rotate_270": Image.Transpose.ROTATE_270}
    return image.transpose(turns[name])


_OPS: dict[str, Callable[[Image.Image, random.Random], Image.Image]] = {
    "skew": _skew, "blur": _blur, "noise": _noise, "jpeg": _jpeg, "fax": _fax, "photo": _photo,
}


def choose_damage(rng: random.Random) -> tuple[str, ...]:
    """One to three damage kinds in the order they are applied (photo and fax exclude each other)."""
    kinds = rng.sample(DAMAGES, rng.randint(1, 3))
    if "fax" in kinds and ("photo" in kinds or "jpeg" in kinds):
        kinds.remove("fax")  # a fax is neither photographed nor JPEG-encoded
    named = [rng.choice(ROTATIONS) if kind == "rotate" else kind for kind in kinds]
    order = ("low_dpi", "skew", "photo", "blur", "noise", "fax", "jpeg", *ROTATIONS)
    return tuple(sorted(named, key=order.index))


def _encode(images: list[Image.Image], damage: tuple[str, ...], rng: random.Random) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    if "fax" in damage:
        images[0].save(buffer, format="TIFF", save_all=True, append_images=images[1:], compression="group4")
        return buffer.getvalue(), "tiff"
    grainy = any(kind in damage for kind in ("noise", "photo", "jpeg"))
    if len(images) > 1:
        if grainy or rng.random() < 0.3:
            # an image-only PDF (pages JPEG-encoded by Pillow): what a scanner's "scan to PDF" makes
            images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=200)
            return buffer.getvalue(), "pdf"
        images[0].save(buffer, format="TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate")
        return buffer.getvalue(), "tiff"
    if grainy or rng.random() < 0.25:
        quality = rng.randint(20, 40) if "jpeg" in damage else 80
        images[0].save(buffer, format="JPEG", quality=quality)
        return buffer.getvalue(), "jpg"
    images[0].save(buffer, format="PNG")
    return buffer.getvalue(), "png"


def make_scan(pdf: bytes, rng: random.Random, damaged: bool, dpi: float = 200,
              damage: tuple[str, ...] | None = None) -> Scan:
    """A scan of ``pdf``: clean (rasterised at ``dpi``) or with damage from :func:`choose_damage`
    (or exactly ``damage``, applied in the order given, when it is passed)."""
    if damage is None:
        damage = choose_damage(rng) if damaged else ()
    images = rasterise(pdf, rng.uniform(100, 120) if "low_dpi" in damage else dpi)
    out = []
    for image in images:
        for kind in damage:
            if kind in _OPS:
                image = _OPS[kind](image, rng)
            elif kind in ROTATIONS:
                image = _rotate(image, kind)
        out.append(image)
    data, extension = _encode(out, damage, rng)
    return Scan(data=data, extension=extension, damage=damage, pages=len(out))
