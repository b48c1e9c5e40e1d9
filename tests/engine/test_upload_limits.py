"""What an upload may cost and still be usable (issue 13): thin pictures a classifier cannot crop are refused
before decoding (item 3); decoded memory is bounded, not only the pixel count (item 6)."""
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from engine.data.uploads import MAX_DECODED_MB, MAX_PIXELS, decoded_bytes, load_upload
from engine.nets.imagenet import MAX_ASPECT, MIN_SIDE, center_crop
from tests.image_files import encode, png_chunk

ROOT = Path(__file__).resolve().parents[2]

PAGE_SIDE = 512  # pages/shell/photo_views.MAX_SIDE (not imported: pages import streamlit)


def gray_png(w, h):
    return encode(Image.new("RGB", (w, h), "gray"), "PNG")


@pytest.mark.parametrize("w,h", [(1, 1), (1, 100_000), (2, 1000), (MIN_SIDE - 1, MIN_SIDE - 1),
                                 (MIN_SIDE, MAX_ASPECT * MIN_SIDE + 1), (9 * 100, 100)])
def test_a_picture_too_thin_to_classify_is_refused_with_its_size(w, h):
    with pytest.raises(ValueError, match=rf"is {w} x {h} pixels \(W x H\): too thin to use.*at least {MIN_SIDE} "
                                         rf"pixels on its short side and at most {MAX_ASPECT} times"):
        load_upload(gray_png(w, h), max_side=PAGE_SIDE, min_side=MIN_SIDE, max_aspect=MAX_ASPECT)


@pytest.mark.parametrize("w,h", [(MIN_SIDE, MIN_SIDE), (MIN_SIDE, MAX_ASPECT * MIN_SIDE),
                                 (4000, 500), (MAX_ASPECT * 100, 100)])
def test_what_passes_can_be_centre_cropped(w, h):
    """The limits are enough: every accepted picture, downscaled as the page does, has a centre crop."""
    upload = load_upload(gray_png(w, h), max_side=PAGE_SIDE, min_side=MIN_SIDE, max_aspect=MAX_ASPECT)
    crop = center_crop(upload.rgb)
    assert crop.shape[0] == crop.shape[1] >= 1


def test_without_limits_a_one_pixel_picture_is_still_read():
    assert load_upload(gray_png(1, 1)).rgb.shape == (1, 1, 3)


# --- decoded memory (item 6) ----------------------------------------------------------------------------

_MEASURE = """
import resource, sys
from engine.data.uploads import load_upload
data = sys.stdin.buffer.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load_upload(data, max_side=512)
    verdict = "read"
except ValueError as error:
    verdict = str(error)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)  # MB (ru_maxrss is in KiB on Linux)
print(verdict)
"""


def peak_mb(data):
    """(MB the process's peak memory grew by while load_upload read `data`, the verdict), in a fresh process."""
    done = subprocess.run([sys.executable, "-c", _MEASURE], input=data, capture_output=True, cwd=ROOT, check=True,
                          timeout=120)
    grown, verdict = done.stdout.decode().split("\n", 1)
    return float(grown), verdict.strip()


def flat_png(w, h, color_type):
    """A PNG of one flat colour written by hand, compressed as a stream: a 6000 x 6000 RGBA one is ~140 KB."""
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    compressor, row = zlib.compressobj(9), b"\x00" * (1 + w * channels)
    idat = b"".join(compressor.compress(row * min(256, h - i)) for i in range(0, h, 256)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0))
            + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b""))


def test_a_small_png_claiming_6000_x_6000_rgba_is_refused_before_it_costs_memory():
    data = flat_png(6000, 6000, 6)
    assert len(data) < 200_000 and 6000 * 6000 <= MAX_PIXELS  # under the byte and pixel limits: the case
    assert decoded_bytes("RGBA", (6000, 6000)) > MAX_DECODED_MB * 2**20
    grown, verdict = peak_mb(data)
    assert "6000 x 6000 pixels in the colour mode RGBA" in verdict and f"the limit is {MAX_DECODED_MB} MB" in verdict
    assert grown < 16, f"refusing it cost {grown:.0f} MB"


def test_a_12_mp_png_under_the_limit_is_read_within_a_bounded_peak():
    w, h = 4000, 3000
    assert decoded_bytes("RGB", (w, h)) <= MAX_DECODED_MB * 2**20
    grown, verdict = peak_mb(flat_png(w, h, 2))
    assert verdict == "read"
    assert grown < 6 * MAX_DECODED_MB, f"reading it cost {grown:.0f} MB"


@pytest.mark.parametrize("mode,size,expected", [("L", (10, 3), 30), ("I;16B", (10, 3), 60), ("RGB", (10, 3), 120),
                                                ("RGBA", (10, 3), 120), ("F", (10, 3), 120)])
def test_decoded_bytes_is_what_pillow_holds(mode, size, expected):
    """Pillow stores RGB with a fourth padding byte, so its memory is at least the packed pixels."""
    assert decoded_bytes(mode, size) == expected >= len(Image.new(mode, size).tobytes())
