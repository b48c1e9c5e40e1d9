"""Light checks of the figures: frames follow the trace, titles are the step equations, JSON round-trips."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import trace_conv
from engine.figures import (conv_animation, formula_latex, grids_figure, images_figure, step_equation,
                            step_equation_latex)
from engine.figures.animation import FILL_BUDGET


def _trace_2d():
    x = np.array([[0, 80, 40], [20, 40, 0], [0, 0, 40]], float)
    return trace_conv(x, [[0, 0.25], [0.5, 1]], bias=-2.5, padding=1, flip=True)


def _array(z):
    """A Plotly array as numpy: plain lists, or Plotly 7's typed-array form {dtype, bdata, shape}."""
    if isinstance(z, dict):
        shape = tuple(int(n) for n in str(z.get("shape", "-1")).split(","))
        return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
    return np.array(z)


def _output_trace_index(fig):
    return [d.get("name") for d in fig.to_dict()["data"]].index("output")


@pytest.mark.parametrize("make_trace", [
    _trace_2d,
    lambda: trace_conv(np.arange(12.0).reshape(3, 4), [[1, -1], [0.5, 2]], stride=(1, 2), padding=(1, 0)),
    lambda: trace_conv([3, -1, 4, 1, -5, 9, 2], [1, 0, -1], bias=1.0, dilation=2, padding="same",
                       padding_mode="circular"),
])
def test_animation_frames_follow_the_trace(make_trace):
    t = make_trace()
    n_steps = len(t.steps)
    for start in sorted({0, 1, n_steps // 2, n_steps - 1}):
        fig = conv_animation(t, start=start)
        frames = fig.to_dict()["frames"]
        assert len(frames) == n_steps
        assert [f["name"] for f in frames] == [str(n) for n in range(n_steps)]
        for step, frame in zip(t.steps, frames):
            assert frame["layout"]["title"]["text"] == step_equation(step, t.bias)
            if not t.bias:
                assert frame["layout"]["title"]["text"] == step_equation(step)
            products = frame["data"][1]
            assert products["type"] == "heatmap"
            np.testing.assert_array_equal(products["z"], np.atleast_2d(step.products))
        layout = fig.to_dict()["layout"]
        assert layout["title"]["text"] == step_equation(t.steps[start], t.bias)
        slider = layout["sliders"][0]
        assert slider["active"] == start
        assert len(slider["steps"]) == n_steps
        assert [s["label"] for s in slider["steps"]] == [",".join(map(str, s.index)) for s in t.steps]
        # The output panel in the last frame is the whole output; in frame n, the first n + 1 cells.
        assert n_steps * t.output.size <= FILL_BUDGET
        out_pos = frames[-1]["traces"].index(_output_trace_index(fig))
        np.testing.assert_array_equal(np.array(frames[-1]["data"][out_pos]["z"], float), np.atleast_2d(t.output))
        revealed = np.array(frames[start]["data"][out_pos]["z"], dtype=object).ravel()
        assert [v is not None for v in revealed] == [n <= start for n in range(t.output.size)]
        np.testing.assert_array_equal(revealed[:start + 1].astype(float), t.output.ravel()[:start + 1])
        # The static figure shows the `start` frame.
        shown = np.array(fig.to_dict()["data"][_output_trace_index(fig)]["z"], dtype=object).ravel()
        assert [v is not None for v in shown] == [n <= start for n in range(t.output.size)]


@pytest.mark.parametrize("start, active", [(-4, 0), (10**6, "last")])
def test_animation_start_is_clamped(start, active):
    t = _trace_2d()
    expected = len(t.steps) - 1 if active == "last" else active
    fig = conv_animation(t, start=start)
    assert fig.to_dict()["layout"]["sliders"][0]["active"] == expected
    assert fig.to_dict()["layout"]["title"]["text"] == step_equation(t.steps[expected], t.bias)


def test_window_outline_surrounds_the_cells_under_the_kernel():
    t = _trace_2d()
    fig = conv_animation(t)
    for step, frame in zip(t.steps, fig.to_dict()["frames"]):
        window = frame["data"][0]
        xs = [v for v in window["x"] if v is not None]
        ys = [v for v in window["y"] if v is not None]
        rows, cols = step.cells[..., 0], step.cells[..., 1]
        assert (min(xs), max(xs)) == (cols.min() - 0.5, cols.max() + 0.5)
        assert (min(ys), max(ys)) == (rows.min() - 0.5, rows.max() + 0.5)


def test_figures_serialise_to_json():
    t = _trace_2d()
    fig = conv_animation(t, start=2)
    payload = json.loads(fig.to_json())
    assert len(payload["frames"]) == len(t.steps)
    assert payload["layout"]["sliders"][0]["active"] == 2
    assert payload["frames"][-1]["layout"]["title"]["text"] == step_equation(t.steps[-1], t.bias)
    one_d = conv_animation(trace_conv([1, 2, 3, 4], [1, -1]))
    assert len(json.loads(one_d.to_json())["frames"]) == 3
    grids = grids_figure([("X", t.input, False), ("K", t.kernel, True), ("Y", t.output, False)])
    assert len(json.loads(grids.to_json())["data"]) == 3
    images = images_figure([("image", np.random.default_rng(0).random((8, 8)), False), ("edges", -t.output, True)])
    assert len(json.loads(images.to_json())["data"]) == 2


def test_large_trace_draws_the_output_whole():
    t = trace_conv(np.arange(144.0).reshape(12, 12) % 7, np.ones((3, 3)))  # 100 steps x 100 cells: within budget
    assert len(t.steps) * t.output.size <= FILL_BUDGET
    small = conv_animation(t)
    assert len(small.to_dict()["frames"][0]["data"]) == 4  # window, products, output, current cell
    big = trace_conv(np.arange(784.0).reshape(28, 28) % 5, np.ones((3, 3)))  # 676 steps x 676 cells
    assert len(big.steps) * big.output.size > FILL_BUDGET
    fig = conv_animation(big, start=5)
    assert len(fig.to_dict()["frames"]) == len(big.steps)
    assert all(len(f["data"]) == 3 and len(f["traces"]) == 3 for f in fig.to_dict()["frames"])  # no output refill
    np.testing.assert_array_equal(_array(fig.to_dict()["data"][_output_trace_index(fig)]["z"]), big.output)


# ---------------------------------------------------------------- equations


def test_step_equation_syllabus_true_convolution():
    x = [[0, 80, 40], [20, 40, 0], [0, 0, 40]]
    t = trace_conv(x, [[0, 0.25], [0.5, 1]], flip=True)
    assert step_equation(t.steps[0]) == "y[0, 0] = 1·0 + 0.5·80 + 0.25·20 + 0·40 = 45"
    assert step_equation(t.steps[3]) == "y[1, 1] = 1·40 + 0.5·0 + 0.25·0 + 0·40 = 40"


def test_step_equation_from_the_numbers():
    """Expected strings built from the step's own taps and inputs (negative numbers in parentheses)."""
    t = trace_conv([[-3, 2, 5]], [[2, -1]], bias=0.5)
    (w0, w1), (a0, a1) = t.steps[0].taps[0], t.steps[0].inputs[0]
    assert (w0, w1, a0, a1) == (2, -1, -3, 2)
    assert step_equation(t.steps[0], t.bias) == "y[0, 0] = 2·(-3) + (-1)·2 + 0.5 = -7.5"
    assert step_equation(t.steps[1], t.bias) == "y[0, 1] = 2·2 + (-1)·5 + 0.5 = -0.5"
    assert step_equation(t.steps[1], -1) == "y[0, 1] = 2·2 + (-1)·5 + (-1) = -0.5"  # bias only as written
    assert step_equation_latex(t.steps[0], t.bias) == r"y_{0, 0} = 2 \cdot (-3) + (-1) \cdot 2 + 0.5 = -7.5"
    assert step_equation(trace_conv([3.0, 6.0], [1 / 3]).steps[1]) == "y[1] = 0.3333·6 = 2"


def test_step_equation_shortens_long_sums():
    t = trace_conv(np.arange(16.0).reshape(4, 4), np.ones((4, 4)))
    text = step_equation(t.steps[0])
    terms = text.split(" = ")[1].split(" + ")
    assert len(terms) == 13 and terms[6] == "…"
    assert terms[:6] == [f"1·{v}" for v in range(6)] and terms[7:] == [f"1·{v}" for v in range(10, 16)]
    assert text.endswith(" = 120")
    assert r"\dots" in step_equation_latex(t.steps[0]) and "…" not in step_equation_latex(t.steps[0])


def test_formula_names_the_operation_and_writes_in_the_settings():
    for x, k in [(np.ones(6), np.ones(3)), (np.ones((6, 6)), np.ones((3, 2)))]:
        corr = formula_latex(trace_conv(x, k))
        conv = formula_latex(trace_conv(x, k, flip=True))
        assert "cross-correlation" in corr and "tilde" not in corr
        assert "convolution" in conv and "cross" not in conv and "tilde" in conv
    two_d = formula_latex(trace_conv(np.ones((7, 7)), np.ones((3, 2)), stride=2, dilation=(1, 3), bias=0.5))
    assert r"\sum_{m=0}^{2}\sum_{n=0}^{1}" in two_d and "X(2i + m,\\; 2j + 3n) + 0.5" in two_d
    assert r"K(2 - m,\; 1 - n)" in formula_latex(trace_conv(np.ones((4, 4)), np.ones((3, 2)), flip=True))
    assert "X(i + m)" in formula_latex(trace_conv(np.ones(4), np.ones(2)))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), h=st.integers(1, 4), w=st.integers(1, 4), k=st.integers(1, 2),
       flip=st.booleans(), start=st.integers(-2, 30))
