"""The ImageNet lesson: the top-5, feature maps and costs on the page come from the engine; every kind of
bad or unusual upload gets a clear message or is read correctly, and the session goes on working.

Uploads are real files made in memory (Pillow, or by hand where Pillow cannot write the file) and sent
through AppTest's file_uploader, as the browser would send them."""
from __future__ import annotations

import json
import re
import struct
import zlib

import numpy as np
import pytest
import torch
from PIL import Image

from engine.data.photos import SAMPLE_PHOTOS, rgb_photo
from engine.figures.classifier_figures import block_cost, blocks_total
from engine.figures.common import percent
from engine.nets.imagenet import classify, feature_maps, layer_table
from pages.shell.lesson_page import LessonPage
from tests.app.checks import assert_clean, assert_link_note
from tests.image_files import encode, png_chunk

PAGE = "classify_photo.py"
torch.set_num_threads(1)


# --- files ----------------------------------------------------------------------------------------------



def png_48bit(rgb):
    """A 16-bit-per-channel RGB PNG written by hand (Pillow cannot write one): v -> 257 v, big-endian."""
    h, w, _ = rgb.shape
    values = (rgb.astype(np.uint16) * 257).astype(">u2")
    raw = b"".join(b"\x00" + values[i].tobytes() for i in range(h))  # filter byte 0 per row
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


