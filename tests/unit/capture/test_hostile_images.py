"""Images built to break decoders end as a coded capture error or a document, never another exception."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from docket.capture import CaptureOptions, capture_document
from docket.errors import DocketError
from tests.unit.fuzz.targets import BlankOcrEngine

OPTIONS = CaptureOptions(ocr_engine=BlankOcrEngine())


def _tiff(*frames: list[tuple[int, int, int, int]]) -> bytes:
    """A little-endian TIFF whose IFDs follow each other after the header, 8 bytes of pixels at the end."""
    sizes = [2 + 12 * len(entries) + 4 for entries in frames]
    offsets = [8 + sum(sizes[:index]) for index in range(len(frames))]
    pixels = 8 + sum(sizes)
    out = b"II*\x00" + struct.pack("<I", offsets[0])
    for index, entries in enumerate(frames):
        entries = [(tag, kind, count, pixels if tag == 273 else value) for tag, kind, count, value in entries]
        following = offsets[index + 1] if index + 1 < len(frames) else 0
        out += struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries)
        out += struct.pack("<I", following)
    return out + bytes(8)


def test_a_tiff_frame_without_dimensions_is_a_corrupt_image() -> None:
    page = [(256, 3, 1, 2), (257, 3, 1, 4), (258, 3, 1, 8), (262, 3, 1, 1), (273, 4, 1, 0), (279, 4, 1, 8)]
    no_dimensions = [entry for entry in page if entry[0] not in (256, 257)]
    data = _tiff(page, no_dimensions)
    with pytest.raises(DocketError) as caught:
        capture_document(data, "scan.tif", options=OPTIONS)
    assert caught.value.code == "CAPTURE_IMAGE_CORRUPT"


@pytest.mark.parametrize("size", [(4000, 1), (1, 4000), (3000, 2)])
def test_a_thin_strip_of_an_image_is_read_without_a_resize_error(size: tuple[int, int]) -> None:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, format="PNG")
    documents = capture_document(buffer.getvalue(), "strip.png", options=OPTIONS)
    assert len(documents) == 1 and documents[0].reading == "ocr"


def _capture_with_little_memory(data: bytes, headroom: int) -> str:
    import resource

    from docket.errors import DocketError

    with open("/proc/self/status") as status:
        size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    limit = size_kb * 1024 + headroom
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        capture_document(data, "big.png", options=OPTIONS)
    except DocketError as error:
        return error.code
    return "captured"


def test_an_image_that_needs_more_memory_than_the_process_has_is_over_budget() -> None:
    from tests.budget import within_cpu_budget

    buffer = io.BytesIO()
    Image.new("RGB", (7000, 7000), "white").save(buffer, format="PNG")  # 49 Mpx: under the pixel limit
    code = within_cpu_budget(_capture_with_little_memory, buffer.getvalue(), 300 * 1024 * 1024, cpu_seconds=60)
    assert code == "CAPTURE_BUDGET_EXCEEDED"


@pytest.mark.parametrize("size", [(1, 68593), (68593, 1), (40, 60000)])
def test_deskewing_a_thin_strip_does_not_blow_up_its_canvas(size: tuple[int, int]) -> None:
    from tests.budget import within_cpu_budget

    buffer = io.BytesIO()
    Image.new("RGB", size, "black").save(buffer, format="PNG")
    code = within_cpu_budget(_capture_with_little_memory, buffer.getvalue(), 400 * 1024 * 1024, cpu_seconds=60)
    assert code == "captured"
