"""adaptive_avg_pool2d / adaptive_max_pool2d against PyTorch, exact for integer-valued inputs."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import adaptive_avg_pool2d, adaptive_max_pool2d
from engine.ops.adaptive_pooling import adaptive_windows

torch = pytest.importorskip("torch")
F = torch.nn.functional
SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def cases(draw):
    batch = draw(st.sampled_from([None, 1, 2]))
    shape = ((batch,) if batch else ()) + (draw(st.integers(1, 3)), draw(st.integers(1, 11)), draw(st.integers(1, 11)))
    sizes = [draw(st.one_of(st.none(), st.integers(1, 9))) for _ in range(2)]  # larger than the input too
    output_size = sizes[0] if sizes[0] is not None and draw(st.booleans()) else tuple(sizes)
    low = draw(st.sampled_from([0, -9]))  # 0: values 0..1, many ties
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).integers(low, -low + 2, shape).astype(np.float64)
    return x, output_size


@SETTINGS
@given(cases())
def test_adaptive_avg_pool2d_matches_torch_exactly(case):
    x, output_size = case
    expected = F.adaptive_avg_pool2d(torch.from_numpy(x), output_size).numpy()
    got = adaptive_avg_pool2d(x, output_size)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@SETTINGS
@given(cases())
def test_adaptive_max_pool2d_values_and_indices_match_torch(case):
    x, output_size = case
    values, indices = F.adaptive_max_pool2d(torch.from_numpy(x), output_size, return_indices=True)
    got_values, got_indices = adaptive_max_pool2d(x, output_size, return_indices=True)
    np.testing.assert_array_equal(got_values, values.numpy())
    np.testing.assert_array_equal(got_indices, indices.numpy())
    assert got_indices.dtype == np.int64
    np.testing.assert_array_equal(adaptive_max_pool2d(x, output_size), got_values)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40))
def test_windows_cover_the_input_and_follow_the_floor_ceil_rule(i, o):
    starts, ends = adaptive_windows(i, o)
    for k, (s, e) in enumerate(zip(starts, ends)):
        assert s == int(np.floor(k * i / o)) and e == int(np.ceil((k + 1) * i / o))  # the rule, in floats
    assert starts[0] == 0 and ends[-1] == i and (starts[1:] <= ends[:-1]).all()  # no cell left out
    assert (ends - starts).max() - (ends - starts).min() <= 1 or o > i


def test_global_average_pooling_is_the_mean_of_each_channel():
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 5))
    np.testing.assert_allclose(adaptive_avg_pool2d(x, 1)[..., 0, 0], x.mean(axis=(2, 3)), rtol=1e-12)


def test_one_by_one_divides_once_and_larger_outputs_by_height_then_width_like_torch():
    x = np.array([[[0, 1, 1], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 1, 0]]], float)  # sum 7: 7/15 != 7/5/3
    for output_size in (1, (1, 1), (1, 2), (2, 1), (2, 2)):
        np.testing.assert_array_equal(adaptive_avg_pool2d(x, output_size),
                                      F.adaptive_avg_pool2d(torch.from_numpy(x), output_size).numpy())


def test_nan_and_minus_infinity_like_torch():
    nan, inf = np.nan, np.inf
    for x in (np.array([[[1, nan], [nan, 0]]]), np.array([[[1, nan, nan, 0]]]), np.full((1, 3, 3), -inf)):
        v, i = adaptive_max_pool2d(x, (1, 2), return_indices=True)
        tv, ti = F.adaptive_max_pool2d(torch.from_numpy(x), (1, 2), return_indices=True)
        np.testing.assert_array_equal(v, tv.numpy())
        np.testing.assert_array_equal(i, ti.numpy())


def test_float32_keeps_its_dtype():
    x = np.random.default_rng(3).standard_normal((1, 2, 9, 7), dtype=np.float32)
    got = adaptive_avg_pool2d(x, (4, 3))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, F.adaptive_avg_pool2d(torch.from_numpy(x), (4, 3)).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("call, phrase", [
    (lambda: adaptive_avg_pool2d(np.ones((1, 4, 4)), 0), "whole numbers of at least 1"),
    (lambda: adaptive_max_pool2d(np.ones((1, 4, 4)), (2, -1)), "whole numbers of at least 1"),
    (lambda: adaptive_avg_pool2d(np.ones((1, 4, 4)), 1.5), "whole numbers of at least 1"),
    (lambda: adaptive_avg_pool2d(np.ones((1, 4, 4)), (1, 2, 3)), r"one number or a pair \(H_out, W_out\)"),
    (lambda: adaptive_max_pool2d(np.ones((4, 4)), 2), r"\(N, C, H, W\) or \(C, H, W\); got shape \(4, 4\)"),
])
def test_bad_arguments_are_explained(call, phrase):
    with pytest.raises(ValueError, match=phrase):
        call()
