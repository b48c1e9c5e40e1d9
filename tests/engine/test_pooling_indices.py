"""max_pool1d / avg_pool1d and return_indices against PyTorch: ties, NaN, -inf, padding, ceil_mode, layouts.

Inputs are integer-valued (float64) from a small range, so windows often hold ties: the index PyTorch
returns (the first largest cell in reading order among the input cells) must match exactly.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d

torch = pytest.importorskip("torch")
F = torch.nn.functional
SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def cases(draw, nd, dilated=True):
    """Arguments torch accepts for an nd-dimensional pooling: p <= k // 2, the window fits."""
    k = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    stride = draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 3)] * nd)))
    padding = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd)) if dilated else (1,) * nd
    span = [d * (kk - 1) + 1 for kk, d in zip(k, dilation)]
    sizes = tuple(draw(st.integers(max(1, e - 2 * p), max(1, e - 2 * p) + 6)) for e, p in zip(span, padding))
    batch = draw(st.sampled_from([None, 1, 2]))
    shape = ((batch,) if batch else ()) + (draw(st.integers(1, 3)), *sizes)
    low = draw(st.sampled_from([0, -2, -9]))  # 0: values 0..1, many ties
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(low, -low + 2, shape).astype(np.float64)
    one = lambda t: t[0] if t is not None and len(set(t)) == 1 and draw(st.booleans()) else t  # noqa: E731
    return x, dict(kernel_size=one(k), stride=one(stride), padding=one(padding), dilation=one(dilation),
                   ceil_mode=draw(st.booleans()))


def _drop_none(args):
    return {name: v for name, v in args.items() if v is not None}


@SETTINGS
@given(cases(nd=1))
def test_max_pool1d_matches_torch_with_and_without_indices(case):
    x, args = case
    args = _drop_none(args)
    expected = F.max_pool1d(torch.from_numpy(x), **args).numpy()  # torch's own 1D kernel
    np.testing.assert_array_equal(max_pool1d(x, **args), expected)
    values, indices = F.max_pool1d(torch.from_numpy(x), **args, return_indices=True)
    got_values, got_indices = max_pool1d(x, **args, return_indices=True)
    np.testing.assert_array_equal(got_values, values.numpy())
    assert got_indices.dtype == np.int64
    np.testing.assert_array_equal(got_indices, indices.numpy())


@SETTINGS
@given(cases(nd=2))
def test_max_pool2d_indices_match_torch_exactly_with_ties(case):
    x, args = case
    args = _drop_none(args)
    values, indices = F.max_pool2d(torch.from_numpy(x), **args, return_indices=True)
    got_values, got_indices = max_pool2d(x, **args, return_indices=True)
    assert got_indices.shape == tuple(indices.shape) and got_indices.dtype == np.int64
    np.testing.assert_array_equal(got_values, values.numpy())
    np.testing.assert_array_equal(got_indices, indices.numpy())
    # an index points at its value in the unpadded input (unless a dilated window missed the input: -inf)
    flat = x.reshape(*x.shape[:-2], -1)
    hit = np.isfinite(got_values)
    pointed = np.take_along_axis(flat, np.where(hit, got_indices, 0).reshape(*flat.shape[:-1], -1), -1)
    np.testing.assert_array_equal(pointed.reshape(hit.shape)[hit], got_values[hit])


@SETTINGS
@given(cases(nd=1, dilated=False), st.booleans())
def test_avg_pool1d_matches_torch_exactly(case, count_include_pad):
    x, args = case
    args = _drop_none({n: v for n, v in args.items() if n != "dilation"})
    expected = F.avg_pool1d(torch.from_numpy(x), **args, count_include_pad=count_include_pad).numpy()
    got = avg_pool1d(x, **args, count_include_pad=count_include_pad)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_a_tie_goes_to_the_first_cell_in_reading_order_as_in_torch():
    x = np.array([[[0, 7, 7], [7, 1, 7], [7, 7, 2]]], float)  # every 2 x 2 window holds 7 twice or more
    _, got = max_pool2d(x, 2, stride=1, return_indices=True)
    _, expected = F.max_pool2d(torch.from_numpy(x), 2, stride=1, return_indices=True)
    np.testing.assert_array_equal(got, expected.numpy())
    np.testing.assert_array_equal(got[0], [[1, 1], [3, 5]])  # (0, 1), (0, 1), (1, 0), (1, 2)


