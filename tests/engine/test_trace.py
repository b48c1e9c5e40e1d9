"""Step traces against the direct computation (correlate*/convolve*) and against PyTorch."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import ConvStep, ConvTrace, convolve1d, convolve2d, correlate1d, correlate2d, pad, trace_conv

torch = pytest.importorskip("torch")
F = torch.nn.functional

TORCH_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


@st.composite
def trace_cases(draw, nd):
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    kind = draw(st.sampled_from(["int", "tuple", "same", "full", "valid"]))
    stride = (1,) * nd if kind == "same" else tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    spans = [d * (kk - 1) for kk, d in zip(k, dilation)]
    if kind == "int":
        p = draw(st.integers(0, 2))
        padding, pads = p, ((p, p),) * nd
    elif kind == "tuple":
        ps = tuple(draw(st.integers(0, 2)) for _ in range(nd))
        padding, pads = ps, tuple((p, p) for p in ps)
    elif kind == "same":
        padding, pads = "same", tuple((s // 2, s - s // 2) for s in spans)
    elif kind == "full":
        padding, pads = "full", tuple((s, s) for s in spans)
    else:
        padding, pads = "valid", ((0, 0),) * nd
    mode = draw(st.sampled_from(list(TORCH_PAD_MODE)))
    sizes = []
    for (before, after), span in zip(pads, spans):
        low = max(1, span + 1 - before - after, max(before, after) + 1)  # fits; reflect pad < size
        sizes.append(draw(st.integers(low, low + 3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-5, 6, sizes).astype(float)
    w = rng.integers(-3, 4, k).astype(float)
    bias = float(draw(st.sampled_from([0, 0, 1, -2.5])))
    flip = draw(st.booleans())
    as_arg = lambda t: t[0] if draw(st.booleans()) and len(set(t)) == 1 else t  # noqa: E731
    return dict(x=x, w=w, bias=bias, stride=as_arg(stride), dilation=as_arg(dilation), padding=padding, pads=pads,
                mode=mode, flip=flip, torch_stride=stride, torch_dilation=dilation)


def torch_output(case):
    nd = case["x"].ndim
    applied = np.flip(case["w"]).copy() if case["flip"] else case["w"]
    flat = [q for pair in reversed(case["pads"]) for q in pair]
    tx = F.pad(torch.from_numpy(case["x"])[None, None], flat, mode=TORCH_PAD_MODE[case["mode"]])
    conv = F.conv1d if nd == 1 else F.conv2d
    y = conv(tx, torch.from_numpy(applied)[None, None], torch.tensor([case["bias"]], dtype=torch.float64),
             stride=case["torch_stride"], dilation=case["torch_dilation"])
    return y.numpy()[0, 0]


def run_trace(case):
    return trace_conv(case["x"], case["w"], bias=case["bias"], stride=case["stride"], padding=case["padding"],
                      dilation=case["dilation"], padding_mode=case["mode"], flip=case["flip"])


@pytest.mark.parametrize("nd", [1, 2])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_trace_is_consistent_with_direct_results_and_torch(nd, data):
    case = data.draw(trace_cases(nd))
    x, w, flip = case["x"], case["w"], case["flip"]
    t = run_trace(case)
    assert isinstance(t, ConvTrace)

    # The output: exactly torch's, and exactly the direct correlate/convolve result (+ bias).
    np.testing.assert_array_equal(t.output, torch_output(case))
    direct = {(1, False): correlate1d, (1, True): convolve1d, (2, False): correlate2d, (2, True): convolve2d}[nd, flip]
    args = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"], padding_mode=case["mode"])
    np.testing.assert_array_equal(t.output, direct(x, w, **args) + case["bias"])

    # What the trace records about its set-up.
    np.testing.assert_array_equal(t.input, x)
    np.testing.assert_array_equal(t.kernel, w)
    np.testing.assert_array_equal(t.applied, np.flip(w) if flip else w)
    if flip and nd == 2:
        np.testing.assert_array_equal(t.applied, w[::-1, ::-1])
    assert t.pads == case["pads"]
    flat = [q for pair in reversed(case["pads"]) for q in pair]
    expected_padded = F.pad(torch.from_numpy(x)[None, None], flat, mode=TORCH_PAD_MODE[case["mode"]]).numpy()[0, 0]
    np.testing.assert_array_equal(t.padded, expected_padded)
    assert t.stride == case["torch_stride"] and t.dilation == case["torch_dilation"]
    assert t.bias == case["bias"] and t.flip == flip and t.padding_mode == case["mode"]

    # Steps: one per output cell, in reading (row-major) order, each index exactly once.
    assert len(t.steps) == t.output.size
    assert [s.index for s in t.steps] == list(np.ndindex(*t.output.shape))
    assert len({tuple(s.index) for s in t.steps}) == t.output.size

    offsets = np.stack(np.meshgrid(*[np.arange(k) * d for k, d in zip(w.shape, case["torch_dilation"])],
                                   indexing="ij"), -1)  # (*k, nd) tap offsets in the padded input
    for s in t.steps:
        assert isinstance(s, ConvStep)
        assert s.cells.shape == (*w.shape, nd)
        np.testing.assert_array_equal(s.cells, offsets + np.array(s.index) * np.array(case["torch_stride"]))
        assert ((s.cells >= 0) & (s.cells < np.array(t.padded.shape))).all()
        np.testing.assert_array_equal(s.inputs, t.padded[tuple(np.moveaxis(s.cells, -1, 0))])
        np.testing.assert_array_equal(s.taps, t.applied)
        np.testing.assert_array_equal(s.products, s.inputs * s.taps)
        assert s.partial_sums.shape == (w.size,)
        np.testing.assert_array_equal(s.partial_sums, np.cumsum(s.products.ravel()))
        assert s.value == s.partial_sums[-1] + case["bias"]
        assert s.value == t.output[s.index]


def test_step_clamps_to_the_valid_range():
    t = trace_conv(np.arange(5.0), np.ones(2))
    assert len(t.steps) == 4
    assert t.step(-3) is t.steps[0]
    assert t.step(2) is t.steps[2]
    assert t.step(99) is t.steps[-1]


def test_trace_is_frozen():
    t = trace_conv(np.ones((3, 3)), np.ones((2, 2)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.bias = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.steps[0].value = 0.0


def test_syllabus_true_convolution_first_step():
    x = [[0, 80, 40], [20, 40, 0], [0, 0, 40]]
    k = [[0, 0.25], [0.5, 1]]
    t = trace_conv(x, k, flip=True)
    first = t.steps[0]
    assert first.index == (0, 0)
    np.testing.assert_array_equal(first.taps, [[1, 0.5], [0.25, 0]])
    np.testing.assert_array_equal(first.inputs, [[0, 80], [20, 40]])
    np.testing.assert_array_equal(first.products, [[0, 40], [5, 0]])
    np.testing.assert_array_equal(first.partial_sums, [0, 40, 45, 45])
    assert first.value == 45
    np.testing.assert_array_equal(t.output, convolve2d(np.array(x, float), np.array(k)))


def test_syllabus_5x5_trace_with_padding_cells():
    x = np.array([[2, 2, 3, 3, 3], [0, 1, 3, 0, 3], [2, 3, 0, 1, 3], [3, 3, 2, 1, 2], [3, 3, 0, 2, 3]], float)
    k = np.array([[2, 0, 1], [1, 0, 0], [0, 1, 1]], float)
    t = trace_conv(x, k, stride=2, padding=1)
    assert t.output.shape == (3, 3) and len(t.steps) == 9
    np.testing.assert_array_equal(t.padded, pad(x, (1, 1, 1, 1)))
    last = t.steps[-1]
    assert last.index == (2, 2)
    np.testing.assert_array_equal(last.cells[..., 0], [[4, 4, 4], [5, 5, 5], [6, 6, 6]])  # rows 4..6 of the padded
    np.testing.assert_array_equal(last.cells[..., 1], [[4, 5, 6]] * 3)
    np.testing.assert_array_equal(last.inputs, [[1, 2, 0], [2, 3, 0], [0, 0, 0]])  # x[3:5, 3:5] + zero border
    assert last.value == 1 * 2 + 2 * 0 + 0 * 1 + 2 * 1 + 3 * 0 + 0 * 0 + 0 * 0 + 0 * 1 + 0 * 1 == 4
    expected = F.conv2d(torch.from_numpy(x)[None, None], torch.from_numpy(k)[None, None], stride=2, padding=1)
    np.testing.assert_array_equal(t.output, expected.numpy()[0, 0])
