"""The "Draw a digit" figures (engine/figures/digit_figures.py): what each panel holds is the data it was
given (images decoded back from their PNGs, numbers read back from the traces), and Plotly accepts them."""
from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from engine.data.drawing import STROKES, preprocess_drawing, render_strokes
from engine.figures.digit_figures import (kernel_mosaic, kernels_figure, layer_caption, map_layers, panel_axes,
                                          preprocessing_figure, se_gates_figure)
from engine.nets.digit_nets import CONFIGS


def decode(uri):
    """A PNG data URI -> (H, W) gray levels 0..255 (its palette applied)."""
    data = base64.b64decode(uri.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=float)


@pytest.fixture(scope="module")
def steps():
    return preprocess_drawing(render_strokes(STROKES[5]))


def test_preprocessing_panels_show_the_steps(steps):
    fig = preprocessing_figure(steps, font_size=17)
    go.Figure(fig)  # Plotly validates the plain dict
    images = [t for t in fig["data"] if t["type"] == "image"]
    expected = [steps.gray, steps.cropped, steps.evened, steps.bitmap, steps.network_input]
    assert len(images) == 5
    for trace, image in zip(images, expected):
        np.testing.assert_allclose(decode(trace["source"]) / 255, np.clip(image, 0, 1), atol=1 / 254 + 1e-9)
    (counts,) = [t for t in fig["data"] if t["type"] == "heatmap"]
    np.testing.assert_array_equal(counts["z"], np.rint(steps.small * 16))
    box = next(s for s in fig["layout"]["shapes"] if s["type"] == "rect")
    top, bottom, left, right = steps.box
    assert (box["x0"], box["x1"], box["y0"], box["y1"]) == (left - 0.5, right - 0.5, top - 0.5, bottom - 0.5)
    grid = next(s for s in fig["layout"]["shapes"] if s["type"] == "path")
    assert grid["path"].count("M") == 2 * 7  # 7 inner lines each way: 8 x 8 blocks of 4 x 4
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    assert f"r = {steps.pen_radius:.1f} px" in titles[2] and titles[-1].endswith("28 × 28")
    assert fig["layout"]["font"]["size"] == 17


def test_panels_sit_side_by_side_in_proportion():
    axes = panel_axes([16, 32], gap=0.06)
    (_, _, a), (_, _, b) = axes
    assert a[0] == 0 and b[1] == pytest.approx(1.0) and a[1] + 0.06 == pytest.approx(b[0])
    assert (b[1] - b[0]) == pytest.approx(2 * (a[1] - a[0]))
    assert [x for x, _, _ in axes] == ["x", "x2"] and [y for _, y, _ in axes] == ["y", "y2"]


def test_kernel_mosaic_places_each_kernel_with_gaps():
    w = np.arange(5 * 9, dtype=float).reshape(5, 3, 3)
    m = kernel_mosaic(w, columns=2)
    assert m.shape == (3 * 4 - 1, 2 * 4 - 1)
    np.testing.assert_array_equal(m[0:3, 4:7], w[1])
    np.testing.assert_array_equal(m[8:11, 0:3], w[4])
    assert np.isnan(m[3]).all() and np.isnan(m[:, 3]).all() and np.isnan(m[8:11, 4:7]).all()  # gaps, no kernel 5


def test_kernels_figure_holds_the_weights_and_biases():
    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(16, 1, 3, 3)), rng.normal(size=16)
    b[3] = -0.001  # rounds to zero: shown as 0.00, not -0.00
    fig = kernels_figure(w, b)
    go.Figure(fig)
    z = np.array([[np.nan if v is None else v for v in row] for row in fig["data"][0]["z"]])
    np.testing.assert_array_equal(np.isnan(z), np.isnan(kernel_mosaic(w[:, 0], 8)))
    np.testing.assert_allclose(z[4:7, 8:11], w[10, 0])
    heatmap = fig["data"][0]
    assert heatmap["zmax"] == pytest.approx(np.abs(w).max()) and heatmap["zmin"] == -heatmap["zmax"]
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    assert titles[0] == f"ch 0, b = {b[0]:.2f}" and titles[3] == "ch 3, b = 0.00"
    assert not any("-0.00" in t for t in titles)
    with pytest.raises(ValueError, match="shape"):
        kernels_figure(np.zeros((16, 3, 3, 3)))


def test_se_gates_figure_holds_gates_and_reference():
    gates = {1: np.linspace(0, 1, 16), 2: np.linspace(1, 0, 32)}
    reference = {1: np.full(16, 0.5), 2: np.full(32, 0.25)}
    fig = se_gates_figure(gates, reference, "class mean")
    go.Figure(fig)
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    marks = [t for t in fig["data"] if t["type"] == "scatter"]
    for block, bar, mark in zip((1, 2), bars, marks):
        np.testing.assert_allclose(bar["y"], gates[block])
        np.testing.assert_allclose(mark["y"], reference[block])
        assert mark["name"] == "class mean"
    layout = fig["layout"]
    width = lambda axis: layout[axis]["domain"][1] - layout[axis]["domain"][0]  # noqa: E731
    assert width("xaxis2") == pytest.approx(2 * width("xaxis"))  # 32 channels get twice the room of 16
    assert len(se_gates_figure(gates)["data"]) == 2  # no reference: bars only
    with pytest.raises(ValueError, match="sigmoid"):
        se_gates_figure({1: np.array([0.5, 1.2])})
    with pytest.raises(ValueError, match="at least one"):
        se_gates_figure({})


def test_map_layers_leave_out_the_one_by_one_layers():
    shapes = {"conv1": (16, 28, 28), "gate1": (16, 1, 1), "scaled1": (16, 28, 28), "pool1": (16, 14, 14),
              "gap": (32, 1, 1)}
    assert map_layers(shapes) == ["conv1", "scaled1", "pool1"]


@pytest.mark.parametrize("name", list(CONFIGS))
def test_every_layer_has_a_caption_with_its_shape(name):
    cfg = CONFIGS[name]
    side, channels = 28, dict(zip(range(1, cfg.stages + 1), cfg.channels))
    for layer in cfg.layer_names():
        stage = int("".join(ch for ch in layer if ch.isdigit()) or cfg.stages)
        c = channels[stage]
        shape = (c, 14, 14) if layer.startswith(("pool", "stride")) else (c, side, side)
        caption = layer_caption(cfg, layer, shape)
        assert f"{shape[0]} maps of {shape[1]} × {shape[2]}" in caption
        assert caption.startswith(layer.rstrip("0123456789")[:4]) or layer.startswith("scaled")
        if layer.startswith("conv") and cfg.dilation(stage - 1) > 1:
            assert f"dilation {cfg.dilation(stage - 1)}" in caption
        if layer.startswith("pool"):
            assert ("largest" if cfg.downsampling == "max" else "mean") in caption


def test_kernel_numbers_fit_their_cells_at_projector_size():
    """Small type on a laptop (the 16 kernels share a screen row); in demo mode (font 20) no fixed size, so Plotly
    fits the numbers to the cells, up to the layout's 20 px."""
    w = np.ones((16, 1, 3, 3))
    assert kernels_figure(w, font_size=15)["data"][0]["textfont"]["size"] == 10
    demo = kernels_figure(w, font_size=20)
    assert "textfont" not in demo["data"][0] and demo["layout"]["font"]["size"] == 20
