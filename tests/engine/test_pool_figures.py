"""Pooling figures: the step view's marks and equation, unpooling against PyTorch, the animation's frames."""
from __future__ import annotations

import json
import re
from html import unescape

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import trace_pool
from engine.figures import pool_animation, pool_equation, pool_step_html, unpool_html
from engine.figures.pool_figures import unpooled

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _tables(html):
    """Every grid in the HTML as a list of rows of (class, text) cells."""
    tables = re.findall(r'<table class="cl-grid">(.*?)</table>', html)
    return [[re.findall(r'<td class="([^"]*)">([^<]*)</td>', row) for row in re.findall(r"<tr>(.*?)</tr>", t)]
            for t in tables]


# ---------------------------------------------------------------- equations

def test_equations_are_written_from_the_window():
    x = np.array([[1.0, 5.0], [2.0, 0.0]])
    assert pool_equation(trace_pool(x, 2), 0) == "y[0, 0] = max(1, 5, 2, 0) = 5"
    assert pool_equation(trace_pool(x, 2, mode="avg"), 0) == "y[0, 0] = (1 + 5 + 2 + 0) / 4 = 2"
    assert pool_equation(trace_pool([-3.0, 1.0, 2.5], 3, mode="avg"), 0) == "y[0] = ((-3) + 1 + 2.5) / 3 = 0.1667"


def test_padding_appears_as_minus_infinity_for_max_and_is_left_out_when_not_counted():
    t = trace_pool(np.array([[4.0, 1.0], [2.0, 3.0]]), 2, padding=1)
    assert pool_equation(t, 0) == "y[0, 0] = max(−∞, −∞, −∞, 4) = 4"
    t_avg = trace_pool(np.array([[4.0, 1.0], [2.0, 3.0]]), 2, padding=1, mode="avg", count_include_pad=False)
    assert pool_equation(t_avg, 0) == "y[0, 0] = (4) / 1 = 4"
    t_inc = trace_pool(np.array([[4.0, 1.0], [2.0, 3.0]]), 2, padding=1, mode="avg")
    assert pool_equation(t_inc, 0) == "y[0, 0] = (0 + 0 + 0 + 4) / 4 = 1"


def test_long_windows_are_shortened():
    t = trace_pool(np.arange(25.0).reshape(5, 5), 5)
    text = pool_equation(t, 0)
    terms = text.split("max(")[1].split(")")[0].split(", ")
    assert terms == ["0", "1", "2", "3", "4", "5", "…", "19", "20", "21", "22", "23", "24"] and text.endswith("= 24")


# ---------------------------------------------------------------- step view (HTML)

@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(1,), (2,)]).map(lambda t: t[0]), st.sampled_from(["max", "avg"]),
       st.integers(1, 3), st.integers(0, 1), st.booleans(), st.integers(0, 99))
