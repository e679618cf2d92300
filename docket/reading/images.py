"""Image decoding with limits: pixel bombs, decompression bombs and endless multi-page TIFFs are
refused before any pixel is decoded (the header is read first, frames are counted lazily)."""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from docket.reading.errors import ImageCorruptError, ImageTooLargeError, TooManyPagesError

# PIL's own bomb guard is a second line of defence; our explicit check below runs first.
Image.MAX_IMAGE_PIXELS = None
# What PIL's decoders raise on malformed headers and tags, besides its own UnidentifiedImageError:
# a broken file is a corrupt image, whatever the plugin's exception type.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, EOFError, ZeroDivisionError,
                  struct.error, Image.DecompressionBombError)


def decode_image_pages(data: bytes, *, max_pixels: int, max_pages: int,
                       ) -> Iterator[tuple[npt.NDArray[np.uint8], float | None]]:
    """Each frame of the image as (RGB array, dpi or None), EXIF orientation applied.

    Raises CAPTURE_IMAGE_CORRUPT (undecodable), CAPTURE_IMAGE_TOO_LARGE (a frame above
    ``max_pixels``, checked from the header before decoding) and CAPTURE_TOO_MANY_PAGES.
    """
    image = _open(data)
    with image:
        frame_count = _frame_count(image)
        if frame_count > max_pages:
            raise TooManyPagesError(f"the image has {frame_count} frames, the limit is {max_pages}",
                                    details={"pages": str(frame_count), "limit": str(max_pages)})
        for index in range(frame_count):
            _seek(image, index)
            yield _decode_frame(image, max_pixels), _dpi(image)


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, *_DECODE_ERRORS) as exc:
        raise ImageCorruptError(f"the image cannot be decoded ({exc})") from exc


def _frame_count(image: Image.Image) -> int:
    try:
        return int(getattr(image, "n_frames", 1))
    except _DECODE_ERRORS as exc:  # counting walks every frame header (TIFF IFDs)
        raise ImageCorruptError(f"the image's frames cannot be read ({exc})") from exc


def _seek(image: Image.Image, index: int) -> None:
    try:
        image.seek(index)
    except _DECODE_ERRORS as exc:
        raise ImageCorruptError(f"frame {index + 1} cannot be read ({exc})") from exc


def _decode_frame(image: Image.Image, max_pixels: int) -> npt.NDArray[np.uint8]:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageCorruptError("the image has no pixels")
    if width * height > max_pixels:
        raise ImageTooLargeError(f"image of {width}x{height} pixels exceeds the limit of {max_pixels}",
                                 details={"width": str(width), "height": str(height)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = upright.convert("RGB")
    except _DECODE_ERRORS as exc:
        raise ImageCorruptError(f"the image cannot be decoded ({exc})") from exc
    array: npt.NDArray[np.uint8] = np.asarray(rgb, dtype=np.uint8)
    return array


def _dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    if isinstance(dpi, tuple) and dpi and isinstance(dpi[0], int | float) and dpi[0] > 1:
        return float(dpi[0])
    return None
