"""max_pool2d / avg_pool2d against PyTorch (the oracle), over shapes, strides, padding and ceil_mode.

Integer-valued float64 inputs make max pooling exact; averages are compared with a tight tolerance.
Torch's own limits (padding <= kernel_size / 2, an output of at least one cell) become ValueErrors.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ops.pooling import avg_pool2d, max_pool2d, pool_output_size

torch = pytest.importorskip("torch")
F = torch.nn.functional
SETTINGS = settings(max_examples=150, deadline=None)


@st.composite
def pool_cases(draw, dilated=False):
    """Arguments torch accepts: p <= k // 2 per axis, and the window fits the padded input."""
    k = tuple(draw(st.integers(1, 4)) for _ in range(2))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2)) if dilated else (1, 1)
    span = [d * (kk - 1) + 1 for kk, d in zip(k, dilation)]
    sizes = tuple(draw(st.integers(max(1, e - 2 * p), max(1, e - 2 * p) + 6)) for e, p in zip(span, padding))
    batch = draw(st.sampled_from([None, 1, 2]))
    channels = draw(st.integers(1, 3))
    ceil_mode = draw(st.booleans())
    shape = ((batch,) if batch else ()) + (channels, *sizes)
    seed = draw(st.integers(0, 2**32 - 1))
    # a student passes one number when both axes agree
    as_arg = lambda t: t[0] if t is not None and t[0] == t[1] and draw(st.booleans()) else t  # noqa: E731
    return dict(shape=shape, kernel_size=as_arg(k), stride=as_arg(stride), padding=as_arg(padding),
                dilation=as_arg(dilation), ceil_mode=ceil_mode, seed=seed)


def _input(case, integer=True):
    rng = np.random.default_rng(case["seed"])
    if integer:
        return rng.integers(-9, 10, case["shape"]).astype(np.float64)
    return rng.standard_normal(case["shape"], dtype=np.float32)


def _torch_args(case, *names):
    return {n: case[n] for n in names if case[n] is not None}


@SETTINGS
@given(pool_cases(dilated=True))
def test_max_pool2d_matches_torch_exactly(case):
    x = _input(case)
    args = _torch_args(case, "kernel_size", "stride", "padding", "dilation", "ceil_mode")
    expected = F.max_pool2d(torch.from_numpy(x), **args).numpy()
    got = max_pool2d(x, **args)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@SETTINGS
@given(pool_cases(), st.booleans(), st.sampled_from([None, None, 1, 3, -2]))
def test_avg_pool2d_matches_torch(case, count_include_pad, divisor_override):
    x = _input(case)
    args = _torch_args(case, "kernel_size", "stride", "padding", "ceil_mode")
    expected = F.avg_pool2d(torch.from_numpy(x), **args, count_include_pad=count_include_pad,
                            divisor_override=divisor_override).numpy()
    got = avg_pool2d(x, **args, count_include_pad=count_include_pad, divisor_override=divisor_override)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(pool_cases())
def test_float32_keeps_its_dtype_and_matches(case):
    x = _input(case, integer=False)
    args = _torch_args(case, "kernel_size", "stride", "padding", "ceil_mode")
    for ours, theirs in ((max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)):
        got = ours(x, **args)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, theirs(torch.from_numpy(x), **args).numpy(), rtol=1e-5, atol=1e-6)


@SETTINGS
@given(st.integers(1, 12), st.integers(1, 5), st.integers(1, 4), st.integers(0, 2), st.integers(1, 2), st.booleans())
def test_output_size_agrees_with_torch_or_both_refuse(i, k, s, p, d, ceil_mode):
    x = torch.zeros(1, 1, i, i)
    try:
        expected = F.max_pool2d(x, k, s, p, d, ceil_mode).shape[-1]
    except RuntimeError:
        with pytest.raises(ValueError):
            max_pool2d(x.numpy(), k, s, p, d, ceil_mode)
        return
    assert pool_output_size(i, k, s, p, d, ceil_mode) == expected
    assert max_pool2d(x.numpy(), k, s, p, d, ceil_mode).shape[-1] == expected


def test_stride_defaults_to_the_kernel_size():
    x = np.arange(36.0).reshape(1, 6, 6)
    np.testing.assert_array_equal(max_pool2d(x, 3), max_pool2d(x, 3, stride=3))
    assert max_pool2d(x, 3).shape == (1, 2, 2)


def test_lecture_example_two_by_two_max_pooling():
    x = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12]], dtype=float)
    np.testing.assert_array_equal(max_pool2d(x[None], 2, 2)[0], [[20, 30], [112, 37]])
    np.testing.assert_array_equal(avg_pool2d(x[None], 2, 2)[0], [[13, 8], [79, 19.5]])


def test_ceil_mode_keeps_the_last_partial_window():
    x = np.arange(25.0).reshape(1, 5, 5)
    assert max_pool2d(x, 2).shape == (1, 2, 2)  # the floor drops row 4 and column 4
    np.testing.assert_array_equal(max_pool2d(x, 2, ceil_mode=True)[0, :, 2], [9, 19, 24])
    np.testing.assert_array_equal(avg_pool2d(x, 2, ceil_mode=True)[0, 2], [20.5, 22.5, 24])  # divisor 2, 2, 1


@pytest.mark.parametrize("kwargs,message", [
    (dict(kernel_size=2, padding=2), "at most 1"),
    (dict(kernel_size=3, padding=(0, 2)), "more than half the kernel size 3"),
    (dict(kernel_size=6), "does not fit"),
    (dict(kernel_size=0), "kernel_size must be a whole number"),
    (dict(kernel_size=2, stride=0), "stride must be a whole number"),
    (dict(kernel_size=2, padding=-1), "padding must be a whole number"),
    (dict(kernel_size=(2, 2, 2)), "one per spatial axis"),
])
def test_bad_arguments_are_value_errors_where_torch_refuses(kwargs, message):
    x = np.zeros((1, 5, 5))
    for op, name in ((max_pool2d, "max_pool2d"), (avg_pool2d, "avg_pool2d")):
        with pytest.raises(ValueError, match=message):
            op(x, **kwargs)
        with pytest.raises((RuntimeError, ValueError, TypeError)):
            getattr(F, name)(torch.zeros(1, 5, 5), **kwargs)


@pytest.mark.parametrize("shape", [(5, 5), (5,), (1, 1, 1, 5, 5), (1, 0, 5)])
def test_bad_shapes_are_explained(shape):
    with pytest.raises(ValueError, match="shape"):
        max_pool2d(np.zeros(shape), 2)
    with pytest.raises(ValueError, match="shape"):
        avg_pool2d(np.zeros(shape), 2)


def test_divisor_override_zero_is_refused():
    with pytest.raises(ValueError, match="divisor_override"):
        avg_pool2d(np.ones((1, 4, 4)), 2, divisor_override=0)