def test_step_view_marks_the_window_the_max_and_the_output_so_far(seed, nd, mode, k, p, ceil_mode, n):
    p = min(p, k // 2)
    x = np.random.default_rng(seed).integers(-3, 4, (k + 3,) * nd).astype(float)
    t = trace_pool(x, k, padding=p, mode=mode, ceil_mode=ceil_mode)
    n = min(n, len(t.steps) - 1)
    step = t.steps[n]
    html = pool_step_html(t, n)
    assert "<script" not in html
    label = re.search(r'aria-label="([^"]*)"', html).group(1)
    assert unescape(label) == pool_equation(t, n)
    padded, window, output = _tables(html)
    window_cells = {tuple(c) if nd == 2 else (0, c[0]) for c in step.cells.reshape(-1, nd)}
    marked = {(r, c) for r, row in enumerate(padded) for c, (cls, _) in enumerate(row) if "win" in cls.split()}
    assert marked == window_cells
    best = [(r, c) for r, row in enumerate(padded) for c, (cls, _) in enumerate(row) if "arg" in cls.split()]
    if mode == "max":
        assert best == [tuple(step.argmax) if nd == 2 else (0, step.argmax[0])]
        assert sum("arg" in cls for row in window for cls, _ in row) == 1
    else:
        assert best == [] and "arg" not in html.split("</style>")[-1]
    shown = [text for row in window for _, text in row]
    assert len(shown) == step.values.size  # the window panel holds the window's numbers
    classes = [cls for row in output for cls, _ in row]
    assert classes.count("cur") == 1 and classes.index("cur") == n
    assert classes.count("todo") == t.output.size - n - 1


# ---------------------------------------------------------------- unpooling

@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.integers(1, 3), st.integers(0, 1), st.booleans())
def test_unpooling_matches_torch_and_the_switches_are_marked(seed, k, s, p, ceil_mode):
    p = min(p, k // 2)
    x = np.random.default_rng(seed).integers(0, 3, (5, 6)).astype(float)
    t = trace_pool(x, k, stride=s, padding=p, ceil_mode=ceil_mode)
    pooled, indices, back = unpooled(t)
    tv, ti = F.max_pool2d(torch.from_numpy(x)[None], k, s, p, ceil_mode=ceil_mode, return_indices=True)
    expected = F.max_unpool2d(tv, ti, k, s, p, output_size=x.shape)[0].numpy()
    np.testing.assert_array_equal(back, expected)
    switches = {tuple(int(v) for v in np.array(step.argmax) - p) for step in t.steps}  # trace agrees with torch
    assert switches == {np.unravel_index(int(i), x.shape) for i in ti.numpy().ravel()}
    html = unpool_html(t)
    source, pooled_table, result = _tables(html)
    assert {(r, c) for r, row in enumerate(result) for c, (cls, _) in enumerate(row) if "arg" in cls} == switches
    assert {(r, c) for r, row in enumerate(source) for c, (cls, _) in enumerate(row) if "arg" in cls} == switches
    assert [[float(text) for _, text in row] for row in result] == expected.tolist()
    assert [[float(text) for _, text in row] for row in pooled_table] == tv[0].numpy().tolist()


def test_unpooling_one_dimensional_and_refusing_averages():
    t = trace_pool([1.0, 5.0, 2.0, 0.0, 3.0], 2)
    _, _, back = unpooled(t)
    np.testing.assert_array_equal(back, [0, 5, 2, 0, 0])
    assert "max_unpool1d" in unpool_html(t)
    with pytest.raises(ValueError, match="needs max pooling"):
        unpool_html(trace_pool([1.0, 2.0], 2, mode="avg"))


# ---------------------------------------------------------------- animation

@pytest.mark.parametrize("make_trace", [
    lambda: trace_pool(np.arange(20.0).reshape(4, 5) % 7, 2, padding=1, ceil_mode=True),
    lambda: trace_pool(np.arange(20.0).reshape(4, 5) % 7, (2, 3), stride=1, mode="avg"),
    lambda: trace_pool([3.0, -1.0, 4.0, 1.0, -5.0, 9.0, 2.0], 3, stride=2, padding=1),
])
def test_animation_frames_follow_the_trace(make_trace):
    t = make_trace()
    start = len(t.steps) // 2
    fig = pool_animation(t, start=start)
    spec = json.loads(fig.to_json())  # serialisable: the -inf padding is drawn empty
    frames = spec["frames"]
    assert len(frames) == len(t.steps)
    assert [f["layout"]["title"]["text"] for f in frames] == [pool_equation(t, n) for n in range(len(t.steps))]
    assert spec["layout"]["title"]["text"] == pool_equation(t, start)
    assert spec["layout"]["sliders"][0]["active"] == start
    for step, frame in zip(t.steps, frames):
        window, best = frame["data"][0], frame["data"][1]
        xs = [v for v in window["x"] if v is not None]
        ys = [v for v in window["y"] if v is not None]
        cells = step.cells.reshape(-1, step.cells.shape[-1])
        cols = cells[:, -1]
        rows = cells[:, 0] if cells.shape[1] == 2 else np.zeros(len(cells))
        assert (min(xs), max(xs), min(ys), max(ys)) == (cols.min() - .5, cols.max() + .5,
                                                        rows.min() - .5, rows.max() + .5)
        assert (len(best["x"]) > 0) == (t.mode == "max")
    last = np.array(frames[-1]["data"][2]["z"], float)
    np.testing.assert_array_equal(last, np.atleast_2d(t.output))


def test_upsampling_methods_match_torch_nearest_and_unpooling():
    from engine.figures.pool_figures import upsampling_methods_html
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4], [9, 9, 9, 9]], dtype=float)
    grids = _tables(upsampling_methods_html(trace_pool(x, 2)))
    numbers = [np.array([[float(unescape(t) or "nan") for _, t in row] for row in g]) for g in grids]
    pooled, idx = F.max_pool2d(torch.tensor(x)[None], 2, return_indices=True)
    nearest = F.interpolate(pooled[None], scale_factor=2, mode="nearest")[0, 0].numpy()
    np.testing.assert_array_equal(numbers[0][:4], nearest)
    assert numbers[0][4].tolist() == [0, 0, 0, 0]  # the fifth row is under no window
    assert numbers[1][::2, ::2][:2].tolist() == pooled[0].numpy().tolist() and numbers[1][1::2].sum() == 0
    np.testing.assert_array_equal(numbers[2], F.max_unpool2d(pooled, idx, 2, output_size=x.shape)[0].numpy())
