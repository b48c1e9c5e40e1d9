"""pad against torch.nn.functional.pad in every mode; resolve_padding for 'valid', 'same', 'full' and numbers."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import PADDING_MODES, conv1d, conv2d, pad, resolve_padding

torch = pytest.importorskip("torch")
F = torch.nn.functional
# torch's own performance note for 'same' with an even kernel; not about correctness.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")

TORCH_MODES = ("constant", "reflect", "replicate", "circular")


def _limit(mode, size):
    """Largest pad torch allows on an axis of this size: reflect < size, circular <= size."""
    return {"reflect": size - 1, "circular": size}.get(mode, 4)


@st.composite
def pad_cases(draw, n_axes):
    mode = draw(st.sampled_from(TORCH_MODES))
    sizes = [draw(st.integers(1, 5)) for _ in range(n_axes)]
    # pad lists the LAST axis first: (left, right, top, bottom, front, back)
    widths = []
    for size in reversed(sizes):
        top = min(_limit(mode, size), 4)
        widths += [draw(st.integers(0, top)), draw(st.integers(0, top))]
    channels = draw(st.integers(1, 3))
    value = draw(st.sampled_from([0.0, -1.5, 7.0])) if mode == "constant" else 0.0
    seed = draw(st.integers(0, 2**32 - 1))
    return mode, (1, channels, *sizes), tuple(widths), value, seed


@pytest.mark.parametrize("n_axes", [1, 2, 3])
@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_pad_matches_torch(n_axes, data):
    mode, shape, widths, value, seed = data.draw(pad_cases(n_axes))
    x = np.random.default_rng(seed).integers(-9, 10, shape).astype(np.float64)
    expected = F.pad(torch.from_numpy(x), widths, mode=mode, value=value if mode == "constant" else None)
    got = pad(x, widths, mode=mode, value=value)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got, expected.numpy())
    # The original sits untouched inside the padding (before offsets, last axis first).
    inner = tuple(slice(widths[2 * a], widths[2 * a] + shape[-1 - a]) for a in reversed(range(n_axes)))
    np.testing.assert_array_equal(got[(..., *inner)], x)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_zeros_is_an_alias_of_constant_and_mode_names_agree(data):
    _, shape, widths, _, seed = data.draw(pad_cases(2))
    x = np.random.default_rng(seed).standard_normal(shape)
    np.testing.assert_array_equal(pad(x, widths, mode="zeros"), pad(x, widths, mode="constant"))
    np.testing.assert_array_equal(pad(x, widths, mode="zeros"), F.pad(torch.from_numpy(x), widths).numpy())
    assert PADDING_MODES == ("zeros", "reflect", "replicate", "circular")


def test_pad_only_the_last_axis_of_a_4d_input():
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    got = pad(x, (1, 2), value=5.0)
    assert got.shape == (2, 3, 2, 5)
    np.testing.assert_array_equal(got, F.pad(torch.from_numpy(x), (1, 2), value=5.0).numpy())


def test_pad_asymmetric_examples_by_hand():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(pad(x, (2, 0, 0, 1), mode="reflect"),
                                  [[3, 2, 1, 2, 3], [6, 5, 4, 5, 6], [3, 2, 1, 2, 3]])
    np.testing.assert_array_equal(pad(x, (0, 2, 1, 0), mode="replicate"),
                                  [[1, 2, 3, 3, 3], [1, 2, 3, 3, 3], [4, 5, 6, 6, 6]])
    np.testing.assert_array_equal(pad(x, (1, 3, 0, 0), mode="circular"),
                                  [[3, 1, 2, 3, 1, 2, 3], [6, 4, 5, 6, 4, 5, 6]])
    np.testing.assert_array_equal(pad(x, (1, 0, 0, 1)), [[0, 1, 2, 3], [0, 4, 5, 6], [0, 0, 0, 0]])
    # The docstring example.
    assert pad(np.ones((2, 2)), (1, 1, 0, 0)).shape == (2, 4)


def test_pad_does_not_modify_its_input():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    y = pad(x, (1, 1, 1, 1), mode="reflect")
    y[...] = -1
    np.testing.assert_array_equal(x, before)


# ---------------------------------------------------------------- resolve_padding


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_resolve_padding_named_sizes(k, d):
    span = d * (k - 1)
    assert resolve_padding("valid", (k, k), (d, d)) == ((0, 0), (0, 0))
    assert resolve_padding("full", (k,), d) == ((span, span),)
    (before, after), = resolve_padding("same", (k,), d)
    assert before + after == span  # o = i + span - span = i at stride 1
    assert before == span // 2 and after - before in (0, 1)  # the odd extra cell goes after, like PyTorch


def test_resolve_padding_numbers():
    assert resolve_padding(1, (3, 3)) == ((1, 1), (1, 1))
    assert resolve_padding((1, 2), (3, 3)) == ((1, 1), (2, 2))
    assert resolve_padding(((0, 1), (2, 3)), (3, 3)) == ((0, 1), (2, 3))
    assert resolve_padding((1, (0, 2)), (3, 3)) == ((1, 1), (0, 2))
    assert resolve_padding(2.0, (3,)) == ((2, 2),)
    assert resolve_padding(np.int64(2), (3,)) == ((2, 2),)
    assert all(type(q) is int for pair in resolve_padding((np.int64(1), 2.0), (3, 3)) for q in pair)
    assert resolve_padding("same", (4, 3), (1, 2)) == ((1, 2), (2, 2))


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), h=st.integers(1, 7), w=st.integers(1, 7), kh=st.integers(1, 4),
       kw=st.integers(1, 4), dh=st.integers(1, 3), dw=st.integers(1, 3),
       mode=st.sampled_from(["zeros", "replicate", "circular", "reflect"]))
def test_same_keeps_the_size_and_matches_torch(seed, h, w, kh, kw, dh, dw, mode):
    spans = (dh * (kh - 1), dw * (kw - 1))
    pads = resolve_padding("same", (kh, kw), (dh, dw))
    limit = {"reflect": (h - 1, w - 1), "circular": (h, w)}.get(mode, (99, 99))
    if any(max(pair) > lim for pair, lim in zip(pads, limit)):
        mode = "zeros"  # too much padding for this mode on this input
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, (1, 2, h, w)).astype(np.float64)
    wt = rng.integers(-3, 4, (3, 2, kh, kw)).astype(np.float64)
    got = conv2d(x, wt, padding="same", dilation=(dh, dw), padding_mode=mode)
    assert got.shape == (1, 3, h, w)  # o == i at stride 1, odd or even k
    assert [sum(pair) for pair in pads] == list(spans)
    module = torch.nn.Conv2d(2, 3, (kh, kw), padding="same", dilation=(dh, dw), bias=False,
                             padding_mode=mode).double()
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(wt))
        expected = module(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(got, expected)
    if mode == "zeros":
        direct = F.conv2d(torch.from_numpy(x), torch.from_numpy(wt), padding="same", dilation=(dh, dw))
        np.testing.assert_array_equal(got, direct.numpy())


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 9), k=st.integers(1, 5), d=st.integers(1, 3))
def test_same_1d_matches_torch(seed, n, k, d):
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, (2, n)).astype(np.float64)
    wt = rng.integers(-3, 4, (1, 2, k)).astype(np.float64)
    got = conv1d(x, wt, padding="same", dilation=d)
    assert got.shape == (1, n)
    expected = F.conv1d(torch.from_numpy(x), torch.from_numpy(wt), padding="same", dilation=d).numpy()
    np.testing.assert_array_equal(got, expected)
