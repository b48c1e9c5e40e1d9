"""The ImageNet lesson's figures and numbers (engine/figures/classifier_figures.py): the top-5 bars, the
feature-map mosaic decoded back from its PNG, the per-kind shares
(the MBConv block's arithmetic is checked in test_mbconv_cost.py)."""
from __future__ import annotations

import base64
import io
import re

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from engine.figures import cost_share_figure, feature_maps_figure, top_classes_figure
from engine.figures.classifier_figures import (BAR, GAP, LABEL_BAND, LEVELS, TILE, block_cost, cost_sentence,
                                               kind_shares, map_levels, palette, percent)
from engine.figures.style import DIVERGING, HIGHLIGHT
from engine.nets.imagenet import KINDS, layer_table


@pytest.fixture(scope="module")
def table():
    torch.set_num_threads(1)
    return layer_table()


def _hex(colour):
    return [int(colour[i:i + 2], 16) for i in (1, 3, 5)]


def _decoded(figure):
    """The mosaic of a feature_maps_figure as an RGB array, read back from its data URI."""
    source = figure["data"][0]["source"]
    assert source.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"))


# --- percent and the top-5 ----------------------------------------------------------------------------

@pytest.mark.parametrize("fraction, digits, text", [
    (0.951, 1, "95.1 %"), (1.0, 1, "100.0 %"), (0.0, 1, "0.0 %"), (0.0004, 1, "< 0.1 %"), (0.0005, 1, "0.1 %"),
    (0.8266, 0, "83 %"), (0.004, 0, "< 1 %")])
def test_percent(fraction, digits, text):
    assert percent(fraction, digits) == text


@settings(max_examples=40, deadline=None)
@given(logits=st.lists(st.floats(-8, 8), min_size=1, max_size=8))
def test_top_classes_bars_put_the_most_probable_on_top(logits):
    probs = np.exp(logits) / np.exp(logits).sum()
    order = np.argsort(-probs, kind="stable")
    names = [f"class {i}" for i in order]
    figure = top_classes_figure(names, probs[order], font_size=17).to_dict()
    (bar,) = figure["data"]
    # Plotly draws the first category at the bottom: the list is reversed so the first name is on top
    assert list(bar["y"]) == names[::-1]
    np.testing.assert_allclose(np.asarray(bar["x"], float)[::-1], 100 * probs[order])
    assert list(bar["text"])[::-1] == [percent(p) for p in probs[order]]
    assert list(bar["marker"]["color"]) == [BAR] * (len(names) - 1) + [HIGHLIGHT]
    assert figure["layout"]["xaxis"]["range"] == [0, 100]
    assert figure["layout"]["font"]["size"] == 17
    assert figure["layout"]["title"]["text"] == f"Top-{len(names)} of 1000 classes"


@pytest.mark.parametrize("names, probs", [(["a", "b"], [0.5]), ([], []), (["a"], [1.5]), (["a"], [-0.1])])
def test_top_classes_refuses_unusable_input(names, probs):
    with pytest.raises(ValueError):
        top_classes_figure(names, probs)


# --- feature maps -------------------------------------------------------------------------------------

def test_levels_of_signed_and_unsigned_maps():
    signed, levels = map_levels(np.array([[[-127.0, 0.0, 127.0, 63.0]], [[0.0, 0.0, 0.0, -1.0]]]))
    assert signed  # [-m, m] -> 0..254: v -> (v / m + 1) * 127
    np.testing.assert_array_equal(levels, [[[0, 127, 254, 190]], [[127, 127, 127, 0]]])  # each map its own scale
    signed, levels = map_levels(np.array([[[0.0, 3.0, 6.0]], [[0.0, 0.0, 0.0]]]))
    assert not signed
    np.testing.assert_array_equal(levels, [[[0, 127, 254]], [[0, 0, 0]]])  # a dead (all-zero) map is black


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(1e-3, 1e3))
def test_levels_do_not_depend_on_a_map_s_scale(seed, scale):
    maps = np.random.default_rng(seed).normal(size=(3, 5, 4))
    assert np.array_equal(map_levels(maps)[1], map_levels(maps * scale)[1])


