"""A dilated kernel IS the k_eff x k_eff kernel with d - 1 zeros between its taps (the lesson's claim),
checked against PyTorch's dilated convolution."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import conv1d, conv2d, dilate_kernel, effective_kernel_size

torch = pytest.importorskip("torch")
F = torch.nn.functional


@settings(max_examples=60, deadline=None)
@given(k=st.tuples(st.integers(1, 4), st.integers(1, 4)), d=st.tuples(st.integers(1, 4), st.integers(1, 4)),
       stride=st.integers(1, 3), padding=st.integers(0, 3), groups=st.sampled_from([1, 2]), seed=st.integers(0, 99))
def test_dilated_conv2d_is_conv_with_zero_inserted_kernel(k, d, stride, padding, groups, seed):
    rng = np.random.default_rng(seed)
    span = [effective_kernel_size(kk, dd) for kk, dd in zip(k, d)]
    x = rng.integers(-5, 6, (1, 2, span[0] + 3, span[1] + 2)).astype(float)
    w = rng.integers(-3, 4, (2, 2 // groups, *k)).astype(float)
    zeros_in = dilate_kernel(w, d)  # (C_out, C_in/G, k_eff_h, k_eff_w)
    assert zeros_in.shape[2:] == tuple(span)
    assert np.count_nonzero(zeros_in == 0) >= zeros_in[0, 0].size - w[0, 0].size  # the fixed zeros
    torch_dilated = F.conv2d(torch.tensor(x), torch.tensor(w), stride=stride, padding=padding, dilation=d,
                             groups=groups).numpy()
    engine_plain = conv2d(x, zeros_in, stride=stride, padding=padding, groups=groups)
    engine_dilated = conv2d(x, w, stride=stride, padding=padding, dilation=d, groups=groups)
    np.testing.assert_array_equal(engine_plain, torch_dilated)
    np.testing.assert_array_equal(engine_dilated, torch_dilated)


def test_lecture_example_counts():
    """k = 3, d = 2: 25 coefficients, 9 of them weights (degrees of freedom), 16 fixed zeros."""
    w = np.arange(1, 10, dtype=float).reshape(3, 3)
    full = dilate_kernel(w, (2, 2))
    assert full.size == 25 and np.count_nonzero(full) == 9
    np.testing.assert_array_equal(full[::2, ::2], w)
    x = np.arange(49, dtype=float).reshape(1, 1, 7, 7)
    np.testing.assert_array_equal(conv2d(x, full[None, None]),
                                  F.conv2d(torch.tensor(x), torch.tensor(w)[None, None], dilation=2).numpy())


def test_dilation_is_zero_insertion_like_transposed_input():
    """1D: zeros between kernel taps (dilation) mirror zeros between input cells (transposed convolution)."""
    np.testing.assert_array_equal(dilate_kernel(np.array([1, 2, 3]), 2), [1, 0, 2, 0, 3])
    x = np.arange(10, dtype=float)[None, None]
    w = np.array([[[1.0, -2.0, 3.0]]])
    np.testing.assert_array_equal(conv1d(x, dilate_kernel(w, 3)),
                                  F.conv1d(torch.tensor(x), torch.tensor(w), dilation=3).numpy())
    # the same zero insertion applied to the input, s - 1 zeros between cells, is a transposed convolution
    s, k = 2, w.shape[-1]
    zero_inserted = dilate_kernel(x, s)  # (1, 1, (L - 1)s + 1)
    np.testing.assert_array_equal(conv1d(zero_inserted, np.flip(w, -1).copy(), padding=k - 1),
                                  F.conv_transpose1d(torch.tensor(x), torch.tensor(w), stride=s).numpy())


def test_bad_dilation_is_a_clear_error():
    with pytest.raises(ValueError, match="dilation"):
        dilate_kernel(np.ones((3, 3)), 0)
    with pytest.raises(ValueError, match="dilations"):
        dilate_kernel(np.ones(3), (2, 2))
