"""Safe image uploads (engine/data/uploads.py): every case is a real file written to memory by Pillow
(or, for headers Pillow refuses to write, by hand), then read back through load_upload."""
import struct
import tomllib
import warnings
import zlib
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from engine.data import uploads
from engine.data.uploads import MAX_BYTES, MAX_PIXELS, MAX_UPLOAD_MB, display_name, downscale, load_upload
from tests.image_files import encode, png_chunk

ROOT = Path(__file__).resolve().parents[2]




def png(width, height, bit_depth=1, color_type=0, rows=None):
    """A PNG written by hand (Pillow cannot write 48-bit RGB or lie about its size). `rows` are the
    unfiltered scanlines as bytes; by default all zeros, compressed as a stream so that a 20000 x 20000
    header costs kilobytes: the shape of a decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    compressor = zlib.compressobj(9)
    if rows is None:
        channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
        row = b"\x00" * (1 + (width * channels * bit_depth + 7) // 8)  # filter byte 0, then the pixels
        block = 256
        idat = b"".join(compressor.compress(row * min(block, height - i)) for i in range(0, height, block))
    else:
        idat = compressor.compress(b"".join(b"\x00" + r for r in rows))
    idat += compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def with_png_size(data, width, height):
    """The same PNG with its IHDR width and height patched (and the CRC recomputed)."""
    body = b"IHDR" + struct.pack(">II", width, height) + data[24:29]
    return data[:12] + body + struct.pack(">I", zlib.crc32(body)) + data[33:]


def photo_like(height=24, width=32, seed=0):
    """A smooth colour image (JPEG keeps it within a few levels)."""
    i, j = np.indices((height, width))
    rgb = np.stack([i * 255 // (height - 1), j * 255 // (width - 1), (i + j) * 255 // (height + width - 2)], -1)
    return rgb.astype(np.uint8)


def error_message(data, name=""):
    with pytest.raises(ValueError) as info:
        load_upload(data, name)
    return str(info.value)


# --- the limits ---------------------------------------------------------------------------------------

def test_the_byte_limit_is_the_streamlit_upload_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB
    assert MAX_BYTES == MAX_UPLOAD_MB * 1024 * 1024  # Streamlit counts megabytes of 1024 * 1024 bytes


def test_empty_file():
    assert "empty (0 bytes)" in error_message(b"", "cat.png")


def test_too_many_bytes_is_refused_before_anything_is_read(monkeypatch):
    def no_open(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Image, "open", no_open)
    message = error_message(b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_BYTES, "huge.png")
    assert f"the limit is {MAX_UPLOAD_MB} MB" in message and "5.0 MB" in message


def test_just_under_the_byte_limit_is_read():
    data = encode(Image.new("RGB", (4, 4), (1, 2, 3)), "BMP")
    padded = data + b"\x00" * (MAX_BYTES - len(data))  # BMP readers ignore bytes after the pixels
    assert load_upload(padded).rgb[0, 0].tolist() == [1, 2, 3]


# --- not images, other formats, damaged files -------------------------------------------------------------

@pytest.mark.parametrize("data, phrase", [
    (b"Dear teacher,\nhere is my homework.\n", "is a text file, not an image"),
    ("Übung: Faltung\n".encode(), "is a text file, not an image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "is a PDF document"),
    (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "is an SVG drawing"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "is an HEIC photo"),
    (bytes(range(256)) * 4, "is not an image this app can read"),
])
def test_files_that_are_not_images(data, phrase):
    message = error_message(data, "upload.bin")
    assert phrase in message and "“upload.bin”" in message
    assert "PNG, JPEG" in message  # says what to upload instead


@pytest.mark.parametrize("fmt", ["ICO", "PPM", "PCX", "QOI", "SGI", "TGA"])
def test_other_image_formats_are_refused_without_running_their_plugins(fmt, monkeypatch):
    data = encode(Image.new("RGB", (16, 16), (200, 10, 10)), fmt)
    opened = []
    for name, (factory, accept) in list(Image.OPEN.items()):
        if name not in uploads.ALLOWED_FORMATS:
            monkeypatch.setitem(Image.OPEN, name, (lambda *a, name=name: opened.append(name), accept))
    message = error_message(data)
    assert opened == []  # only the allowed plugins read the bytes; the others' signature tests name them
    assert "PNG, JPEG, GIF, BMP, WebP or TIFF" in message
    if fmt != "TGA":  # TGA has no signature (its first bytes look like a CUR icon's)
        assert f"probably an image in the {fmt} format, which this app does not accept" in message


@pytest.mark.parametrize("fmt, options", [("PNG", {}), ("JPEG", {"quality": 95}), ("BMP", {}), ("GIF", {}),
                                          ("WEBP", {"lossless": True}), ("TIFF", {})])
def test_every_allowed_format_round_trips(fmt, options):
    rgb = photo_like()
    if fmt == "GIF":  # 256 colours at most: use a few flat colours
        rgb = (rgb // 64 * 64).astype(np.uint8)
    upload = load_upload(encode(Image.fromarray(rgb), fmt, **options), f"x.{fmt.lower()}")
    assert upload.format == fmt and upload.size == (32, 24) and upload.rgb.shape == (24, 32, 3)
    assert upload.rgb.dtype == np.uint8 and upload.notes == () and upload.frames == 1
    tolerance = 12 if fmt == "JPEG" else 0
    assert np.abs(upload.rgb.astype(int) - rgb).max() <= tolerance
    assert set(uploads.ALLOWED_FORMATS) == {"PNG", "JPEG", "BMP", "GIF", "WEBP", "TIFF"}


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_truncated_files(fmt):
    noise = (np.random.default_rng(1).random((64, 64, 3)) * 255).astype(np.uint8)
    data = encode(Image.fromarray(noise), fmt)
    message = error_message(data[: len(data) // 2], "half.x")
    assert "cut off or damaged" in message and "“half.x”" in message


def test_a_file_cut_inside_its_header():
    data = encode(Image.new("RGB", (8, 8)), "PNG")
    assert "starts like a PNG image but is cut off or damaged" in error_message(data[:20])


@pytest.mark.parametrize("width, height", [(0, 8), (8, 0), (0, 0)])
def test_zero_size_png(width, height):
    message = error_message(with_png_size(png(8, 8), width, height))
    assert f"{width} x {height} pixels" in message and "at least one pixel" in message


def test_zero_width_bmp():
    data = encode(Image.new("RGB", (8, 8)), "BMP")
    assert "at least one pixel" in error_message(data[:18] + struct.pack("<i", 0) + data[22:])


# --- decompression bombs -------------------------------------------------------------------------------

def test_hand_made_png_is_valid():
    rows = [bytes([0b10100000]), bytes([0b01000000])]  # 3 x 2 pixels, 1 bit each
    upload = load_upload(png(3, 2, rows=rows))
    assert upload.rgb[..., 0].tolist() == [[255, 0, 255], [0, 255, 0]] and upload.mode == "1"


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if any pixel data is decoded."""
    def load(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def test_a_real_bomb_is_refused_from_its_header(no_decoding):
    bomb = png(20000, 20000)  # a valid 400-megapixel black PNG ...
    assert len(bomb) < 100_000  # ... in a few kilobytes
    message = error_message(bomb, "bomb.png")
    assert "20000 x 20000 pixels (400 megapixels)" in message
    assert f"limit is {MAX_PIXELS / 1e6:.0f} megapixels" in message and "decompression bomb" in message


def test_our_pixel_limit_is_below_pillows(no_decoding):
    width, height = 8000, 6000  # 48 MP: Pillow alone would decode this
    assert width * height > MAX_PIXELS and width * height < Image.MAX_IMAGE_PIXELS
    assert "8000 x 6000 pixels" in error_message(with_png_size(png(8, 8), width, height))


def test_at_the_pixel_limit_the_header_passes():
    side = int(MAX_PIXELS ** 0.5)  # a real square 1-bit PNG just under the limit would take seconds to
    data = with_png_size(png(8, 8), side, side)  # decode, so its pixel data is missing: "damaged", not "bomb"
    assert "cut off or damaged" in error_message(data)


@pytest.mark.parametrize("width, height, pillow_reaction", [
    (10000, 10000, "warning"),  # over Image.MAX_IMAGE_PIXELS: Pillow warns ...
    (100000, 100000, "error"),  # over twice that: Pillow raises DecompressionBombError
])
def test_pillows_own_bomb_check_becomes_our_message(width, height, pillow_reaction, no_decoding):
    assert (width * height > 2 * Image.MAX_IMAGE_PIXELS) == (pillow_reaction == "error")
    data = with_png_size(png(8, 8), width, height)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # as an app may configure it
        message = error_message(data)
    assert f"{width} x {height} pixels" in message and "megapixels" in message


# --- modes and conversions ---------------------------------------------------------------------------------

def test_cmyk_jpeg():
    inks = [(255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0), (0, 0, 0, 255)]  # cyan, magenta, yellow, black
    expected = [(0, 255, 255), (255, 0, 255), (255, 255, 0), (0, 0, 0)]  # what is left of white light
    cmyk = np.concatenate([np.full((16, 16, 4), ink, np.uint8) for ink in inks], axis=1)  # (16, 64, 4)
    upload = load_upload(encode(Image.fromarray(cmyk, "CMYK"), "JPEG", quality=95))
    assert upload.mode == "CMYK" and upload.format == "JPEG" and "CMYK converted to RGB" in upload.notes
    for k, colour in enumerate(expected):
        centre = upload.rgb[8, 16 * k + 8].astype(int)
        assert np.abs(centre - colour).max() <= 8


def test_16_bit_grayscale_png_gradient():
    values = np.linspace(0, 65535, 64 * 16).round().astype(np.uint16).reshape(16, 64)
    upload = load_upload(encode(Image.fromarray(values), "PNG"))
    assert upload.mode.startswith("I") and "16-bit image scaled to 8 bits" in upload.notes
    out = upload.rgb.astype(float)
    assert np.all(out[..., 0] == out[..., 1]) and np.all(out[..., 0] == out[..., 2])
    assert np.abs(out[..., 0] - values / 257.0).max() <= 0.5  # 65535 -> 255, nearest level
    assert out[0, 0, 0] == 0 and out[-1, -1, 0] == 255 and np.all(np.diff(out[..., 0].ravel()) >= 0)


def test_16_bit_rgb_png():
    values = np.array([[0, 1000, 65535], [257 * 100, 40000, 300]], dtype=">u2")  # (2, 3), big-endian
    rgb16 = np.stack([values, values[:, ::-1], np.full_like(values, 65535)], axis=-1).astype(">u2")  # (2, 3, 3)
    upload = load_upload(png(3, 2, bit_depth=16, color_type=2, rows=[r.tobytes() for r in rgb16]))
    assert "16-bit image scaled to 8 bits" in upload.notes
    assert np.abs(upload.rgb.astype(float) - rgb16 / 257.0).max() <= 1.0


def test_palette_without_and_with_transparency():
    index = np.array([[0, 1], [2, 1]], np.uint8)
    palette = [10, 20, 30, 200, 0, 0, 0, 0, 255]
    image = Image.fromarray(index, "P")
    image.putpalette(palette)
    plain = load_upload(encode(image, "PNG"))
    assert plain.mode == "P" and plain.rgb.tolist() == [[[10, 20, 30], [200, 0, 0]], [[0, 0, 255], [200, 0, 0]]]
    see_through = load_upload(encode(image, "PNG", transparency=1))
    assert see_through.rgb.tolist() == [[[10, 20, 30], [255] * 3], [[0, 0, 255], [255] * 3]]
    assert "transparent areas put on white" in see_through.notes


def test_rgba_and_la_are_put_on_white():
    rgba = np.array([[[255, 0, 0, 0], [0, 0, 255, 255], [0, 0, 0, 51]]], np.uint8)  # (1, 3, 4)
    upload = load_upload(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert upload.rgb.tolist() == [[[255, 255, 255], [0, 0, 255], [204, 204, 204]]]  # 255 * (1 - 51/255)
    assert upload.notes == ("transparent areas put on white",)
    la = np.array([[[0, 255], [100, 0], [0, 102]]], np.uint8)
    assert load_upload(encode(Image.fromarray(la, "LA"), "PNG")).rgb[0, :, 0].tolist() == [0, 255, 153]


def test_opaque_alpha_adds_no_note():
    upload = load_upload(encode(Image.new("RGBA", (3, 3), (1, 2, 3, 255)), "PNG"))
    assert upload.notes == () and upload.rgb[1, 1].tolist() == [1, 2, 3]


def test_animated_gif_gives_its_first_frame():
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    frames = [Image.new("RGB", (12, 10), colour) for colour in colours]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    upload = load_upload(data)
    assert upload.frames == 3 and upload.notes == ("first frame of an animated GIF (3 frames)",)
    assert np.all(upload.rgb == colours[0]) and upload.rgb.shape == (10, 12, 3)


@pytest.mark.parametrize("orientation, rotate", [(3, 2), (6, -1), (8, 1)])  # np.rot90 k (counter-clockwise)
def test_exif_orientation_is_applied(orientation, rotate):
    rgb = np.zeros((32, 48, 3), np.uint8)  # (H, W) = (32, 48)
    rgb[:16, :16] = 255  # white top-left corner ...
    rgb[16:, :16, 0] = 255  # ... red bottom-left: tells a rotation from a mirror image
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(Image.fromarray(rgb), "JPEG", quality=95, subsampling=0, exif=exif.tobytes())
    upload = load_upload(data)
    assert upload.size == (48, 32) and "EXIF rotation applied" in upload.notes
    expected = np.rot90(rgb, rotate)  # orientation 6 is shown turned 90 degrees clockwise
    assert upload.rgb.shape == expected.shape
    assert np.abs(upload.rgb.astype(int) - expected).max() <= 40  # JPEG ringing at the edges
    for corner in [(4, 4), (4, -5), (-5, 4), (-5, -5), (20, 4), (4, 20)]:
        assert np.abs(upload.rgb[corner].astype(int) - expected[corner]).max() <= 10


def test_orientation_one_is_left_alone():
    exif = Image.Exif()
    exif[0x0112] = 1
    upload = load_upload(encode(Image.fromarray(photo_like()), "JPEG", exif=exif.tobytes()))
    assert upload.rgb.shape == (24, 32, 3) and upload.notes == ()


@pytest.mark.parametrize("mode, value, note", [("L", 77, "grayscale image"), ("1", 1, "black-and-white image")])
def test_grayscale(mode, value, note):
    upload = load_upload(encode(Image.new(mode, (5, 4), value), "PNG"))
    expected = 77 if mode == "L" else 255
    assert upload.mode == mode and np.all(upload.rgb == expected) and upload.notes == (note,)


def test_multi_picture_jpeg():
    pictures = [Image.new("RGB", (16, 16), (250, 0, 0)), Image.new("RGB", (16, 16), (0, 0, 250))]
    upload = load_upload(encode(pictures[0], "MPO", save_all=True, append_images=pictures[1:]))
    assert upload.format == "MPO" and upload.frames == 2 and upload.rgb[8, 8, 0] > 200


def test_gray_is_luma():
    upload = load_upload(encode(Image.fromarray(photo_like()), "PNG"))
    pillow = np.asarray(Image.fromarray(np.asarray(upload.rgb)).convert("L"), dtype=float) / 255
    assert upload.gray().dtype == np.float32 and np.abs(upload.gray() - pillow).max() <= 1 / 255


@pytest.mark.parametrize("scale, offset, note", [(1.0, 0.0, "floating-point image scaled to 8 bits"),
                                                 (300.0, -100.0, "32-bit image stretched from [-100, 200]")])
def test_floating_point_tiff(scale, offset, note):
    unit = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    upload = load_upload(encode(Image.fromarray(unit * scale + offset), "TIFF"))
    assert upload.mode == "F" and upload.notes[0].startswith(note)
    assert np.abs(upload.rgb[..., 1].astype(float) - unit * 255).max() <= 0.5 + 1e-9  # both end at 0..255


# --- the result, sizes, names ------------------------------------------------------------------------------

def test_result_is_frozen_and_read_only():
    upload = load_upload(encode(Image.new("RGB", (2, 2)), "PNG"))
    with pytest.raises(FrozenInstanceError):
        upload.format = "GIF"
    with pytest.raises(ValueError):
        upload.rgb[0, 0, 0] = 1


@pytest.mark.parametrize("height, width, max_side, expected", [
    (300, 400, 100, (75, 100)), (400, 300, 100, (100, 75)), (50, 60, 100, (50, 60)), (1000, 3, 10, (10, 1))])
def test_downscale(height, width, max_side, expected):
    rgb = np.full((height, width, 3), 90, np.uint8)
    small = downscale(rgb, max_side)
    assert small.shape == (*expected, 3) and small.dtype == np.uint8 and np.all(small == 90)


def test_downscale_rejects_bad_input():
    with pytest.raises(ValueError, match="max_side"):
        downscale(np.zeros((4, 4, 3), np.uint8), 0)
    with pytest.raises(ValueError, match="uint8"):
        downscale(np.zeros((4, 4)), 2)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_load_with_max_side(fmt):
    rgb = np.repeat(np.repeat(photo_like(), 40, axis=0), 40, axis=1)  # (960, 1280, 3)
    upload = load_upload(encode(Image.fromarray(rgb), fmt), max_side=200)
    assert upload.rgb.shape == (150, 200, 3) and upload.size == (1280, 960)
    assert upload.notes[-1] == "downscaled to 200 x 150 pixels"
    expected = np.asarray(Image.fromarray(rgb).resize((200, 150), Image.Resampling.BOX), dtype=int)
    assert np.abs(upload.rgb.astype(int) - expected).mean() < 3


def test_names_in_messages_are_safe_markdown():
    assert display_name("C:\\Users\\me\\photo.png") == "photo.png"
    assert display_name("../a/[x](javascript:alert(1))*<b>.png") == "_x__javascript_alert_1____b_.png"
    assert len(display_name("x" * 500 + ".png")) <= 60
    message = error_message(b"", "[click](http://evil)<script>.png")
    assert not set("[]()<>") & set(message.split("is empty")[0])


# --- robustness: damaged files only ever raise ValueError -----------------------------------------------

SAMPLES = [encode(Image.fromarray(photo_like(12, 16)), fmt) for fmt in ("PNG", "JPEG", "GIF", "BMP", "WEBP",
                                                                         "TIFF")]


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about damaged EXIF and TIFF tags
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=st.sampled_from(SAMPLES), flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)),
                                                    min_size=1, max_size=6), cut=st.integers(0, 10**6))
def test_damaged_files_raise_value_error_or_decode(sample, flips, cut):
    data = bytearray(sample)
    for position, value in flips:
        data[position % len(data)] = value
    data = bytes(data[: max(1, cut % (len(data) + 1))])
    try:
        upload = load_upload(data)
    except ValueError as error:
        assert str(error)  # a message, never a traceback type the page does not catch
    else:
        assert upload.rgb.dtype == np.uint8 and upload.rgb.ndim == 3 and upload.rgb.shape[2] == 3