def test_animation_on_random_traces(seed, h, w, k, flip, start):
    rng = np.random.default_rng(seed)
    t = trace_conv(rng.integers(-4, 5, (h, w)), rng.integers(-2, 3, (k, k)), bias=float(rng.integers(-2, 3)),
                   padding="full", flip=flip)
    fig = conv_animation(t, start=start)
    active = min(max(start, 0), len(t.steps) - 1)
    assert fig.to_dict()["layout"]["sliders"][0]["active"] == active
    assert [f["layout"]["title"]["text"] for f in fig.to_dict()["frames"]] == [step_equation(s, t.bias) for s in t.steps]
    out_pos = fig.to_dict()["frames"][-1]["traces"].index(_output_trace_index(fig))
    np.testing.assert_array_equal(np.array(fig.to_dict()["frames"][-1]["data"][out_pos]["z"], float), t.output)
    assert ("(flipped)" in fig.to_dict()["layout"]["annotations"][1]["text"]) == flip


# ---------------------------------------------------------------- step view (HTML)

def test_step_view_marks_window_padding_and_current_cell():
    from engine.figures import step_html
    t = trace_conv(np.arange(9.0).reshape(3, 3), [[1, 0], [0, -1]], padding=1)
    html = step_html(t, 4)
    step = t.steps[4]
    assert step_equation(step) in html.replace("&#x27;", "'")
    assert html.count('class="win"') == step.cells.shape[0] * step.cells.shape[1]
    assert html.count('class="pad"') + html.count('class="win"') >= t.padded.size - t.input.size
    assert html.count('class="cur"') == 1
    assert html.count('class="todo"') == t.output.size - 5  # steps 0..4 are done
    assert "Padded input X" in html and "<script" not in html
    assert "Input X" in step_html(trace_conv(np.ones((3, 3)), np.ones((2, 2))), 0)