def png_bomb(side=30_000):
    """A 1-bit PNG of side x side pixels (900 megapixels) in a couple of kilobytes: a decompression bomb."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + side // 8)
    idat = compressor.compress(row * 512) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b""))


def coffee():
    return Image.fromarray(rgb_photo("Coffee"))


def with_alpha():
    rgb = rgb_photo("Coffee")
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    alpha[:40] = 0  # a transparent band along the top
    return encode(Image.fromarray(np.dstack([rgb, alpha]), "RGBA"), "PNG")


def animated_gif():
    """Two frames: the coffee, then the cat. The page must classify the first."""
    frames = [Image.fromarray(rgb_photo(label)).resize((600, 400)).convert("P", palette=Image.Palette.ADAPTIVE)
              for label in ("Coffee", "Cat (Chelsea)")]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def sideways_jpeg(orientation=6):
    """The coffee stored turned a quarter left, with the EXIF tag that says how to turn it upright."""
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    return encode(coffee().transpose(Image.Transpose.ROTATE_90), "JPEG", quality=95, exif=exif)


def gray_16bit():
    gray = (rgb_photo("Coffee").astype(np.float64) @ [0.299, 0.587, 0.114] * 257).astype(np.uint16)
    return encode(Image.fromarray(gray), "PNG")


def good_png():
    return encode(coffee(), "PNG")


BAD = {  # name -> (file name, bytes, what the message must say)
    "not an image": ("notes.png", b"Dear teacher,\nhere is my homework.\n", "is a text file, not an image"),
    "truncated": ("cut.png", good_png()[:200_000], "cut off or damaged"),
    "zero bytes": ("empty.png", b"", "is empty (0 bytes)"),
    "decompression bomb": ("bomb.png", png_bomb(), "decompression bomb"),
    **{f"{w}x{h}": ("thin.png", encode(Image.new("RGB", (w, h), "gray"), "PNG"), f"is {w} x {h} pixels (W x H): too thin")
       for w, h in [(1, 1), (1, 100_000), (2, 1000), (1000, 2)]},  # center_crop raised on these (issue 13, item 3)
}
HANDLED = {  # name -> (file name, bytes factory, the note the page must show)
    "CMYK": ("cmyk.jpg", lambda: encode(coffee().convert("CMYK"), "JPEG", quality=95), "CMYK converted to RGB"),
    "16-bit RGB": ("deep.png", lambda: png_48bit(rgb_photo("Coffee")), "16-bit image scaled to 8 bits"),
    "16-bit gray": ("deep-gray.png", gray_16bit, "16-bit image scaled to 8 bits"),
    "palette": ("palette.png", lambda: encode(coffee().convert("P", palette=Image.Palette.ADAPTIVE), "PNG"),
                "downscaled to"),
    "alpha": ("alpha.png", with_alpha, "transparent areas put on white"),
    "animated GIF": ("anim.gif", animated_gif, "first frame of an animated GIF (2 frames)"),
    "EXIF-rotated": ("phone.jpg", sideways_jpeg, "EXIF rotation applied"),
}


# --- reading the page -----------------------------------------------------------------------------------

def top5(at):
    return next(c.value for c in at.caption if c.value.startswith("Top-5: "))


def top5_text(result):
    return "Top-5: " + " · ".join(f"{p.name} {percent(p.probability)}" for p in result.top)


def top1_percent(at):
    return float(re.match(r"Top-5: .+? (\d+\.\d) %", top5(at)).group(1))


def upload_note(at):
    return next((c.value for c in at.caption if c.value.startswith("Showing your upload")), None)


def chart(at, key):
    return json.loads(next(e.proto.spec for e in at.get("plotly_chart") if e.proto.id.endswith(key) or key in e.proto.id))


def texts(at):
    return [e.value for kind in ("markdown", "caption", "error", "warning", "info") for e in getattr(at, kind)]


def upload(at, name, data):
    mime = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif"}[name.rsplit(".", 1)[1]]
    at.file_uploader[0].set_value((name, data, mime)).run()
    return at


# --- sample photos --------------------------------------------------------------------------------------

def test_default_page_shows_coffee_as_espresso(open_page):
    at = open_page(PAGE)
    assert_clean(at)
    assert not at.warning
    result = classify(rgb_photo("Coffee"))
    assert result.top[0].name == "espresso"
    assert top5(at) == top5_text(result) and top5(at).startswith("Top-5: espresso ")
    bars = chart(at, "cp_top5_fig")["data"][0]
    assert list(bars["y"])[::-1] == [p.name for p in result.top]
    np.testing.assert_allclose(bars["x"][::-1], [100 * p.probability for p in result.top], rtol=1e-6)
    assert any(m.value.startswith("The network is fairly sure: **espresso**") for m in at.markdown)
    assert upload_note(at) is None


@pytest.mark.parametrize("label", list(SAMPLE_PHOTOS))
def test_every_sample_photo_shows_the_engine_s_top5(open_page, label):
    at = open_page(PAGE)
    at.segmented_control(key="cp_photo").set_value(label).run()
    assert_clean(at)
    assert top5(at) == top5_text(classify(rgb_photo(label)))
    h, w = rgb_photo(label).shape[:2]
    assert f"the sample photo {label} ({h} × {w} pixels" in at.image[0].captions[0]


def test_the_block_slider_shows_that_block_s_maps(open_page):
    at = open_page(PAGE)
    maps = feature_maps(rgb_photo("Coffee"), ["stem", "blocks.0", "blocks.15"])
    for block in (0, 15):
        at.slider(key="cp_block").set_value(block).run()
        assert_clean(at)
        c, h, w = maps[f"blocks.{block}"].shape
        caption = next(x.value for x in at.caption if x.value.startswith(f"Block {block} ("))
        assert f": {c} maps of {h} × {w}, one cell for each {224 // h} × {224 // h} pixels" in caption
        assert chart(at, "cp_block_fig")["layout"]["title"]["text"] == f"Block {block}: 16 of {c} maps, {h} × {w}"
    c, h, w = maps["stem"].shape
    assert any(x.value.startswith(f"Stem (3×3 convolution, stride 2, 3 → {c} channels, then ReLU6): {c} maps of {h} × {w}")
               for x in at.caption)


def test_costs_follow_the_layer_table_and_the_code_runs(open_page):
    at = open_page(PAGE, {"cp_block": "8"})
    assert_clean(at)
    table = layer_table()
    block_table, summary, layers = (d.value for d in at.dataframe)
    assert summary["parameters"].sum() == table.params and summary["multiply-adds"].sum() == table.macs
    assert list(layers["layer"]) == [r.name for r in table.rows]
    scope = {}
    exec(at.code[0].value, scope)  # the PyTorch modules for block 8
    cost = block_cost(table, 8)
    assert sum(p.numel() for p in scope["block"].parameters()) == cost.weights
    assert scope["plain"].weight.numel() == cost.plain.weights
    assert list(block_table["layer"]) == ["expand", "depthwise", "project", "block 8", "plain conv"]
    assert list(block_table["weights"]) == [l.weights for l in cost.layers] + [cost.weights, cost.plain.weights]
    assert list(block_table["multiply-adds"]) == [l.macs for l in cost.layers] + [cost.macs, cost.plain.macs]
    assert any(f"**{cost.weights_ratio:.2f}×** the plain convolution's weights and does **{cost.macs_ratio:.2f}×** "
               "its multiply-adds" in m.value for m in at.markdown)
    built, plain = blocks_total(table)
    assert any(f"{built:,} multiply-adds; plain k×k convolutions with the same shapes: {plain:,}" in m.value
               for m in at.markdown)
    (c, h, w), (c2, h2, w2) = cost.input_shape, cost.plain.output_shape
    assert any(m.value.startswith(f"Block 8 takes {c} × {h} × {w} to {c2} × {h2} × {w2}. It is an **MBConv** block")
               for m in at.markdown)
    assert any(f"filters work on {cost.hidden_channels} channels instead of {c}." in m.value for m in at.markdown)


def test_the_first_block_has_no_expansion_to_compare(open_page):
    """Block 0 (t = 1) filters its input channels: no 'on 32 channels instead of 32'."""
    at = open_page(PAGE, {"cp_block": "0"})
    assert_clean(at)
    cost = block_cost(layer_table(), 0)
    assert cost.expand_ratio == 1
    text = next(m.value for m in at.markdown if "the plain convolution's weights" in m.value)
    assert "instead of" not in text and f"on its {cost.in_channels} input channels (no expansion)" in text


def test_a_link_reproduces_the_view(open_page):
    at = open_page(PAGE, {"cp_photo": "Rocket", "cp_block": "12"})
    assert_clean(at)
    assert not at.warning
    assert top5(at) == top5_text(classify(rgb_photo("Rocket")))
    assert at.slider(key="cp_block").value == 12


@pytest.mark.parametrize("query", [{"cp_photo": "<b>Dog</b>"}, {"cp_block": "16"}, {"cp_block": "x"}])
def test_malformed_links_fall_back_with_a_note(open_page, query):
    at = open_page(PAGE, query)
    assert_link_note(at, query)
    assert top5(at) == top5_text(classify(rgb_photo("Coffee")))


def test_demo_mode_draws_larger_type(open_page):
    at = open_page(PAGE, {"demo": "1"})
    assert_clean(at)
    assert chart(at, "cp_top5_fig")["layout"]["font"]["size"] == 20
    assert chart(at, "cp_stem_fig")["layout"]["font"]["size"] == 20


# --- uploads --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_upload_gets_a_clear_message_and_the_sample_photo(open_page, case):
    name, data, phrase = BAD[case]
    at = upload(open_page(PAGE), name, data)
    assert not at.exception, [e.value for e in at.exception]
    (error,) = at.error
    assert phrase in error.value and error.value.endswith("Showing the sample photo Coffee instead.")
    assert top5(at) == top5_text(classify(rgb_photo("Coffee")))  # the page goes on with the sample
    assert upload_note(at) is None


@pytest.mark.parametrize("case", list(HANDLED))
def test_an_unusual_upload_is_read_and_classified(open_page, case):
    name, make, note = HANDLED[case]
    at = upload(open_page(PAGE), name, make())
    assert_clean(at)
    assert note in upload_note(at) and "Uploaded photos are not part of the link" in upload_note(at)
    assert top5(at).startswith("Top-5: espresso ")  # still the coffee: colours, depth, frames read right
    assert "your upload" in at.image[0].captions[0]
    assert dict(at.query_params).get("cp_upload") is None and not any(k.startswith("cp_upload") for k in at.query_params)


def test_exif_rotation_turns_the_photo_upright(open_page):
    at = upload(open_page(PAGE), "phone.jpg", sideways_jpeg())
    assert_clean(at)
    h, w = map(int, re.search(r"\((\d+) × (\d+) pixels", at.image[0].captions[0]).groups())
    assert w > h  # stored portrait (turned), shown landscape like the original
    upright = upload(open_page(PAGE), "upright.jpg", encode(coffee(), "JPEG", quality=95))
    sideways = upload(open_page(PAGE), "sideways.jpg", sideways_jpeg(orientation=None))
    assert abs(top1_percent(at) - top1_percent(upright)) < 1.0
    assert abs(top1_percent(sideways) - top1_percent(upright)) > 10.0  # so the rotation matters to the network


def test_a_good_upload_after_a_bad_one_works(open_page):
    at = upload(open_page(PAGE), "empty.png", b"")
    assert "is empty (0 bytes)" in at.error[0].value
    cat = encode(Image.fromarray(rgb_photo("Cat (Chelsea)")), "PNG")
    upload(at, "cat.png", cat)
    assert_clean(at)
    assert upload_note(at) is not None
    assert top5(at) != top5_text(classify(rgb_photo("Coffee")))
    assert top5(at).split(" · ")[0] == top5_text(classify(rgb_photo("Cat (Chelsea)"))).split(" · ")[0]


def test_the_session_keeps_working_after_a_bad_upload(open_page):
    at = upload(open_page(PAGE), "bomb.png", png_bomb())
    assert at.error
    at.segmented_control(key="cp_photo").set_value("Motorcycle").run()
    assert_clean(at)  # choosing a sample empties the uploader: the message goes
    assert top5(at) == top5_text(classify(rgb_photo("Motorcycle")))
    at.slider(key="cp_block").set_value(5).run()
    assert_clean(at)


def test_choosing_a_sample_or_a_preset_replaces_the_upload(open_page):
    at = upload(open_page(PAGE), "cat.png", encode(Image.fromarray(rgb_photo("Cat (Chelsea)")), "PNG"))
    assert upload_note(at) is not None
    at.slider(key="cp_block").set_value(9).run()
    assert upload_note(at) is not None  # another block: the upload stays
    at.segmented_control(key="cp_photo").set_value("Rocket").run()
    assert upload_note(at) is None and top5(at) == top5_text(classify(rgb_photo("Rocket")))
    upload(at, "cat.png", encode(Image.fromarray(rgb_photo("Cat (Chelsea)")), "PNG"))
    assert upload_note(at) is not None
    at.button(key=LessonPage.preset_key("hubble")).click().run()
    assert_clean(at)
    assert upload_note(at) is None and top5(at) == top5_text(classify(rgb_photo("Hubble deep field")))


def test_the_file_name_never_reaches_the_page(open_page):
    evil = "<img src=x onerror=alert(1)>evil.png"
    at = upload(open_page(PAGE), evil, b"not a picture at all")
    assert at.error and not any("evil" in t or "onerror" in t for t in texts(at))
    upload(at, evil, good_png())
    assert_clean(at)
    assert not any("evil" in t or "onerror" in t for t in texts(at) + at.image[0].captions)
