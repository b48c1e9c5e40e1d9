"""pad_sources against torch: F.pad of an index-encoded input says where every padded cell comes from."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import conv2d, pad
from engine.figures.padding_figures import output_size_latex, sources_html
from engine.ops.arithmetic import conv_output_size
from engine.ops.padding_sources import CONSTANT, axis_sources, gather, pad_sources
from engine.pytorch_code import pad_conv_code

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_MODES = ("constant", "reflect", "replicate", "circular")


def _limit(mode, size):
    """Largest pad torch allows on an axis of this size: reflect < size, circular <= size."""
    return {"reflect": size - 1, "circular": size}.get(mode, 4)


@st.composite
def cases(draw, n_axes):
    mode = draw(st.sampled_from(TORCH_MODES))
    shape = tuple(draw(st.integers(1, 6)) for _ in range(n_axes))
    widths = []
    for size in reversed(shape):  # F.pad lists the last axis first
        top = min(_limit(mode, size), 4)
        widths += [draw(st.integers(0, top)), draw(st.integers(0, top))]
    return mode, shape, tuple(widths)


def _torch_sources(shape, widths, mode):
    """Pad the cell numbers 0..n-1 with torch (fill -1) and decode each padded cell's number to an index."""
    codes = torch.arange(int(np.prod(shape)), dtype=torch.float64).reshape(1, 1, *shape)
    padded = F.pad(codes, widths, mode=mode, value=-1.0 if mode == "constant" else None)[0, 0].numpy()
    padded = padded.astype(int)
    index = np.stack(np.unravel_index(np.where(padded < 0, 0, padded), shape), axis=-1)
    return np.where((padded < 0)[..., None], CONSTANT, index)


@pytest.mark.parametrize("n_axes", [1, 2, 3])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_sources_match_torch_in_every_mode(n_axes, data):
    mode, shape, widths = data.draw(cases(n_axes))
    got = pad_sources(shape, widths, mode)
    expected = _torch_sources(shape, widths, mode)
    assert got.shape == (*expected.shape[:-1], n_axes)
    np.testing.assert_array_equal(got, expected)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1), value=st.sampled_from([0.0, -2.0, 5.5]))
def test_gathering_the_sources_is_padding(data, seed, value):
    mode, shape, widths = data.draw(cases(2))
    x = np.random.default_rng(seed).integers(-9, 10, shape).astype(float)
    sources = pad_sources(shape, widths, mode)
    np.testing.assert_array_equal(gather(x, sources, value), pad(x, widths, mode=mode, value=value))
    fill = value if mode == "constant" else None
    np.testing.assert_array_equal(gather(x, sources, value),
                                  F.pad(torch.from_numpy(x)[None, None], widths, mode=mode, value=fill)[0, 0].numpy())


def test_zeros_is_constant_and_the_original_keeps_its_own_indices():
    sources = pad_sources((3, 4), (1, 2, 2, 0), "zeros")
    np.testing.assert_array_equal(sources, pad_sources((3, 4), (1, 2, 2, 0), "constant"))
    inner = sources[2:5, 1:5]  # the input sits at its own index
    np.testing.assert_array_equal(inner, np.stack(np.indices((3, 4)), axis=-1))
    assert (sources[:2] == CONSTANT).all() and (sources[:, 0] == CONSTANT).all()


def test_axis_sources_by_hand():
    np.testing.assert_array_equal(axis_sources(4, 2, 2, "reflect"), [2, 1, 0, 1, 2, 3, 2, 1])
    np.testing.assert_array_equal(axis_sources(4, 2, 2, "replicate"), [0, 0, 0, 1, 2, 3, 3, 3])
    np.testing.assert_array_equal(axis_sources(4, 2, 2, "circular"), [2, 3, 0, 1, 2, 3, 0, 1])
    np.testing.assert_array_equal(axis_sources(4, 2, 2, "zeros"), [-1, -1, 0, 1, 2, 3, -1, -1])
    np.testing.assert_array_equal(axis_sources(3, 3, 3, "circular"), [0, 1, 2, 0, 1, 2, 0, 1, 2])


