"""max_unpool1d / max_unpool2d against PyTorch: pooled values back at their switches, zeros elsewhere."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import max_pool1d, max_pool2d, max_unpool1d, max_unpool2d

torch = pytest.importorskip("torch")
F = torch.nn.functional
SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def round_trips(draw, nd):
    """x, pooling args (no dilation: unpooling has none), and an output_size torch accepts (or None)."""
    k = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    padding = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    sizes = tuple(draw(st.integers(max(1, kk - 2 * p), max(1, kk - 2 * p) + 7)) for kk, p in zip(k, padding))
    batch = draw(st.sampled_from([None, 1, 2]))
    shape = ((batch,) if batch else ()) + (draw(st.integers(1, 3)), *sizes)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-3, 4, shape).astype(np.float64)
    ceil_mode = draw(st.booleans())
    target = draw(st.sampled_from(["default", "input", "input with N, C"]))
    return x, dict(kernel_size=k, stride=stride, padding=padding), ceil_mode, target


def _check_round_trip(case, pool, unpool, torch_pool, torch_unpool):
    x, args, ceil_mode, target = case
    values, indices = pool(x, **args, ceil_mode=ceil_mode, return_indices=True)
    output_size = {"default": None, "input": x.shape[-len(args["kernel_size"]):]}.get(target, x.shape)
    if target == "input with N, C" and x.ndim == len(args["kernel_size"]) + 1:
        output_size = (1, *x.shape)  # torch reads (N, C, *size) or (*size)
    try:
        expected = torch_unpool(*torch_pool(torch.from_numpy(x), **args, ceil_mode=ceil_mode, return_indices=True),
                                **args, output_size=output_size)
    except (RuntimeError, ValueError):  # e.g. the default size is smaller than where an index points
        with pytest.raises(ValueError):
            unpool(values, indices, **args, output_size=output_size)
        return
    if expected.numel() == 0:  # torch returns an empty output; the engine explains instead
        with pytest.raises(ValueError, match="every size must be at least 1"):
            unpool(values, indices, **args, output_size=output_size)
        return
    got = unpool(values, indices, **args, output_size=output_size)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got, expected.numpy())
    # every pooled value sits at its switch; every other cell is 0
    plane = got.reshape(*got.shape[:-len(args["kernel_size"])], -1)
    flat_idx = indices.reshape(*plane.shape[:-1], -1)
    np.testing.assert_array_equal(np.take_along_axis(plane, flat_idx, -1), values.reshape(flat_idx.shape))
    others = np.ones(plane.shape, bool)
    np.put_along_axis(others, flat_idx, False, -1)
    assert (plane[others] == 0).all()


@SETTINGS
@given(round_trips(nd=2))
def test_max_unpool2d_of_max_pool2d_matches_torch(case):
    _check_round_trip(case, max_pool2d, max_unpool2d, F.max_pool2d, F.max_unpool2d)


@SETTINGS
@given(round_trips(nd=1))
def test_max_unpool1d_of_max_pool1d_matches_torch(case):
    _check_round_trip(case, max_pool1d, max_unpool1d, F.max_pool1d, F.max_unpool1d)


def test_lecture_style_example_two_by_two():
    x = np.array([[[1, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]]], float)
    y, i = max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(y[0], [[5, 6], [7, 8]])
    back = max_unpool2d(y, i, 2)
    expected = np.zeros((4, 4))
    expected[1, 1], expected[0, 2], expected[3, 0], expected[3, 3] = 5, 6, 7, 8
    np.testing.assert_array_equal(back[0], expected)
    np.testing.assert_array_equal(back, F.max_unpool2d(*F.max_pool2d(torch.from_numpy(x), 2, return_indices=True),
                                                       2).numpy())


@pytest.mark.parametrize("output_size", [(5, 5), (1, 1, 5, 5), (3, 3), (3, 4)])
def test_output_size_within_one_stride_like_torch(output_size):
    """Default 4 x 4 with stride 2: torch accepts 3..5; with 3 rows or columns an index falls outside."""
    y, i = F.max_pool2d(torch.arange(16.0, dtype=torch.float64).reshape(1, 1, 4, 4), 2, return_indices=True)
    try:
        expected = F.max_unpool2d(y, i, 2, output_size=output_size).numpy()
    except RuntimeError:
        with pytest.raises(ValueError, match=f"points outside the {output_size[-2]} x {output_size[-1]} output"):
            max_unpool2d(y.numpy(), i.numpy(), 2, output_size=output_size)
        return
    np.testing.assert_array_equal(max_unpool2d(y.numpy(), i.numpy(), 2, output_size=output_size), expected)


@pytest.mark.parametrize("call, phrase", [
    (lambda: max_unpool2d(np.ones((1, 2, 2)), np.zeros((1, 2, 2), int), 2, output_size=(2, 2)),
     r"output_size \(2, 2\) is not possible on axis 0: .* from 3 to 5 \(default 4\)"),
    (lambda: max_unpool2d(np.ones((1, 2, 2)), np.zeros((1, 2, 2), int), 2, output_size=(1, 4, 4)),
     "output_size has 2 or 4 numbers"),
    (lambda: max_unpool2d(np.ones((1, 2, 2)), np.full((1, 2, 2), 16), 2), "An index 16 points outside the 4 x 4"),
    (lambda: max_unpool2d(np.ones((1, 2, 2)), np.full((1, 2, 2), -1), 2), "An index -1 points outside"),
    (lambda: max_unpool2d(np.ones((1, 2, 2)), np.zeros((1, 2, 2)), 2), "whole-number indices"),
    (lambda: max_unpool2d(np.ones((1, 2, 2)), np.zeros((1, 2, 3), int), 2), "same shape as the input"),
    (lambda: max_unpool2d(np.ones((1, 2, 2)), np.zeros((1, 2, 2), int), 1, padding=1), "would be 0 x 0 cells"),
    (lambda: max_unpool2d(np.ones((1, 2, 2)), np.zeros((1, 2, 2), int), 0), "kernel_size must be a whole number"),
    (lambda: max_unpool1d(np.ones((1, 2)), np.zeros((1, 2), int), 2, stride=0), "stride must be a whole number"),
    (lambda: max_unpool1d(np.ones((1, 2)), np.zeros((1, 2), int), 2, padding=-1), "padding must be a whole number"),
    (lambda: max_unpool1d(np.ones(2), np.zeros(2, int), 2), r"shape \(N, C, L\) or \(C, L\)"),
])
def test_bad_arguments_are_explained(call, phrase):
    with pytest.raises(ValueError, match=phrase):
        call()
