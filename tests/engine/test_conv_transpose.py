"""conv_transpose1d/2d, the scatter trace, overlap counts and the equivalent convolution against PyTorch.

Integer-valued float64 inputs give exact sums in any order, so those cases must match torch bit for bit;
random float32 inputs are compared with a tolerance.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.ops.conv import conv1d, conv2d, correlate1d, correlate2d
from engine.ops.conv_transpose import (StampStep, TransposeTrace, conv_transpose1d, conv_transpose2d,
                                       conv_transpose_single, equivalent_conv_input, equivalent_conv_weight,
                                       output_padding_cells, overlap_counts, trace_conv_transpose)

torch = pytest.importorskip("torch")
F = torch.nn.functional
SETTINGS = settings(max_examples=120, deadline=None)
TRANSPOSE = {1: conv_transpose1d, 2: conv_transpose2d}
TORCH_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d}


@st.composite
def transpose_cases(draw, nd, channels=True):
    """One consistent set of arguments; output_padding < max(stride, dilation) on each axis."""
    groups = draw(st.sampled_from([1, 1, 2, 3])) if channels else 1
    c_in = groups * (draw(st.integers(1, 2)) if channels else 1)
    c_out = groups * (draw(st.integers(1, 2)) if channels else 1)
    k = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    sizes = tuple(draw(st.integers(1, 5)) for _ in range(nd))
    out = [(i - 1) * s - 2 * p + d * (kk - 1) + op + 1
           for i, s, p, d, kk, op in zip(sizes, stride, padding, dilation, k, output_padding)]
    assume(all(o >= 1 for o in out))
    as_arg = lambda t: t[0] if nd == 1 or (len(set(t)) == 1 and draw(st.booleans())) else t  # noqa: E731
    return dict(nd=nd, groups=groups, c_in=c_in, c_out=c_out, k=k, sizes=sizes, out=tuple(out),
                batch=draw(st.sampled_from([None, 1, 2])), use_bias=draw(st.booleans()),
                seed=draw(st.integers(0, 2**32 - 1)), args=dict(
                    stride=as_arg(stride), padding=as_arg(padding), output_padding=as_arg(output_padding),
                    dilation=as_arg(dilation)),
                torch_args=dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation))


def make_arrays(case, integer=True):
    rng = np.random.default_rng(case["seed"])
    x_shape = ((case["batch"],) if case["batch"] else ()) + (case["c_in"], *case["sizes"])
    w_shape = (case["c_in"], case["c_out"] // case["groups"], *case["k"])
    if integer:
        x, w = rng.integers(-5, 6, x_shape).astype(np.float64), rng.integers(-3, 4, w_shape).astype(np.float64)
        b = rng.integers(-4, 5, case["c_out"]).astype(np.float64)
    else:
        x, w = rng.standard_normal(x_shape, dtype=np.float32), rng.standard_normal(w_shape, dtype=np.float32)
        b = rng.standard_normal(case["c_out"], dtype=np.float32)
    return x, w, (b if case["use_bias"] else None)


def torch_transpose(case, x, w, b):
    t = lambda a: None if a is None else torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
    return TORCH_TRANSPOSE[case["nd"]](t(x), t(w), t(b), groups=case["groups"], **case["torch_args"]).numpy()


@pytest.mark.parametrize("nd", [1, 2])
@given(data=st.data())
@SETTINGS
def test_matches_torch_exactly(nd, data):
    case = data.draw(transpose_cases(nd))
    x, w, b = make_arrays(case)
    ours = TRANSPOSE[nd](x, w, b, groups=case["groups"], **case["args"])
    expected = torch_transpose(case, x, w, b)
    assert ours.dtype == np.float64 and ours.shape == expected.shape
    assert ours.shape[-nd:] == case["out"]  # i' = (i - 1)s - 2p + d(k - 1) + output_padding + 1
    np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("nd", [1, 2])
@given(data=st.data())
@settings(max_examples=40, deadline=None)
def test_float32_close_to_torch(nd, data):
    case = data.draw(transpose_cases(nd))
    x, w, b = make_arrays(case, integer=False)
    ours = TRANSPOSE[nd](x, w, b, groups=case["groups"], **case["args"])
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, torch_transpose(case, x, w, b), rtol=1e-5, atol=1e-5)


def test_lecture_example():
    """Kernel (x, y, z), stride 1: (a, b, c, d) -> (ax, ay + bx, az + by + cx, bz + cy + dx, cz + dy, dz)."""
    a, b, c, d = 2.0, 3.0, 5.0, 7.0
    x, y, z = 10.0, 100.0, 1000.0
    expected = [a * x, a * y + b * x, a * z + b * y + c * x, b * z + c * y + d * x, c * z + d * y, d * z]
    np.testing.assert_array_equal(conv_transpose_single([a, b, c, d], [x, y, z]), expected)
    np.testing.assert_array_equal(conv_transpose1d(np.array([[a, b, c, d]]), np.array([[[x, y, z]]]))[0], expected)
    np.testing.assert_array_equal(trace_conv_transpose([a, b, c, d], [x, y, z]).output, expected)


@pytest.mark.parametrize("nd", [1, 2])
@given(data=st.data())
@SETTINGS
def test_trace_stamps_every_input_cell_once(nd, data):
    case = data.draw(transpose_cases(nd, channels=False))
    x, w, _ = make_arrays(case)
    x, w = x.reshape(-1, *case["sizes"])[0], w.reshape(case["k"])
    bias = data.draw(st.sampled_from([0.0, 1.0, -2.5]))
    trace = trace_conv_transpose(x, w, bias, **case["args"])
    assert isinstance(trace, TransposeTrace) and all(isinstance(s, StampStep) for s in trace.steps)
    assert [s.index for s in trace.steps] == list(np.ndindex(*x.shape))  # reading order, each cell once
    expected = conv_transpose_single(x, w, **case["args"]) + bias
    np.testing.assert_array_equal(trace.output, expected)
    np.testing.assert_array_equal(trace.steps[-1].output, expected)
    stride, dilation = case["torch_args"]["stride"], case["torch_args"]["dilation"]
    for step in trace.steps:
        assert step.value == x[step.index]
        np.testing.assert_array_equal(step.stamp, x[step.index] * w)
        taps = np.stack(np.meshgrid(*[np.arange(k) for k in w.shape], indexing="ij"), -1)
        np.testing.assert_array_equal(step.cells, np.array(step.index) * stride + taps * dilation)
        inside = [(step.cells[..., a] >= lo) & (step.cells[..., a] < hi) for a, (lo, hi) in enumerate(trace.window)]
        np.testing.assert_array_equal(step.kept, np.all(inside, axis=0))
    crop = tuple(slice(lo, hi) for lo, hi in trace.window)
    np.testing.assert_array_equal(trace.canvas[crop] + bias, expected)
    # Uncropped canvas = the transposed convolution without padding (and room for output_padding).
    uncropped = conv_transpose_single(x, w, case["args"]["stride"], 0, 0, case["args"]["dilation"])
    np.testing.assert_array_equal(trace.canvas[tuple(slice(0, n) for n in uncropped.shape)], uncropped)
    assert trace.step(-5) is trace.steps[0] and trace.step(10**6) is trace.steps[-1]


@pytest.mark.parametrize("nd", [1, 2])
@given(data=st.data())
@SETTINGS
def test_overlap_counts_are_transpose_of_ones(nd, data):
    case = data.draw(transpose_cases(nd, channels=False))
    counts = overlap_counts(case["sizes"], case["k"], **case["args"])
    ones = torch.ones((1, 1, *case["sizes"]), dtype=torch.float64)
    expected = TORCH_TRANSPOSE[nd](ones, torch.ones((1, 1, *case["k"]), dtype=torch.float64), **case["torch_args"])
    assert counts.dtype.kind == "i"
    np.testing.assert_array_equal(counts, expected[0, 0].numpy())


@pytest.mark.parametrize("k, s", [(3, 2), (4, 3), (5, 2), (3, 4), (4, 2), (6, 3), (3, 3), (2, 1)])
def test_checkerboard_when_kernel_not_divisible_by_stride(k, s):
    counts = overlap_counts((10, 10), (k, k), s)
    interior = counts[k + s:-(k + s), k + s:-(k + s)]
    if k % s:
        assert len(np.unique(interior)) > 1  # uneven overlap: the checkerboard
    else:
        assert np.all(interior == (k // s) ** 2)


@pytest.mark.parametrize("nd", [1, 2])
@given(data=st.data())
@SETTINGS
def test_equivalent_convolution(nd, data):
    case = data.draw(transpose_cases(nd))
    x, w, b = make_arrays(case)
    z = equivalent_conv_input(x, case["args"]["stride"], case["k"], case["args"]["padding"],
                              case["args"]["output_padding"], case["args"]["dilation"])
    conv = conv1d if nd == 1 else conv2d
    ours = conv(z, equivalent_conv_weight(w, case["groups"]), b, dilation=case["args"]["dilation"],
                groups=case["groups"])
    np.testing.assert_array_equal(ours, torch_transpose(case, x, w, b))


def test_equivalent_convolution_single_channel():
    x, w = np.array([[1.0, 2.0], [3.0, 4.0]]), np.arange(9.0).reshape(3, 3)
    z = equivalent_conv_input(x, 2, 3, 1, 1)
    # 3 x 3 after zero insertion, then d(k - 1) - p = 1 before and 1 + output_padding = 2 after.
    np.testing.assert_array_equal(z, [[0, 0, 0, 0, 0, 0], [0, 1, 0, 2, 0, 0], [0, 0, 0, 0, 0, 0],
                                      [0, 3, 0, 4, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]])
    expected = F.conv_transpose2d(torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None], stride=2,
                                  padding=1, output_padding=1)[0, 0].numpy()
    np.testing.assert_array_equal(correlate2d(z, np.flip(w)), expected)
    z1 = equivalent_conv_input([1.0, 2.0, 3.0], 3, 2, 0)
    np.testing.assert_array_equal(z1, [0, 1, 0, 0, 2, 0, 0, 3, 0])
    np.testing.assert_array_equal(correlate1d(z1, [5.0, 1.0]), conv_transpose_single([1.0, 2.0, 3.0], [1.0, 5.0], 3))


@pytest.mark.parametrize("nd", [1, 2])
@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_transpose_is_the_backward_pass_of_conv(nd, data):
    """grad_x sum(conv(x, w) * g) == conv_transpose(g, w) with the output_padding that restores x's size."""
    case = data.draw(transpose_cases(nd))
    rng = np.random.default_rng(case["seed"])
    ta = case["torch_args"]
    x_sizes = case["out"]  # the conv's input is the transposed conv's output
    w = rng.integers(-3, 4, (case["c_in"], case["c_out"] // case["groups"], *case["k"])).astype(np.float64)
    batch = (case["batch"],) if case["batch"] else ()  # unbatched (C, ...) works too
    x = torch.from_numpy(rng.integers(-5, 6, (*batch, case["c_out"], *x_sizes)).astype(np.float64))
    x.requires_grad_(True)
    conv = F.conv1d if nd == 1 else F.conv2d
    y = conv(x, torch.from_numpy(w), stride=ta["stride"], padding=ta["padding"], dilation=ta["dilation"],
             groups=case["groups"])
    assume(tuple(y.shape[-nd:]) == case["sizes"])  # conv maps x back onto g's shape
    g = rng.integers(-5, 6, y.shape).astype(np.float64)
    (y * torch.from_numpy(g)).sum().backward()
    ours = TRANSPOSE[nd](g, w, groups=case["groups"], **case["args"])
    np.testing.assert_array_equal(ours, x.grad.numpy())


X = np.ones((1, 2, 3, 3))
W = np.ones((2, 1, 2, 2))


@pytest.mark.parametrize("call, phrase", [
    (lambda: conv_transpose2d(X, W, stride=2, output_padding=2), r"output_padding must be smaller than the stride or the dilation"),
    (lambda: conv_transpose1d(np.ones((1, 3)), np.ones((1, 1, 2)), output_padding=1), r"got output_padding 1 with stride 1 and dilation 1"),
    (lambda: conv_transpose2d(X, W, output_padding=-1), r"output_padding must be a whole number of at least 0"),
    (lambda: conv_transpose2d(X, W, padding=-1), r"padding must be a whole number of at least 0, got -1"),
    (lambda: conv_transpose2d(X, W, padding="same"), r"padding must be a whole number"),
    (lambda: conv_transpose2d(X, W, padding=2), r"The output would have size 0 x 0: the padding crops away everything"),
    (lambda: conv_transpose2d(X, W, stride=0), r"stride must be a whole number of at least 1, got 0"),
    (lambda: conv_transpose2d(X, W, dilation=(1, 0)), r"dilation must be a whole number of at least 1"),
    (lambda: conv_transpose2d(X, W, stride=(1, 1, 1)), r"stride needs 2 value\(s\), one per spatial axis; got 3"),
    (lambda: conv_transpose2d(X, np.ones((3, 1, 2, 2))), r"weight .* expects 3 input channels but the input has 2"),
    (lambda: conv_transpose2d(X, np.ones((2, 1, 2))), r"expects weight of shape \(C_in, C_out / groups, k_h, k_w\)"),
    (lambda: conv_transpose2d(np.ones((3, 3)), W), r"expects input of shape \(N, C, H, W\) or \(C, H, W\)"),
    (lambda: conv_transpose2d(np.ones((1, 3, 3, 3)), np.ones((3, 1, 2, 2)), groups=2), r"groups=2 must divide"),
    (lambda: conv_transpose2d(X, W, groups=0), r"groups must be a whole number of at least 1"),
    (lambda: conv_transpose2d(X, W, bias=np.ones(2)), r"bias needs one value per output channel \(1\)"),
    (lambda: conv_transpose2d(X, np.ones((2, 0, 2, 2))), r"empty axis"),
    (lambda: trace_conv_transpose(np.ones((2, 2)), np.ones(2)), r"1D or 2D input and a kernel of the same rank"),
    (lambda: trace_conv_transpose(np.ones(3), np.ones(2), stride=2, output_padding=2), r"output_padding must be smaller"),
    (lambda: overlap_counts((3,), (2,), 0), r"stride must be a whole number"),
    (lambda: equivalent_conv_input(np.ones((1, 1, 3)), 2, 2, 0), r"kernel_size as a tuple"),
    (lambda: equivalent_conv_input(np.ones(3), 1, (2, 2), 0), r"at least 2 axes"),
])
def test_bad_arguments_explain_themselves(call, phrase):
    with pytest.raises(ValueError, match=phrase):
        call()


def test_output_padding_of_the_issue_keeps_a_stamp():
    """torch: conv_transpose1d([1, 2, 3], ones(3), stride=2, padding=1, output_padding=1) = [1, 3, 2, 5, 3, 3]."""
    x, w = torch.tensor([[[1.0, 2, 3]]], dtype=torch.float64), torch.ones(1, 1, 3, dtype=torch.float64)
    y = F.conv_transpose1d(x, w, stride=2, padding=1, output_padding=1)[0, 0].numpy()
    np.testing.assert_array_equal(conv_transpose_single([1.0, 2, 3], np.ones(3), 2, 1, 1), y)
    assert output_padding_cells(3, 3, 2, 1, 1) == (1, 0) and y[-1] != 0


@SETTINGS
@given(i=st.integers(1, 5), k=st.integers(1, 4), s=st.integers(1, 3), p=st.integers(0, 3), data=st.data())
def test_output_padding_cells_are_cropped_stamps_then_zeros(i, k, s, p, data):
    """The extra cells: the first `cut` equal the uncropped canvas (torch, p = 0) there, the `past` ones are 0."""
    op = data.draw(st.integers(0, s - 1))
    assume((i - 1) * s - 2 * p + k + op >= 1)
    x = torch.arange(1.0, i + 1, dtype=torch.float64)[None, None]
    w = torch.arange(1.0, k + 1, dtype=torch.float64)[None, None]
    y = F.conv_transpose1d(x, w, stride=s, padding=p, output_padding=op)[0, 0].numpy()
    canvas = F.conv_transpose1d(x, w, stride=s)[0, 0].numpy()  # every stamp, nothing cropped
    cut, past = output_padding_cells(i, k, s, p, op)
    assert cut + past == min(op, len(y))  # the cells output_padding adds (all of them if op = 0 leaves none)
    start = len(y) - cut - past
    np.testing.assert_array_equal(y[start:start + cut], canvas[p + start:p + start + cut])
    if k >= s:  # no gaps between stamps: with a positive input and kernel these cells hold stamps
        assert np.all(canvas[p + start:p + start + cut] > 0)
    np.testing.assert_array_equal(y[start + cut:], np.zeros(past))
    assert cut <= p and (past == 0 or p + start + cut >= len(canvas))  # zeros only past the last stamp