@pytest.mark.parametrize("shape,widths,mode,message", [
    ((3, 3), (3, 0, 0, 0), "reflect", "Reflect padding of 3"),
    ((3, 2), (0, 0, 0, 3), "reflect", "this axis has 3"),
    ((2, 2), (3, 0, 0, 0), "circular", "cannot exceed the input size 2"),
    ((2, 2), (1, 1), "wrap", "Unknown padding mode"),
    ((2, 2), (1,), "constant", "(before, after) pair"),
    ((2, 2), (1, 1, 1, 1, 1, 1), "constant", "(before, after) pair"),
    ((2, 2), (-1, 1), "constant", "at least 0"),
    ((2, 2), (0.5, 1), "constant", "whole numbers"),
])
def test_torchs_limits_are_explained(shape, widths, mode, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        pad_sources(shape, widths, mode)


# ------------------------------------------------------------- text shown on the padding page


@settings(max_examples=80, deadline=None)
@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 4), kw=st.integers(1, 4),
       s=st.integers(1, 3), pads=st.lists(st.integers(0, 3), min_size=4, max_size=4))
def test_output_size_formula_ends_in_the_real_output_size(h, w, kh, kw, s, pads):
    pairs = ((pads[0], pads[1]), (pads[2], pads[3]))
    if h + pads[0] + pads[1] < kh or w + pads[2] + pads[3] < kw:
        return  # no window fits: the page shows an error instead
    latex = output_size_latex((h, w), (kh, kw), (s, s), pairs)
    y = conv2d(np.zeros((1, h, w)), np.zeros((1, 1, kh, kw)), stride=s, padding=pairs)
    body = latex.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
    rows = body.split(r"\\")
    assert len(rows) == 2
    for row, size, i, k, pair in zip(rows, y.shape[1:], (h, w), (kh, kw), pairs):
        assert row.rstrip().endswith(f"= {size}")
        assert size == conv_output_size(i, k, s, pair)
        assert f"{{{i} + " in row  # the numbers are written in


def test_output_size_formula_symmetric_and_asymmetric_forms():
    symmetric = output_size_latex((5, 5), (3, 3), (2, 2), ((1, 1), (1, 1)))
    assert r"\frac{5 + 2 \cdot 1 - 3}{2}" in symmetric and symmetric.count("= 3") == 2
    asymmetric = output_size_latex((4, 6), (2, 3), (1, 1), ((0, 1), (2, 0)))
    assert r"\frac{4 + 0 + 1 - 2}{1}" in asymmetric and r"\frac{6 + 2 + 0 - 3}{1}" in asymmetric
    assert r"p_{\text{top}}" in asymmetric and r"p_{\text{left}}" in asymmetric


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pairs,stride", [(((1, 1), (1, 1)), 1), (((2, 0), (0, 1)), 2), (((0, 1), (0, 1)), 1)])
def test_pytorch_code_runs_and_matches_the_engine(mode, pairs, stride):
    x = np.arange(20.0).reshape(4, 5) - 7
    k = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, 1.0]])
    code = pad_conv_code(x, k, pairs, mode, stride)
    assert "F.pad(" in code and f"mode='{'constant' if mode == 'zeros' else mode}'" in code
    scope = {}
    exec(code.replace("print(y)", ""), scope)
    expected = conv2d(x[None], k[None, None], stride=stride, padding=pairs, padding_mode=mode)[0]
    np.testing.assert_allclose(scope["y"].numpy(), expected)
    if pairs[0][0] == pairs[0][1] == pairs[1][0] == pairs[1][1]:  # symmetric: the layer form is given too
        assert f"padding_mode='{mode}'" in code


def test_sources_html_labels_every_padded_cell():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    pairs = ((1, 0), (0, 1))
    padded = pad(x, (0, 1, 1, 0), mode="reflect")
    html = sources_html(x, padded, pad_sources(x.shape, (0, 1, 1, 0), "reflect"), pairs, "reflect")
    assert html.count('class="pd-pad"') == 3 + 3 - 1  # top row (3) + right column (3) - shared corner
    assert "← 1, 0" in html and "← 1, 1" in html and "← 0, 0" in html
    zeros = sources_html(x, pad(x, (1, 1, 1, 1)), pad_sources(x.shape, (1, 1, 1, 1), "zeros"),
                         ((1, 1), (1, 1)), "zeros")
    assert zeros.count("<small>fill</small>") == 12 and "←" not in zeros