def test_nan_wins_and_the_last_nan_is_picked_as_in_torch():
    nan = np.nan
    x = np.array([[1, nan, 2, nan, 3, 5]])  # (C, L)
    for kwargs in (dict(kernel_size=6), dict(kernel_size=3), dict(kernel_size=2, stride=1, padding=1)):
        v, i = max_pool1d(x, **kwargs, return_indices=True)
        tv, ti = F.max_pool1d(torch.from_numpy(x), **kwargs, return_indices=True)
        np.testing.assert_array_equal(v, tv.numpy())  # NaN == NaN for assert_array_equal
        np.testing.assert_array_equal(i, ti.numpy())
    x2 = np.array([[[1, nan], [nan, 3]]])
    v, i = max_pool2d(x2, 2, return_indices=True)
    assert np.isnan(v).all() and i.item() == F.max_pool2d(torch.from_numpy(x2), 2, return_indices=True)[1].item()


def test_minus_infinity_input_still_points_at_an_input_cell_not_the_padding():
    x = np.full((1, 1, 3, 3), -np.inf)
    v, i = max_pool2d(x, 2, padding=1, return_indices=True)
    tv, ti = F.max_pool2d(torch.from_numpy(x), 2, padding=1, return_indices=True)
    np.testing.assert_array_equal(v, tv.numpy())
    np.testing.assert_array_equal(i, ti.numpy())
    assert (i >= 0).all()


def test_a_dilated_window_that_misses_the_input_gives_minus_infinity_and_torch_s_index():
    for x, kwargs in ((np.ones((1, 1)), dict(kernel_size=2, padding=1, dilation=2)),
                      (np.ones((1, 3)), dict(kernel_size=2, stride=1, padding=1, dilation=4))):
        v, i = max_pool1d(x, **kwargs, return_indices=True)
        tv, ti = F.max_pool1d(torch.from_numpy(x), **kwargs, return_indices=True)
        assert (v == -np.inf).all()
        np.testing.assert_array_equal(v, tv.numpy())
        np.testing.assert_array_equal(i, ti.numpy())


def test_float32_1d_keeps_its_dtype_and_matches():
    x = np.random.default_rng(1).standard_normal((2, 3, 11), dtype=np.float32)
    for ours, theirs in ((max_pool1d, F.max_pool1d), (avg_pool1d, F.avg_pool1d)):
        got = ours(x, 3, 2, 1, ceil_mode=True)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, theirs(torch.from_numpy(x), 3, 2, 1, ceil_mode=True).numpy(), rtol=1e-6)


def test_avg_pool2d_divides_like_torch_to_the_last_bit():
    x = np.random.default_rng(2).integers(-9, 10, (2, 3, 9, 8)).astype(float)
    for kwargs in (dict(kernel_size=3, padding=1), dict(kernel_size=(3, 2), stride=2, ceil_mode=True,
                                                         count_include_pad=False)):
        np.testing.assert_array_equal(avg_pool2d(x, **kwargs), F.avg_pool2d(torch.from_numpy(x), **kwargs).numpy())


@pytest.mark.parametrize("call, phrase", [
    (lambda: max_pool1d(np.zeros((1, 5)), 2, padding=2), "more than half the kernel size 2"),
    (lambda: max_pool1d(np.zeros((1, 5)), 6), "The 6-cell window does not fit in the 5-cell padded input"),
    (lambda: max_pool1d(np.zeros((1, 5)), 3, dilation=3), "The 7-cell window does not fit"),
    (lambda: avg_pool1d(np.zeros((1, 5)), (2, 2)), r"kernel_size needs 1 value\(s\), one per spatial axis"),
    (lambda: max_pool1d(np.zeros((1, 5)), 2, stride=0), "stride must be a whole number of at least 1"),
    (lambda: avg_pool1d(np.zeros((1, 5)), 2, padding=-1), "padding must be a whole number of at least 0"),
    (lambda: max_pool1d(np.zeros(5), 2), r"shape \(N, C, L\) or \(C, L\); got shape \(5,\)"),
    (lambda: avg_pool1d(np.zeros((1, 1, 1, 5)), 2), r"shape \(N, C, L\) or \(C, L\)"),
    (lambda: max_pool2d(np.zeros((1, 0, 4)), 2, return_indices=True), "empty input"),
    (lambda: max_pool1d(np.array([["a", "b"]]), 1), "needs numbers"),
])
def test_bad_arguments_are_explained(call, phrase):
    with pytest.raises(ValueError, match=phrase):
        call()
