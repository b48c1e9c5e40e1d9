"""Spatially separable kernels (engine/ops/separable_kernel.py): a rank-1 kernel's column-then-row path equals the
2-D kernel's output to float tolerance (hypothesis, on random images and on a real photo), rank and singular
values agree with torch, the multiply-add counts agree with torch's FlopCounterMode, and convolution as a
matrix (the lesson's C and its tap map)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.data.photos import photo
from engine.ops.conv_matrix import conv_matrix
from engine.ops.separable_kernel import (kernel_rank, rank1_approximation, rank1_factors, separable_correlate,
                                         separable_count, singular_values)

torch = pytest.importorskip("torch")
SETTINGS = settings(max_examples=60, deadline=None)
SOBEL = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], float)


@SETTINGS
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 2 ** 16))
def test_a_rank_1_kernel_filters_as_column_then_row(m, n, seed):
    rng = np.random.default_rng(seed)
    kernel = np.outer(rng.standard_normal(m), rng.standard_normal(n))
    image = rng.standard_normal((m + rng.integers(0, 6), n + rng.integers(0, 6)))
    assert kernel_rank(kernel) == 1
    column, row = rank1_factors(kernel)
    np.testing.assert_allclose(np.outer(column, row), kernel, atol=1e-12)
    np.testing.assert_allclose(separable_correlate(image, column, row), engine.correlate2d(image, kernel), atol=1e-10)


@SETTINGS
@given(st.integers(2, 5), st.integers(2, 5), st.integers(0, 2 ** 16))
def test_rank_and_singular_values_agree_with_torch(m, n, seed):
    rng = np.random.default_rng(seed)
    kernel = rng.integers(-2, 3, (m, n)).astype(float)
    s = torch.linalg.svdvals(torch.from_numpy(kernel)).numpy()
    np.testing.assert_allclose(singular_values(kernel), s, atol=1e-12)
    assert kernel_rank(kernel) == int(torch.linalg.matrix_rank(torch.from_numpy(kernel)))
    # the rank-1 approximation is the best one: what it leaves out has the norm of the other singular values
    np.testing.assert_allclose(np.linalg.norm(kernel - rank1_approximation(kernel)), np.sqrt(np.sum(s[1:] ** 2)),
                               atol=1e-9)


def test_sobel_is_121_times_10_minus1():
    column, row = rank1_factors(SOBEL)
    np.testing.assert_allclose(column, [1, 2, 1], atol=1e-12)
    np.testing.assert_allclose(row, [1, 0, -1], atol=1e-12)


def test_on_a_real_photo_both_paths_give_the_same_image_and_rank_2_does_not():
    image = photo("Cameraman")
    full = engine.correlate2d(image, SOBEL)
    assert np.abs(full - separable_correlate(image, *rank1_factors(SOBEL))).max() < 1e-12
    laplacian = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float)
    assert kernel_rank(laplacian) == 2
    lost = engine.correlate2d(image, laplacian) - separable_correlate(image, *rank1_factors(laplacian))
    assert np.abs(lost).max() > 0.1  # the rank-1 approximation visibly loses something


@pytest.mark.parametrize("image,kernel", [((20, 30), (3, 3)), ((9, 7), (5, 1)), ((12, 12), (2, 4))])
def test_multiply_add_counts_agree_with_torchs_flop_counter(image, kernel):
    from torch.utils.flop_counter import FlopCounterMode
    F = torch.nn.functional
    (big_m, big_n), (m, n) = image, kernel

    def macs(x, w):
        with FlopCounterMode(display=False) as counter:
            y = F.conv2d(x, w)
        return counter.get_total_flops() // 2, y

    x = torch.zeros(1, 1, big_m, big_n)
    full, _ = macs(x, torch.zeros(1, 1, m, n))
    column, middle = macs(x, torch.zeros(1, 1, m, 1))
    row, _ = macs(middle, torch.zeros(1, 1, 1, n))
    count = separable_count(image, kernel)
    assert (count.full, count.column_pass, count.row_pass) == (full, column, row)
    assert count.full == (big_m - m + 1) * (big_n - n + 1) * m * n


@SETTINGS
@given(st.integers(2, 5), st.integers(2, 5), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1),
       st.integers(0, 2 ** 16))
def test_the_tap_map_marks_every_weight_of_c(h, w, kh, kw, s, p, seed):
    """The lesson colours C by a second conv_matrix of tap numbers 1..mn: it marks exactly where C holds which
    weight, also for weights that are 0."""
    if kh > h + 2 * p or kw > w + 2 * p:
        return
    rng = np.random.default_rng(seed)
    kernel, x = rng.integers(-2, 3, (kh, kw)).astype(float), rng.integers(-3, 4, (h, w)).astype(float)
    C = conv_matrix((h, w), kernel, s, p)
    taps = conv_matrix((h, w), np.arange(1, kernel.size + 1).reshape(kernel.shape), s, p).astype(int)
    np.testing.assert_array_equal(C[taps > 0], kernel.ravel()[taps[taps > 0] - 1])
    assert not C[taps == 0].any()
    np.testing.assert_allclose(C @ x.ravel(), engine.correlate2d(x, kernel, stride=s, padding=p).ravel())


@pytest.mark.parametrize("kernel", [SOBEL, np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float), np.ones((2, 5))])
def test_separable_kernel_code_runs_and_agrees(kernel):
    from engine.pytorch_code import separable_kernel_code
    scope = {}
    exec(separable_kernel_code(kernel, size=16).replace("print(", "(lambda *a: None)("), scope)
    np.testing.assert_allclose(scope["s"].numpy(), singular_values(kernel), atol=1e-12)
    gap = float((scope["full"] - scope["two_pass"]).abs().max())
    assert (gap < 1e-12) == (kernel_rank(kernel) == 1)


@pytest.mark.parametrize("s,p", [(1, 0), (2, 1), (1, 1)])
def test_conv_matrix_code_builds_the_engines_c(s, p):
    from engine.pytorch_code import conv_matrix_code
    x, kernel = np.arange(16.0).reshape(4, 4) % 5, np.array([[1.0, 0], [2, -1]])
    scope = {}
    exec(conv_matrix_code(x, kernel, s, p).replace("print(", "(lambda *a: None)("), scope)
    np.testing.assert_array_equal(scope["C"].numpy(), conv_matrix(x.shape, kernel, s, p))


def test_pointwise_code_runs_and_agrees():
    from engine.ops.grouped import pointwise_as_matmul
    from engine.pytorch_code import pointwise_code
    rng = np.random.default_rng(0)
    x, w = rng.integers(-2, 3, (3, 4, 4)).astype(float), rng.integers(-2, 3, (2, 3)).astype(float)
    scope = {}
    exec(pointwise_code(x, w).replace("print(", "(lambda *a: None)("), scope)
    np.testing.assert_array_equal(scope["y"].numpy(), pointwise_as_matmul(x, w))
    assert torch.equal(scope["y"], scope["by_matmul"])
