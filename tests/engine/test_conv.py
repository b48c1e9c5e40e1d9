"""conv1d / conv2d / correlate* / convolve* against PyTorch (the oracle), over shapes and parameters.

Integer-valued float64 inputs give exact sums in any order, so those cases must match torch bit for bit;
random float32 inputs are compared with a tolerance.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import conv1d, conv2d, convolve1d, convolve2d, correlate1d, correlate2d

torch = pytest.importorskip("torch")
F = torch.nn.functional
# torch's own performance note for 'same' with an even kernel; not about correctness.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")

MODES = ("zeros", "reflect", "replicate", "circular")
TORCH_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
SETTINGS = settings(max_examples=150, deadline=None)


# ---------------------------------------------------------------- cases


@st.composite
def conv_cases(draw, nd):
    """One consistent set of conv arguments plus the per-axis (before, after) pads torch should see."""
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    kind = draw(st.sampled_from(["int", "tuple", "valid", "same", "full"]))
    stride = (1,) * nd if kind == "same" else tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    mode = draw(st.sampled_from(MODES))
    spans = [d * (kk - 1) for kk, d in zip(k, dilation)]
    if kind == "int":
        p = draw(st.integers(0, 2))
        padding, pads = p, [(p, p)] * nd
    elif kind == "tuple":
        ps = tuple(draw(st.integers(0, 2)) for _ in range(nd))
        padding, pads = ps, [(p, p) for p in ps]
    elif kind == "valid":
        padding, pads = "valid", [(0, 0)] * nd
    elif kind == "same":  # PyTorch puts the odd extra cell after
        padding, pads = "same", [(s // 2, s - s // 2) for s in spans]
    else:  # our extension: p = d(k - 1) on both sides
        padding, pads = "full", [(s, s) for s in spans]
    # Input large enough for the kernel, and for reflect (pad < size) / circular (pad <= size).
    sizes = []
    for (before, after), span in zip(pads, spans):
        low = max(1, span + 1 - before - after, max(before, after) + 1)
        sizes.append(draw(st.integers(low, low + 4)))
    batch = draw(st.sampled_from([None, 1, 2]))  # None: unbatched (C, ...) layout
    use_bias = draw(st.booleans())
    # Pass scalars as ints (not 1-tuples) some of the time, like a student would.
    as_arg = lambda t: t[0] if nd == 1 or (len(set(t)) == 1 and draw(st.booleans())) else t  # noqa: E731
    seed = draw(st.integers(0, 2**32 - 1))
    return dict(nd=nd, groups=groups, c_in=c_in, c_out=c_out, k=k, sizes=tuple(sizes), batch=batch,
                use_bias=use_bias, stride=as_arg(stride), dilation=as_arg(dilation), padding=padding,
                pads=pads, mode=mode, seed=seed, torch_stride=stride, torch_dilation=dilation)


def make_arrays(case, integer):
    rng = np.random.default_rng(case["seed"])
    x_shape = ((case["batch"],) if case["batch"] else ()) + (case["c_in"], *case["sizes"])
    w_shape = (case["c_out"], case["c_in"] // case["groups"], *case["k"])
    if integer:
        x = rng.integers(-5, 6, x_shape).astype(np.float64)
        w = rng.integers(-3, 4, w_shape).astype(np.float64)
        b = rng.integers(-4, 5, case["c_out"]).astype(np.float64)
    else:
        x = rng.standard_normal(x_shape, dtype=np.float32)
        w = rng.standard_normal(w_shape, dtype=np.float32)
        b = rng.standard_normal(case["c_out"], dtype=np.float32)
    return x, w, (b if case["use_bias"] else None)


def torch_conv(case, x, w, b):
    """The same convolution in PyTorch: F.pad with the mode (independent of our resolve_padding), then conv."""
    conv = F.conv1d if case["nd"] == 1 else F.conv2d
    tx = torch.from_numpy(x)
    if case["batch"] is None:
        tx = tx[None]
    flat = [q for pair in reversed(case["pads"]) for q in pair]  # last axis first
    tx = F.pad(tx, flat, mode=TORCH_PAD_MODE[case["mode"]])
    y = conv(tx, torch.from_numpy(w), None if b is None else torch.from_numpy(b),
             stride=case["torch_stride"], padding=0, dilation=case["torch_dilation"], groups=case["groups"])
    y = y.numpy()
    return y[0] if case["batch"] is None else y


def engine_conv(case, x, w, b):
    conv = conv1d if case["nd"] == 1 else conv2d
    return conv(x, w, b, stride=case["stride"], padding=case["padding"], dilation=case["dilation"],
                groups=case["groups"], padding_mode=case["mode"])


# ---------------------------------------------------------------- conv1d / conv2d vs torch


@pytest.mark.parametrize("nd", [1, 2])
@SETTINGS
@given(data=st.data())
def test_conv_matches_torch_exactly_on_integers(nd, data):
    case = data.draw(conv_cases(nd))
    x, w, b = make_arrays(case, integer=True)
    expected = torch_conv(case, x, w, b)
    got = engine_conv(case, x, w, b)
    assert got.dtype == np.float64
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("nd", [1, 2])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_conv_matches_torch_on_random_float32(nd, data):
    case = data.draw(conv_cases(nd))
    x, w, b = make_arrays(case, integer=False)
    expected = torch_conv(case, x, w, b)
    got = engine_conv(case, x, w, b)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("nd", [1, 2])
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_conv_matches_torch_module_with_padding_mode(nd, data):
    """nn.Conv1d / nn.Conv2d(padding_mode=...) as a second oracle (int padding or 'same')."""
    case = data.draw(conv_cases(nd))
    if case["padding"] == "full":  # not a PyTorch option: explicit d(k - 1) instead
        torch_padding = tuple(before for before, _ in case["pads"])
    else:
        torch_padding = case["padding"]
    x, w, b = make_arrays(case, integer=True)
    module_cls = torch.nn.Conv1d if nd == 1 else torch.nn.Conv2d
    module = module_cls(case["c_in"], case["c_out"], case["k"], stride=case["torch_stride"],
                        padding=torch_padding, dilation=case["torch_dilation"], groups=case["groups"],
                        bias=b is not None, padding_mode=case["mode"]).double()
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(w))
        if b is not None:
            module.bias.copy_(torch.from_numpy(b))
        expected = module(torch.from_numpy(x)).numpy()  # torch takes the unbatched layout too
    np.testing.assert_array_equal(engine_conv(case, x, w, b), expected)


def test_full_padding_equals_torch_with_explicit_padding():
    rng = np.random.default_rng(0)
    x = rng.integers(-5, 6, (2, 3, 5, 4)).astype(np.float64)
    w = rng.integers(-3, 4, (4, 3, 3, 2)).astype(np.float64)
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=(2 * 2, 2 * 1), dilation=2).numpy()
    got = conv2d(x, w, padding="full", dilation=2)
    assert got.shape == (2, 4, 5 + 4, 4 + 2)  # o = i + d(k - 1) at stride 1
    np.testing.assert_array_equal(got, expected)


def test_conv_accepts_integer_arrays_and_lists():
    x = [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]  # (C, H, W) as nested lists of ints
    w = [[[[1, 0], [0, -1]]]]
    got = conv2d(x, w, bias=[10])
    expected = F.conv2d(torch.tensor(x, dtype=torch.float64), torch.tensor(w, dtype=torch.float64),
                        torch.tensor([10.0], dtype=torch.float64)).numpy()
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got, [[[6, 6], [6, 6]]])


def test_docstring_examples():
    np.testing.assert_array_equal(conv1d(np.ones((1, 5)), np.ones((1, 1, 3))), [[3.0, 3.0, 3.0]])
    assert conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3))).shape == (1, 2, 2)


# ---------------------------------------------------------------- convolution vs cross-correlation


@st.composite
def integer_image(draw, max_size=5):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.integers(-5, 6, (draw(st.integers(1, max_size)), draw(st.integers(1, max_size)))).astype(float)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1), stride=st.integers(1, 2), dilation=st.integers(1, 2),
       p=st.integers(0, 2), mode=st.sampled_from(MODES))
def test_convolve2d_is_correlate2d_with_flipped_kernel_and_torch(data, seed, stride, dilation, p, mode):
    rng = np.random.default_rng(seed)
    k = rng.integers(-3, 4, (data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)))).astype(float)
    low = [max(1, dilation * (kk - 1) + 1 - 2 * p, p + 1) for kk in k.shape]  # fits; reflect needs p < size
    x = rng.integers(-5, 6, tuple(data.draw(st.integers(lo, lo + 3)) for lo in low)).astype(float)
    flipped = k[::-1, ::-1]
    got = convolve2d(x, k, stride=stride, padding=p, dilation=dilation, padding_mode=mode)
    np.testing.assert_array_equal(got, correlate2d(x, flipped, stride, p, dilation, mode))
    tx = F.pad(torch.from_numpy(x)[None, None], (p, p, p, p), mode=TORCH_PAD_MODE[mode])
    expected = F.conv2d(tx, torch.from_numpy(flipped.copy())[None, None], stride=stride, dilation=dilation)
    np.testing.assert_array_equal(got, expected.numpy()[0, 0])


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 7), m=st.integers(1, 4), stride=st.integers(1, 2),
       padding=st.sampled_from([0, 1, "valid", "same", "full"]))
def test_convolve1d_is_correlate1d_with_reversed_kernel_and_torch(seed, n, m, stride, padding):
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, n).astype(float)
    k = rng.integers(-3, 4, m).astype(float)
    if padding == "same":
        stride = 1
    pads = {0: (0, 0), "valid": (0, 0), 1: (1, 1), "same": ((m - 1) // 2, m - 1 - (m - 1) // 2),
            "full": (m - 1, m - 1)}[padding]
    if m > n + sum(pads):
        return  # kernel larger than the padded input: covered in test_errors
    got = convolve1d(x, k, stride=stride, padding=padding)
    np.testing.assert_array_equal(got, correlate1d(x, k[::-1], stride=stride, padding=padding))
    expected = F.conv1d(F.pad(torch.from_numpy(x)[None, None], pads), torch.from_numpy(k[::-1].copy())[None, None],
                        stride=stride).numpy()[0, 0]
    np.testing.assert_array_equal(got, expected)
    if padding == "full" and stride == 1:  # y(c) = sum_k w(k) x(c - k): numpy's convolution
        np.testing.assert_array_equal(got, np.convolve(x, k, mode="full"))


@settings(max_examples=150, deadline=None)
@given(x=integer_image(), k=integer_image())
def test_full_convolution_is_commutative_and_correlation_is_rotated(x, k):
    """x and k are two arbitrary integer images; either may be the larger."""
    xk = convolve2d(x, k, padding="full")  # p = k - 1 on each side: the kernel always fits
    kx = convolve2d(k, x, padding="full")
    np.testing.assert_array_equal(xk, kx)
    assert xk.shape == (x.shape[0] + k.shape[0] - 1, x.shape[1] + k.shape[1] - 1)
    # Cross-correlation is not commutative: swapping the operands rotates the result by 180 degrees.
    np.testing.assert_array_equal(correlate2d(k, x, padding="full"), np.rot90(correlate2d(x, k, padding="full"), 2))


def test_correlation_is_not_commutative_on_an_example():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    k = np.array([[1.0, 0.0], [0.0, 2.0]])
    xk, kx = correlate2d(x, k, padding="full"), correlate2d(k, x, padding="full")
    assert xk.shape == kx.shape
    assert not np.array_equal(xk, kx)
    np.testing.assert_array_equal(kx, xk[::-1, ::-1])
    np.testing.assert_array_equal(convolve2d(x, k, padding="full"), convolve2d(k, x, padding="full"))


# ---------------------------------------------------------------- worked examples from the syllabus


def test_syllabus_true_convolution_first_output_is_45():
    x = np.array([[0, 80, 40], [20, 40, 0], [0, 0, 40]], dtype=float)
    k = np.array([[0, 0.25], [0.5, 1]])
    y = convolve2d(x, k)
    assert y.shape == (2, 2)
    assert y[0, 0] == 1 * 0 + 0.5 * 80 + 0.25 * 20 + 0 * 40 == 45
    # Each output by the definition S(i, j) = sum_{m, n} I(i + m, j + n) K(1 - m, 1 - n) on the 2x2 window.
    expected = [[sum(x[i + m, j + n] * k[1 - m, 1 - n] for m in range(2) for n in range(2)) for j in range(2)]
                for i in range(2)]
    np.testing.assert_array_equal(y, expected)
    flipped = torch.from_numpy(k[::-1, ::-1].copy())[None, None]
    np.testing.assert_array_equal(y, F.conv2d(torch.from_numpy(x)[None, None], flipped).numpy()[0, 0])


def test_syllabus_5x5_cross_correlation_zero_padding_1_stride_2():
    x = np.array([[2, 2, 3, 3, 3], [0, 1, 3, 0, 3], [2, 3, 0, 1, 3], [3, 3, 2, 1, 2], [3, 3, 0, 2, 3]], dtype=float)
    k = np.array([[2, 0, 1], [1, 0, 0], [0, 1, 1]], dtype=float)
    y = correlate2d(x, k, stride=2, padding=1)
    expected = F.conv2d(torch.from_numpy(x)[None, None], torch.from_numpy(k)[None, None], stride=2, padding=1)
    assert y.shape == (3, 3)  # o = floor((5 + 2 - 3) / 2) + 1
    np.testing.assert_array_equal(y, expected.numpy()[0, 0])
    # Hand check of two cells: top-left window sees the zero border on two sides.
    assert y[0, 0] == 0 * 2 + 0 * 0 + 0 * 1 + 0 * 1 + 2 * 0 + 2 * 0 + 0 * 0 + 0 * 1 + 1 * 1 == 1
    assert y[1, 1] == 1 * 2 + 3 * 0 + 0 * 1 + 3 * 1 + 0 * 0 + 1 * 0 + 3 * 0 + 2 * 1 + 1 * 1 == 8
    np.testing.assert_array_equal(conv2d(x[None, None], k[None, None], stride=2, padding=1)[0, 0], y)