def test_palettes_end_in_the_style_colours_and_white():
    signed = palette(True)
    assert signed.shape == (256, 3)
    assert signed[0].tolist() == _hex(DIVERGING[0][1]) and signed[LEVELS - 1].tolist() == _hex(DIVERGING[-1][1])
    assert signed[(LEVELS - 1) // 2].tolist() == _hex(DIVERGING[1][1])  # zero is the scale's white
    gray = palette(False)
    assert gray[0].tolist() == [0, 0, 0] and gray[LEVELS - 1].tolist() == [255, 255, 255]
    assert (gray[:LEVELS, 0] == gray[:LEVELS, 1]).all() and (np.diff(gray[:LEVELS, 0].astype(int)) >= 0).all()
    assert signed[LEVELS].tolist() == gray[LEVELS].tolist() == [255, 255, 255]  # the mosaic's background


@settings(max_examples=25, deadline=None)
@given(c=st.integers(1, 20), h=st.integers(1, 30), w=st.integers(1, 30), columns=st.integers(1, 9),
       first=st.integers(0, 100), signed=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_the_mosaic_png_holds_every_map_in_place(c, h, w, columns, first, signed, seed):
    maps = np.random.default_rng(seed).normal(size=(c, h, w))
    maps = maps if signed else np.abs(maps)
    figure = feature_maps_figure(maps, columns=columns, first_channel=first)
    is_signed, levels = map_levels(maps)
    colours = palette(is_signed)
    f = max(1, TILE // max(h, w))
    assert figure["meta"] == {"signed": is_signed, "factor": f, "shape": [c, h, w]}
    image = _decoded(figure)
    per_row = min(columns, c)
    assert image.shape == (-(-c // per_row) * (LABEL_BAND + h * f + GAP), per_row * (w * f + GAP) - GAP, 3)
    labels = figure["layout"]["annotations"]
    assert [a["text"] for a in labels] == [f"ch {first + i}" for i in range(c)]
    for i in range(c):
        r, q = divmod(i, per_row)
        top, left = r * (LABEL_BAND + h * f + GAP) + LABEL_BAND, q * (w * f + GAP)
        expected = colours[levels[i]].repeat(f, axis=0).repeat(f, axis=1)  # (h f, w f, 3)
        np.testing.assert_array_equal(image[top:top + h * f, left:left + w * f], expected)
        assert labels[i]["x"] == left + w * f / 2 and labels[i]["y"] < top  # centred above its tile
    assert (image[:LABEL_BAND] == 255).all()  # the label band is white


def test_feature_maps_figure_is_valid_plotly_and_titled():
    figure = feature_maps_figure(np.ones((4, 7, 7)), title="Block 15: 4 of 320 maps", font_size=20)
    fig = go.Figure(data=figure["data"], layout=figure["layout"])  # Plotly checks every property
    assert fig.layout.title.text == "Block 15: 4 of 320 maps" and fig.layout.font.size == 20
    assert fig.layout.yaxis.scaleanchor == "x"  # square pixels


@pytest.mark.parametrize("maps", [np.ones((3, 4)), np.ones((0, 4, 4))])
def test_feature_maps_figure_refuses_other_shapes(maps):
    with pytest.raises(ValueError, match="shape"):
        feature_maps_figure(maps)


# --- parameters and multiply-adds ---------------------------------------------------------------------

def test_kind_shares_add_up_and_follow_the_rows(table):
    shares = kind_shares(table)
    assert [s.kind for s in shares] == list(KINDS)
    assert sum(s.params_share for s in shares) == pytest.approx(1) and sum(s.macs_share for s in shares) == pytest.approx(1)
    for s in shares:
        rows = [r for r in table.rows if r.kind == s.kind]
        assert s.layers == len(rows) and s.macs == sum(r.macs for r in rows)
        assert s.params_share == pytest.approx(sum(r.params for r in rows) / sum(r.params for r in table.rows))


def test_cost_share_figure_stacks_to_100_percent(table):
    figure = cost_share_figure(table, font_size=19).to_dict()
    assert [t["name"].split()[0] for t in figure["data"]] == [k.split("-")[0] for k in KINDS]
    totals = np.sum([np.asarray(t["x"], float) for t in figure["data"]], axis=0)
    np.testing.assert_allclose(totals, [100, 100])
    assert figure["layout"]["barmode"] == "stack" and figure["layout"]["font"]["size"] == 19


def test_cost_sentence_states_the_shares_of_the_table(table):
    macs = {k: sum(r.macs for r in table.rows if r.kind == k) / table.macs for k in KINDS}
    params = {k: sum(r.params for r in table.rows if r.kind == k) / table.params for k in KINDS}
    numbers = [int(n) for n in re.findall(r"(\d+) %", cost_sentence(table))]
    pointwise = ("pointwise-expand", "pointwise-project")
    expected = [round(100 * sum(macs[k] for k in pointwise)), round(100 * sum(params[k] for k in pointwise)),
                round(100 * macs["depthwise"]), round(100 * params["depthwise"]), round(100 * params["classifier"])]
    assert numbers[:5] == expected
    assert expected[0] > 50 > expected[2]  # the MobileNet argument: 1×1 convolutions carry the compute
    assert expected[1] > 50  # classify_photo.md: they also 'hold most of the parameters'


def test_block_cost_names_the_blocks_there_are(table):
    with pytest.raises(ValueError, match="from 0 to 15"):
        block_cost(table, 16)
