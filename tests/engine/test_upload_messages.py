"""Upload messages that named the wrong problem (issue 13, item 12): NaN/inf float TIFFs, LAB TIFFs,
PNG text-chunk bombs."""
from __future__ import annotations

import zlib

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from engine.data.uploads import load_upload
from tests.image_files import encode, png_chunk


def float_tiff(values):
    return encode(Image.fromarray(np.asarray(values, np.float32)), "TIFF")


@pytest.mark.parametrize("values, stretch_note", [
    ([[np.nan, 0.5], [1.0, 0.0]], "floating-point image scaled to 8 bits"),
    ([[np.nan, 100.0], [-50.0, np.inf]], "32-bit image stretched from [-50, 100] to 8 bits"),
    ([[-np.inf, 3.0], [2.0, 1.0]], "32-bit image stretched from [1, 3] to 8 bits"),
])
def test_a_float_tiff_with_nan_or_inf_is_stretched_over_its_finite_values(values, stretch_note):
    """It said 'stretched from [nan, nan]' and showed black; now the finite pixels keep their contrast."""
    values = np.asarray(values)
    upload = load_upload(float_tiff(values), "f.tif")
    finite = np.isfinite(values)
    lo, hi = values[finite].min(), values[finite].max()
    gray = upload.rgb[..., 0].astype(float)
    assert upload.notes[0] == stretch_note and "nan" not in " ".join(upload.notes)
    assert np.abs(gray[finite] - (values[finite] - lo) / (hi - lo) * 255).max() <= 0.5
    assert np.all(gray[np.isnan(values) | (values == -np.inf)] == 0) and np.all(gray[values == np.inf] == 255)
    counts = {"NaN (not-a-number)": np.isnan(values).sum(), "-inf": (values == -np.inf).sum(),
              "+inf": (values == np.inf).sum()}
    for what, n in counts.items():
        assert (f"{n} {what} pixel" in upload.notes[1]) == bool(n)


def test_a_float_tiff_with_no_finite_value_says_so():
    upload = load_upload(float_tiff([[np.nan, np.inf]]), "f.tif")
    assert upload.notes == ("floating-point image with no finite values: shown black",) and not upload.rgb.any()


@pytest.mark.parametrize("mode, pixel, note", [("LAB", (255, 128, 128), "CIELAB (L*a*b*) colours converted to RGB"),
                                               ("YCbCr", (200, 128, 128), "YCbCr colours converted to RGB")])
def test_other_colour_spaces_get_a_note(mode, pixel, note):
    image = Image.new(mode, (2, 2), pixel)
    upload = load_upload(encode(image, "TIFF"), "c.tif")
    assert upload.mode == mode and upload.notes == (note,)
    assert np.array_equal(upload.rgb, np.asarray(image.convert("RGB")))


def _png_with_text(chunks, after_pixels=False):
    png = encode(Image.new("RGB", (4, 4)), "PNG")
    at = png.index(b"IEND") - 4 if after_pixels else 33  # after IHDR, or after the pixel data
    return png[:at] + b"".join(chunks) + png[at:]


def _ztxt(key, size):
    return png_chunk(b"zTXt", key + b"\x00\x00" + zlib.compress(b"a" * size, 9))


@pytest.mark.parametrize("data", [
    _png_with_text([_ztxt(b"Comment", 2 * PngImagePlugin.MAX_TEXT_CHUNK)]),
    _png_with_text([_ztxt(b"Comment", 2 * PngImagePlugin.MAX_TEXT_CHUNK)], after_pixels=True),
    _png_with_text([_ztxt(b"C%d" % n, PngImagePlugin.MAX_TEXT_CHUNK - 1000)
                    for n in range(PngImagePlugin.MAX_TEXT_MEMORY // PngImagePlugin.MAX_TEXT_CHUNK + 2)]),
], ids=["one-note-before-pixels", "one-note-after-pixels", "many-notes"])
def test_a_png_text_bomb_is_named_not_called_damaged(data):
    assert len(data) < 200_000
    with pytest.raises(ValueError, match="compressed text .* decompression bomb") as error:
        load_upload(data, "x.png")
    assert "damaged" not in str(error.value)


def test_a_png_with_small_text_still_opens():
    assert load_upload(_png_with_text([_ztxt(b"Comment", 1000)]), "x.png").rgb.shape == (4, 4, 3)
